"""What every request meets before a route: a body limit enforced before any of the body is read, the operator
token checked before the body of a ``/-/`` request is read, and the caching policy by path (operator answers are
``private, no-store``; the change feed is ``no-cache`` with its ETag, so clients revalidate and proxies never serve
a stale or someone else's copy). A pure ASGI middleware: nothing is buffered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from api.errors import ApiError, error_response
from api.operator import operator_denial

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY_BYTES = 8 * 1024  # the largest valid body (POST /-/recrawl: 100 names of 64 characters) is < 7 KB
OPERATOR_CACHE = "private, no-store"
FEED_CACHE = "no-cache"


class BodyTooLarge(ApiError):
    status = 413


class Guard:
    def __init__(self, app: ASGIApp, *, settings: Any) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        denied = self._refusal(scope, path)
        if denied is None and _chunked(scope):
            receive, denied = await _buffered(receive)
        if denied is not None:
            await _answer(scope, receive, send, denied, path)
            return
        await self.app(scope, receive, _with_cache_policy(send, path))

    def _refusal(self, scope: Scope, path: str) -> ApiError | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if path.startswith("/-/"):
            denial = operator_denial(self.settings, headers.get("authorization"))
            if denial is not None:
                return denial
        length = headers.get("content-length", "0").strip() or "0"
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            return BodyTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
        return None


def cache_policy(path: str) -> str | None:
    if path.startswith("/-/"):
        return OPERATOR_CACHE
    if path == "/changes":
        return FEED_CACHE
    return None


def _with_cache_policy(send: Send, path: str) -> Send:
    policy = cache_policy(path)
    if policy is None:
        return send

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message["headers"] = [*headers, (b"cache-control", policy.encode())]
        await send(message)

    return sending


def _chunked(scope: Scope) -> bool:
    return any(k.lower() == b"transfer-encoding" for k, _ in scope["headers"])


async def _buffered(receive: Receive) -> tuple[Receive, ApiError | None]:
    """A body without Content-Length, read here up to the limit (a few KB) and replayed to the app; past the
    limit, refused without reading further."""
    messages, size = [], 0
    while True:
        message = await receive()
        messages.append(message)
        size += len(message.get("body", b""))
        if size > MAX_BODY_BYTES:
            return receive, BodyTooLarge(f"request body over {MAX_BODY_BYTES} bytes")
        if message["type"] != "http.request" or not message.get("more_body", False):
            break

    async def replay() -> Message:
        return messages.pop(0) if messages else await receive()

    return replay, None


async def _answer(scope: Scope, receive: Receive, send: Send, error: ApiError, path: str) -> None:
    """The error, without reading the body; the connection is closed after it (the body is not drained)."""
    headers = {"Connection": "close", **({"WWW-Authenticate": "Bearer"} if error.status == 401 else {})}
    policy = cache_policy(path)
    if policy:
        headers["Cache-Control"] = policy
    response = error_response(error.status, error.message, error.errors, headers=headers)
    await response(scope, receive, _with_cache_policy(send, path))
