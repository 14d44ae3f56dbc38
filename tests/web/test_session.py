"""The console's signed session cookie and its CSRF token (unit)."""

from __future__ import annotations

import time

from api.web.session import Session, csrf_ok, new_session, sign, verify


def test_a_signed_session_verifies_under_its_token_only() -> None:
    session = new_session()
    cookie = sign(session, "token-a")
    assert verify(cookie, "token-a") == session
    assert verify(cookie, "token-b") is None  # a changed token signs every session out
    assert verify(cookie, None) is None


def test_a_tampered_cookie_is_refused() -> None:
    cookie = sign(Session(csrf="x" * 32, expires=int(time.time()) + 60), "t")
    payload, mac = cookie.split(".")
    forged = sign(Session(csrf="y" * 32, expires=int(time.time()) + 10**6), "other")
    assert verify(f"{forged.split('.')[0]}.{mac}", "t") is None
    assert verify(payload, "t") is None
    assert verify(cookie + "x", "t") is None
    assert verify("", "t") is None and verify("a.b.c", "t") is None


def test_an_expired_session_is_refused() -> None:
    cookie = sign(Session(csrf="c", expires=1000), "t")
    assert verify(cookie, "t", now=999) is not None
    assert verify(cookie, "t", now=1000) is None


def test_csrf_must_match_the_sessions() -> None:
    session = new_session()
    assert csrf_ok(session, session.csrf)
    assert not csrf_ok(session, None) and not csrf_ok(session, "") and not csrf_ok(session, session.csrf[:-1])
