"""JSON responses with a strong ETag, 304 on a matching If-None-Match, and a short Cache-Control."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from fastapi import Request, Response

CACHE_SECONDS = 30


def dumps(payload: Any) -> bytes:
    return orjson.dumps(payload, option=orjson.OPT_UTC_Z)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def cached(
    request: Request,
    body: bytes,
    *,
    media_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> Response:
    tag = etag_of(body)
    common = {"ETag": tag, "Cache-Control": f"public, max-age={CACHE_SECONDS}", **(headers or {})}
    if tag in _tags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=common)
    return Response(body, media_type=media_type, headers=common)


def json_response(request: Request, payload: Any, headers: dict[str, str] | None = None) -> Response:
    return cached(request, dumps(payload), headers=headers)


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/") for t in header.split(",") if t.strip()}
