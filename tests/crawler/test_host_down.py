"""A portal that stops answering mid-crawl: once a few of its URLs in a row are left unanswered after every
retry, each of its other URLs gets one attempt, no retries, until it answers again; no page is skipped untried (a
few pages of a healthy portal that never answer hide nothing), and nothing is lost (the next crawl, the portal
back, stores the rest)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, ClassVar

import pytest

from crawler.engine import CrawlConfig, crawl_sources
from crawler.errors import ConnectFailure, FetchError, FetchTimeout, GaveUp, TooLarge
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
CONFIG = CrawlConfig(user_agent="fazhi-tests (+https://example.invalid/contact)", timeout=5.0, deadline=8.0)
PAGES, ANSWERED, RETRIES = 20, 4, 3


class Portal:
    """A raw HTTP/1.1 server for one bulk portal: it answers ``answered`` report pages (all: None), then closes
    every connection unanswered (the portal went down); the report pages in ``dropped_paths`` are never answered.
    It counts the connections it dropped."""

    def __init__(self, port: int, answered: int | None, dropped_paths: frozenset[str] = frozenset()) -> None:
        self.pages = {
            path: page.body for path, page in bulk_portal(0, "127.0.0.1", port, PAGES).pages.items()
        }
        self.left, self.never, self.dropped = answered, dropped_paths, 0

    def reports(self) -> list[str]:
        """The report pages' paths, in the order the crawl asks for them (by URL)."""
        return sorted(p for p in self.pages if not p.rsplit("/", 1)[-1].startswith("index"))

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                path += "index.html" if path.endswith("/") else ""
                report = path.startswith(COL) and not path.rsplit("/", 1)[-1].startswith("index")
                if report and (path in self.never or self.left == 0):
                    self.dropped += 1
                    return  # closed unanswered: the client reads "disconnected without a response"
                if report and self.left is not None:
                    self.left -= 1
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


async def _crawl(db: Any, portal_of: Any, port: int = 0) -> tuple[Any, Portal, int]:
    """One crawl of a portal made by ``portal_of(port)`` on ``port`` (0: a free one); the port it had."""
    server = await asyncio.start_server(lambda r, w: portal.handle(r, w), "127.0.0.1", port)
    port = server.sockets[0].getsockname()[1]
    portal = portal_of(port)
    try:
        async with server:
            stats = (await crawl_sources([_source(port)], db=db, config=CONFIG))[0]
    finally:
        server.close()
    return stats, portal, port


def _details(db: Any) -> dict[int, list[Any]]:
    """The detail entries of each run, by run."""
    runs: dict[int, list[Any]] = {}
    for entry in entries_of(db, source_name="falling"):
        if entry.kind == "detail":
            runs.setdefault(entry.run_id, []).append(entry)
    return dict(sorted(runs.items()))


def test_a_portal_gone_mid_crawl_costs_one_attempt_a_page_and_nothing_is_lost(tmp_path: Path) -> None:
    db = make_db(tmp_path / "down.db")
    with loopback_only():
        stats, portal, port = asyncio.run(_crawl(db, lambda port: Portal(port, ANSWERED)))
    (first,) = _details(db).values()
    failed = sorted((e.attempts, e.reason) for e in first if e.state == "failed")
    assert len(first) == PAGES and sum(e.state == "done" for e in first) == ANSWERED
    # DOWN_AFTER pages took every attempt; each other page one: the portal saw no more connections than that
    rest = PAGES - ANSWERED - DOWN_AFTER
    assert failed == [(1, "connect")] * rest + [(RETRIES + 1, "connect")] * DOWN_AFTER
    assert portal.dropped == DOWN_AFTER * (RETRIES + 1) + rest
    assert stats.as_dict()["new"] == ANSWERED

    with loopback_only():  # the portal is back, at the same address: what failed is asked again and stored
        again, _, _ = asyncio.run(_crawl(db, lambda port: Portal(port, None), port))
    assert again.as_dict()["new"] == PAGES - ANSWERED
    (latest,) = _details(db).values()  # the same URLs: their rows, failed ones included, were queued again
    assert latest[0].run_id != first[0].run_id and all(e.state == "done" for e in latest)
    assert sorted(e.url for e in latest) == sorted(e.url for e in first)


