"""robots.txt with Protego (RFC 9309): 4xx → everything allowed; 5xx or unreachable → nothing allowed; cached 24 h."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from crawler.errors import FetchError
from crawler.fetch import FetchResult

TTL = 24 * 3600
MAX_ROBOTS_BYTES = 512 * 1024
ROBOTS_AGENT = "fazhi"  # the product token matched against User-agent lines


@dataclass
class _Rules:
    fetched: float
    parser: Protego | None  # None with allow_all / disallow_all
    allow_all: bool = False

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, ROBOTS_AGENT))


class RobotsCache:
    """One per process: rules per origin, fetched through the caller's (polite) fetch function."""

    def __init__(self) -> None:
        self._rules: dict[str, _Rules] = {}

    async def allowed(self, url: str, fetch: Callable[[str], Awaitable[FetchResult]]) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._rules.get(origin)
        if rules is None or time.monotonic() - rules.fetched > TTL:
            rules = self._rules[origin] = await self._load(origin, fetch)
        return rules.allows(url)

    async def _load(self, origin: str, fetch: Callable[[str], Awaitable[FetchResult]]) -> _Rules:
        now = time.monotonic()
        try:
            result = await fetch(f"{origin}/robots.txt")
        except FetchError:
            return _Rules(now, None, allow_all=False)  # unreachable: assume complete disallow
        if 400 <= result.status < 500:
            return _Rules(now, None, allow_all=True)
        if result.status != 200:
            return _Rules(now, None, allow_all=False)
        text = result.content[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        return _Rules(now, Protego.parse(text))
