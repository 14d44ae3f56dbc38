"""The browser and the console in a real browser (Debian's Chromium through Playwright): sign in, filter, sort,
crawl now and watch it finish, open a report and switch versions; every page on loopback only, usable at 1280
and 390 px, labelled and reachable by keyboard. Screenshots of every page go to out/web/."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.web.browser import UNLABELLED, WIDTHS, overflow, screenshot
from tests.web.conftest import AUTH, TOKEN, wait_for_run

# the module's service crawls twice and waits for the search index (every 30 s) before the first test
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]
TIMEOUT = 60_000  # ms: a loaded 2-core CI machine


def sign_in(page: Any) -> None:
    page.goto("/ops")
    page.get_by_label("API 令牌（FAZHI_API_TOKEN）").fill(TOKEN)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/ops")
    page.get_by_role("heading", name="来源", exact=True).wait_for()


def _jianghai(site: str) -> dict[str, Any]:
    items = httpx.get(f"{site}/documents", params={"source_name": "jianghai-rsj", "sort": "seq"}).json()[
        "items"
    ]
    assert len(items) == 2, items
    return httpx.get(f"{site}/documents/{items[1]['id']}").json()


def test_sign_in_filter_sort_and_crawl_now(page_at: Any, site: str) -> None:
    page = page_at()
    page.goto("/ops")
    screenshot(page, "ops-login")
    page.get_by_label("API 令牌（FAZHI_API_TOKEN）").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "令牌不正确。"
    sign_in(page)
    rows = page.locator("table.sources tbody th[scope=row]")
    names = rows.all_inner_texts()
    assert len(names) == 5 and names == sorted(names)
    page.get_by_label("名称包含").fill("hedong")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**q=hedong**")
    assert rows.all_inner_texts() == ["hedong"]
    page.get_by_role("link", name="文档数").click()
    page.wait_for_url("**sort=documents**")
    assert rows.all_inner_texts() == ["hedong"]  # the filter is kept when sorting
    before = len(httpx.get(f"{site}/-/runs", headers=AUTH, params={"source_name": "hedong"}).json()["runs"])
    page.get_by_role("button", name="立即抓取 hedong").click()
    page.get_by_role("status").filter(has_text="已请求抓取：hedong").wait_for(timeout=TIMEOUT)
    finished = page.locator("#live ul.recent li").filter(has_text="hedong").filter(has_text="完成")
    finished.first.wait_for(timeout=TIMEOUT)  # the live view (htmx polling) shows it end
    run = wait_for_run(site, "hedong", before + 1)
    assert run["trigger"] == "operator" and run["state"] == "finished"
    screenshot(page, "ops-sources")
    page.locator("#live").get_by_role("link", name=f"#{run['id']} hedong").click()
    page.wait_for_url(f"**/ops/runs/{run['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == f"运行 #{run['id']}：hedong"
    assert "完成" in page.locator("table.fields").inner_text()
    screenshot(page, "ops-run")
    page.get_by_role("link", name="运行记录").click()
    page.wait_for_url("**/ops/runs")
    assert page.get_by_role("link", name=f"#{run['id']}").count() == 1
    screenshot(page, "ops-runs")


def test_search_open_a_report_and_switch_versions(page_at: Any, site: str) -> None:
    newest = _jianghai(site)
    page = page_at()
    page.goto("/")
    screenshot(page, "browse")
    page.get_by_label("关键词").fill("更正第三部分数据")
    page.get_by_label("关键词").press("Enter")
    page.wait_for_url("**q=**")
    results = page.locator("ol.results a.title")
    assert results.count() == 1
    screenshot(page, "browse-search")
    results.first.click()
    page.wait_for_url(f"**/r/{newest['id']}")
    assert page.get_by_role("heading", level=1).inner_text() == newest["title"]
    assert page.get_by_label("本页").input_value().endswith(f"/r/{newest['id']}")
    assert "附:本报告于2025年1月更正第三部分数据。" in page.locator("article.body").inner_text()
    screenshot(page, "report")
    versions = httpx.get(f"{site}/reports/{newest['report_id']}").json()["versions"]
    assert [v["id"] for v in versions] == [newest["versions"][0]["id"], newest["id"]]
    older = versions[0]["id"]
    table = page.locator("table.versions")
    assert table.get_by_text("第 2 版（本页）").count() == 1
    page.get_by_role("link", name="与第 1 版对比").click()
    page.wait_for_url(f"**/diff/{older}")
    assert page.locator(".diff .added ins").all_inner_texts() == ["附:本报告于2025年1月更正第三部分数据。"]
    screenshot(page, "report-diff")
    page.go_back()
    page.locator("table.versions").get_by_role(
        "link", name="第 1 版", exact=True
    ).click()  # switch to the older version
    page.wait_for_url(f"**/r/{older}")
    assert "附:本报告于2025年1月更正" not in page.locator("article.body").inner_text()
    assert page.locator("table.versions").get_by_text("第 1 版（本页）").count() == 1
    page.locator("table.versions").get_by_role("link", name="第 2 版", exact=True).click()
    page.wait_for_url(f"**/r/{newest['id']}")


def _every_page(site: str) -> list[str]:
    document = _jianghai(site)
    run = httpx.get(f"{site}/-/runs", headers=AUTH).json()["runs"][0]
    return [
        "/",
        "/?q=法治&sort=-publish_date",
        f"/r/{document['id']}",
        f"/r/{document['id']}/diff/{document['versions'][0]['id']}",
        "/r/" + "0" * 64,
        "/charts/dates",
        "/charts/coverage",
        "/ops/runs",
        f"/ops/runs/{run['id']}",
        "/ops",
    ]


def test_every_page_stays_on_loopback_and_fits_both_widths(page_at: Any, site: str) -> None:
    for label, width in WIDTHS.items():
        page = page_at(width)
        sign_in(page)
        for number, path in enumerate(_every_page(site)):
            page.goto(path, wait_until="networkidle")
            assert overflow(page) <= 0, f"{path} is wider than {width} px"
            assert page.evaluate(UNLABELLED) == [], f"{path}: form fields without a label"
            name = re.sub(r"[^a-z0-9]+", "-", path.split("?")[0]).strip("-")[:24] or "index"
            screenshot(page, f"{label}-{number:02d}-{name}")
    # the outside-request and script-error checks run when the fixture closes the pages


def test_api_docs_render_from_the_package(page_at: Any) -> None:
    page = page_at()
    page.goto("/docs", wait_until="networkidle")
    page.locator(".opblock").first.wait_for(timeout=TIMEOUT)  # Swagger UI drew the operations
    assert page.locator(".opblock-summary-path", has_text="/documents").count() >= 1
    screenshot(page, "docs")
    page.goto("/redoc", wait_until="networkidle")
    page.get_by_text("/documents").first.wait_for(timeout=TIMEOUT)  # ReDoc drew the operations
    screenshot(page, "redoc")


def _wait_for_focus(page: Any, element_id: str) -> None:
    """Autofocus lands when the browser next renders, which on a busy machine can come after the load event."""
    with contextlib.suppress(PlaywrightTimeout):  # the assertion below then says what had the focus
        page.wait_for_function(f"document.activeElement.id === {element_id!r}", timeout=10_000)
    assert page.evaluate("document.activeElement.id") == element_id


def test_keyboard_alone_signs_in_and_searches(page_at: Any) -> None:
    page = page_at()
    page.goto("/charts/dates")  # a page without autofocus: from the top, the skip link comes first
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到正文"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.goto("/")
    _wait_for_focus(page, "f-q")  # autofocus on the search box
    page.keyboard.type("行政")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=%E8%A1%8C%E6%94%BF**")
    page.goto("/ops")
    _wait_for_focus(page, "token")
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")
    page.wait_for_url("**/ops")
    page.get_by_role("heading", name="来源", exact=True).wait_for()
    focused = []
    for _ in range(40):  # every control of the console is reached by Tab, in order
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")
        )
    assert "f-status" in focused and "f-q" in focused and "全部立即抓取" in focused
    assert focused.index("f-status") < focused.index("全部立即抓取") < focused.index("立即抓取")


def test_download_the_coverage_csv(page_at: Any, site: str) -> None:
    page = page_at()
    page.goto("/charts/coverage")
    rows = httpx.get(f"{site}/coverage").json()["rows"]
    assert page.locator("table.coverage tbody td[class^=cell-]:not(.cell-none)").count() == len(rows)
    screenshot(page, "coverage")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    text = Path(download.value.path()).read_bytes().decode("utf-8")  # as sent: CRLF lines
    assert text == httpx.get(f"{site}/coverage.csv").text
    assert text.startswith("\ufeff") and len(text.strip().splitlines()) == len(rows) + 1
