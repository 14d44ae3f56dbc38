"""robots.txt with Protego (RFC 9309): 4xx → everything allowed; 5xx or unreachable → nothing allowed.

Rules are cached 24 h; an unreachable robots.txt only 10 minutes, so that a passing outage does not stop a
long-running service for a day.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from crawler.errors import FetchError
from crawler.fetch import FetchResult

TTL = 24 * 3600
FAILURE_TTL = 600
MAX_ROBOTS_BYTES = 512 * 1024
ROBOTS_AGENT = "fazhi"  # the product token matched against User-agent lines


@dataclass
class _Rules:
    fetched: float
    parser: Protego | None  # None with allow_all / disallow_all
    allow_all: bool = False
    unavailable: bool = False  # 5xx or unreachable: nothing is allowed until it answers
    cause: str = ""  # unreachable: the fetch error's reason (connect, timeout …), reported instead of robots

    def verdict(self, url: str) -> str | None:
        """``None`` when ``url`` may be fetched, else the reason it may not."""
        if self.parser is not None:
            return None if self.parser.can_fetch(url, ROBOTS_AGENT) else "robots"
        if self.allow_all:
            return None
        if self.cause:  # the host itself is unreachable: say so, never blame robots.txt
            return self.cause
        return "robots_unavailable" if self.unavailable else "robots"

    def expired(self, now: float) -> bool:
        return now - self.fetched > (FAILURE_TTL if self.unavailable else TTL)


class RobotsCache:
    """One per process: rules per origin, fetched through the caller's (polite) fetch function."""

    def __init__(self) -> None:
        self._rules: dict[str, _Rules] = {}

    async def verdict(self, url: str, fetch: Callable[[str], Awaitable[FetchResult]]) -> str | None:
        """``None`` when robots.txt lets us fetch ``url``; else ``robots``, ``robots_unavailable`` (5xx) or, when
        the host could not be reached at all, the fetch error's reason (``connect``, ``timeout`` …)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._rules.get(origin)
        if rules is None or rules.expired(time.monotonic()):
            rules = self._rules[origin] = await self._load(origin, fetch)
        return rules.verdict(url)

    async def _load(self, origin: str, fetch: Callable[[str], Awaitable[FetchResult]]) -> _Rules:
        now = time.monotonic()
        try:
            result = await fetch(f"{origin}/robots.txt")
        except FetchError as exc:  # unreachable: assume complete disallow, and keep why
            return _Rules(now, None, unavailable=True, cause=exc.reason)
        if 400 <= result.status < 500:
            return _Rules(now, None, allow_all=True)
        if result.status != 200:
            return _Rules(now, None, unavailable=True)
        text = result.content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        return _Rules(now, Protego.parse(text))
