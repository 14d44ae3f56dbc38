"""Fixtures of the browser tests: one Chromium for the session, and a service (API, console, scheduler) over
the simulated portals whose jianghai report has two versions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fazhi.service import run_service
from fazhi.settings import Settings
from tests.conftest import make_db
from tests.netguard import loopback_only
from tests.servers import LoopThread, free_port
from tests.web.browser import ARGS, Outside, chromium_path

TOKEN = "browser-console-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
CORRECTION = "<p>附:本报告于2025年1月更正第三部分数据。</p>"


@pytest.fixture(scope="module")
def chromium(site: str) -> Iterator[Any]:
    """Started after the site and closed before it: no browser connection is open when the server stops."""
    path = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=ARGS)
        yield browser
        browser.close()


def wait_for_run(base: str, source: str, count: int, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = httpx.get(f"{base}/-/runs", headers=AUTH, params={"source_name": source}).json()["runs"]
        finished = [r for r in runs if r["finished_at"]]
        if len(finished) >= count:
            return finished[0]
        time.sleep(0.2)
    raise AssertionError(f"{source}: fewer than {count} finished runs after {timeout} s")


def _crawl(base: str, source: str, count: int) -> dict[str, Any]:
    response = httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": [source]})
    assert response.status_code == 202, response.text
    return wait_for_run(base, source, count)


def _two_versions(base: str, portal: Any) -> None:
    """jianghai crawled, its report changed on the portal, crawled again (then the portal restored)."""
    _crawl(base, "jianghai-rsj", 1)
    item = portal.reports()[0]
    original = portal.pages[item.path].body.decode()
    portal.replace_page(
        item.path, original.replace('</div><div class="fujian">', CORRECTION + '</div><div class="fujian">')
    )
    try:
        assert _crawl(base, "jianghai-rsj", 2)["stats"]["new"] == 1
    finally:
        portal.replace_page(item.path, original)
    _wait_indexed(base, "更正第三部分数据")


def _wait_indexed(base: str, words: str, timeout: float = 90) -> None:
    """The service indexes new documents for search every 30 s, after their crawl (crawler.indexer)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if httpx.get(f"{base}/documents", params={"q": words}).json()["items"]:
            return
        time.sleep(0.5)
    raise AssertionError(f"{words!r} not searchable {timeout} s after its crawl")


@pytest.fixture(scope="module")
def site(
    portals: tuple[dict[str, Any], int], demo_sources: list[Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    db = make_db(tmp_path_factory.mktemp("web") / "fazhi.db")
    settings = Settings(api_token=TOKEN, recrawl_poll_seconds=0.3, default_schedule="0 3 1 1 *", keywords=4)
    port, runner = free_port(), LoopThread()
    base = f"http://127.0.0.1:{port}"
    with loopback_only():
        runner.submit(
            run_service(db=db, settings=settings, sources=demo_sources, host="127.0.0.1", port=port)
        )
        try:
            _wait_up(base)
            _two_versions(base, portals[0]["jianghai"])
            yield base
        finally:
            runner.stop()
            db.dispose()


def _wait_up(base: str) -> None:
    for _ in range(300):
        try:
            if httpx.get(f"{base}/-/sources", headers=AUTH).json()["sources"]:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise AssertionError("the service did not come up with its sources")


@pytest.fixture
def outside() -> Outside:
    return Outside()


@pytest.fixture
def page_at(site: str, chromium: Any, outside: Outside) -> Iterator[Any]:
    """``page_at(width)``: a fresh page (own cookies) of ``width`` px on the site; fails the test on any outside
    request or script error."""
    contexts, errors = [], []

    def make(width: int = 1280) -> Any:
        context = chromium.new_context(
            viewport={"width": width, "height": 900}, base_url=site, locale="zh-CN"
        )
        context.route("**/*", outside.route)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert outside.requests == [], f"pages asked outside hosts: {outside.requests}"
    assert errors == [], f"script errors: {errors}"
