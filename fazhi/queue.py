"""Distributed mode: crawl jobs in procrastinate, a task queue that lives in the PostgreSQL store.

- ``fazhi scheduler`` keeps APScheduler deciding *when* each source is due (the same triggers, missed runs and
  operator recrawl requests as ``fazhi serve``), but instead of crawling it defers one ``fazhi:crawl`` job per due
  source. The job's queueing lock (``source:NAME``) means a source is never queued twice: a second deferral while
  one waits is refused and logged.
- ``fazhi worker`` (any number, on any machine) runs those jobs. The job's lock (also ``source:NAME``) means two
  workers never crawl one source at once: a job waits while another job of its source is running. Per-host start
  spacing and ``Retry-After`` pauses are shared through the store (:class:`crawler.politeness.SharedHostSlots`).
- A worker stopped with SIGTERM gives its crawls ``FAZHI_SHUTDOWN_SECONDS``, then puts their jobs back in the
  queue; a resumed crawl continues from the committed frontier.
- A worker that dies mid-job (SIGKILL, a lost machine) stops sending heartbeats; the scheduler hands its job back
  to the queue after ``FAZHI_STALLED_SECONDS`` and another worker resumes the crawl from the committed frontier.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import Any

from procrastinate import App, Blueprint, JobContext, PsycopgConnector, RetryStrategy
from procrastinate.exceptions import AlreadyEnqueued, JobAborted
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from crawler.politeness import SharedHostSlots
from crawler.sources import Source
from fazhi.settings import Settings
from store.db import normalize_url

log = logging.getLogger("fazhi.queue")
QUEUE = "crawl"
TASK = "fazhi:crawl"
KEEP_FINISHED_JOBS_DAYS = 30  # the run history (crawl_runs) keeps everything; the queue only what is recent
tasks = Blueprint()


class NotPostgres(ValueError):
    pass


def conninfo(database_url: str) -> str:
    """The libpq URL of a ``postgresql+psycopg://`` store URL."""
    url = make_url(normalize_url(database_url))
    if url.get_backend_name() != "postgresql":
        raise NotPostgres(
            f"the scheduler and workers share a PostgreSQL store, but FAZHI_DATABASE_URL is {url.get_backend_name()}: "
            "set it to postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE (one machine needs neither: `fazhi serve`)"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def connect(database_url: str) -> App:
    """The queue of the store at ``database_url`` (open it with ``open_async`` before use)."""
    queue_app = App(connector=PsycopgConnector(conninfo=conninfo(database_url)))
    queue_app.add_tasks_from(tasks, namespace="fazhi")
    return queue_app


def lock_of(source: str) -> str:
    return f"source:{source}"


# A worker stopping (SIGTERM) gives its crawls FAZHI_SHUTDOWN_SECONDS, then cancels them: the cancelled job goes
# back to the queue at once and the next worker resumes its run. A crawl's own errors never reach the queue (they
# are recorded on the run), so nothing else is retried.
_BACK_TO_QUEUE = RetryStrategy(
    max_attempts=20,
    wait=1,
    retry_exceptions=[JobAborted, asyncio.CancelledError],  # type: ignore[list-item]  # BaseException on purpose
)


@tasks.task(name="crawl", queue=QUEUE, pass_context=True, retry=_BACK_TO_QUEUE)
async def crawl_source(context: JobContext, source: str, trigger: str = "schedule") -> None:
    from fazhi.service import Crawls

    crawls: Crawls = context.additional_context["crawls"]
    if source not in crawls.sources:
        raise LookupError(
            f"this worker has no source named {source!r}: the scheduler and every worker must read the same "
            "sources file (--sources / FAZHI_SOURCES)"
        )
    await crawls.crawl(source, trigger)


class QueueStarter:
    """What :class:`fazhi.service.Service` starts crawls with, in distributed mode: a deferral, not a crawl."""

    def __init__(self, sources: list[Source], *, db: Engine, queue_app: App, settings: Settings) -> None:
        self.sources = {s.name: s for s in sources}
        self.db, self.app, self.settings = db, queue_app, settings
        self.tasks: set[asyncio.Task[Any]] = set()

    def start(self, name: str, trigger: str) -> None:
        task = asyncio.create_task(self.defer(name, trigger))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def defer(self, name: str, trigger: str) -> int | None:
        if name not in self.sources:
            log.warning("crawl of unknown source %s not queued", name, extra={"source": name})
            return None
        lock = lock_of(name)
        try:
            job_id = await self.app.configure_task(TASK, lock=lock, queueing_lock=lock).defer_async(
                source=name, trigger=trigger
            )
        except AlreadyEnqueued:
            log.info("crawl of %s is already queued: not queueing another", name, extra={"source": name})
            return None
        log.info("queued crawl of %s (%s), job %s", name, trigger, job_id, extra={"source": name})
        return job_id

    async def retry_stalled(self) -> list[int]:
        """Jobs of workers that stopped sending heartbeats go back to the queue (another worker resumes them)."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=self.settings.stalled_seconds
        )
        retried = []
        for job in stalled:
            await manager.retry_job(job)
            assert job.id is not None
            retried.append(job.id)
            log.warning(
                "job %s (%s) was left by a stalled worker: queued again",
                job.id,
                job.task_kwargs.get("source"),
            )
        return retried

    async def prune(self) -> None:
        """Finished jobs older than KEEP_FINISHED_JOBS_DAYS leave the queue's tables (a daily job)."""
        await self.app.job_manager.delete_old_jobs(
            nb_hours=KEEP_FINISHED_JOBS_DAYS * 24,
            queue=QUEUE,
            include_failed=True,
            include_cancelled=True,
            include_aborted=True,
        )


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    *, db: Engine, settings: Settings, sources: list[Source], concurrency: int, queue_app: App
) -> None:
    """Run crawl jobs until SIGINT/SIGTERM; in-flight crawls get ``FAZHI_SHUTDOWN_SECONDS`` to finish."""
    from fazhi.service import Crawls

    crawls = Crawls(sources, db=db, settings=settings, slots=SharedHostSlots(db))
    async with queue_app.open_async():
        await queue_app.run_worker_async(
            queues=[QUEUE],
            name=worker_name(),
            concurrency=concurrency,
            additional_context={"crawls": crawls},
            update_heartbeat_interval=max(0.5, settings.stalled_seconds / 4),
            stalled_worker_timeout=settings.stalled_seconds,
            shutdown_graceful_timeout=settings.shutdown_seconds,
            install_signal_handlers=True,
        )


async def run_scheduler(
    *, db: Engine, settings: Settings, sources: list[Source], queue_app: App, crawl_now: bool = False
) -> None:
    """Defer crawl jobs as sources fall due, until SIGINT/SIGTERM."""
    from fazhi.service import Service, wait_for_signal

    async with queue_app.open_async():
        starter = QueueStarter(sources, db=db, queue_app=queue_app, settings=settings)
        service = Service(starter, settings)
        service.start()
        service.housekeeping(
            starter.retry_stalled,
            "retry-stalled",
            60,
            "interval",
            seconds=max(1.0, settings.stalled_seconds / 2),
        )
        service.housekeeping(starter.prune, "prune-jobs", 3600, "cron", hour=4)
        if crawl_now:
            service.crawl_all_now()
        await service.publish_next_runs()
        log.info("scheduler up: %d sources, queue %r", len(sources), QUEUE)
        try:
            await wait_for_signal()
        finally:
            await service.stop(settings.shutdown_seconds)
