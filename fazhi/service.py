"""The service: the read API and the crawl scheduler in one process (``fazhi serve``; ``fazhi run`` adds the portals).

APScheduler's ``AsyncIOScheduler`` runs one job per source on the API's event loop, with an explicit misfire grace,
coalescing and one instance per job (its defaults silently skip runs when the loop is busy: STACK-NOTES 11). A run
that fell due while the service was down runs once at start-up; operator recrawl requests, written to the store by
``POST /-/recrawl`` or ``fazhi recrawl``, are picked up every few seconds. The API never imports the crawler.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from crawler.engine import CrawlRunner, SourceStats
from crawler.extraction import ExtractionPool
from crawler.indexer import index_pending_async, index_pool
from crawler.politeness import HostSlots
from crawler.sources import Source
from fazhi import lifecycle
from fazhi.crawling import crawl_config
from fazhi.headers import header_deadline_protocol
from fazhi.lifecycle import Server, StopSignals
from fazhi.net import bind_socket
from fazhi.settings import Settings
from store.operator import last_run_started, set_next_runs, take_recrawl_requests

log = logging.getLogger("fazhi.service")
TIMEZONE = "Asia/Shanghai"  # the portals' clock: reports are due before 1 April, Beijing time
MISFIRE_GRACE = 6 * 3600  # a run delayed by a busy loop or a restart still runs (once: coalesce)


def deadline_trigger(jitter: int) -> BaseTrigger:
    """Daily at 03:00 from 1 January to 15 April (reports are due by 1 April, late ones trickle in), weekly on
    Mondays at 03:00 for the rest of the year."""
    return OrTrigger(
        [
            CronTrigger(month="1-3", hour=3, timezone=TIMEZONE),
            CronTrigger(month="4", day="1-15", hour=3, timezone=TIMEZONE),
            CronTrigger(month="4-12", day_of_week="mon", hour=3, timezone=TIMEZONE),
        ],
        jitter=jitter,
    )


def source_trigger(source: Source, settings: Settings) -> BaseTrigger:
    schedule = source.schedule or settings.default_schedule
    if schedule == "deadline":
        return deadline_trigger(settings.schedule_jitter)
    return CronTrigger.from_crontab(schedule, timezone=TIMEZONE)


class Crawls(CrawlRunner):
    """The process's crawl runner, configured from the settings (``fazhi serve`` and ``fazhi worker``)."""

    def __init__(
        self,
        sources: list[Source],
        *,
        db: Engine,
        settings: Settings,
        on_done: Callable[[SourceStats], None] | None = None,
        slots: HostSlots | None = None,
    ) -> None:
        super().__init__(sources, db=db, config=crawl_config(settings), slots=slots, on_done=on_done)


class Starter(Protocol):
    """What the scheduler starts crawls with: :class:`Crawls` in one process, a queue in distributed mode."""

    sources: dict[str, Source]
    db: Engine
    tasks: set[asyncio.Task[Any]]

    def start(self, name: str, trigger: str) -> None: ...


