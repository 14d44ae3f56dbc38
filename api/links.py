"""Links the API hands out (``next_url``, ``Link``), built from ``FAZHI_PUBLIC_URL``, never from the request's
``Host`` header (a client could otherwise have cached answers point elsewhere). Without a public URL the link is
relative (``/documents?…``), which clients resolve against the URL they asked."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from fastapi import Request


def page_link(request: Request, **params: str) -> str:
    """The request's path and query with ``params`` set (last, in their order; the other parameters keep theirs):
    what ``request.url.include_query_params`` gives, read from the ASGI scope without building and splitting a
    whole URL (a third of the cost, on every page of a listing)."""
    scope = request.scope
    path = scope["path"].replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")  # as starlette's URL
    query = scope.get("query_string", b"").decode().partition("#")[0]
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in params]
    query = urlencode([*kept, *params.items()])
    relative = f"{path}?{query}" if query else path
    base = request.app.state.settings.public_url
    return (base.rstrip("/") + relative) if base else relative


def next_page(request: Request, cursor: str | None) -> tuple[dict[str, str | None], dict[str, str]]:
    """A keyset page's ``next`` and ``next_url`` fields, and its headers: a ``Link`` to the next page when there
    is one (``/documents`` and ``/reports`` alike)."""
    if cursor is None:
        return {"next": None, "next_url": None}, {}
    url = page_link(request, cursor=cursor)
    return {"next": cursor, "next_url": url}, {"Link": f'<{url}>; rel="next"'}
