"""The loop never waits on a page: in ``fazhi serve`` (its own process; the API and the crawler on one event loop),
the API answers within 100 ms while the crawler reads a hostile 5 MB page and a deeply nested one (limits below).

The 5 MB page is a report with 1 MB of text: reading it (parsing, extraction, its band keys, in a worker) takes a
few tenths of a second, which the probes below, one every few milliseconds, overlap (asserted); jieba runs later,
in the indexing step. The nested page is what stalled the loop before (it was extracted on it)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from store import make_engine
from tests.conftest import ROOT
from tests.pages import PARAGRAPH, PagesApp, list_page, nested_page
from tests.rows import entries_of
from tests.servers import free_port, running_app

pytestmark = [pytest.mark.integration, pytest.mark.serial]
# Seconds the API may take to answer while pages are read. The budget is the 100 ms; on a loaded 2-core
# machine the scheduler alone gives a few answers in a hundred 60-120 ms (median 3 ms), so it holds for 95 %, and
# no answer may take STALL: reading either page on the loop stalls it for seconds (the nested one ≈ 3 s in
# today's extractor; the 5 MB report's jieba ≈ 5 s in any).
BUDGET, STALL = 0.1, 1.0
TOKEN = "responsive-token"


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
        {"/list.html": list_page(links), "/r/nested.html": nested_page(20_000), "/r/big.html": big_page()}
    )
    with running_app(app) as base:
        yield base, app


def _probe(client: httpx.Client, url: str) -> tuple[float, float]:
    started, wall = time.monotonic(), time.time()
    assert client.get(url).status_code == 200
    return wall, time.monotonic() - started


@contextlib.contextmanager
def fazhi_serve(tmp_path: Path, base: str) -> Iterator[tuple[str, str]]:
    """``fazhi serve`` in its own process (its own heap and GIL, as deployed) over a fresh SQLite file."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "stall"\nstart_urls = ["{base}/list.html"]\nallow_private = true\ndelay = 0\n',
        encoding="utf-8",
    )
    port, database = free_port(), f"sqlite:///{tmp_path / 'responsive.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(
        FAZHI_DATABASE_URL=database,
        FAZHI_API_TOKEN=TOKEN,
        FAZHI_KEYWORDS="8",
        FAZHI_DEFAULT_SCHEDULE="0 3 1 1 *",
        FAZHI_RECRAWL_POLL_SECONDS="0.3",
        PYTHONPATH=str(ROOT),  # this tree's code, whatever the environment has installed
    )
    command = [sys.executable, "-m", "fazhi", "serve", "--sources", str(sources), "--port", str(port)]
    with subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    ) as serve:
        try:
            yield f"http://127.0.0.1:{port}", database
        finally:
            serve.terminate()
            serve.wait(30)


def _wait_until_up(client: httpx.Client) -> None:
    for _ in range(600):
        with contextlib.suppress(httpx.TransportError):
            if client.get("/healthz").status_code == 200:
                return
        time.sleep(0.05)
    raise AssertionError("fazhi serve did not start")


def _finished(client: httpx.Client, probes: list[tuple[float, float]]) -> bool:
    """Whether the crawl ended (asked through the API, and timed like every other answer)."""
    started, wall = time.monotonic(), time.time()
    runs = client.get("/-/runs", headers={"Authorization": f"Bearer {TOKEN}"}).json()["runs"]
    probes.append((wall, time.monotonic() - started))
    return bool(runs) and runs[0]["finished_at"] is not None


def test_api_answers_within_100_ms_while_the_crawler_reads_hostile_pages(
    origin: tuple[str, PagesApp], tmp_path: Path
) -> None:
    base, app = origin
    probes: list[tuple[float, float]] = []
    with fazhi_serve(tmp_path, base) as (api, database), httpx.Client(base_url=api) as client:
        _wait_until_up(client)
        for _ in range(5):  # warm: the first requests of a process pay for lazy set-up, not for pages
            client.get("/healthz")
        auth = {"Authorization": f"Bearer {TOKEN}"}
        assert client.post("/-/recrawl", headers=auth, json={"sources": ["stall"]}).status_code == 202
        give_up = time.monotonic() + 90
        while not (len(probes) % 10 == 9 and _finished(client, probes)):
            probes.append(_probe(client, "/healthz"))
            time.sleep(0.005)  # dense enough that a short reading still meets ten probes
            assert time.monotonic() < give_up, "the crawl did not finish within 90 s"
    db = make_engine(database)
    pages = {e.url.removeprefix(base): e for e in entries_of(db, source_name="stall")}
    db.dispose()
    assert pages["/r/big.html"].outcome == "report" and pages["/r/big.html"].done_at is not None
    fetched = next(at for at, path in app.log if path == "/r/big.html")
    reading = [lat for wall, lat in probes if fetched <= wall <= pages["/r/big.html"].done_at.timestamp()]
    assert len(reading) >= 10, "the probes must overlap the big page's reading"
    latencies = sorted(lat for _, lat in probes)
    p95, worst = latencies[int(len(latencies) * 0.95)], latencies[-1]
    assert p95 <= BUDGET, f"95th percentile {p95 * 1000:.0f} ms over {BUDGET * 1000:g} ms"
    assert worst <= STALL, f"an answer took {worst * 1000:.0f} ms: the loop waited on a page"
