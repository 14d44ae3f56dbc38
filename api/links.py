"""Links the API hands out (``next_url``, ``Link``), built from ``FAZHI_PUBLIC_URL``, never from the request's
``Host`` header (a client could otherwise have cached answers point elsewhere). Without a public URL the link is
relative (``/documents?…``), which clients resolve against the URL they asked."""

from __future__ import annotations

from fastapi import Request


def page_link(request: Request, **params: str) -> str:
    url = request.url.include_query_params(**params)
    relative = url.path + (f"?{url.query}" if url.query else "")
    base = request.app.state.settings.public_url
    return (base.rstrip("/") + relative) if base else relative
