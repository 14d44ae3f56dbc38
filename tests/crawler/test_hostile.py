"""The crawler against the hostile simulated portal: every failure has a clear reason, nothing hangs, junk is
never stored, and what can be recovered is recovered."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from tests.conftest import BACKENDS, make_db, store_for
from tests.netguard import loopback_only
from tests.rows import entries_of

pytestmark = pytest.mark.integration
CONFIG = CrawlConfig(
    user_agent="fazhi-tests (+https://example.invalid/contact)", timeout=1.0, deadline=1.5, keywords=0
)


def hostile_source(port: int, **overrides: Any) -> Source:
    settings: dict[str, Any] = {
        "name": "hostile",
        "start_urls": [
            f"http://127.0.0.16:{port}{p}"
            for p in ("/hostile/", "/col/col999/index.html", "/datalist/index.html")
        ],
        "allow_private": True,
        "delay": 0.05,
        "retries": 3,
        "backoff": 0.1,
        "max_bytes": 2 * 1024 * 1024,
    }
    settings.update(overrides)
    return Source.model_validate(settings)


@pytest.fixture(scope="module", params=BACKENDS)
def hostile_crawl(
    request: pytest.FixtureRequest,
    portals: tuple[dict[str, Any], int],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """One crawl of the hostile origin, into each backend: a hostile server never corrupts either store."""
    db = store_for(request, tmp_path_factory, "hostile")
    portal = portals[0]["hostile"]
    portal.reset()  # the portal lives for the session: its stateful cases start over for this crawl
    mark = len(portal.log)
    started = time.monotonic()
    with loopback_only():
        stats = asyncio.run(crawl_sources([hostile_source(portals[1])], db=db, config=CONFIG))[0]
    elapsed = time.monotonic() - started
    by_path = {e.url.split(str(portals[1]), 1)[1]: e for e in entries_of(db, source_name="hostile")}
    return {"db": db, "stats": stats, "pages": by_path, "elapsed": elapsed, "hits": portal.log[mark:]}


@pytest.mark.parametrize(
    ("path", "state", "reason"),
    [
        ("/hostile/ruishu-412.html", "failed", "blocked_js_challenge"),
        ("/hostile/cloud-waf-405.html", "failed", "blocked_waf"),
        ("/hostile/waf-loop.html", "failed", "redirect_loop"),
        ("/hostile/slow-drip.html", "failed", "timeout"),
        ("/hostile/hang.html", "failed", "timeout"),
        ("/hostile/gzip-bomb.html", "failed", "too_large"),
        ("/hostile/huge.html", "failed", "too_large"),
        ("/hostile/redirect-loop.html", "failed", "redirect_loop"),
        ("/hostile/redirect-foreign.html", "failed", "private_address"),
        ("/hostile/private/report.html", "failed", "robots"),
    ],
)
def test_failures_have_clear_reasons(
    hostile_crawl: dict[str, Any], path: str, state: str, reason: str
) -> None:
    entry = hostile_crawl["pages"][path]
    assert (entry.state, entry.reason) == (state, reason)


@pytest.mark.parametrize(
    "path",
    [
        "/hostile/waf-cookie.html",  # 302 to itself with a cookie: completes with the jar
        "/hostile/storm-500.html",  # three 500s, then the page: retried with backoff
        "/hostile/rate-429.html",  # 429 Retry-After: 1, then the page
        "/hostile/forced-gzip.html",
        "/hostile/gbk.html",
        "/hostile/utf8-no-charset.html",
        "/hostile/lying-header.html",
        "/hostile/malformed.html",
        "/hostile/attachment-only.html",
        "/hostile/no-validators.html",
        "/hostile/jpaas-1.html",
        "/datalist/2.html",
    ],
)
def test_recoverable_pages_are_stored_as_reports(hostile_crawl: dict[str, Any], path: str) -> None:
    entry = hostile_crawl["pages"][path]
    assert (entry.state, entry.outcome) == ("done", "report"), entry.reason
    assert entry.document_id


def test_stored_text_is_decoded_right(hostile_crawl: dict[str, Any]) -> None:
    from sqlmodel import Session

    from store.documents import find_document

    with Session(hostile_crawl["db"]) as session:
        for path in ("/hostile/gbk.html", "/hostile/lying-header.html", "/hostile/utf8-no-charset.html"):
            document = find_document(session=session, id_or_prefix=hostile_crawl["pages"][path].document_id)
            assert document is not None and "法治政府建设" in document.body and "\ufffd" not in document.body


def test_list_pagination_stops_at_stubs_empty_and_repeated_pages(hostile_crawl: dict[str, Any]) -> None:
    pages = hostile_crawl["pages"]
    assert pages["/hostile/index_1.html"].outcome == "empty"
    assert {pages[f"/hostile/index_{n}.html"].outcome for n in (2, 3, 4)} == {"stub"}
    jpaas = [e for p, e in pages.items() if "jpaas-publish-server" in p]
    assert sorted(e.outcome for e in jpaas) == ["listed", "repeated"]  # pageNo ignored: page 2 repeats page 1
    assert "/datalist/index_2.html" in pages


def test_retry_after_was_honoured_and_the_crawl_never_hung(hostile_crawl: dict[str, Any]) -> None:
    hits = [h for h in hostile_crawl["hits"] if h.path == "/hostile/rate-429.html"]
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 0.95
    storm = [h for h in hostile_crawl["hits"] if h.path == "/hostile/storm-500.html"]
    assert len(storm) == 4
    assert hostile_crawl["elapsed"] < 60


def test_user_agent_names_a_contact(hostile_crawl: dict[str, Any]) -> None:
    agents = {h.headers.get("user-agent") for h in hostile_crawl["hits"]}
    assert agents == {CONFIG.user_agent}


def test_requests_to_one_host_keep_the_delay(portals: tuple[dict[str, Any], int], tmp_path: Path) -> None:
    portal = portals[0]["hostile"]
    db = make_db(tmp_path / "polite.db")
    mark = len(portal.log)
    source = hostile_source(
        portals[1],
        name="polite",
        delay=0.3,
        start_urls=[f"http://127.0.0.16:{portals[1]}/datalist/index.html"],
    )
    with loopback_only():
        asyncio.run(crawl_sources([source], db=db, config=CONFIG))
    starts = [h.at for h in portal.log[mark:]]
    assert len(starts) >= 4  # robots.txt, two list pages, details
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.29, gaps


def test_robots_can_be_overridden_per_source(
    portals: tuple[dict[str, Any], int], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = make_db(tmp_path / "norobots.db")
    url = f"http://127.0.0.16:{portals[1]}/hostile/"
    source = hostile_source(portals[1], name="norobots", obey_robots=False, start_urls=[url], retries=0)
    with loopback_only():
        asyncio.run(crawl_sources([source], db=db, config=CONFIG))
    private = next(
        e for e in entries_of(db, source_name="norobots") if e.url.endswith("/private/report.html")
    )
    assert private.outcome == "report"
    assert any("robots.txt is NOT obeyed" in r.getMessage() for r in caplog.records)


def test_unchanged_body_without_validators_is_not_re_extracted(
    hostile_crawl: dict[str, Any], portals: tuple[dict[str, Any], int]
) -> None:
    db, pages = hostile_crawl["db"], hostile_crawl["pages"]
    source = hostile_source(portals[1], start_urls=[f"http://127.0.0.16:{portals[1]}/hostile/"], retries=0)
    with loopback_only():
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
    again = {e.url: e for e in entries_of(db, source_name="hostile")}
    assert again[pages["/hostile/no-validators.html"].url].reason == "unchanged (same checksum)"
    assert again[pages["/hostile/gbk.html"].url].reason == "not_modified (304)"
    assert stats.new == 0 and stats.unchanged >= 1 and stats.not_modified >= 1


def test_list_page_cap(portals: tuple[dict[str, Any], int], tmp_path: Path) -> None:
    db = make_db(tmp_path / "cap.db")
    source = hostile_source(
        portals[1], name="capped", max_list_pages=2, start_urls=[f"http://127.0.0.16:{portals[1]}/hostile/"]
    )
    with loopback_only():
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
    lists = [e for e in entries_of(db, source_name="capped") if e.kind == "list"]
    assert stats.list_pages == 2
    # the column claims 5 pages: the cap applies to the claim, so only index_1 is planned; the rest is a shortfall
    assert not [e for e in lists if e.state == "failed"]
    assert stats.listing["pages_missing"] == 4  # index_1 is empty, index_2…4 never asked
    assert "capped: createPageHTML claims 5 pages" in stats.listing["short_columns"][0]["problems"][0]
