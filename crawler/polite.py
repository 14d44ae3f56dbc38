"""The polite fetcher: robots.txt, the host's slot (concurrency, spacing, Retry-After) and retries with backoff
around :class:`crawler.fetch.Fetcher`. A URL it will not try again raises :class:`crawler.errors.GaveUp`; any
answer it got (whatever its status) comes back with the number of attempts it took.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlsplit

from crawler import metrics
from crawler.errors import FetchError, GaveUp
from crawler.fetch import Fetcher, FetchResult
from crawler.politeness import HostSlots
from crawler.retry import RETRY_STATUSES, RetryPolicy, retry_after
from crawler.robots import RobotsCache

log = logging.getLogger("fazhi.crawler")
RETRIED_FAILURES = frozenset({"timeout", "connect"})  # other fetch failures are the page's, not the moment's
DOWN_AFTER = 3  # URLs in a row given up on (timeout, connect) with no answer between: one attempt a URL after


@dataclass(frozen=True)
class Manners:
    """How one source is asked: its spacing, in-flight cap, robots.txt and retries."""

    delay: float
    concurrency: int
    obey_robots: bool
    retry: RetryPolicy


@dataclass
class Fetched:
    result: FetchResult
    attempts: int

    @cached_property
    def digest(self) -> str:
        """sha256 of the raw body: the unchanged-page test and the frontier's checksum."""
        return hashlib.sha256(self.result.content).hexdigest()


class PoliteFetcher:
    """One per source crawl, over that crawl's :class:`Fetcher`; ``received`` counts every body's bytes."""

    def __init__(
        self, fetcher: Fetcher, *, slots: HostSlots, robots: RobotsCache, manners: Manners, source: str
    ) -> None:
        self.fetcher, self.slots, self.robots, self.manners = fetcher, slots, robots, manners
        self.source = source
        self.received = 0
        self._seconds = metrics.FETCH_SECONDS.labels(source)  # the labelled child once, not per request
        self._robots_fetch = self._unretried
        self._unanswered: dict[str, int] = {}  # host: URLs given up on in a row, every attempt unanswered

    async def get(
        self,
        url: str,
        *,
        method: str = "GET",
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Fetched:
        """Fetch ``url`` politely; :class:`GaveUp` when robots.txt refuses it or every attempt failed."""
        if self.manners.obey_robots:
            refused = await self.robots.verdict(url, self._robots_fetch)
            if refused:
                robots = refused in (
                    "robots",
                    "robots_unavailable",
                )  # else the host is unreachable (connect …)
                raise GaveUp(refused, 0, "robots.txt" if robots else f"{refused} (the host's robots.txt)")
        host = (urlsplit(url).hostname or "").lower()
        retry = self.manners.retry
        for attempt in range(retry.retries + 1):
            # a host that left DOWN_AFTER URLs in a row unanswered: one attempt a URL until it answers again
            last = attempt == retry.retries or self._unanswered.get(host, 0) >= DOWN_AFTER
            try:
                result = await self._once(host, url, method, data, headers)
            except FetchError as exc:
                if exc.reason not in RETRIED_FAILURES:  # the host answered (too large, a redirect loop …)
                    self._unanswered.pop(host, None)
                    raise GaveUp(exc.reason, attempt + 1, str(exc)) from exc
                if last:
                    self._unanswering(host, exc)
                    raise GaveUp(exc.reason, attempt + 1, str(exc)) from exc
                await asyncio.sleep(retry.delay(attempt))
                continue
            self._unanswered.pop(host, None)
            last = attempt == retry.retries  # it answers: its retries are back
            wait = self._retry_wait(result, attempt, last)
            if wait is None:
                return Fetched(result, attempt + 1)
            self.slots.defer(host, wait)  # the whole host waits, not only this request
            log.info(
                "retrying after %.1f s (HTTP %s)",
                wait,
                result.status,
                extra={"source": self.source, "url": url, "status": result.status},
            )
        raise AssertionError("unreachable")

    async def _once(
        self, host: str, url: str, method: str, data: dict[str, str] | None, headers: dict[str, str] | None
    ) -> FetchResult:
        async with self.slots.slot(host, self.manners.delay, self.manners.concurrency):
            started = time.monotonic()
            result = await self.fetcher.fetch(url, method=method, data=data, headers=headers)
            self._seconds.observe(time.monotonic() - started)
        self.received += len(result.content)
        return result

    def _unanswering(self, host: str, error: FetchError) -> None:
        """One more URL of ``host`` given up on, unanswered. From :data:`DOWN_AFTER` in a row on, each of its URLs
        gets one attempt, no retries and no backoff, until one is answered: a portal gone mid-crawl cost every
        remaining page all its retries (a 20-host crawl held for 13 minutes), while a page is never skipped
        untried (a few pages of a healthy portal that never answer must not hide the others)."""
        count = self._unanswered.get(host, 0) + 1
        self._unanswered[host] = count
        if count == DOWN_AFTER:
            log.warning(
                "%s left %d URLs in a row unanswered (%s, every retry): one attempt a URL until it answers",
                host,
                count,
                error.reason,
                extra={"source": self.source, "reason": error.reason},
            )

    def _retry_wait(self, result: FetchResult, attempt: int, last: bool) -> float | None:
        """Seconds to wait before asking again, or ``None``: this answer is the one."""
        if result.status not in RETRY_STATUSES or last:
            return None
        wait = retry_after(result.headers.get("retry-after"))
        if wait is not None and wait > self.manners.retry.max_wait:
            return None
        return self.manners.retry.delay(attempt) if wait is None else wait

    async def _unretried(self, url: str) -> FetchResult:
        """robots.txt: through the slot, one attempt (the cache decides what a failure means)."""
        host = (urlsplit(url).hostname or "").lower()
        async with self.slots.slot(host, self.manners.delay, self.manners.concurrency):
            return await self.fetcher.fetch(url)
