"""The crawl runner: the one way this process crawls, used by ``fazhi crawl``, ``fazhi serve`` and ``fazhi worker``.

:class:`CrawlRunner` holds what the crawls of a process share (host slots, robots.txt rules, the group committer,
the extraction workers) and runs :class:`crawler.crawl.SourceCrawl` for a source, never two of one source at once
(the store's run lock keeps other processes out too). :func:`crawl_sources` crawls a list of sources once.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable

from sqlalchemy import Engine

from crawler.commit import Committer
from crawler.config import CrawlConfig
from crawler.crawl import Attempts, EventHook, SourceCrawl
from crawler.decide import status_reason
from crawler.outcomes import SourceStats
from crawler.politeness import HostSlots
from crawler.robots import RobotsCache
from crawler.sources import Source

__all__ = [
    "Attempts",  # crawler.attachments' failed fetch
    "CrawlConfig",
    "CrawlRunner",
    "EventHook",
    "SourceCrawl",
    "SourceStats",
    "crawl_sources",
    "status_reason",
]

log = logging.getLogger("fazhi.crawler")
GIL_TURN = 0.0005  # seconds a thread may hold the GIL while another waits for it (Python's default: 0.005)


def short_gil_turns() -> None:
    """The commit thread (``crawler.commit``) is busy while the event loop does short steps between system calls:
    at Python's default 5 ms turn, each socket read or write the loop makes can wait that long to get the GIL back
    from the commit thread. A shorter turn keeps the loop's fetches moving (measured: README, crawl speed)."""
    sys.setswitchinterval(min(sys.getswitchinterval(), GIL_TURN))


class CrawlRunner:
    """Runs crawls of ``sources``; ``on_done`` gets the stats of each crawl that ran to its end."""

    def __init__(
        self,
        sources: list[Source],
        *,
        db: Engine,
        config: CrawlConfig,
        slots: HostSlots | None = None,
        robots: RobotsCache | None = None,
        on_event: EventHook | None = None,
        on_done: Callable[[SourceStats], None] | None = None,
    ) -> None:
        short_gil_turns()
        self.sources = {s.name: s for s in sources}
        self.db, self.config = db, config
        self.slots, self.robots = slots or HostSlots(), robots or RobotsCache()
        self.committer = Committer(db)
        self._on_event, self._on_done = on_event, on_done or (lambda stats: None)
        self._running: set[str] = set()
        self.tasks: set[asyncio.Task[SourceStats | None]] = set()

    async def crawl(self, name: str, trigger: str = "schedule") -> SourceStats | None:
        """Crawl source ``name`` now; ``None`` when it is unknown or already being crawled by this process."""
        if name not in self.sources:
            log.warning("recrawl of unknown source %s ignored", name, extra={"source": name})
            return None
        if name in self._running:
            log.info("crawl of %s already running: not starting another", name, extra={"source": name})
            return None
        self._running.add(name)
        try:
            crawl = self._crawl_of(name, trigger)
            try:
                stats = await crawl.run()
            except Exception as exc:  # recorded on the run; one source's failure never stops the others
                log.error("crawl of %s failed", name, exc_info=exc, extra={"source": name})
                crawl.stats.error = f"{type(exc).__name__}: {exc}"
                return crawl.stats
        finally:
            self._running.discard(name)
        self._on_done(stats)
        return stats

    def _crawl_of(self, name: str, trigger: str) -> SourceCrawl:
        return SourceCrawl(
            self.sources[name],
            db=self.db,
            config=self.config,
            slots=self.slots,
            robots=self.robots,
            trigger=trigger,
            on_event=self._on_event,
            committer=self.committer,
        )

    def start(self, name: str, trigger: str) -> None:
        """Start a crawl in the background (the caller does not wait for it)."""
        task = asyncio.create_task(self.crawl(name, trigger))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def crawl_all(self, trigger: str = "manual") -> list[SourceStats]:
        """Crawl every source concurrently, once; the stats in the sources' order."""
        results = await asyncio.gather(*(self.crawl(name, trigger) for name in self.sources))
        return [stats for stats in results if stats is not None]


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
    """Crawl every source concurrently, once (``fazhi crawl``); one source's failure never stops the others."""
    runner = CrawlRunner(sources, db=db, config=config, slots=slots, robots=robots, on_event=on_event)
    return await runner.crawl_all(trigger)
