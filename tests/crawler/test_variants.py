"""Discovery on every simulated portal, on real servers: every report found with the dialects on; ≥ 90 % with
all of them off and with each one off in turn; XHR headers and Referers; a short listing raises its shortfall."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from crawler.discover import DIALECTS
from crawler.engine import SourceStats, crawl_sources
from crawler.sources import Source
from portalsim.portal import Hit, Portal
from portalsim.variants import VARIANT_HOSTS, ah_pageindex, build_variants, zj_widget
from store import make_engine
from store.operator import runs_page, sources_health
from tests.crawler.discovery import CONFIG, Tally, portal_of, tally, variant_sources, with_options
from tests.netguard import loopback_only
from tests.servers import free_port, serving

pytestmark = pytest.mark.integration
CLASSIFIER_PENDING = {"sh-index2"}  # titles without 报告 / in traditional characters: ingest/classify decides


@pytest.fixture(scope="module")
def variants() -> Iterator[dict[str, Portal]]:
    port = free_port(tuple(VARIANT_HOSTS.values()))
    portals = build_variants(port)
    with loopback_only(), serving(portals, port):
        yield portals


@pytest.fixture(scope="module")
def everything(
    portals: tuple[dict[str, Portal], int], variants: dict[str, Portal], demo_sources: list[Source]
) -> tuple[dict[str, Portal], list[Source]]:
    five = {k: p for k, p in portals[0].items() if k != "hostile"}
    return {**five, **variants}, [*with_options(demo_sources, delay=0), *variant_sources(variants)]


Crawled = dict[str, tuple[Tally, SourceStats]]


def _crawl(tmp: Path, everything: tuple[dict[str, Portal], list[Source]], sources: list[Source]) -> Crawled:
    db = make_engine(f"sqlite:///{tmp / 'discovery.db'}")
    with loopback_only():
        stats = {s.name: s for s in asyncio.run(crawl_sources(sources, db=db, config=CONFIG))}
    return {s.name: (tally(db, s, portal_of(s, everything[0])), stats[s.name]) for s in sources}


WINDOW: dict[str, tuple[float, float]] = {}  # when the dialects-on crawl ran (portal logs are shared)


@pytest.fixture(scope="module")
def dialects_on(everything: Any, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    began = time.time()
    crawled = _crawl(tmp_path_factory.mktemp("on"), everything, everything[1])
    WINDOW["on"] = (began, time.time())
    return crawled


def _hits_on(portal: Portal) -> list[Hit]:
    began, ended = WINDOW["on"]
    return [h for h in portal.log if began <= h.wall <= ended]


def test_every_report_on_every_simulated_portal_is_found(dialects_on: Crawled) -> None:
    for name, (found, stats) in dialects_on.items():
        assert found.fetched == found.expected, (name, found)
        assert not stats.failed and stats.listing["shortfall"] == 0 and stats.listing["pages_missing"] == 0, (
            name
        )
        if name not in CLASSIFIER_PENDING:
            assert found.stored == found.expected, (name, found)


def test_with_every_dialect_off_the_fallback_finds_nine_in_ten(
    everything: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    off = _crawl(
        tmp_path_factory.mktemp("off"), everything, with_options(everything[1], disabled_dialects=["all"])
    )
    for name, (found, stats) in off.items():
        assert found.share >= 0.9, (name, found)
        assert set(stats.listing["dialects"]) == {"fallback"}, name
        assert not stats.failed, (name, stats.failed)  # probes that find no page are not failures


@pytest.mark.parametrize("dialect", DIALECTS)
def test_leave_one_dialect_out(
    dialect: str, dialects_on: Crawled, everything: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    users = [s for s in everything[1] if dialect in dialects_on[s.name][1].listing["dialects"]]
    assert users, f"no simulated portal is read by the {dialect} dialect"
    crawled = _crawl(
        tmp_path_factory.mktemp(dialect), everything, with_options(users, disabled_dialects=[dialect])
    )
    for name, (found, stats) in crawled.items():
        assert dialect not in stats.listing["dialects"]
        assert found.share >= 0.9, (name, found)


# ---------------------------------------------------------------- browser headers


def test_api_requests_carry_the_browsers_xhr_headers(
    variants: dict[str, Portal], dialects_on: Crawled
) -> None:
    portal = variants["zj-widget"]
    column = f"http://{portal.host}/col/col1229563012/index.html"
    api = [h for h in _hits_on(portal) if "jpaas-publish-server" in h.path]
    assert len(api) >= 3
    assert all(h.headers.get("x-requested-with") == "XMLHttpRequest" for h in api)
    assert all(h.headers.get("referer") == column for h in api)


def test_the_simulated_api_ignores_page_numbers_without_them(variants: dict[str, Portal]) -> None:
    portal = variants["zj-widget"]
    url = f"http://{portal.host}/api-gateway/jpaas-publish-server/front/page/build/unit"
    params = {"webId": "3185", "pageId": "2208391", "pageNo": "3"}
    xhr = {
        "X-Requested-With": "XMLHttpRequest",
        "Referer": f"http://{portal.host}/col/col1229563012/index.html",
    }
    with loopback_only():
        plain = httpx.get(url, params=params).json()["data"]
        browser = httpx.get(url, params=params, headers=xhr).json()["data"]
    assert plain["pageNo"] == 1 and browser["pageNo"] == 3 and plain["html"] != browser["html"]


def test_detail_requests_carry_their_list_page_as_referer(
    variants: dict[str, Portal], dialects_on: Crawled
) -> None:
    for portal in variants.values():
        reports = {item.path for item in portal.reports()}
        hits = [h for h in _hits_on(portal) if h.path in reports]
        assert hits and all(h.headers.get("referer", "").startswith(f"http://{portal.host}/") for h in hits)
    widget = variants["zj-widget"]
    deep = [h for h in _hits_on(widget) if h.path in {i.path for i in widget.reports()}]
    assert {h.headers["referer"] for h in deep} == {f"http://{widget.host}/col/col1229563012/index.html"}


def _serve_one(portal: Portal) -> Any:
    port = free_port((portal.host.split(":")[0],))
    portal.host = f"{portal.host.split(':')[0]}:{port}"
    return port


def test_an_ignored_page_number_is_asked_again_as_a_browser(tmp_path: Path) -> None:
    portal = ah_pageindex(VARIANT_HOSTS["ah-pageindex"])
    port = _serve_one(portal)
    real = portal.handlers["/public/column/6790721"]

    async def needs_xhr(request: Request) -> Response:
        if request.headers.get("x-requested-with") != "XMLHttpRequest":  # page 1 for anything else
            request.scope["query_string"] = b"type=4&catId=7071581&action=list"
        return await real(request)

    portal.handlers["/public/column/6790721"] = needs_xhr
    source = variant_sources({"ah-xhr": portal})[0]
    with loopback_only(), serving({"ah": portal}, port):
        db = make_engine(f"sqlite:///{tmp_path / 'xhr.db'}")
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
        found = tally(db, source, portal)
    assert found.fetched == found.expected == 2
    retried = [h for h in portal.log if h.headers.get("sec-fetch-mode") == "cors"]
    assert len(retried) == 3 and stats.listing["shortfall"] == 0  # pages 2–4, once each


# ---------------------------------------------------------------- a short listing


def test_an_incomplete_listing_raises_its_shortfall(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    portal = zj_widget(VARIANT_HOSTS["zj-widget"])
    port = _serve_one(portal)
    first = portal.pages["/col/col1229563012/index.html"]

    async def page_one_only(request: Request) -> Response:  # a broken API and no deep links
        if "unit" in request.url.path:
            return JSONResponse({"success": True, "data": {"html": ""}})
        return Response(first.body, media_type="text/html")

    portal.handlers = {p: page_one_only for p in portal.handlers}
    source = variant_sources({"zj-short": portal})[0]
    with loopback_only(), serving({"zj": portal}, port), caplog.at_level(logging.WARNING, "fazhi.crawler"):
        db = make_engine(f"sqlite:///{tmp_path / 'short.db'}")
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
    assert (
        stats.listing["expected"] == 30 and stats.listing["found"] == 8 and stats.listing["shortfall"] == 22
    )
    assert stats.listing["fallbacks"] == 1  # the fallback was tried before giving the shortfall
    assert any("incomplete listing: 8 of 30" in r.getMessage() for r in caplog.records)
    with db.connect() as connection:
        run = runs_page(connection, before=None, limit=1, source_name="zj-short")[0]
        health = {h["source_name"]: h for h in sources_health(connection)}["zj-short"]
    assert run["stats"]["listing"]["shortfall"] == 22
    assert health["incomplete_listing"] is True and health["listing"]["shortfall"] == 22
    assert REGISTRY.get_sample_value("fazhi_listing_shortfall_entries", {"source": "zj-short"}) == 22
    assert REGISTRY.get_sample_value("fazhi_listing_expected_entries", {"source": "zj-short"}) == 30


def test_gkmlpt_reads_its_page_size_from_the_answers(variants: dict[str, Portal], tmp_path: Path) -> None:
    portal = variants["gd-gkmlpt8"]
    source = Source.model_validate(
        {
            **variant_sources({"gkmlpt-only": portal})[0].model_dump(),
            "start_urls": [f"http://{portal.host}/gkmlpt/index"],
        }
    )
    began = time.time()
    db = make_engine(f"sqlite:///{tmp_path / 'gkmlpt.db'}")
    with loopback_only():
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
    found = tally(db, source, portal)
    assert (found.fetched, found.stored) == (
        2,
        2,
    )  # on pages 2 and 4 of 8 articles: a 100-a-page guess reads one
    pages = sorted(h.query for h in portal.log if h.wall >= began and "/gkmlpt/api/" in h.path)
    assert pages[:4] == ["page=1&sid=755031", "page=2&sid=755031", "page=3&sid=755031", "page=4&sid=755031"]
    assert stats.listing["expected"] == stats.listing["found"] == 30
