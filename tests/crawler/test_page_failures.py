"""No page breaks a source: whatever reading one page does (raises, hangs, kills its worker), that page is
recorded as failed with a reason and the crawl goes on to the others."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import select

from crawler import pipeline
from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from store import CrawlRun, read_session
from tests.conftest import ROOT, make_db
from tests.crawler.misbehave import extract_or_misbehave, parse_or_raise
from tests.pages import PagesApp, list_page, report_page
from tests.rows import entries_of
from tests.servers import running_app

pytestmark = [pytest.mark.integration, pytest.mark.serial]
REPORTS = {
    "/r/ok.html": "2023年法治政府建设年度报告",
    "/r/raises.html": "2022年法治政府建设年度报告",
    "/r/hangs.html": "2021年法治政府建设年度报告",
    "/r/dies.html": "2020年法治政府建设年度报告",
}


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    pages = {path: report_page(title) for path, title in REPORTS.items()}
    pages["/list.html"] = list_page(REPORTS)
    pages["/bad-list.html"] = list_page({"/r/ok.html": REPORTS["/r/ok.html"]})
    with running_app(PagesApp(pages)) as base:
        yield base


def test_a_page_that_raises_hangs_or_kills_its_worker_fails_alone(
    origin: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "read_detail", extract_or_misbehave)
    monkeypatch.setattr(pipeline, "read_list", parse_or_raise)
    db = make_db(tmp_path / "failures.db")
    source = Source(
        name="failures",
        start_urls=[f"{origin}/bad-list.html", f"{origin}/list.html"],
        allow_private=True,
        delay=0,
    )
    config = CrawlConfig(user_agent="fazhi-tests", keywords=0, extract_timeout=5.0)
    started = time.monotonic()
    stats = asyncio.run(crawl_sources([source], db=db, config=config))[0]
    elapsed = time.monotonic() - started
    pages = {e.url.removeprefix(origin): e for e in entries_of(db, source_name="failures")}
    assert stats.error is None
    assert (pages["/bad-list.html"].state, pages["/bad-list.html"].reason) == (
        "failed",
        "parse_error: ValueError",
    )
    assert pages["/list.html"].state == "done"
    assert pages["/r/ok.html"].outcome == "report" and stats.new == 1
    assert pages["/r/raises.html"].reason == "parse_error: RecursionError"
    assert pages["/r/hangs.html"].reason == "extract_timeout"
    assert pages["/r/dies.html"].reason.startswith("parse_error: worker died")
    assert elapsed < 60  # the runaway page cost its deadline, not the crawl
    with read_session(db) as session:
        assert [r.state for r in session.exec(select(CrawlRun))] == ["finished"]


def test_a_runaway_worker_dies_with_its_crawl(tmp_path: Path) -> None:
    """A crawl killed with -9 while a page spins in its worker leaves no process behind."""
    script = (
        "import asyncio, os, sys\n"
        "from crawler.extraction import ExtractionPool\n"
        "from tests.crawler.test_page_failures import spin\n"
        "pool = ExtractionPool(1)\n"
        "print(pool.start_all()[0], flush=True)\n"
        "asyncio.run(pool.run(spin, timeout=600))\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as crawl:
        assert crawl.stdout is not None
        worker = int(crawl.stdout.readline())
        time.sleep(0.5)  # the worker is spinning
        crawl.kill()
        crawl.wait(10)
    for _ in range(100):
        if not _alive(worker):
            return
        time.sleep(0.1)
    os.kill(worker, signal.SIGKILL)
    raise AssertionError("the extraction worker outlived its crawl")


def spin() -> None:
    while True:
        pass


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
