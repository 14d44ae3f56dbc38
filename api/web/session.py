"""The console's session: a cookie signed with a key derived from ``FAZHI_API_TOKEN`` (HMAC-SHA256).

The cookie holds its expiry and the session's CSRF token; it is HttpOnly, ``SameSite=Strict``, scoped to
``/ops`` and ``Secure`` over HTTPS. Changing the token signs every session out. Every POST carries the CSRF
token (a form field, or the ``X-CSRF-Token`` header for htmx) and must come from this origin when it says where
it comes from.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

COOKIE = "fazhi_ops"
LIFETIME = 8 * 3600  # one working day
_CONTEXT = b"fazhi web console session v1"


@dataclass(frozen=True)
class Session:
    csrf: str
    expires: int


def _key(token: str) -> bytes:
    return hmac.new(token.encode(), _CONTEXT, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(session: Session, token: str) -> str:
    payload = _b64(json.dumps({"csrf": session.csrf, "exp": session.expires}).encode())
    mac = _b64(hmac.new(_key(token), payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{mac}"


def verify(cookie: str | None, token: str | None, *, now: float | None = None) -> Session | None:
    """The session in ``cookie`` if its signature holds under ``token`` and it has not expired."""
    if not cookie or not token or cookie.count(".") != 1:
        return None
    payload, mac = cookie.split(".")
    expected = _b64(hmac.new(_key(token), payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(mac, expected):
        return None
    try:
        data: Any = json.loads(_unb64(payload))
        session = Session(csrf=str(data["csrf"]), expires=int(data["exp"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if session.expires > (time.time() if now is None else now) else None


def new_session() -> Session:
    return Session(csrf=secrets.token_urlsafe(24), expires=int(time.time()) + LIFETIME)


def token_of(request: Request) -> str | None:
    secret = request.app.state.settings.api_token
    value = secret.get_secret_value() if secret is not None else ""
    return value or None


def current(request: Request) -> Session | None:
    return verify(request.cookies.get(COOKIE), token_of(request))


def set_cookie(response: Response, request: Request, session: Session) -> None:
    token = token_of(request)
    assert token is not None  # signed in only when a token is set
    response.set_cookie(
        COOKIE,
        sign(session, token),
        max_age=LIFETIME,
        path="/ops",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/ops", httponly=True, samesite="strict")


def same_origin(request: Request) -> bool:
    """False when the request names an origin other than the one it was sent to (browsers send Origin on POST)."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def csrf_ok(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf.encode(), (submitted or "").encode())
