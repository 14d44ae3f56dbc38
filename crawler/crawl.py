"""One crawl of one source from its frontier: list pages and their pagination first, then the candidate details.

Each page goes one way: the polite fetcher (``crawler.polite``) → reading it in an extraction worker when needed
(``crawler.pipeline`` under ``crawler.extraction``'s deadline) → a pure decision (``crawler.decide``) → one
transaction with its effects (``crawler.commit``, grouped with other pages') → its count (``SourceStats``).
A killed crawl resumes where it stopped: the next crawl of the source continues the unfinished run and fetches
only what is still pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Engine

from crawler import attachments, checkup, coverage, metrics, pipeline, warc
from crawler.commit import Committer
from crawler.config import CrawlConfig
from crawler.decide import conditional_headers, decide_detail, decide_list, gave_up, needs_reading
from crawler.discover import ListOptions, ListPage, ListRequest
from crawler.errors import GaveUp, PageError
from crawler.extraction import ExtractionPool, shared_pool
from crawler.fetch import Fetcher, FetchPolicy, FetchResult
from crawler.listing import Listing, queue_fallbacks
from crawler.outcomes import Outcome, PageOutcome, SourceStats
from crawler.polite import Fetched, Manners, PoliteFetcher
from crawler.politeness import HostSlots
from crawler.retry import RetryPolicy
from crawler.robots import RobotsCache
from crawler.sources import Source
from ingest import ExtractedReport, SourceHints
from store.errors import RunHeld
from store.frontier import Entry, NewEntry, finish_run, give_up_pending, pending, start_run
from store.grams import Sketch
from store.runlock import run_lock

log = logging.getLogger("fazhi.crawler")
T = TypeVar("T")
EventHook = Callable[[str, SourceStats], None]


class Attempts(Exception):
    """:meth:`SourceCrawl._fetch` gave up: ``error`` (with its ``reason``) after ``attempts`` tries."""

    def __init__(self, error: GaveUp) -> None:
        super().__init__(str(error))
        self.error, self.attempts = error, error.attempts


def fetch_policy(source: Source, config: CrawlConfig) -> FetchPolicy:
    return FetchPolicy(
        user_agent=config.user_agent,
        allow_private_hosts=source.start_hosts if source.allow_private else frozenset(),
        max_bytes=source.max_bytes,
        timeout=config.timeout,
        deadline=config.deadline,
        verify=source.verify,
        tls=source.tls,
    )


def manners(source: Source, config: CrawlConfig) -> Manners:
    retry = RetryPolicy(retries=source.retries, backoff=source.backoff, max_wait=config.max_retry_wait)
    return Manners(source.delay, source.concurrency, source.obey_robots, retry)


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
        committer: Committer | None = None,
    ) -> None:
        self.source, self.db, self.config, self.slots = source, db, config, slots
        self.extractor = extractor or shared_pool(config.extract_workers)
        self.committer = committer or Committer(db)
        self.robots = robots or RobotsCache()
        self.trigger = trigger
        self.stats = SourceStats(source.name)
        self.listing = Listing(source.start_hosts, source.start_urls)
        self.list_options = ListOptions(source.max_list_pages, frozenset(source.disabled_dialects))
        self.hints = SourceHints(agency=source.agency, region=source.region, deadline=source.deadline)
        self.policy = fetch_policy(source, config)
        self.manners = manners(source, config)
        self._emit = on_event or (lambda _kind, _stats: None)
        self._lists_answered = 0  # the list-page cap counts fetches (their commits may still be queued)
        self._polite: PoliteFetcher | None = None
        self._other_bytes = 0  # attachments' bodies

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
            await self._crawl(run.id)
        except Exception as exc:
            self.stats.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            if not isinstance(
                sys.exc_info()[1], asyncio.CancelledError
            ):  # cancelled: the run stays resumable
                await self._finish(run.id, time.monotonic() - started)
        return self.stats

    async def _crawl(self, run_id: int) -> None:
        async with Fetcher(self.policy) as fetcher, attachments.client(self):  # attachments: their own client
            self._polite = self._polite_over(fetcher)
            await self._lists(run_id)
            await self._details(run_id)
            await self._drain()

    async def _finish(self, run_id: int, seconds: float) -> None:
        with contextlib.suppress(
            Exception
        ):  # after a failure: what was handed in still commits (or stays pending)
            await self._drain()
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
        metrics.record_run(self.stats, trigger=self.trigger, seconds=seconds, ok=error is None)

    def _warn_overrides(self) -> None:
        extra = {"source": self.source.name}
        if not self.source.obey_robots:
            log.warning("robots.txt is NOT obeyed for this source (obey_robots = false)", extra=extra)
        if not self.source.verify:
            log.warning("TLS certificates are NOT verified for this source (verify = false)", extra=extra)
        if self.source.tls == "legacy":
            log.warning("legacy TLS (SECLEVEL=1, legacy renegotiation) for this source", extra=extra)

    # ---------------------------------------------------------------- list pages

    async def _lists(self, run_id: int) -> None:
        cap = self.source.max_list_pages
        while True:
            await self._drain()  # what the committed pages queued is what is pending
            while batch := await asyncio.to_thread(pending, self.db, run_id=run_id, kind="list"):
                for entry in batch:
                    if self._lists_answered >= cap:
                        await self._drain()
                        await asyncio.to_thread(
                            give_up_pending, self.db, run_id=run_id, kind="list", reason="page_cap"
                        )
                        return
                    await self._submit(await self._list(entry))
                await self._drain()
            if self._lists_answered >= cap:
                return
            more = self.listing.fallbacks()  # short listings: the generic fallback's pages, once each
            if not more:
                return
            await asyncio.to_thread(
                queue_fallbacks, self.db, run_id=run_id, source_name=self.source.name, entries=more
            )

    async def _list(self, entry: Entry) -> PageOutcome:
        request = self.listing.request(entry)
        try:
            fetched = await self._get(entry, self.listing.headers(request))
        except GaveUp as failure:
            return gave_up(entry, failure)
        self._lists_answered += 1
        result = fetched.result
        if result.status != 200:
            return decide_list(entry, fetched, absent=self.listing.absent(request, result.status))
        try:
            page = await self._parse(fetched, request)
        except PageError as exc:
            return decide_list(entry, fetched, exc)
        if self.listing.retry_as_browser(
            request, page
        ):  # the page number was ignored: ask as a browser would
            with contextlib.suppress(GaveUp, PageError):
                retried = await self._get(entry, self.listing.headers(request, browser=True))
                fetched.attempts += retried.attempts
                if retried.result.status == 200:
                    page = await self._parse(retried, request)
                    fetched = Fetched(retried.result, fetched.attempts)
        read = self.listing.read(request, page, len(fetched.result.content))
        return decide_list(entry, fetched, read)

    async def _parse(self, fetched: Fetched, request: ListRequest) -> ListPage:
        result = fetched.result
        return await self._read(
            pipeline.read_list, result.content, result.content_type, request, self.list_options
        )

    # ---------------------------------------------------------------- detail pages

    async def _details(self, run_id: int) -> None:
        entries = await asyncio.to_thread(pending, self.db, run_id=run_id, kind="detail")
        self.stats.candidates = len(entries)
        self._emit("candidates", self.stats)
        queue: asyncio.Queue[Entry] = asyncio.Queue()
        for entry in entries:
            queue.put_nowait(entry)

        async def worker() -> None:
            while not queue.empty():
                await self._submit(await self._detail(queue.get_nowait()))

        await asyncio.gather(*(worker() for _ in range(self.source.concurrency)))

    async def _detail(self, entry: Entry) -> PageOutcome:
        conditional = conditional_headers(entry)  # a page we classified before: ask whether it changed
        headers = {**self.listing.detail_headers(entry), **conditional}  # Referer: its list page
        try:
            fetched = await self._get(entry, headers)
        except GaveUp as failure:
            return gave_up(entry, failure)
        read: ExtractedReport | PageError | None = None
        capture = sketch = None
        if needs_reading(entry, fetched):
            try:
                page_read, sketch = await self._read_detail(fetched.result)
                read = await attachments.attach(
                    self, entry, page_read
                )  # a report's files: fetched, read, joined
                if (
                    read.body != page_read.body
                ):  # joined with an attachment's text: its sketch is computed later
                    sketch = None
                capture = await self._archive(entry, fetched.result, read)
            except PageError as exc:
                read = exc
        page = decide_detail(
            entry, fetched, read, conditional=bool(conditional), source_name=self.source.name
        )
        page.capture = capture if page.document else None
        page.sketch = sketch if page.document else None
        return page

    async def _archive(
        self, entry: Entry, result: FetchResult, report: ExtractedReport
    ) -> dict[str, Any] | None:
        """A report page's WARC record, on disk before its document commits (evidence: ``crawler.warc``)."""
        if not (self.config.warc and report.is_report):
            return None
        extracted = pipeline.Extracted(report)
        return warc.archive_page(self.config.warc, self.db, entry, result, extracted)  # no I/O: queued

    async def _read_detail(self, result: FetchResult) -> tuple[ExtractedReport, Sketch | None]:
        """Extract the page, with its body's sketch (jieba is not on the page path: ``crawler.indexer`` runs
        it afterwards)."""
        return await self._read(
            pipeline.with_sketch,
            pipeline.read_detail,
            result.content,
            result.final_url,
            result.content_type,
            self.hints,
        )

    # ---------------------------------------------------------------- steps

    def _polite_over(self, fetcher: Fetcher) -> PoliteFetcher:
        return PoliteFetcher(
            fetcher, slots=self.slots, robots=self.robots, manners=self.manners, source=self.source.name
        )

    async def _fetch(
        self, fetcher: Fetcher, entry: Entry, headers: dict[str, str] | None = None
    ) -> tuple[FetchResult, int]:
        """A polite fetch with another client (``crawler.attachments``): ``(result, attempts)``, or
        :class:`Attempts`."""
        polite = self._polite_over(fetcher)
        try:
            fetched = await polite.get(entry.url, headers=headers)
        except GaveUp as failure:
            raise Attempts(failure) from failure
        finally:
            self._other_bytes += polite.received
        return fetched.result, fetched.attempts

    async def _get(self, entry: Entry, headers: dict[str, str]) -> Fetched:
        assert self._polite is not None
        data = {k: v for k, v in entry.data} or None
        return await self._polite.get(entry.url, method=entry.method, data=data, headers=headers)

    async def _read(self, function: Callable[..., T], *args: Any) -> T:
        """Run a page-reading step in an extraction worker, under the extraction deadline."""
        return await self.extractor.run(function, *args, timeout=self.config.extract_timeout)

    async def _submit(self, page: PageOutcome) -> None:
        await self.committer.submit(self.source.name, page, self._counted)

    async def _drain(self) -> None:
        await self.committer.drain(self.source.name)

    def _counted(self, page: PageOutcome) -> None:
        """A page's outcome has committed: count it, and log what went wrong."""
        self.stats.count(page)
        self.stats.bytes = (self._polite.received if self._polite else 0) + self._other_bytes
        if page.outcome in (Outcome.FAILED, Outcome.BLOCKED):
            self._log_failure(page)
        self._emit("list" if page.entry.kind == "list" else "detail", self.stats)

    def _log_failure(self, page: PageOutcome) -> None:
        extra = {
            "source": self.source.name,
            "url": page.entry.url,
            "status": page.http_status,
            "reason": page.reason,
        }
        if page.outcome is Outcome.BLOCKED:
            log.warning("blocked: %s", page.reason, extra=extra)
        else:
            log.warning("gave up: %s", page.detail or page.reason, extra=extra)
