"""crawler.robots: an unreachable host is reported as the connection's failure, never as a robots refusal."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from crawler.errors import ConnectFailure, FetchTimeout
from crawler.fetch import FetchResult
from crawler.robots import RobotsCache

Fetch = Callable[[str], Awaitable[FetchResult]]


def _verdict(fetch: Fetch) -> str | None:
    return asyncio.run(RobotsCache().verdict("http://127.0.0.2/col/index.html", fetch))


def _raising(error: Exception) -> Fetch:
    async def fetch(url: str) -> FetchResult:
        raise error

    return fetch


def _answering(status: int, body: bytes = b"") -> Fetch:
    async def fetch(url: str) -> FetchResult:
        return FetchResult(url, url, status, {"content-type": "text/plain"}, body, 0.01)

    return fetch


def test_a_refused_connection_is_connect_not_robots_unavailable() -> None:
    assert _verdict(_raising(ConnectFailure("http://127.0.0.2/robots.txt", "refused"))) == "connect"
    assert _verdict(_raising(FetchTimeout("http://127.0.0.2/robots.txt"))) == "timeout"


def test_robots_answers_keep_their_meaning() -> None:
    assert _verdict(_answering(503)) == "robots_unavailable"
    assert _verdict(_answering(404)) is None
    assert _verdict(_answering(200, b"User-agent: *\nDisallow: /col/\n")) == "robots"
    assert _verdict(_answering(200, b"User-agent: *\nDisallow: /other/\n")) is None
