"""A simulated portal: a host, its static pages and its dynamic endpoints, served as one ASGI app.

Each platform module (``trs_cq``, ``trs_tj``, ``nfcms_dg``, ``nfcms_jh``, ``hanweb_hz``) builds a :class:`Portal`;
``server`` serves all of them in one process, each on its own loopback address.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

from portalsim.content import Item

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class StaticPage:
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200


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
        if path in self.handlers:
            return await self.handlers[path](request)
        page = self.pages.get(path)
        if page is None or request.method not in ("GET", "HEAD"):
            return Response(_NOT_FOUND, status_code=404, media_type="text/html")
        return Response(page.body, status_code=page.status, headers={"content-type": page.content_type})


_NOT_FOUND = "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
