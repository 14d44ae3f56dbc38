"""How this process crawls (built by the composition root from the settings): one object for every source crawl."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.warc import WarcOptions


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
    warc: WarcOptions | None = None  # where stored pages are archived (None: not archived)
