"""The service: the read API and the crawl scheduler in one process (``fazhi serve``; ``fazhi run`` adds the portals).

APScheduler's ``AsyncIOScheduler`` runs one job per source on the API's event loop; crawl CPU and database work run
in threads, so the loop (and the scheduler on it) never blocks (STACK-NOTES 11).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import uvicorn
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Engine

from api import create_app
from crawler.engine import CrawlConfig, SourceCrawl, SourceStats
from crawler.politeness import HostSlots
from crawler.sources import Source
from fazhi.net import bind_socket
from fazhi.settings import Settings

log = logging.getLogger("fazhi.service")
TIMEZONE = "Asia/Shanghai"  # the portals' clock: reports are due before 1 April, Beijing time


def crawl_config(settings: Settings) -> CrawlConfig:
    return CrawlConfig(
        user_agent=settings.agent(),
        timeout=settings.request_timeout,
        deadline=settings.fetch_deadline,
        keywords=settings.keywords,
    )


class Crawls:
    """Runs crawls of configured sources; never two crawls of one source at once."""

    def __init__(
        self,
        sources: list[Source],
        *,
        db: Engine,
        settings: Settings,
        on_done: Callable[[SourceStats], None] | None = None,
    ) -> None:
        self.sources = {s.name: s for s in sources}
        self.db, self.config = db, crawl_config(settings)
        self.slots = HostSlots()
        self._locks = {name: asyncio.Lock() for name in self.sources}
        self._on_done = on_done or (lambda stats: None)

    async def crawl(self, name: str) -> SourceStats | None:
        lock = self._locks[name]
        if lock.locked():
            log.info("crawl of %s already running", name, extra={"source": name})
            return None
        async with lock:
            try:
                stats = await SourceCrawl(
                    self.sources[name], db=self.db, config=self.config, slots=self.slots
                ).run()
            except Exception:
                log.exception("crawl of %s failed", name, extra={"source": name})
                return None
        self._on_done(stats)
        return stats

    async def crawl_all(self) -> list[SourceStats | None]:
        return await asyncio.gather(*(self.crawl(name) for name in self.sources))


def make_scheduler(crawls: Crawls, settings: Settings) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=TIMEZONE)
    for source in crawls.sources.values():
        trigger = CronTrigger.from_crontab(source.schedule or settings.default_schedule, timezone=TIMEZONE)
        scheduler.add_job(
            crawls.crawl,
            trigger,
            args=[source.name],
            id=f"crawl:{source.name}",
            name=f"crawl {source.name}",
            misfire_grace_time=3600,
            coalesce=True,
            max_instances=1,
            jitter=60,
            replace_existing=True,
        )
    return scheduler


def api_server(db: Engine, settings: Settings) -> uvicorn.Server:
    app = create_app(engine=db, settings=settings)
    return uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))


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
    """Serve the API and run the schedule until SIGINT/SIGTERM."""
    sock = bind_socket(host, port)
    crawls = Crawls(sources, db=db, settings=settings, on_done=on_done)
    scheduler = make_scheduler(crawls, settings)
    server = api_server(db, settings)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    scheduler.start()
    background: set[asyncio.Task[list[SourceStats | None]]] = set()
    if crawl_now:
        task = asyncio.create_task(crawls.crawl_all())
        background.add(task)
    if on_ready:
        on_ready()
    try:
        await serving
    finally:
        scheduler.shutdown(wait=False)
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)
        sock.close()
