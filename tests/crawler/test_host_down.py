"""A portal that stops answering mid-crawl: after a few of its URLs are given up on in a row, with no answer
between, the rest of its URLs fail at once as ``host_down`` instead of each waiting through every retry; nothing
is lost (the next crawl, the portal back, stores every report)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from crawler.engine import CrawlConfig, crawl_sources
from crawler.errors import ConnectFailure, GaveUp
from crawler.fetch import FetchResult
from crawler.polite import DOWN_AFTER, Manners, PoliteFetcher
from crawler.politeness import HostSlots
from crawler.retry import RetryPolicy
from crawler.robots import RobotsCache
from crawler.sources import Source
from portalsim.bulk import COL, bulk_portal
from tests.conftest import make_db
from tests.netguard import loopback_only
from tests.rows import entries_of

pytestmark = pytest.mark.integration
CONFIG = CrawlConfig(user_agent="fazhi-tests (+https://example.invalid/contact)", timeout=2.0, deadline=3.0)
PAGES, ANSWERED, RETRIES = 20, 4, 3


class Portal:
    """A raw HTTP/1.1 server for one bulk portal: it answers the first ``answered`` report pages, then every
    connection is closed unanswered (the portal went down) until ``revive``; it counts the connections it dropped."""

    def __init__(self, port: int, answered: int) -> None:
        self.pages = {
            path: page.body for path, page in bulk_portal(0, "127.0.0.1", port, PAGES).pages.items()
        }
        self.left, self.dropped = answered, 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                path += "index.html" if path.endswith("/") else ""
                report = path.startswith(COL) and not path.rsplit("/", 1)[-1].startswith("index")
                if report and self.left <= 0:
                    self.dropped += 1
                    return  # closed unanswered: the client reads "disconnected without a response"
                self.left -= report
                body = self.pages.get(path)
                status = b"200 OK" if body is not None else b"404 Not Found"
                body = body if body is not None else b"not here"
                writer.write(
                    b"HTTP/1.1 %s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s"
                    % (status, len(body), body)
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


def _source(port: int) -> Source:
    settings: dict[str, Any] = {
        "name": "falling",
        "start_urls": [f"http://127.0.0.1:{port}{COL}"],
        "allow_private": True,
        "delay": 0.0,
        "retries": RETRIES,
        "backoff": 0.05,
        "obey_robots": False,
    }
    return Source.model_validate(settings)


async def _crawl(db: Any, answered: int) -> tuple[Any, Portal]:
    server = await asyncio.start_server(lambda r, w: portal.handle(r, w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    portal = Portal(port, answered)
    try:
        async with server:
            stats = (await crawl_sources([_source(port)], db=db, config=CONFIG))[0]
    finally:
        server.close()
    return stats, portal


def test_a_portal_gone_mid_crawl_is_put_aside_and_found_again_next_crawl(tmp_path: Path) -> None:
    db = make_db(tmp_path / "down.db")
    with loopback_only():
        stats, portal = asyncio.run(_crawl(db, ANSWERED))
    entries = [e for e in entries_of(db, source_name="falling") if e.kind == "detail"]
    reasons = sorted(e.reason for e in entries if e.state == "failed")
    assert len(entries) == PAGES and sum(e.state == "done" for e in entries) == ANSWERED
    # DOWN_AFTER pages took every attempt; the others none: the portal saw no more connections than that
    assert reasons == ["connect"] * DOWN_AFTER + ["host_down"] * (PAGES - ANSWERED - DOWN_AFTER)
    assert portal.dropped == DOWN_AFTER * (RETRIES + 1)
    assert all(e.attempts == 0 for e in entries if e.reason == "host_down")
    assert stats.as_dict()["new"] == ANSWERED

    with loopback_only():  # the portal is back: what waited is stored now, nothing twice
        again, _ = asyncio.run(_crawl(db, PAGES))
    assert again.as_dict()["new"] == PAGES - ANSWERED
    latest = [
        e
        for e in entries_of(db, source_name="falling")
        if e.kind == "detail" and e.run_id != entries[0].run_id
    ]
    assert len(latest) == PAGES and all(e.state == "done" for e in latest)


class Alternating:
    """A fetcher (unit test: no network) dropping every odd URL and answering every even one."""

    async def fetch(self, url: str, **_: Any) -> FetchResult:
        if int(url.rsplit("/", 1)[1]) % 2:
            raise ConnectFailure("dropped")
        return FetchResult(url=url, final_url=url, status=200, headers={}, content=b"ok", elapsed=0.0)


def test_an_answer_between_failures_keeps_the_host_up() -> None:
    """Failures with an answer between them are never "in a row": the host is never put aside."""
    manners = Manners(delay=0.0, concurrency=1, obey_robots=False, retry=RetryPolicy(retries=1, backoff=0.01))
    polite = PoliteFetcher(
        Alternating(),  # type: ignore[arg-type]
        slots=HostSlots(),
        robots=RobotsCache(),
        manners=manners,
        source="alternating",
    )

    async def main() -> list[str]:
        outcomes = []
        for n in range(4 * DOWN_AFTER):
            try:
                outcomes.append(str((await polite.get(f"http://127.0.0.1:1/{n}")).attempts))
            except GaveUp as exc:
                outcomes.append(exc.reason)
        return outcomes

    assert asyncio.run(main()) == ["1", "connect"] * (2 * DOWN_AFTER)
