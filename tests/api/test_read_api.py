"""The read API over a crawled store, through uvicorn on 127.0.0.1."""

from __future__ import annotations

import base64
import csv
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest

from api import create_app
from fazhi.settings import Settings
from tests.servers import running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(crawled: tuple[Any, list[Any]]) -> Iterator[str]:
    with running_app(create_app(engine=crawled[0], config=Settings().api_config())) as base:
        yield base


def _all_pages(url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    page = httpx.get(url, params=params).json()
    items = list(page["items"])
    for _ in range(20):  # loop guard
        if not page["next_url"]:
            return items
        page = httpx.get(urljoin(url, page["next_url"])).json()  # relative without FAZHI_PUBLIC_URL
        items += page["items"]
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize(
    "sort", ["seq", "-seq", "publish_date", "-publish_date", "report_year", "-report_year"]
)
def test_every_sort_pages_to_exhaustion_once(api: str, sort: str) -> None:
    items = _all_pages(f"{api}/documents", {"sort": sort, "limit": 2})
    assert len(items) == len({i["id"] for i in items}) == 5
    key = sort.lstrip("-")
    values = [(i[key] or "", i["seq"]) if key != "seq" else i["seq"] for i in items]
    assert values == sorted(values, reverse=sort.startswith("-"))


def test_the_cursors_order_wins_over_sort(api: str) -> None:
    """A cursor continues the listing it came from: a different ``sort`` beside it does not change the order."""
    page = httpx.get(f"{api}/documents", params={"limit": 2, "sort": "publish_date"}).json()
    assert page["next"].startswith("publish_date.")
    same = httpx.get(f"{api}/documents", params={"limit": 2, "sort": "publish_date", "cursor": page["next"]})
    other = httpx.get(f"{api}/documents", params={"limit": 2, "sort": "-seq", "cursor": page["next"]})
    assert other.status_code == 200 and other.json()["items"] == same.json()["items"]
    assert other.json()["next"] == same.json()["next"]


def test_rank_without_q_is_newest_first(api: str) -> None:
    """Every document matches an empty search equally; equal ranks go to the newer document."""
    newest = _all_pages(f"{api}/documents", {"sort": "-seq", "limit": 2})
    ranked = _all_pages(f"{api}/documents", {"sort": "rank", "limit": 2})
    assert [i["id"] for i in ranked] == [i["id"] for i in newest] and len(ranked) == 5
    assert (
        httpx.get(f"{api}/documents", params={"sort": "rank", "limit": 2}).json()["next"].startswith("-seq.")
    )


def test_search_in_chinese_ranked(api: str) -> None:
    page = httpx.get(f"{api}/documents", params={"q": "劳动保障监察", "count": "true"}).json()
    assert page["count"] >= 1 and page["items"]
    assert all(i["source_name"] for i in page["items"])
    huzhou = httpx.get(f"{api}/documents", params={"q": "湖州市劳动保障监察行政处罚"}).json()["items"]
    assert huzhou and huzhou[0]["source_name"] == "huzhou-rsj"
    assert httpx.get(f"{api}/documents", params={"q": "完全不存在的词语组合乙丙丁"}).json()["items"] == []
    filtered = httpx.get(f"{api}/documents", params={"q": "法治", "province": "广东省"}).json()["items"]
    assert {i["province"] for i in filtered} == {"广东省"}


def test_search_without_words_is_a_clear_400(api: str) -> None:
    response = httpx.get(f"{api}/documents", params={"q": "！！？"})
    assert response.status_code == 400 and "searchable words" in response.json()["error"]


def test_count_only_when_asked(api: str) -> None:
    assert (
        "count" not in httpx.get(f"{api}/documents").json()
        or httpx.get(f"{api}/documents").json()["count"] is None
    )
    assert httpx.get(f"{api}/documents", params={"count": "true"}).json()["count"] == 5


@pytest.mark.parametrize("path", ["/documents", "/documents?province=广东省", "/stats", "/changes"])
def test_etag_and_304(api: str, path: str) -> None:
    first = httpx.get(f"{api}{path}")
    tag = first.headers["etag"]
    policy = "no-cache" if path == "/changes" else "public, max-age=30"  # the feed is revalidated every time
    assert tag.startswith('"') and first.headers["cache-control"] == policy
    again = httpx.get(f"{api}{path}", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    assert httpx.get(f"{api}{path}", headers={"If-None-Match": '"other"'}).status_code == 200
    for header in ("*", '"other", *'):  # any current representation matches (RFC 9110 13.1.2)
        assert httpx.get(f"{api}{path}", headers={"If-None-Match": header}).status_code == 304


def test_one_document_etag_text_and_prefix(api: str, groundtruth: dict[str, Any]) -> None:
    hedong = next(i for i in httpx.get(f"{api}/documents").json()["items"] if i["source_name"] == "hedong")
    full = httpx.get(f"{api}/documents/{hedong['id']}")
    assert (
        httpx.get(
            f"{api}/documents/{hedong['id']}", headers={"If-None-Match": full.headers["etag"]}
        ).status_code
        == 304
    )
    text = httpx.get(f"{api}/documents/{hedong['id'][:16]}.txt")
    assert text.headers["content-type"].startswith("text/plain")
    title, body = text.text.split("\n", 1)
    assert (
        title == hedong["title"] and body.rstrip("\n").split("\n") == groundtruth["hedong"]["body_paragraphs"]
    )


def test_exports_stream_the_filtered_set(api: str) -> None:
    lines = httpx.get(f"{api}/documents.jsonl").text.splitlines()
    assert len(lines) == 5 and all(json.loads(line)["body"] for line in lines)
    guangdong = httpx.get(f"{api}/documents.jsonl", params={"province": "广东省"}).text.splitlines()
    assert {json.loads(line)["source_name"] for line in guangdong} == {"dongguan-rsj", "jianghai-rsj"}
    response = httpx.get(f"{api}/documents.csv", params={"report_year": 2023})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["source_name"] for r in rows] == ["hedong"] and rows[0]["attachments"].endswith(".pdf")


def test_stats(api: str) -> None:
    stats = httpx.get(f"{api}/stats").json()
    assert stats["documents"] == 5
    assert sum(r["documents"] for r in stats["by_year_province"]) == 5
    assert {"report_year": 2019, "province": "浙江省", "documents": 1} in stats["by_year_province"]
    years = {s["source_name"]: s["years"] for s in stats["sources"]}
    assert years["huzhou-rsj"] == [2019] and years["jianghai-rsj"] == [2024]


def test_change_feed_has_every_create_and_the_second_sighting(api: str) -> None:
    seen, since = [], 0
    for _ in range(20):
        page = httpx.get(f"{api}/changes", params={"since": since, "limit": 2}).json()
        if not page["changes"]:
            break
        seen += page["changes"]
        since = page["next_since"]
    assert [c["seq"] for c in seen] == sorted({c["seq"] for c in seen})
    assert sum(c["kind"] == "created" for c in seen) == 5
    updates = [c for c in seen if c["kind"] == "updated"]
    # Dongguan's body is at two URLs: whichever the crawl met second is an update of the same document
    assert [c["detail"]["sighting"].rsplit("/", 1)[1] for c in updates] in (
        ["post_3711117.html"],
        ["post_3453860.html"],
    )


def test_cors_is_off_by_default_and_on_by_setting(crawled: tuple[Any, list[Any]], api: str) -> None:
    assert (
        "access-control-allow-origin"
        not in httpx.get(f"{api}/documents", headers={"Origin": "https://a.example"}).headers
    )
    app = create_app(engine=crawled[0], config=Settings(cors_origins=["https://a.example"]).api_config())
    with running_app(app) as base:
        response = httpx.get(f"{base}/documents", headers={"Origin": "https://a.example"})
    assert response.headers["access-control-allow-origin"] == "https://a.example"


def test_openapi_has_an_example_for_every_json_endpoint(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    for path in ("/documents", "/documents/{document_id}", "/changes", "/stats", "/healthz"):
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert "example" in content, path


@pytest.mark.parametrize(
    "path", ["/documents?province=%00", "/documents?q=%E6%B3%95%00", "/documents.jsonl?agency=a%00b"]
)
def test_a_nul_in_a_text_parameter_is_a_400_on_every_backend(api: str, path: str) -> None:
    # PostgreSQL cannot compare text with NUL: without the check this was a 500 there (found by schemathesis)
    response = httpx.get(f"{api}{path}")
    assert response.status_code == 400 and response.json()["ok"] is False


def test_reads_survive_the_server_dropping_every_connection(crawled: tuple[Any, list[Any]], api: str) -> None:
    """A PostgreSQL restart or failover closes the pooled connections: the next read reconnects, no 500."""
    engine = crawled[0]
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to lose")
    from sqlalchemy import text

    for _ in range(3):
        assert httpx.get(f"{api}/documents").status_code == 200  # the API's pool now holds connections
    with engine.connect() as connection:
        dropped = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    assert dropped >= 1
    for path in ("/documents", "/changes", "/stats", "/healthz"):
        assert httpx.get(f"{api}{path}").status_code == 200, path


def test_search_hits_carry_a_score_and_a_highlighted_snippet(api: str) -> None:
    ranked = httpx.get(f"{api}/documents", params={"q": "劳动保障监察"}).json()["items"]
    by_seq = httpx.get(f"{api}/documents", params={"q": "劳动保障监察", "sort": "seq"}).json()["items"]
    assert ranked and sorted(i["id"] for i in ranked) == sorted(i["id"] for i in by_seq)
    for item in ranked + by_seq:
        assert isinstance(item["score"], float) and item["score"] > 0
        assert item["snippet"] and "<mark>" in item["snippet"]
        # the body's text escaped: the only tags are the marks
        assert item["snippet"].replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert {i["id"]: i["score"] for i in ranked} == {i["id"]: i["score"] for i in by_seq}
    plain = httpx.get(f"{api}/documents").json()["items"][0]
    assert "score" not in plain and "snippet" not in plain


def test_ranked_search_pages_reach_every_match_once(api: str) -> None:
    total = httpx.get(f"{api}/documents", params={"q": "法治", "count": "true"}).json()["count"]
    items = _all_pages(f"{api}/documents", {"q": "法治", "limit": 2})
    assert total >= 3 and len(items) == len({i["id"] for i in items}) == total


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "seq.1.5",
        "rank.0.x.3",
        "rank.5.1e0.3",
        "rank.0.NaN.3",
        "-publish_date.5",
        "publish_date.2024-13-01.3",
        "report_year.2020",
        "-report_year.1099511627776.3",
        base64.urlsafe_b64encode(b'{"o":"seq","k":4,"s":4}').decode().rstrip("="),  # the old base64 JSON form
    ],
)
def test_a_malformed_cursor_is_a_400_on_every_backend(api: str, cursor: str) -> None:
    for params in ({"cursor": cursor}, {"q": "法治", "cursor": cursor}):
        response = httpx.get(f"{api}/documents", params=params)
        body = response.json()
        assert response.status_code == 400 and body["status"] == 400 and body["ok"] is False
        assert body["error"].startswith("invalid cursor")


