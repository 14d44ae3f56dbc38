"""A crawl's configuration from the settings: what ``fazhi crawl`` and the service both build their crawls with.

Its own module so that ``fazhi crawl`` does not import the service (uvicorn, APScheduler) to read its settings.
"""

from __future__ import annotations

import os
import socket

from crawler.config import CrawlConfig
from crawler.warc import WarcOptions
from fazhi.settings import Settings


def crawl_config(settings: Settings) -> CrawlConfig:
    return CrawlConfig(
        user_agent=settings.agent(),
        timeout=settings.request_timeout,
        deadline=settings.fetch_deadline,
        keywords=settings.keywords,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        extract_timeout=settings.extract_timeout,
        extract_workers=settings.extract_workers,
        warc=warc_options(settings),
    )


def warc_options(settings: Settings) -> WarcOptions | None:
    if not settings.warc_enabled:
        return None
    directory = settings.warc_directory()
    return WarcOptions(
        directory, settings.warc_max_file_bytes, settings.warc_retention_days, settings.warc_fsync
    )
