"""kill -9 mid-crawl, three times, then a clean finish: every report stored once, no page fetched again after its
success was committed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from portalsim.bulk import bulk_hosts, bulk_portals, sources_toml
from store import Document, FrontierEntry, make_engine
from tests.servers import free_port, serving

pytestmark = pytest.mark.integration
HOSTS, PAGES = 8, 150


@pytest.fixture(scope="module")
def bulk() -> Iterator[tuple[dict[str, Any], int]]:
    port = free_port(tuple(bulk_hosts(HOSTS)))
    with serving(bulk_portals(HOSTS, PAGES, port), port) as running:
        yield running


def _crawl(tmp_path: Path, url: str, sources: Path, *, final: bool = False) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(FAZHI_DATABASE_URL=url, FAZHI_KEYWORDS="0")
    return subprocess.Popen(
        [sys.executable, "-m", "fazhi", "crawl", "--json", "--sources", str(sources)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE if final else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_for_requests(
    portals: dict[str, Any], *, since: float, count: int, process: subprocess.Popen[str]
) -> bool:
    """Whether the portals served ``count`` requests since ``since`` while ``process`` still ran (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if sum(1 for p in portals.values() for hit in p.log if hit.wall >= since) >= count:
            return process.poll() is None
        time.sleep(0.01)
    return False


@pytest.mark.timeout(420)  # four crawls of 1,200 pages, each bounded above (30 s per kill, 300 s to finish)
def test_kill_nine_three_times_then_finish(
    bulk: tuple[dict[str, Any], int], tmp_path: Path, db_url: str
) -> None:
    portals, _ = bulk
    began = time.time()  # the portals live for the module: only this test's requests count
    sources = tmp_path / "bulk.toml"
    sources.write_text(sources_toml(portals), encoding="utf-8")
    rng = random.Random(int(time.time()))
    kills = 0
    for _ in range(3):
        started = time.time()
        process = _crawl(tmp_path, db_url, sources)
        # kill once the crawl has made progress (not after a fixed sleep: start-up is slower on a loaded machine),
        # at a random point well before the end (≤ 3 × 300 of the 1,208 pages)
        if _wait_for_requests(portals, since=started, count=rng.randint(40, 300), process=process):
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
    final = _crawl(tmp_path, db_url, sources, final=True)
    output, _ = final.communicate(timeout=300)
    assert final.returncode == 0
    assert kills == 3, "a crawl finished before it could be killed: make the set larger"
    db = make_engine(db_url)
    with Session(db) as session:  # on both backends: a kill -9 never corrupts the store
        documents = list(session.exec(select(Document)))
        entries = list(session.exec(select(FrontierEntry).where(FrontierEntry.kind == "detail")))
    assert len(documents) == HOSTS * PAGES == len({d.id for d in documents})
    assert len(entries) == HOSTS * PAGES and all(e.state == "done" and e.outcome == "report" for e in entries)
    done_at = {e.url.split("/", 3)[3]: e.done_at.timestamp() for e in entries if e.done_at}
    refetched = [
        (portal.key, hit.path)
        for portal in portals.values()
        for hit in portal.log
        if hit.wall >= began and hit.path.lstrip("/") in done_at and hit.wall > done_at[hit.path.lstrip("/")]
    ]
    fetched = {hit.path.lstrip("/") for portal in portals.values() for hit in portal.log if hit.wall >= began}
    assert set(done_at) <= fetched  # the check below looks at real fetches
    assert refetched == []
    assert '"resumed": true' in output
    db.dispose()
