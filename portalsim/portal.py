"""A simulated portal: a host, its static pages and its dynamic endpoints, served as one ASGI app.

Each platform module (``trs_cq``, ``trs_tj``, ``nfcms_dg``, ``nfcms_jh``, ``hanweb_hz``) builds a :class:`Portal`;
``server`` serves all of them in one process, each on its own loopback address.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate

from starlette.requests import Request
from starlette.responses import Response

from portalsim.content import Item

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class StaticPage:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    modified: float = field(default_factory=time.time)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:16] + '"'

    @property
    def last_modified(self) -> str:
        return formatdate(self.modified, usegmt=True)


@dataclass(frozen=True)
class Hit:
    at: float  # time.monotonic() when the request arrived
    wall: float  # time.time(), to compare with timestamps other processes wrote
    method: str
    path: str
    headers: dict[str, str]
    query: str = ""


@dataclass
class Portal:
    """One simulated government site."""

    key: str
    name: str
    host: str
    start_paths: list[str]
    platform: str
    region: str
    agency: str | None
    items: list[Item] = field(default_factory=list)
    pages: dict[str, StaticPage] = field(default_factory=dict)
    handlers: dict[str, Handler] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    log: list[Hit] = field(default_factory=list)
    resets: list[Callable[[], None]] = field(default_factory=list)  # stateful handlers start over

    def reset(self) -> None:
        """Back to the first visit's behaviour (a storm storms again, a rate limit limits again)."""
        for hook in self.resets:
            hook()

    def add_html(self, path: str, html: str, *, charset: str = "utf-8", declare: bool = True) -> None:
        content_type = f"text/html; charset={charset}" if declare else "text/html"
        self.pages[path] = StaticPage(html.encode(charset), content_type)

    def reports(self) -> list[Item]:
        return [i for i in self.items if i.kind == "report"]

    async def __call__(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        response = await self.respond(request)
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        if path.endswith("/"):
            path += "index.html"
        self.hits[path] = self.hits.get(path, 0) + 1
        self.log.append(
            Hit(time.monotonic(), time.time(), request.method, path, dict(request.headers), request.url.query)
        )
        if path in self.handlers:
            return await self.handlers[path](request)
        page = self.pages.get(path)
        if page is None or request.method not in ("GET", "HEAD"):
            return Response(_NOT_FOUND, status_code=404, media_type="text/html")
        return static_response(page, request)

    def replace_page(self, path: str, html: str) -> None:
        """Change a page (tests of recrawls): new body, new validators."""
        old = self.pages[path]
        self.pages[path] = StaticPage(html.encode("utf-8"), old.content_type, old.status, time.time() + 1)


def static_response(page: StaticPage, request: Request) -> Response:
    """Like a static web server: ETag and Last-Modified, 304 for a matching If-None-Match/If-Modified-Since."""
    validators = {"etag": page.etag, "last-modified": page.last_modified}
    if page.status == 200 and (
        request.headers.get("if-none-match") == page.etag
        or (
            request.headers.get("if-modified-since") == page.last_modified
            and "if-none-match" not in request.headers
        )
    ):
        return Response(status_code=304, headers=validators)
    return Response(
        page.body, status_code=page.status, headers={"content-type": page.content_type, **validators}
    )


_NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
