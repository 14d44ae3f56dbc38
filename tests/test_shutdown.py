"""SIGTERM mid-crawl: `fazhi serve` gives the crawl its grace period, records the run as interrupted and says so in
its stop line; the next start resumes that run (no --crawl-now) and finishes it. Both backends; JSON logs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from portalsim.bulk import bulk_hosts, bulk_portal, sources_toml
from portalsim.portal import Portal
from store import make_engine
from tests.servers import free_port, serving

pytestmark = [pytest.mark.integration, pytest.mark.serial]
PAGES, DELAY, GRACE = 24, 0.3, 2.0


@pytest.fixture
def portal() -> Iterator[Portal]:
    address = bulk_hosts(2)[1]
    port = free_port((address,))
    with serving({"bulk1": bulk_portal(1, address, port, PAGES)}, port) as (portals, _):
        yield portals["bulk1"]


def _serve(tmp_path: Path, db_url: str, log: Path, *extra: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(
        FAZHI_DATABASE_URL=db_url,
        FAZHI_KEYWORDS="0",
        FAZHI_LOG_FORMAT="json",
        FAZHI_SHUTDOWN_SECONDS=str(GRACE),
        FAZHI_DEFAULT_SCHEDULE="0 3 1 1 *",
    )
    command = [sys.executable, "-m", "fazhi", "serve", "--sources", str(tmp_path / "sources.toml")]
    port = str(free_port())
    with log.open("w", encoding="utf-8") as stderr:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [*command, "--port", port, *extra],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )


def _records(log: Path) -> list[dict[str, Any]]:
    """The JSON log records: every line that starts an object is one whole object."""
    lines = log.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _wait_for(log: Path, process: subprocess.Popen[str], words: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [r for r in _records(log) if words in r["message"]]
        if found:
            return found[0]
        assert process.poll() is None, log.read_text(encoding="utf-8")
        time.sleep(0.1)
    raise AssertionError(f"no log line with {words!r} after {timeout} s:\n{log.read_text(encoding='utf-8')}")


def _details_served(portal: Portal) -> int:
    return sum(1 for hit in portal.log if "/t20" in hit.path)


def test_sigterm_waits_the_grace_records_interrupted_and_the_next_start_resumes(
    portal: Portal, tmp_path: Path, db_url: str
) -> None:
    (tmp_path / "sources.toml").write_text(sources_toml({"bulk1": portal}, delay=DELAY), encoding="utf-8")
    first_log = tmp_path / "first.log"
    first = _serve(tmp_path, db_url, first_log, "--crawl-now")
    try:
        start = _wait_for(first_log, first, "started: 1 sources (bulk1)")
        assert "next run 2027-01-01 03:" in start["message"] and "(Asia/Shanghai)" in start["message"]
        deadline = time.monotonic() + 120
        while _details_served(portal) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _details_served(portal) >= 4
        signalled = time.monotonic()
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)
        took = time.monotonic() - signalled
    finally:
        first.kill()
        first.wait()
    assert first.returncode == 0, first_log.read_text(encoding="utf-8")
    assert took >= GRACE - 0.1  # the crawl (pages left × delay > grace) had its grace period
    stop = _wait_for(first_log, first, "fazhi stopped (SIGTERM)")
    assert stop["message"] == (
        "fazhi stopped (SIGTERM): 1 run(s) interrupted (bulk1 run 1), resumed at the next start"
    )
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT id, state FROM crawl_runs")).all()
            stored = connection.execute(text("SELECT count(*) FROM documents")).scalar()
        assert [tuple(r) for r in runs] == [(1, "interrupted")]
        assert stored is not None and stored < PAGES
        served_before = _details_served(portal)

        second_log = tmp_path / "second.log"
        second = _serve(tmp_path, db_url, second_log)  # no --crawl-now: only the resume crawls
        try:
            _wait_for(second_log, second, "resuming interrupted run 1 of bulk1")
            done = _wait_for(second_log, second, "run 1 of bulk1 finished")
            assert done["health"] == "healthy" and done["source"] == "bulk1"
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=60)
        finally:
            second.kill()
            second.wait()
        assert _wait_for(second_log, second, "fazhi stopped")["message"] == (
            "fazhi stopped (SIGTERM): no crawl was cut off"
        )
        with engine.connect() as connection:
            runs = connection.execute(text("SELECT id, state FROM crawl_runs")).all()
            stored = connection.execute(text("SELECT count(*) FROM documents")).scalar()
    finally:
        engine.dispose()
    assert [tuple(r) for r in runs] == [(1, "finished")]
    assert stored == PAGES
    # the resumed run fetched what was left, not the whole column again (pages cut off mid-fetch: twice)
    assert _details_served(portal) - served_before < PAGES
    assert _details_served(portal) <= PAGES + 4
