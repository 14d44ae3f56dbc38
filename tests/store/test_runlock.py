"""One live run per source on a SQLite file: while another process crawls a source, a second crawl of it is refused
with a message naming the holder; once that process is gone (even by kill -9), the source can be crawled again."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from tests.conftest import ROOT, make_db
from tests.pages import PagesApp, list_page, report_page
from tests.servers import running_app

pytestmark = pytest.mark.integration
HOLD = """
import sys
from store import make_engine
from store.runlock import run_lock
engine = make_engine(sys.argv[1])
with run_lock(engine, source_name="held", holder="other-host:4242"):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def origin() -> Iterator[tuple[str, PagesApp]]:
    title = "2023年法治政府建设年度报告"
    app = PagesApp({"/list.html": list_page({"/r/a.html": title}), "/r/a.html": report_page(title)})
    with running_app(app) as base:
        yield base, app


def test_a_source_crawled_by_a_live_process_is_not_crawled_twice(
    origin: tuple[str, PagesApp], tmp_path: Path
) -> None:
    base, app = origin
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    db = make_db(tmp_path / "shared.db")
    source = Source(name="held", start_urls=[f"{base}/list.html"], allow_private=True, delay=0)
    config = CrawlConfig(user_agent="fazhi-tests", keywords=0)
    with subprocess.Popen(
        [sys.executable, "-c", HOLD, url], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
            refused = asyncio.run(crawl_sources([source], db=db, config=config))[0]
            assert refused.error and "being crawled right now by other-host:4242" in refused.error
            assert refused.run_id is None and app.log == []  # nothing fetched, no run started or resumed
        finally:
            holder.kill()  # as a crash would: the kernel releases the lock
            holder.wait(10)
    crawled = asyncio.run(crawl_sources([source], db=db, config=config))[0]
    assert crawled.error is None and crawled.new == 1
