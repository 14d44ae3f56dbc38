"""The loop never waits on a page: in ``fazhi serve`` (the API and the crawler on one event loop, real uvicorn),
the API answers within 100 ms while the crawler reads a hostile 5 MB page and a deeply nested one.

The 5 MB page is a report whose 1 MB of text costs seconds of jieba whatever the extractor does, so the probes
below overlap its reading by construction (asserted); the nested page is what stalled the loop before (it was
extracted on it)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from crawler.sources import Source
from fazhi.service import run_service
from fazhi.settings import Settings
from store.frontier import entries_of
from tests.conftest import make_db
from tests.netguard import loopback_only
from tests.pages import PARAGRAPH, PagesApp, list_page, nested_page
from tests.servers import LoopThread, free_port, running_app

pytestmark = pytest.mark.integration
BUDGET = 0.1  # seconds the API may take to answer while a page is being read


def big_page(size: int = 5 * 1024 * 1024, text: int = 1024 * 1024) -> bytes:
    paragraphs = "".join(f"<p>{PARAGRAPH}第{i}条。</p>" for i in range(text // len(PARAGRAPH.encode())))
    head = (
        f"<html><head><title>2023年法治政府建设年度报告</title></head><body><div class='article'>{paragraphs}"
    )
    tail = "</div></body></html>"
    padding = size - len(head.encode()) - len(tail) - 7
    return (head + "<!--" + "x" * padding + "-->" + tail).encode()


@pytest.fixture
def origin() -> Iterator[tuple[str, PagesApp]]:
    links = {"/r/nested.html": "2022年法治政府建设年度报告", "/r/big.html": "2023年法治政府建设年度报告"}
    app = PagesApp(
        {"/list.html": list_page(links), "/r/nested.html": nested_page(10_000), "/r/big.html": big_page()}
    )
    with running_app(app) as base:
        yield base, app


def _probe(client: httpx.Client, url: str) -> tuple[float, float]:
    started, wall = time.monotonic(), time.time()
    assert client.get(url).status_code == 200
    return wall, time.monotonic() - started


def test_api_answers_within_100_ms_while_the_crawler_reads_hostile_pages(
    origin: tuple[str, PagesApp], tmp_path: Path
) -> None:
    base, app = origin
    db = make_db(tmp_path / "responsive.db")
    source = Source(name="stall", start_urls=[f"{base}/list.html"], allow_private=True, delay=0)
    settings = Settings(default_schedule="0 3 1 1 *", keywords=8)
    port, done, runner = free_port(), threading.Event(), LoopThread()
    with loopback_only():
        runner.submit(
            run_service(
                db=db,
                settings=settings,
                sources=[source],
                host="127.0.0.1",
                port=port,
                crawl_now=True,
                on_done=lambda _stats: done.set(),
            )
        )
        probes: list[tuple[float, float]] = []
        give_up = time.monotonic() + 90
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
                while not done.is_set():
                    with contextlib.suppress(httpx.ConnectError):  # not listening yet
                        probes.append(_probe(client, "/healthz"))
                    time.sleep(0.02)
                    assert time.monotonic() < give_up, "the crawl did not finish within 90 s"
        finally:
            runner.stop()
    pages = {e.url.removeprefix(base): e for e in entries_of(db, source_name="stall")}
    assert pages["/r/big.html"].outcome == "report" and pages["/r/big.html"].done_at is not None
    fetched = next(at for at, path in app.log if path == "/r/big.html")
    reading = [lat for wall, lat in probes if fetched <= wall <= pages["/r/big.html"].done_at.timestamp()]
    assert len(reading) >= 10, "the probes must overlap the big page's reading"
    slow = [round(lat, 3) for _, lat in probes if lat > BUDGET]
    assert not slow, f"{len(slow)} of {len(probes)} answers took longer than {BUDGET * 1000:g} ms: {slow}"
