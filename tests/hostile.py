"""A small hostile origin for fetch tests: bombs, drips, loops, WAF cookie redirects, foreign redirects."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from typing import Any

_BOMB = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
_DEFLATE_BOMB = zlib.compress(b"\0" * (50 * 1024 * 1024), 9)


async def _send(
    send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers or []})
    await send({"type": "http.response.body", "body": body})


async def hostile_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    path = scope["path"]
    cookies = dict(scope["headers"]).get(b"cookie", b"")
    if path == "/ok":
        await _send(send, 200, "法治政府建设".encode(), [(b"content-type", b"text/html; charset=utf-8")])
    elif path == "/gzip":
        await _send(send, 200, gzip.compress("你好".encode()), [(b"content-encoding", b"gzip")])
    elif path == "/gzip-bomb":
        await _send(send, 200, _BOMB, [(b"content-encoding", b"gzip")])
    elif path == "/deflate-bomb":
        await _send(send, 200, _DEFLATE_BOMB, [(b"content-encoding", b"deflate")])
    elif path == "/br":
        await _send(send, 200, b"\x0b\x02\x80hello\x03", [(b"content-encoding", b"br")])
    elif path == "/big":
        await _send(send, 200, b"x" * (3 * 1024 * 1024))
    elif path == "/drip":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for _ in range(200):
            await send({"type": "http.response.body", "body": b".", "more_body": True})
            await asyncio.sleep(0.2)
        await send({"type": "http.response.body", "body": b""})
    elif path == "/loop":
        await _send(send, 302, b"", [(b"location", b"/loop")])
    elif path == "/chain":
        n = int(scope["query_string"].decode().partition("=")[2] or 0)
        await _send(send, 302, b"", [(b"location", f"/chain?n={n + 1}".encode())])
    elif path == "/waf":
        if b"waf=1" in cookies:
            await _send(send, 200, b"<p>real page</p>")
        else:
            await _send(send, 302, b"", [(b"location", b"/waf"), (b"set-cookie", b"waf=1; Path=/")])
    elif path == "/to-foreign":
        await _send(send, 302, b"", [(b"location", b"http://127.0.0.2:9/secret")])
    elif path == "/to-decimal-loopback":
        await _send(send, 302, b"", [(b"location", b"http://2130706433:9/secret")])
    else:
        await _send(send, 404, b"not found")