@pytest.mark.parametrize(
    "cursor",
    ["rank.0.5e-1.3", "rank.1.2e0.3", "rank.2.0e0.3", "rank.0.99999999999999999e999.0", "rank.1.-7e-400.3"],
)
def test_a_well_formed_rank_cursor_is_answered(api: str, cursor: str) -> None:
    response = httpx.get(f"{api}/documents", params={"q": "法治", "cursor": cursor})
    assert response.status_code == 200 and isinstance(response.json()["items"], list)


@pytest.mark.parametrize(
    ("cursor", "expected"),
    [
        ("publish_date.0.0", "all"),  # before every day, the undated documents' too
        ("-publish_date.0.0", "none"),
        ("publish_date.9999999.0", "none"),  # after every day
        ("-publish_date.9999999.999999999999999999", "all"),
        ("report_year.0.0", "all"),  # documents without a year sort as 0
        ("-report_year.999999999.1", "all"),
        ("seq.999999999999999999", "none"),
        ("-seq.999999999999999999", "all"),
    ],
)
def test_a_position_that_is_no_row_is_answered_on_every_backend(api: str, cursor: str, expected: str) -> None:
    items = _all_pages(f"{api}/documents", {"cursor": cursor, "limit": 2})
    assert len(items) == (5 if expected == "all" else 0)
