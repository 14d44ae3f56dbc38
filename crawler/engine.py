"""Crawling a source: list pages and their pagination → candidate links → detail pages → ingest → store.

Sources run concurrently; requests to one host go through its slot (one at a time, ``delay`` apart). Database work
and extraction run in a thread so that the event loop (and the scheduler on it) never blocks.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import Engine

from crawler.candidates import looks_like_report, on_source_hosts
from crawler.discover import Link, ListRequest, parse_list
from crawler.errors import FetchError
from crawler.fetch import Fetcher, FetchPolicy, FetchResult
from crawler.pipeline import ingest_detail, record_failure, record_listed
from crawler.politeness import HostSlots
from crawler.sources import Source

log = logging.getLogger("fazhi.crawler")


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str
    timeout: float = 15.0
    deadline: float = 60.0
    keywords: int = 8


@dataclass
class SourceStats:
    name: str
    list_pages: int = 0
    candidates: int = 0
    details_done: int = 0
    new: int = 0
    seen: int = 0
    not_reports: int = 0
    blocked: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    error: str | None = None

    @property
    def failures(self) -> int:
        return sum(self.failed.values())


EventHook = Callable[[str, SourceStats], None]


def _status_reason(status: int) -> str:
    return "http_5xx" if status >= 500 else f"http_{status}"


class SourceCrawl:
    """One crawl of one source; ``run()`` returns its stats."""

    def __init__(
        self,
        source: Source,
        *,
        db: Engine,
        config: CrawlConfig,
        slots: HostSlots,
        on_event: EventHook | None = None,
    ) -> None:
        self.source, self.db, self.config, self.slots = source, db, config, slots
        self.stats = SourceStats(source.name)
        self._emit = on_event or (lambda _kind, _stats: None)
        allowed = source.start_hosts if source.allow_private else frozenset()
        self.policy = FetchPolicy(
            user_agent=config.user_agent,
            allow_private_hosts=allowed,
            max_bytes=source.max_bytes,
            timeout=config.timeout,
            deadline=config.deadline,
        )

    async def run(self) -> SourceStats:
        async with Fetcher(self.policy) as fetcher:
            links = await self._discover(fetcher)
            self.stats.candidates = len(links)
            self._emit("candidates", self.stats)
            for link in links:
                await self._detail(fetcher, link)
        return self.stats

    async def _fetch(
        self, fetcher: Fetcher, url: str, method: str = "GET", data: dict[str, str] | None = None
    ):
        host = (urlsplit(url).hostname or "").lower()
        async with self.slots.slot(host, self.source.delay):
            return await fetcher.fetch(url, method=method, data=data)

    async def _discover(self, fetcher: Fetcher) -> list[Link]:
        queue = [ListRequest(url, self.source.dialect) for url in self.source.start_urls]
        seen_requests: set[str] = set()
        found: dict[str, Link] = {}
        while queue and self.stats.list_pages < self.source.max_list_pages:
            request = queue.pop(0)
            if request.key in seen_requests:
                continue
            seen_requests.add(request.key)
            result = await self._list_page(fetcher, request)
            if result is None:
                continue
            page = await asyncio.to_thread(parse_list, result.content, result.content_type, request)
            if not page.links and request.method == "POST":
                continue  # an empty dataproxy page: the end of the column
            queue += [r for r in page.requests if r.key not in seen_requests]
            for link in page.links:
                if looks_like_report(link.title) and on_source_hosts(link.url, self.source.start_hosts):
                    found.setdefault(link.url, link)
        return list(found.values())

    async def _list_page(self, fetcher: Fetcher, request: ListRequest) -> FetchResult | None:
        try:
            result = await self._fetch(fetcher, request.url, request.method, dict(request.data) or None)
        except FetchError as exc:
            self._fail(request.url, "list", exc.reason, None, str(exc))
            return None
        self.stats.list_pages += 1
        self._emit("list", self.stats)
        if result.status != 200:
            self._fail(request.url, "list", _status_reason(result.status), result.status)
            return None
        await asyncio.to_thread(
            record_listed, db=self.db, source=self.source, url=request.url, status=result.status
        )
        return result

    async def _detail(self, fetcher: Fetcher, link: Link) -> None:
        try:
            result = await self._fetch(fetcher, link.url)
        except FetchError as exc:
            self._fail(link.url, "detail", exc.reason, None, str(exc))
            await self._record_failure(link.url, exc.reason, None)
            return
        if result.status != 200:
            reason = _status_reason(result.status)
            self._fail(link.url, "detail", reason, result.status)
            await self._record_failure(link.url, reason, result.status)
            return
        outcome, reason = await asyncio.to_thread(
            ingest_detail, db=self.db, source=self.source, result=result, keywords=self.config.keywords
        )
        self._count(outcome, link, reason)

    def _count(self, outcome: str, link: Link, reason: str) -> None:
        self.stats.details_done += 1
        if outcome == "new":
            self.stats.new += 1
        elif outcome == "seen":
            self.stats.seen += 1
        elif outcome == "blocked":
            self.stats.blocked += 1
            log.warning("blocked page", extra={"source": self.source.name, "url": link.url, "reason": reason})
        else:
            self.stats.not_reports += 1
        self._emit("detail", self.stats)

    def _fail(self, url: str, kind: str, reason: str, status: int | None, detail: str = "") -> None:
        self.stats.failed[reason] += 1
        if kind == "detail":
            self.stats.details_done += 1
            self._emit("detail", self.stats)
        log.warning(
            "fetch failed: %s %s",
            reason,
            detail or url,
            extra={"source": self.source.name, "url": url, "status": status, "reason": reason},
        )

    async def _record_failure(self, url: str, reason: str, status: int | None) -> None:
        await asyncio.to_thread(
            record_failure,
            db=self.db,
            source=self.source,
            url=url,
            kind="detail",
            reason=reason,
            status=status,
        )


async def crawl_sources(
    sources: list[Source],
    *,
    db: Engine,
    config: CrawlConfig,
    slots: HostSlots | None = None,
    on_event: EventHook | None = None,
) -> list[SourceStats]:
    """Crawl every source concurrently; one source's failure never stops the others."""
    slots = slots or HostSlots()
    crawls = [SourceCrawl(s, db=db, config=config, slots=slots, on_event=on_event) for s in sources]
    results = await asyncio.gather(*(c.run() for c in crawls), return_exceptions=True)
    stats = []
    for crawl, result in zip(crawls, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.exception("crawl of %s failed", crawl.source.name, exc_info=result)
            crawl.stats.error = f"{type(result).__name__}: {result}"
        stats.append(crawl.stats)
    return stats
