"""Every page over HTTP on a crawled store (both backends): what it shows, its errors, the console's sign-in,
cookie, CSRF and crawl request, and that no page names an outside resource."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api import create_app
from api.web import coverage as web_coverage
from fazhi.settings import Settings
from store.models import RecrawlRequest
from tests.servers import running_app

pytestmark = pytest.mark.integration
TOKEN = "web-console-token"
_RESOURCE = re.compile(r"""<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)=["']([^"']+)""", re.I)


@pytest.fixture(scope="module")
def site(crawled: tuple[Any, list[Any]]) -> Iterator[tuple[str, Any]]:
    with running_app(create_app(engine=crawled[0], config=Settings(api_token=TOKEN).api_config())) as base:
        yield base, crawled[0]


@pytest.fixture
def client(site: tuple[str, Any]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=site[0]) as client:
        yield client


def signed_in(client: httpx.Client) -> str:
    """Sign in; the CSRF token of the session."""
    response = client.post("/ops/login", data={"token": TOKEN})
    assert response.status_code == 303 and response.headers["location"] == "/ops"
    page = client.get("/ops")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


def _first_id(client: httpx.Client) -> str:
    return client.get("/documents", params={"sort": "seq", "limit": 1}).json()["items"][0]["id"]


def test_the_browser_lists_every_report_with_chinese_labels(client: httpx.Client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and "共 5 份报告" in page.text
    assert page.text.count('<a class="title" href="/r/') == 5
    for label in ("关键词", "报告年度", "省份", "发布机关", "公开日期起", "检索"):
        assert f">{label}<" in page.text


def test_search_and_filters_narrow_the_list(client: httpx.Client) -> None:
    documents = client.get("/documents", params={"limit": 10}).json()["items"]
    year = documents[0]["report_year"]
    expected = sum(1 for d in documents if d["report_year"] == year)
    page = client.get("/", params={"report_year": year, "province": ""})
    assert f"共 {expected} 份报告" in page.text
    hits = client.get("/documents", params={"q": "劳动保障监察", "count": "true"}).json()["count"]
    page = client.get("/", params={"q": "劳动保障监察"})
    assert f"共 {hits} 份报告" in page.text and "<mark>" in page.text


def test_late_reports_carry_a_badge(client: httpx.Client) -> None:
    documents = client.get("/documents", params={"limit": 10}).json()["items"]
    late = [
        d
        for d in documents
        if d["report_year"] and d["publish_date"] and d["publish_date"] > f"{d['report_year'] + 1}-04-01"
    ]
    page = client.get("/")
    assert page.text.count('class="badge late"') == len(late)


def test_bad_search_input_is_a_clear_400_page(client: httpx.Client) -> None:
    page = client.get("/", params={"published_after": "2023-13-01"})
    assert page.status_code == 400 and "检索条件有误" in page.text and "not a calendar date" in page.text
    page = client.get("/", params={"report_year": "1800"})
    assert page.status_code == 400 and "报告年度" in page.text
    page = client.get("/", params={"q": "!!!"})
    assert page.status_code == 400 and "no searchable words" in page.text


def test_pages_of_results_follow_one_another(client: httpx.Client) -> None:
    import api.web.browse as browse

    seen: list[str] = []
    url: str | None = "/?sort=-seq"
    saved, browse.PAGE_SIZE = browse.PAGE_SIZE, 2
    try:
        while url:
            page = client.get(url)
            seen += re.findall(r'<a class="title" href="/r/([0-9a-f]{64})"', page.text)
            found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
            url = found.group(1).replace("&amp;", "&") if found else None
    finally:
        browse.PAGE_SIZE = saved
    assert len(seen) == len(set(seen)) == 5


def test_a_report_page_shows_fields_provenance_body_and_permalink(client: httpx.Client) -> None:
    document = client.get(f"/documents/{_first_id(client)}").json()
    page = client.get(f"/r/{document['id'][:16]}")
    assert page.status_code == 200
    assert f"/r/{document['id']}" in page.text  # the permalink names the full id
    assert "字段及来源" in page.text and "取自" in page.text
    assert document["title"] in page.text and document["agency"] in page.text
    first_paragraph = next(p for p in document["body"].splitlines() if p.strip())
    assert first_paragraph.strip() in page.text
    assert f'href="/documents/{document["id"]}"' in page.text


def test_unknown_or_malformed_report_ids_are_pages_that_say_so(client: httpx.Client) -> None:
    page = client.get("/r/" + "0" * 64)
    assert page.status_code == 404 and "找不到这份报告" in page.text
    page = client.get("/r/not-an-id")
    assert page.status_code == 400 and "64 hex" in page.text


def test_the_deadline_chart(client: httpx.Client) -> None:
    page = client.get("/charts/dates")
    assert page.status_code == 200 and "<svg" in page.text and "按期公开" in page.text
    svg = client.get("/charts/dates.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and svg.text.startswith("<svg")
    dated = [d for d in client.get("/documents").json()["items"] if d["report_year"] and d["publish_date"]]
    assert sum(int(n) for n in re.findall(r"<title>(\d+) 份</title>", svg.text)) == len(dated)


def test_the_api_docs_load_their_assets_from_the_package(client: httpx.Client) -> None:
    for path in ("/docs", "/redoc"):
        page = client.get(path)
        assert page.status_code == 200
        for url in _RESOURCE.findall(page.text):
            assert url.startswith("/"), f"{path} loads {url}"
            assert client.get(url).status_code == 200, url
    assert "fonts.googleapis" not in client.get("/redoc").text


def test_no_page_names_an_outside_resource(client: httpx.Client) -> None:
    signed_in(client)
    document_id = _first_id(client)
    for path in ("/", "/?q=法治", f"/r/{document_id}", "/charts/dates", "/ops", "/ops/runs", "/ops/live"):
        page = client.get(path)
        assert page.status_code == 200, path
        for url in _RESOURCE.findall(page.text):
            assert url.startswith("/") or url.startswith("data:"), f"{path} loads {url}"


def test_the_console_asks_for_the_token_and_keeps_out_wrong_ones(client: httpx.Client) -> None:
    page = client.get("/ops")
    assert page.status_code == 200 and 'type="password"' in page.text and "API 令牌" in page.text
    assert page.headers["cache-control"] == "private, no-store"
    wrong = client.post("/ops/login", data={"token": "nope"})
    assert wrong.status_code == 403 and "令牌不正确" in wrong.text and "set-cookie" not in wrong.headers
    assert client.get("/ops/runs").text.count('type="password"') == 1
    assert client.get("/ops/live").status_code == 401


def test_the_session_cookie_is_signed_httponly_samesite(client: httpx.Client) -> None:
    response = client.post("/ops/login", data={"token": TOKEN})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("fazhi_ops=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Path=/ops" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    tampered = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    with httpx.Client(base_url=str(client.base_url), cookies={"fazhi_ops": tampered}) as other:
        assert 'type="password"' in other.get("/ops").text


def test_the_sources_table_lists_filters_and_sorts(client: httpx.Client, site: tuple[str, Any]) -> None:
    signed_in(client)
    names = sorted(
        s["source_name"]
        for s in client.get("/-/sources", headers={"Authorization": f"Bearer {TOKEN}"}).json()["sources"]
    )
    page = client.get("/ops")
    listed = re.findall(r'<th scope="row"><a href="/ops/runs\?source=([^"]+)">', page.text)
    assert listed == names and f"共 {len(names)} 个来源" in page.text
    assert "下次运行（北京时间）" in page.text and "连续失败" in page.text
    page = client.get("/ops", params={"q": names[0][:4]})
    assert re.findall(r'<th scope="row"><a href="/ops/runs\?source=([^"]+)">', page.text) == [
        n for n in names if names[0][:4] in n
    ]
    page = client.get("/ops", params={"sort": "name", "dir": "desc"})
    assert re.findall(r'<th scope="row"><a href="/ops/runs\?source=([^"]+)">', page.text) == names[::-1]
    assert 'aria-sort="descending"' in page.text
    assert "没有符合条件的来源" in client.get("/ops", params={"status": "failing"}).text


def test_crawl_now_needs_the_session_and_its_csrf_token(client: httpx.Client, site: tuple[str, Any]) -> None:
    engine = site[1]

    def requests() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            rows = connection.execute(select(RecrawlRequest.source_name, RecrawlRequest.requested_by))  # type: ignore[call-overload]
            return [tuple(r) for r in rows]

    before = requests()
    assert client.post("/ops/crawl", data={"source": "hedong"}).status_code == 403  # not signed in
    csrf = signed_in(client)
    assert client.post("/ops/crawl", data={"source": "hedong", "csrf": "forged"}).status_code == 403
    foreign = client.post(
        "/ops/crawl", data={"source": "hedong", "csrf": csrf}, headers={"Origin": "http://127.0.0.2:1"}
    )
    assert foreign.status_code == 403
    assert requests() == before
    unknown = client.post("/ops/crawl", data={"source": "nosuch", "csrf": csrf})
    assert unknown.status_code == 404 and requests() == before
    done = client.post("/ops/crawl", data={"source": "hedong", "csrf": csrf})
    assert done.status_code == 303 and "requested=hedong" in done.headers["location"]
    assert requests() == [*before, ("hedong", "console")]
    everyone = [
        s["source_name"]
        for s in client.get("/-/sources", headers={"Authorization": f"Bearer {TOKEN}"}).json()["sources"]
    ]
    live = client.post("/ops/crawl", data={"csrf": csrf}, headers={"HX-Request": "true"})
    assert live.status_code == 200 and "已请求抓取：" + "、".join(sorted(everyone)) in live.text
    assert requests() == [*before, ("hedong", "console"), *((n, "console") for n in sorted(everyone))]


def test_run_pages(client: httpx.Client) -> None:
    signed_in(client)
    runs = client.get("/-/runs", headers={"Authorization": f"Bearer {TOKEN}"}).json()["runs"]
    page = client.get(f"/ops/runs/{runs[0]['id']}")
    assert page.status_code == 200 and f"运行 #{runs[0]['id']}" in page.text and "用时" in page.text
    assert "按结果分的页面" in page.text and "失败的页面" in page.text
    listing = client.get("/ops/runs")
    assert all(f'href="/ops/runs/{r["id"]}"' in listing.text for r in runs)
    assert client.get("/ops/runs/999999").status_code == 404


def test_sign_out_ends_the_session(client: httpx.Client) -> None:
    csrf = signed_in(client)
    assert client.post("/ops/logout", data={"csrf": "wrong"}).status_code == 403
    out = client.post("/ops/logout", data={"csrf": csrf})
    assert out.status_code == 303 and 'fazhi_ops=""' in out.headers["set-cookie"]
    assert 'type="password"' in client.get("/ops").text


def test_without_a_token_the_console_is_off(crawled: tuple[Any, list[Any]]) -> None:
    with running_app(create_app(engine=crawled[0], config=Settings().api_config())) as base:
        page = httpx.get(f"{base}/ops")
        assert "未启用" in page.text
        assert httpx.post(f"{base}/ops/login", data={"token": ""}).status_code == 403


def test_the_coverage_matrix_shows_the_coverage_rows(client: httpx.Client) -> None:
    rows = client.get("/coverage").json()["rows"]
    page = client.get("/charts/coverage")
    assert page.status_code == 200 and "下载 CSV" in page.text
    for status, label in (("on_time", "按期"), ("late", "逾期"), ("missing", "缺失")):
        expected = sum(1 for r in rows if r["status"] == status)
        assert page.text.count(f'class="cell-{status}"') == expected
        assert f"{label} {expected}" in page.text
    linked = {r["document_id"] for r in rows if r["document_id"]}
    assert set(re.findall(r'class="cell-\w+"><a href="/r/([0-9a-f]{64})"', page.text)) == linked
    province = next(r["province"] for r in rows if r["province"])
    narrowed = client.get("/charts/coverage", params={"province": province})
    inside = [r for r in rows if r["province"] == province]
    assert narrowed.text.count('class="cell-') - narrowed.text.count('class="cell-none"') == len(inside)
    csv_url = re.search(r'<a href="([^"]+)" download="fazhi-coverage.csv">', narrowed.text).group(1)
    csv_url = csv_url.replace("&amp;", "&")
    assert client.get(csv_url).text == client.get("/coverage.csv", params={"province": province}).text


def test_the_coverage_matrix_shows_a_page_of_publishers_at_a_time(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_coverage, "PAGE", 2)
    rows = client.get("/coverage").json()["rows"]
    expected = [line["agency"] for line in web_coverage.matrix(rows)[1]]
    assert len(expected) > 2
    url: str | None = "/charts/coverage"
    shown: list[str] = []
    while url:
        page = client.get(url)
        agencies = re.findall(r'<th scope="row">([^<]+)</th>', page.text)
        assert page.status_code == 200 and 0 < len(agencies) <= 2
        assert f"共 {len(expected)} 个" in page.text
        shown += agencies
        found = re.search(r'<a href="([^"]+)" rel="next">', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert shown == expected
    assert client.get("/charts/coverage", params={"page": "999"}).text.count('<th scope="row">') > 0


def test_the_coverage_matrix_reads_its_rows_once_for_a_while(
    crawled: tuple[Any, list[Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[object] = []
    real_rows, real_csv = web_coverage.coverage_rows, web_coverage.coverage_csv
    monkeypatch.setattr(web_coverage, "coverage_rows", lambda *a, **k: calls.append(a) or real_rows(*a, **k))
    monkeypatch.setattr(web_coverage, "coverage_csv", lambda rows: calls.append(len(rows)) or real_csv(rows))
    with running_app(create_app(engine=crawled[0], config=Settings().api_config())) as base:
        for params in ({}, {"province": "广东省"}, {"page": "2"}):
            assert httpx.get(f"{base}/charts/coverage", params=params).status_code == 200
        assert len(calls) == 1
        for params in ({}, {"province": "广东省"}, {"province": "广东省", "city": "江门市"}) * 2:
            download = httpx.get(f"{base}/charts/coverage.csv", params=params)
            assert download.text == httpx.get(f"{base}/coverage.csv", params=params).text
            assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert len(calls) == 1 + 3 and all(isinstance(n, int) for n in calls[1:])  # then each place's CSV, once


def test_missing_parts_filter_and_badges(client: httpx.Client) -> None:
    documents = client.get(
        "/documents", params={"limit": 10, "missing": "shortcomings", "count": "true"}
    ).json()
    page = client.get("/", params={"missing": "shortcomings"})
    assert page.status_code == 200 and f"共 {documents['count']} 份报告" in page.text
    assert page.text.count("缺少：") == documents["count"] and "存在的不足" in page.text
    assert client.get("/", params={"missing": "nothing"}).status_code == 400


def test_a_report_page_lists_its_required_parts(client: httpx.Client) -> None:
    document = client.get(f"/documents/{_first_id(client)}").json()
    page = client.get(f"/r/{document['id']}")
    assert "必备内容" in page.text
    absent = [p for p, present in document["sections"].items() if not present]
    assert page.text.count('class="absent"') == len(absent)
