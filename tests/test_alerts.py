"""FAZHI_ALERT_WEBHOOK against a local receiver on 127.0.0.1: unhealthy, recovered and failed-crawl events, retries
with backoff, and a receiver that is down or refuses never blocks or breaks a crawl."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from fazhi.alerts import AlertHandler, install
from portalsim.bulk import COL, bulk_hosts, bulk_portal
from portalsim.portal import Portal
from tests.netguard import loopback_only
from tests.servers import free_port, serving

pytestmark = pytest.mark.serial  # timing-bound: run alone (`make test`'s second pass)


class Receiver(ThreadingHTTPServer):
    """Records every POSTed JSON body; answers ``statuses`` in turn, then 204."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.bodies: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        self.lock = threading.Lock()
        self.url = f"http://127.0.0.1:{self.server_address[1]}/hook"

    def wait_for(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.bodies) >= count:
                    return list(self.bodies)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.bodies)} of {count} alerts after {timeout} s: {self.bodies}")


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with self.server.lock:
            self.server.bodies.append(body)
            status = self.server.statuses.pop(0) if self.server.statuses else 204
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def handler(receiver: Receiver) -> Iterator[AlertHandler]:
    installed = install(receiver.url)
    assert installed is not None
    try:
        yield installed
    finally:
        logging.getLogger().removeHandler(installed)
        installed.close()


def _alert(event: str, source: str = "s") -> logging.LogRecord:
    record = logging.LogRecord("fazhi.runs", logging.WARNING, __file__, 1, "run line", None, None)
    record.alert = {"event": event, "source": source, "run_id": 1}
    return record


@pytest.fixture
def portal() -> Iterator[Portal]:
    address = bulk_hosts(3)[2]
    port = free_port((address,))
    with serving({"bulk2": bulk_portal(2, address, port, 2)}, port) as (portals, _):
        yield portals["bulk2"]


def _crawl(db: Engine, portal: Portal) -> None:
    source = Source(name="bulk2", start_urls=[f"http://{portal.host}{COL}"], allow_private=True, delay=0)
    with loopback_only():
        asyncio.run(crawl_sources([source], db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=0)))


@pytest.mark.integration
def test_a_column_that_breaks_and_comes_back_posts_unhealthy_then_recovered(
    portal: Portal, db: Engine, receiver: Receiver, handler: AlertHandler
) -> None:
    _crawl(db, portal)  # healthy from the start: nothing to say
    saved = portal.pages.pop(COL + "index.html")
    _crawl(db, portal)
    (unhealthy,) = receiver.wait_for(1)
    assert unhealthy["event"] == "source_unhealthy" and unhealthy["source"] == "bulk2"
    assert unhealthy["reason"] == "start_http_4xx" and unhealthy["previous_health"] == "healthy"
    assert f"start page http://{portal.host}{COL} answers HTTP 404" in unhealthy["message"]
    assert unhealthy["service"].startswith("fazhi") and unhealthy["at"].endswith("+00:00")
    _crawl(db, portal)  # still broken: no second alert
    portal.pages[COL + "index.html"] = saved
    _crawl(db, portal)
    bodies = receiver.wait_for(2)
    assert [b["event"] for b in bodies] == ["source_unhealthy", "source_recovered"]
    assert bodies[1]["health"] == "healthy" and bodies[1]["reason"] == "ok"


def test_a_failing_receiver_is_retried_with_backoff() -> None:
    server = Receiver([503, 500])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler = AlertHandler(server.url, backoff=0.05)
    try:
        handler.handle(_alert("crawl_failed"))
        bodies = server.wait_for(3)
        assert [b["event"] for b in bodies] == ["crawl_failed"] * 3
        handler.close()
        assert handler.delivered == 1
    finally:
        server.shutdown()
        server.server_close()


def test_a_refusing_receiver_is_not_retried() -> None:
    server = Receiver([400])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    handler = AlertHandler(server.url, backoff=0.05)
    try:
        handler.handle(_alert("source_unhealthy"))
        server.wait_for(1)
        handler.close()
        assert len(server.bodies) == 1 and handler.delivered == 0
    finally:
        server.shutdown()
        server.server_close()


def test_a_receiver_that_is_down_never_blocks(caplog: pytest.LogCaptureFixture) -> None:
    handler = AlertHandler(f"http://127.0.0.1:{free_port()}/hook", attempts=3, backoff=0.05, drain_seconds=10)
    started = time.monotonic()
    for n in range(50):
        handler.handle(_alert("source_unhealthy", f"s{n}"))
    assert time.monotonic() - started < 1.0  # 50 alerts queued, none waited on
    handler.close()
    assert handler.delivered == 0
    assert "not delivered to the webhook: ConnectError" in caplog.text


def test_a_full_queue_drops_instead_of_waiting() -> None:
    handler = AlertHandler(
        f"http://127.0.0.1:{free_port()}/hook", attempts=1, drain_seconds=0.5, max_queued=2
    )
    for n in range(20):
        handler.handle(_alert("source_unhealthy", f"s{n}"))
    assert handler.dropped >= 17
    handler.close()


@pytest.mark.integration
def test_fazhi_crawl_posts_its_alerts_before_it_exits(tmp_path: Path, receiver: Receiver) -> None:
    port = free_port()  # nothing listens: the crawl fails
    sources = tmp_path / "sources.toml"
    sources.write_text(
        f'[[sources]]\nname = "gone"\nstart_urls = ["http://127.0.0.1:{port}/col/"]\nallow_private = true\n'
        "retries = 0\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(
        FAZHI_DATABASE_URL=f"sqlite:///{tmp_path / 'fazhi.db'}",
        FAZHI_ALERT_WEBHOOK=receiver.url,
        FAZHI_LOG_LEVEL="ERROR",  # the alerts do not depend on the run lines being shown
    )
    command = [sys.executable, "-m", "fazhi", "crawl", "--no-index", "--sources", str(sources)]
    for _ in range(2):
        result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    first, second = receiver.wait_for(2, timeout=1)  # delivered before each process exited
    assert first["event"] == "source_unhealthy" and first["reason"] == "start_unreachable"
    assert second["event"] == "crawl_failed" and second["previous_health"] == "unhealthy"
    assert second["outcome"] == "failed" and "no list page could be fetched" in second["error"]
