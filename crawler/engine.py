"""Crawling a source from its frontier: list pages and their pagination first, then the candidate detail pages.

Every page's outcome commits with its effects (``pipeline``), so a killed crawl resumes where it stopped: the next
crawl of the source continues the unfinished run and fetches only what is still pending. Requests go through the
host's slot (concurrency, delay, Retry-After), robots.txt, and retries with backoff; database work and extraction
run in threads, page reading (list parsing, extraction, jieba) in extraction worker processes under a deadline
(``extraction``), so that the event loop (and the scheduler and API on it) never waits on a page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import Engine

from crawler import attachments, checkup, coverage, metrics, pipeline, warc
from crawler.discover import ListOptions, parse_list
from crawler.errors import FetchError, PageError
from crawler.extraction import ExtractionPool, shared_pool
from crawler.fetch import Fetcher, FetchPolicy, FetchResult
from crawler.listing import Listing, queue_fallbacks
from crawler.politeness import HostSlots
from crawler.retry import RETRY_STATUSES, RetryPolicy, retry_after
from crawler.robots import RobotsCache
from crawler.sources import Source
from ingest.classify import blocked_reason
from ingest.decode import decode_html
from store import FrontierEntry
from store.errors import RunHeld
from store.frontier import NewEntry, finish_run, give_up_pending, pending, start_run
from store.runlock import run_lock

log = logging.getLogger("fazhi.crawler")
T = TypeVar("T")


@dataclass(frozen=True)
class CrawlConfig:
    user_agent: str
    timeout: float = 15.0
    deadline: float = 60.0
    keywords: int = 8
    max_retry_wait: float = 300.0
    worker: str | None = None  # host:pid, recorded on the run
    extract_timeout: float = 30.0  # seconds a page's extraction (or list parsing) may take in its worker
    extract_workers: int | None = None  # extraction worker processes (None: the CPU count, at most 4)
    warc: warc.WarcOptions | None = None  # where stored pages are archived (None: not archived)


@dataclass
class SourceStats:
    name: str
    run_id: int | None = None
    resumed: bool = False
    list_pages: int = 0
    candidates: int = 0
    details_done: int = 0
    new: int = 0
    seen: int = 0
    unchanged: int = 0
    not_modified: int = 0
    not_reports: int = 0
    blocked: int = 0
    bytes: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    listing: dict[str, Any] = field(default_factory=dict)  # expected vs found entries (crawler.listing)
    attachments: Counter[str] = field(
        default_factory=Counter
    )  # by status, and peak_rss_mb (crawler.attachments)

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def as_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "failed"}
        data["failed"] = dict(self.failed)
        return data


EventHook = Callable[[str, SourceStats], None]


class RobotsRefusal(FetchError):
    def __init__(self, url: str, reason: str) -> None:
        super().__init__(url, "robots.txt")
        self.reason = reason


class Attempts(Exception):
    """Carries how many attempts a failed fetch took."""

    def __init__(self, error: FetchError, attempts: int) -> None:
        super().__init__(str(error))
        self.error, self.attempts = error, attempts


def status_reason(result: FetchResult) -> str:
    if result.status in (202, 204, 403, 405, 412, 521) and result.content:
        text, _ = decode_html(result.content, result.content_type)
        blocked = blocked_reason(text, len(text), 0)
        if blocked:
            return blocked
    if result.status >= 500:
        return "http_5xx"
    return f"http_{result.status}"


class SourceCrawl:
    """One crawl of one source; ``run()`` returns its stats."""

    def __init__(
        self,
        source: Source,
        *,
        db: Engine,
        config: CrawlConfig,
        slots: HostSlots,
        robots: RobotsCache | None = None,
        trigger: str = "manual",
        on_event: EventHook | None = None,
        extractor: ExtractionPool | None = None,
    ) -> None:
        self.source, self.db, self.config, self.slots = source, db, config, slots
        self.extractor = extractor or shared_pool(config.extract_workers)
        self.robots = robots or RobotsCache()
        self.trigger = trigger
        self.stats = SourceStats(source.name)
        self.listing = Listing(source.start_hosts, source.start_urls)
        self.list_options = ListOptions(source.max_list_pages, frozenset(source.disabled_dialects))
        self._emit = on_event or (lambda _kind, _stats: None)
        self.retry = RetryPolicy(
            retries=source.retries, backoff=source.backoff, max_wait=config.max_retry_wait
        )
        allowed = source.start_hosts if source.allow_private else frozenset()
        self.policy = FetchPolicy(
            user_agent=config.user_agent,
            allow_private_hosts=allowed,
            max_bytes=source.max_bytes,
            timeout=config.timeout,
            deadline=config.deadline,
            verify=source.verify,
            tls=source.tls,
        )

    async def run(self) -> SourceStats:
        """Crawl the source, unless another live process is crawling it (its error then says who)."""
        holder = self.config.worker or f"{socket.gethostname()}:{os.getpid()}"
        try:
            with run_lock(self.db, source_name=self.source.name, holder=holder):
                return await self._run()
        except RunHeld as held:
            log.warning("%s", held, extra={"source": self.source.name})
            self.stats.error = str(held)
            return self.stats

    async def _run(self) -> SourceStats:
        self._warn_overrides()
        await asyncio.to_thread(coverage.declare_source, self.db, self.source)  # expectations: /coverage
        seeds = [NewEntry(url, "list", dialect=self.source.dialect) for url in self.source.start_urls]
        run, resumed = await asyncio.to_thread(
            start_run,
            self.db,
            source_name=self.source.name,
            trigger=self.trigger,
            seeds=seeds,
            worker=self.config.worker,
        )
        assert run.id is not None
        self.stats.run_id, self.stats.resumed = run.id, resumed
        if resumed:
            log.info("resuming unfinished run %s", run.id, extra={"source": self.source.name})
        started = time.monotonic()
        try:
            async with Fetcher(self.policy) as fetcher:
                await self._lists(fetcher, run.id)
                await self._details(fetcher, run.id)
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            if not isinstance(
                sys.exc_info()[1], asyncio.CancelledError
            ):  # cancelled: the run stays resumable
                await self._finish(run.id, time.monotonic() - started)
        return self.stats

    async def _finish(self, run_id: int, seconds: float) -> None:
        self.stats.listing = self.listing.summary(log_as=self.source.name)
        error = self.stats.error
        if (
            error is None
            and self.stats.list_pages == 0
            and self.stats.failures
            and not self.stats.details_done
        ):
            error = "no list page could be fetched: " + ", ".join(
                f"{r}={n}" for r, n in self.stats.failed.items()
            )
        stats = self.stats.as_dict()
        await asyncio.to_thread(finish_run, self.db, run_id=run_id, stats=stats, error=error)
        # source health: judged, recorded and logged (one line per run) by crawler.checkup; it never raises
        await asyncio.to_thread(
            checkup.after_run,
            self.db,
            source=self.source,
            run_id=run_id,
            stats=stats,
            error=error,
            seconds=seconds,
        )
        metrics.record_run(
            stats, source=self.source.name, trigger=self.trigger, seconds=seconds, ok=error is None
        )

    def _warn_overrides(self) -> None:
        extra = {"source": self.source.name}
        if not self.source.obey_robots:
            log.warning("robots.txt is NOT obeyed for this source (obey_robots = false)", extra=extra)
        if not self.source.verify:
            log.warning("TLS certificates are NOT verified for this source (verify = false)", extra=extra)
        if self.source.tls == "legacy":
            log.warning("legacy TLS (SECLEVEL=1, legacy renegotiation) for this source", extra=extra)

    # ---------------------------------------------------------------- fetching

    async def _fetch(
        self, fetcher: Fetcher, entry: FrontierEntry, headers: dict[str, str] | None = None
    ) -> tuple[FetchResult, int]:
        """Fetch politely: robots.txt, the host slot, retries with backoff; returns ``(result, attempts)``."""
        if self.source.obey_robots:
            refused = await self.robots.verdict(entry.url, self._robots_fetch(fetcher))
            if refused:
                raise Attempts(RobotsRefusal(entry.url, refused), 0) from None
        data = {k: v for k, v in entry.data} or None
        host = (urlsplit(entry.url).hostname or "").lower()
        for attempt in range(self.retry.retries + 1):
            try:
                async with self.slots.slot(host, self.source.delay, self.source.concurrency):
                    started = time.monotonic()
                    result = await fetcher.fetch(entry.url, method=entry.method, data=data, headers=headers)
                    metrics.FETCH_SECONDS.labels(self.source.name).observe(time.monotonic() - started)
            except FetchError as exc:
                if exc.reason not in ("timeout", "connect") or attempt == self.retry.retries:
                    raise Attempts(exc, attempt + 1) from exc
                await asyncio.sleep(self.retry.delay(attempt))
                continue
            self.stats.bytes += len(result.content)
            if result.status not in RETRY_STATUSES or attempt == self.retry.retries:
                return result, attempt + 1
            wait = retry_after(result.headers.get("retry-after"))
            if wait is not None and wait > self.retry.max_wait:
                return result, attempt + 1
            wait = self.retry.delay(attempt) if wait is None else wait
            self.slots.defer(host, wait)  # the whole host waits, not only this request
            log.info(
                "retrying after %.1f s (HTTP %s)",
                wait,
                result.status,
                extra={"source": self.source.name, "url": entry.url, "status": result.status},
            )
        raise AssertionError("unreachable")

    def _robots_fetch(self, fetcher: Fetcher) -> Callable[[str], Awaitable[FetchResult]]:
        async def fetch(url: str) -> FetchResult:
            host = (urlsplit(url).hostname or "").lower()
            async with self.slots.slot(host, self.source.delay, self.source.concurrency):
                return await fetcher.fetch(url)

        return fetch

    # ---------------------------------------------------------------- list pages

    async def _lists(self, fetcher: Fetcher, run_id: int) -> None:
        while True:
            while batch := await asyncio.to_thread(pending, self.db, run_id=run_id, kind="list"):
                for entry in batch:
                    if self.stats.list_pages >= self.source.max_list_pages:
                        await asyncio.to_thread(
                            give_up_pending, self.db, run_id=run_id, kind="list", reason="page_cap"
                        )
                        return
                    await self._list(fetcher, entry)
            if self.stats.list_pages >= self.source.max_list_pages:
                return
            more = self.listing.fallbacks()  # short listings: the generic fallback's pages, once each
            if not more:
                return
            await asyncio.to_thread(
                queue_fallbacks, self.db, run_id=run_id, source_name=self.source.name, entries=more
            )

    async def _list(self, fetcher: Fetcher, entry: FrontierEntry) -> None:
        request = self.listing.request(entry)
        try:
            result, attempts = await self._fetch(fetcher, entry, self.listing.headers(request))
        except Attempts as failure:
            await self._fail(entry, failure.error.reason, None, failure.attempts)
            return
        self.stats.list_pages += 1
        self._emit("list", self.stats)
        if result.status != 200 and self.listing.absent(request, result.status):  # a probe found no page
            await self._complete_list(entry, result, "absent", [], attempts)
            return
        if result.status != 200:
            await self._fail(entry, status_reason(result), result.status, attempts)
            return
        try:
            page = await self._read(
                parse_list, result.content, result.content_type, request, self.list_options
            )
        except PageError as exc:
            await self._fail(entry, exc.reason, result.status, attempts, detail=str(exc))
            return
        if self.listing.retry_as_browser(
            request, page
        ):  # the page number was ignored: ask as a browser would
            with contextlib.suppress(Attempts, PageError):
                retried, more = await self._fetch(fetcher, entry, self.listing.headers(request, browser=True))
                attempts += more
                if retried.status == 200:
                    page = await self._read(
                        parse_list, retried.content, retried.content_type, request, self.list_options
                    )
                    result = retried
        outcome, found = self.listing.read(request, page, len(result.content))
        await self._complete_list(entry, result, outcome, found, attempts)

    async def _complete_list(
        self, entry: FrontierEntry, result: FetchResult, outcome: str, found: list[NewEntry], attempts: int
    ) -> None:
        await asyncio.to_thread(
            pipeline.complete_list,
            self.db,
            entry=entry,
            result=result,
            outcome=outcome,
            found=found,
            attempts=attempts,
        )

    # ---------------------------------------------------------------- detail pages

    async def _details(self, fetcher: Fetcher, run_id: int) -> None:
        entries = await asyncio.to_thread(pending, self.db, run_id=run_id, kind="detail")
        self.stats.candidates = len(entries)
        self._emit("candidates", self.stats)
        queue: asyncio.Queue[FrontierEntry] = asyncio.Queue()
        for entry in entries:
            queue.put_nowait(entry)

        async def worker() -> None:
            while not queue.empty():
                await self._detail(fetcher, queue.get_nowait())

        await asyncio.gather(*(worker() for _ in range(self.source.concurrency)))

    async def _detail(self, fetcher: Fetcher, entry: FrontierEntry) -> None:
        conditional = self.listing.detail_headers(entry)  # Referer: its list page, as a browser sends
        if entry.outcome in ("report", "not_report"):  # a page we classified before: ask whether it changed
            if entry.etag:
                conditional["If-None-Match"] = entry.etag
            if entry.last_modified:
                conditional["If-Modified-Since"] = entry.last_modified
        try:
            result, attempts = await self._fetch(fetcher, entry, conditional)
        except Attempts as failure:
            await self._fail(entry, failure.error.reason, None, failure.attempts)
            return
        if result.status == 304 and ("If-None-Match" in conditional or "If-Modified-Since" in conditional):
            outcome = await asyncio.to_thread(
                pipeline.not_modified, self.db, entry=entry, result=result, attempts=attempts
            )
        elif result.status != 200:
            await self._fail(entry, status_reason(result), result.status, attempts)
            return
        else:
            try:
                outcome = await self._ingest(entry, result, attempts)
            except PageError as exc:
                await self._fail(entry, exc.reason, result.status, attempts, detail=str(exc))
                return
        self._count(outcome, entry)

    async def _ingest(
        self, entry: FrontierEntry, result: FetchResult, attempts: int
    ) -> pipeline.DetailOutcome:
        """Database steps in threads, extraction and jieba in an extraction worker: the loop never waits."""
        db, keywords = self.db, self.config.keywords
        same = await asyncio.to_thread(pipeline.unchanged, db, entry=entry, result=result, attempts=attempts)
        if same is not None:
            return same
        hints = pipeline.hints_of(self.source)
        report = await self._read(
            pipeline.extract, result.content, result.final_url, result.content_type, hints
        )
        report = await attachments.attach(self, entry, report)  # a report's files: fetched, read, joined
        read = await asyncio.to_thread(
            pipeline.read_detail,
            db,
            entry=entry,
            result=result,
            report=report,
            attempts=attempts,
            keywords=keywords,
        )
        if isinstance(read, pipeline.DetailOutcome):
            return read
        if read.needs_keywords:
            title, body = read.report.title or "", read.report.body
            found = await self._read(pipeline.keywords_and_tokens, title, body, keywords)
            read.report.keywords, read.search_tokens = found
        if self.config.warc and read.report.is_report:  # evidence: on disk before the document commits
            read.capture = await asyncio.to_thread(
                warc.archive_page, self.config.warc, db, entry, result, read
            )
        return await asyncio.to_thread(
            pipeline.store_detail,
            db,
            source=self.source,
            entry=entry,
            result=result,
            extracted=read,
            attempts=attempts,
        )

    async def _read(self, function: Callable[..., T], *args: Any) -> T:
        """Run a page-reading step in an extraction worker, under the extraction deadline."""
        return await self.extractor.run(function, *args, timeout=self.config.extract_timeout)

    def _count(self, outcome: pipeline.DetailOutcome, entry: FrontierEntry) -> None:
        self.stats.details_done += 1
        counter = {
            "new": "new",
            "seen": "seen",
            "unchanged": "unchanged",
            "not_modified": "not_modified",
            "not_report": "not_reports",
            "blocked": "blocked",
        }[outcome.status]
        setattr(self.stats, counter, getattr(self.stats, counter) + 1)
        if outcome.status == "blocked":
            self.stats.failed[outcome.reason] += 1
            log.warning(
                "blocked: %s",
                outcome.reason,
                extra={"source": self.source.name, "url": entry.url, "reason": outcome.reason},
            )
        self._emit("detail", self.stats)

    async def _fail(
        self, entry: FrontierEntry, reason: str, status: int | None, attempts: int, detail: str = ""
    ) -> None:
        self.stats.failed[reason] += 1
        if entry.kind == "detail":
            self.stats.details_done += 1
            self._emit("detail", self.stats)
        log.warning(
            "gave up: %s",
            detail or reason,
            extra={"source": self.source.name, "url": entry.url, "status": status, "reason": reason},
        )
        await asyncio.to_thread(
            pipeline.fail, self.db, entry=entry, reason=reason, status=status, attempts=attempts
        )


async def crawl_sources(
    sources: list[Source],
    *,
    db: Engine,
    config: CrawlConfig,
    slots: HostSlots | None = None,
    robots: RobotsCache | None = None,
    on_event: EventHook | None = None,
    trigger: str = "manual",
) -> list[SourceStats]:
    """Crawl every source concurrently; one source's failure never stops the others."""
    slots, robots = slots or HostSlots(), robots or RobotsCache()
    crawls = [
        SourceCrawl(s, db=db, config=config, slots=slots, robots=robots, trigger=trigger, on_event=on_event)
        for s in sources
    ]
    results = await asyncio.gather(*(c.run() for c in crawls), return_exceptions=True)
    stats = []
    for crawl, result in zip(crawls, results, strict=True):
        if isinstance(result, BaseException):
            if isinstance(result, asyncio.CancelledError):
                raise result
            log.error("crawl of %s failed", crawl.source.name, exc_info=result)
            crawl.stats.error = f"{type(result).__name__}: {result}"
        stats.append(crawl.stats)
    return stats