class Service:
    """The scheduler: ``fazhi serve`` crawls in-process; ``fazhi scheduler`` queues jobs for workers."""

    def __init__(self, crawls: Starter, settings: Settings) -> None:
        self.crawls, self.settings = crawls, settings
        self.scheduler = AsyncIOScheduler(timezone=TIMEZONE)
        self.triggers = {name: source_trigger(s, settings) for name, s in crawls.sources.items()}
        self._index_pool: ExtractionPool | None = (
            None  # the indexing step's own worker, started when first needed
        )

    def start(self) -> None:
        for name, trigger in self.triggers.items():
            self.scheduler.add_job(
                self.crawls.start,
                trigger,
                args=[name, "schedule"],
                id=f"crawl:{name}",
                name=f"crawl {name}",
                misfire_grace_time=MISFIRE_GRACE,
                coalesce=True,
                max_instances=1,
                replace_existing=True,
            )
        self.housekeeping(
            self.take_recrawls, "recrawl-requests", 60, "interval", seconds=self.settings.recrawl_poll_seconds
        )
        self.housekeeping(self.index, "search-index", 300, "interval", seconds=30)
        self.scheduler.start()
        self.missed_runs()

    def housekeeping(
        self, func: Callable[[], Any], job_id: str, grace: int, trigger: str, **trigger_args: Any
    ) -> None:
        """A periodic job of the scheduler itself: late runs coalesce into one, never two at once."""
        self.scheduler.add_job(
            func,
            trigger,
            id=job_id,
            misfire_grace_time=grace,
            coalesce=True,
            max_instances=1,
            **trigger_args,
        )

    def crawl_all_now(self) -> None:
        """``--crawl-now``: every source once, at start-up."""
        for name in self.crawls.sources:
            self.crawls.start(name, "startup")

    def missed_runs(self) -> list[str]:
        """Sources whose scheduled run fell due while the service was down: each runs once, now."""
        now = datetime.now(UTC)
        due = []
        for name, trigger in self.triggers.items():
            last = last_run_started(self.crawls.db, name)
            if last is None:
                continue  # never crawled: the schedule (or an operator) decides
            fire = trigger.get_next_fire_time(None, last)
            if fire is not None and fire <= now:
                due.append(name)
                self.crawls.start(name, "startup")
        if due:
            log.info("runs missed while down, starting now: %s", ", ".join(due))
        return due

    def next_runs(self) -> dict[str, datetime | None]:
        return {
            job.id.removeprefix("crawl:"): job.next_run_time
            for job in self.scheduler.get_jobs()
            if job.id.startswith("crawl:")
        }

    async def take_recrawls(self) -> None:
        names = await asyncio.to_thread(take_recrawl_requests, self.crawls.db)
        for name in names:
            self.crawls.start(name, "operator")
        await self.publish_next_runs()

    async def publish_next_runs(self) -> None:
        await asyncio.to_thread(set_next_runs, self.crawls.db, self.next_runs())

    async def index(self) -> None:
        """Search tokens and keywords for new documents, jieba in a worker of its own at the lowest priority (off
        the crawl's path: the crawls' extraction workers never wait behind a batch)."""
        if self._index_pool is None:
            self._index_pool = index_pool()
        await index_pending_async(self.crawls.db, self._index_pool, keywords=self.settings.keywords)

    async def stop(self, timeout: float) -> None:
        """Stop taking work; in-flight crawls get ``timeout`` seconds, then are cancelled (their runs resume)."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._index_pool is not None:
            self._index_pool.close()
        tasks = list(self.crawls.tasks)
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def api_server(db: Engine, settings: Settings, sources: list[str] | None = None) -> uvicorn.Server:
    from api import create_app  # here, not at import: `fazhi crawl` and `fazhi worker` serve no API

    app = create_app(engine=db, config=settings.api_config(sources))
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        http=header_deadline_protocol(settings.api_header_timeout),
        limit_concurrency=settings.api_max_connections,
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=16 * 1024,  # request line + headers
    )
    return Server(config)  # no signal handling of its own: run_service and run_api stop it


async def run_service(
    *,
    db: Engine,
    settings: Settings,
    sources: list[Source],
    host: str,
    port: int,
    crawl_now: bool = False,
    on_ready: Callable[[], None] | None = None,
    on_done: Callable[[SourceStats], None] | None = None,
) -> None:
    """Serve the API and run the schedule until SIGINT/SIGTERM; then stop within a bounded time: crawls get the
    grace period, those still running are recorded as interrupted and resume at the next start (``lifecycle``)."""
    sock = bind_socket(host, port)
    crawls = Crawls(sources, db=db, settings=settings, on_done=on_done)
    service = Service(crawls, settings)
    server = api_server(db, settings, [s.name for s in sources])
    why = "cancelled"
    with StopSignals() as signals:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started and not serving.done():
            await asyncio.sleep(0.02)
        try:
            if serving.done():
                await serving  # uvicorn could not start: its error
            service.start()
            lifecycle.warn_placeholder_contact(settings, sources)
            lifecycle.resume(db, sources, crawls.start)  # like missed_runs: one quick query at start-up
            if crawl_now:
                service.crawl_all_now()
            await service.publish_next_runs()
            log.info(_start_line(db, settings, sources, service, host, port))
            if on_ready:
                on_ready()
            stopping = asyncio.create_task(signals.stopping.wait())
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            why = signals.received or "the API server stopped"
        finally:
            server.should_exit = True
            await service.stop(settings.shutdown_seconds)
            cut = await asyncio.to_thread(lifecycle.interrupted, db, crawls.config.worker)
            await asyncio.wait({serving}, timeout=10)
            sock.close()
            log.info(lifecycle.stop_line(why, cut))


def _start_line(
    db: Engine, settings: Settings, sources: list[Source], service: Service, host: str, port: int
) -> str:
    from fazhi import __version__

    return lifecycle.start_line(
        version=__version__,
        sources=sources,
        settings=settings,
        next_runs=service.next_runs(),
        db=db,
        url=f"http://{host}:{port}",
    )


async def run_api(
    *, db: Engine, settings: Settings, host: str, port: int, sources: list[str] | None = None
) -> None:
    """Serve the read API alone (``fazhi serve --api-only``: replicas beside a scheduler and workers)."""
    from fazhi import __version__

    sock = bind_socket(host, port)
    server = api_server(db, settings, sources)
    why = "cancelled"
    with StopSignals() as signals:
        serving = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            stopping = asyncio.create_task(signals.stopping.wait())
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            why = signals.received or "the API server stopped"
            if serving.done():
                await serving
        finally:
            server.should_exit = True
            await asyncio.wait({serving}, timeout=10)
            sock.close()
            log.info("fazhi %s API stopped (%s)", __version__, why)


async def wait_for_signal() -> None:
    """Return on SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(number, stop.set)
    try:
        await stop.wait()
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(number)