def test_pages_that_never_answer_hide_none_of_the_others(tmp_path: Path) -> None:
    """A healthy portal whose first pages (in the crawl's order) never answer: every other page is stored."""
    db = make_db(tmp_path / "holes.db")
    dropped = DOWN_AFTER + 1

    def portal_of(port: int) -> Portal:
        reports = Portal(port, None).reports()
        return Portal(port, None, frozenset(reports[:dropped]))

    with loopback_only():
        stats, portal, _ = asyncio.run(_crawl(db, portal_of))
    (first,) = _details(db).values()
    assert stats.as_dict()["new"] == PAGES - dropped
    assert (
        sorted((e.attempts, e.reason) for e in first if e.state == "failed")
        == [(1, "connect")] + [(RETRIES + 1, "connect")] * DOWN_AFTER
    )
    assert portal.dropped == DOWN_AFTER * (RETRIES + 1) + 1


class Scripted:
    """A fetcher (unit test: no network) answering each URL as its last path segment says: ``ok``, or the name of
    the failure it raises every time; it counts the calls."""

    FAILURES: ClassVar[dict[str, type[FetchError]]] = {
        "timeout": FetchTimeout,
        "connect": ConnectFailure,
        "big": TooLarge,
    }

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def fetch(self, url: str, **_: Any) -> FetchResult:
        kind = url.rsplit("/", 1)[1].split("-")[0]
        self.calls.append(url)
        if kind in self.FAILURES:
            raise self.FAILURES[kind]("scripted")
        return FetchResult(url=url, final_url=url, status=200, headers={}, content=b"ok", elapsed=0.0)


def _attempts(paths: list[str]) -> list[tuple[str, int]]:
    """Each path's outcome (``ok`` or the failure's reason) and how many times it was fetched."""
    fetcher = Scripted()
    manners = Manners(
        delay=0.0, concurrency=1, obey_robots=False, retry=RetryPolicy(retries=2, backoff=0.001)
    )
    polite = PoliteFetcher(
        fetcher,  # type: ignore[arg-type]
        slots=HostSlots(),
        robots=RobotsCache(),
        manners=manners,
        source="scripted",
    )

    async def main() -> list[tuple[str, int]]:
        outcomes = []
        for n, path in enumerate(paths):
            url = f"http://127.0.0.1:1/{path}-{n}"
            try:
                await polite.get(url)
                outcome = "ok"
            except GaveUp as exc:
                outcome = exc.reason
            outcomes.append((outcome, fetcher.calls.count(url)))
        return outcomes

    return asyncio.run(main())


def test_one_attempt_a_url_only_while_the_host_answers_nothing() -> None:
    unanswered = ["timeout", "connect", "timeout"][:DOWN_AFTER]
    assert _attempts([*unanswered, "connect", "timeout", "ok", "timeout"]) == [
        *[(kind, 3) for kind in unanswered],
        ("connect", 1),  # DOWN_AFTER in a row: one attempt each
        ("timeout", 1),
        ("ok", 1),  # it answers: every retry is back
        ("timeout", 3),
    ]


def test_an_answer_between_failures_means_they_are_not_in_a_row() -> None:
    """An answer, even one that fails (too large), between failures: every URL keeps its retries."""
    paths = ["timeout", "ok"] * DOWN_AFTER + ["timeout"] * (DOWN_AFTER - 1) + ["big", "timeout", "timeout"]
    assert [count for _, count in _attempts(paths)] == [1 if kind in ("ok", "big") else 3 for kind in paths]
