"""kill -9 while pages are being archived, three times, then a clean finish: every document's capture points at a
complete WARC record whose digests match (a record is on disk before the document that points at it commits).

SQLite only: the order (records fsynced, then the document's transaction) is the crawler's, the same on both
backends, and each killed process costs a start-up (the capture on PostgreSQL: tests/api/test_capture.py)."""

from __future__ import annotations

import hashlib
import json
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
from sqlalchemy import text
from warcio.archiveiterator import ArchiveIterator

from portalsim.bulk import bulk_hosts, bulk_portals, sources_toml
from store import make_engine
from tests.servers import free_port, serving

pytestmark = pytest.mark.integration
HOSTS, PAGES, KILLS = 4, 30, 3


@pytest.fixture(scope="module")
def bulk() -> Iterator[tuple[dict[str, Any], int]]:
    port = free_port(tuple(bulk_hosts(HOSTS)))
    with serving(bulk_portals(HOSTS, PAGES, port), port) as running:
        yield running


def _crawl(tmp_path: Path, url: str, sources: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(FAZHI_DATABASE_URL=url, FAZHI_KEYWORDS="0", FAZHI_WARC_DIR=str(tmp_path / "warc"))
    command = [sys.executable, "-m", "fazhi", "crawl", "--json", "--sources", str(sources)]
    return subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _archived_bytes(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.glob("*.warc.gz")) if directory.exists() else 0


def _kill_while_archiving(process: subprocess.Popen[str], directory: Path, grow: int) -> bool:
    """SIGKILL once the WARC files have grown by ``grow`` bytes (the crawl is archiving); False if it ended first."""
    start, deadline = _archived_bytes(directory), time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if _archived_bytes(directory) - start >= grow:
            os.kill(process.pid, signal.SIGKILL)
            return True
        time.sleep(0.005)
    return False


@pytest.mark.timeout(
    420
)  # four crawls, each bounded above (30 s per kill, 300 s to finish); a loaded machine is slow
def test_kill_nine_while_archiving_leaves_no_capture_on_a_partial_record(
    bulk: tuple[dict[str, Any], int], tmp_path: Path
) -> None:
    db_url = f"sqlite:///{tmp_path / 'fazhi.db'}"
    portals, _ = bulk
    sources = tmp_path / "bulk.toml"
    sources.write_text(sources_toml(portals), encoding="utf-8")
    directory, rng = tmp_path / "warc", random.Random(int(time.time()))
    kills = 0
    for _ in range(KILLS):
        process = _crawl(tmp_path, db_url, sources)
        kills += _kill_while_archiving(process, directory, rng.randint(4_000, 30_000))
        process.wait(timeout=30)
    final = _crawl(tmp_path, db_url, sources)
    assert final.wait(timeout=300) == 0
    assert kills == KILLS, "a crawl finished before it could be killed: make the set larger"
    db = make_engine(db_url)
    with db.connect() as connection:
        captures = [c for (c,) in connection.execute(text("SELECT capture FROM documents"))]
    db.dispose()
    assert len(captures) == HOSTS * PAGES
    files = {p.name for p in directory.glob("*.warc.gz")}
    assert len(files) >= KILLS + 1  # each process started its own file
    for capture in captures:
        capture = json.loads(capture) if isinstance(capture, str) else capture
        assert capture["warc_file"] in files
        with (directory / capture["warc_file"]).open("rb") as handle:
            handle.seek(capture["offset"])
            record = next(iter(ArchiveIterator(handle, check_digests="raise")))
            content = record.content_stream().read()
        assert record.rec_type == "response"
        assert hashlib.sha256(content).hexdigest() == capture["payload_sha256"]
