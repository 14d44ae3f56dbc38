"""Simulated portals → crawl → SQLite → API (uvicorn) → export: the whole path on real servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from api import create_app
from fazhi.settings import Settings
from store import Document, FrontierEntry
from store.attachments import PUBLIC_FIELDS
from store.export import export_jsonl, export_txt
from tests.conftest import crawl
from tests.rows import sightings_of
from tests.servers import running_app

pytestmark = pytest.mark.integration


def _documents(db: Any) -> list[Document]:
    with Session(db) as session:
        return list(session.exec(select(Document).order_by(Document.seq)))


def test_crawl_stores_the_five_seed_reports_and_no_decoy(
    crawled: tuple[Any, list[Any]], groundtruth: dict[str, Any]
) -> None:
    db, stats = crawled
    documents = _documents(db)
    assert len(documents) == 5
    bodies = {d.body for d in documents}
    assert bodies == {"\n".join(g["body_paragraphs"]) for g in groundtruth.values()}
    assert all(not s.error and not s.failed for s in stats), stats
    assert sum(s.not_reports for s in stats) >= 5  # the 解读 decoys were fetched and rejected
    for document in documents:
        assert not re.search(r"解读|工作要点|实施方案|政府信息公开工作年度报告", document.title or "")


def test_every_fetched_page_has_a_recorded_outcome(crawled: tuple[Any, list[Any]]) -> None:
    db, stats = crawled
    with Session(db) as session:
        pages = list(session.exec(select(FrontierEntry)))
    assert sum(s.list_pages for s in stats) == sum(1 for p in pages if p.kind == "list")
    assert all(p.state == "done" for p in pages)
    details = [p for p in pages if p.kind == "detail"]
    assert {p.outcome for p in details} == {"report", "not_report"}
    assert all(p.reason for p in details)


def test_same_body_at_two_urls_is_one_document_with_two_sightings(crawled: tuple[Any, list[Any]]) -> None:
    db, _ = crawled
    dongguan = next(d for d in _documents(db) if d.source_name == "dongguan-rsj")
    with Session(db) as session:
        urls = {s.url.split("/", 3)[3] for s in sightings_of(session=session, document_id=dongguan.id)}
    assert urls == {"zfxxgkml/fzzfjsbg/content/post_3453860.html", "gkmlpt/content/3/3711/post_3711117.html"}


def test_recrawl_adds_nothing_new(db: Engine, demo_sources: list[Any]) -> None:
    first = crawl(db, demo_sources)
    second = crawl(db, demo_sources)
    assert sum(s.new for s in first) == 5
    assert sum(s.new for s in second) == 0
    # 6 report pages (one body at two URLs) and 5 解读 decoys: all answered 304 to the conditional request
    assert sum(s.not_modified for s in second) == 11
    assert len(_documents(db)) == 5


@pytest.fixture(scope="module")
def api(crawled: tuple[Any, list[Any]]) -> Any:
    with running_app(create_app(engine=crawled[0], config=Settings().api_config())) as base:
        yield base


def test_api_lists_documents_and_pages_with_a_cursor(api: str) -> None:
    first = httpx.get(f"{api}/documents", params={"limit": 2})
    assert first.status_code == 200
    page = first.json()
    assert len(page["items"]) == 2 and page["next"]
    assert first.headers["link"] == f'<{page["next_url"]}>; rel="next"'
    seen = [i["id"] for i in page["items"]]
    url = page["next_url"]
    for _ in range(10):  # loop guard
        if not url:
            break
        page = httpx.get(urljoin(api, url)).json()  # relative without FAZHI_PUBLIC_URL
        seen += [i["id"] for i in page["items"]]
        url = page["next_url"]
    assert len(seen) == len(set(seen)) == 5


def test_api_filters(api: str) -> None:
    items = httpx.get(f"{api}/documents", params={"province": "广东省"}).json()["items"]
    assert {i["source_name"] for i in items} == {"dongguan-rsj", "jianghai-rsj"}
    items = httpx.get(f"{api}/documents", params={"report_year": 2019}).json()["items"]
    assert [i["agency"] for i in items] == ["湖州市人力资源和社会保障局"]


def test_api_one_document_by_id_and_prefix(api: str, groundtruth: dict[str, Any]) -> None:
    listed = httpx.get(f"{api}/documents").json()["items"]
    huzhou = next(i for i in listed if i["source_name"] == "huzhou-rsj")
    full = httpx.get(f"{api}/documents/{huzhou['id']}").json()
    short = httpx.get(f"{api}/documents/{huzhou['id'][:16]}").json()
    assert full == short
    assert full["body"].split("\n") == groundtruth["huzhou"]["body_paragraphs"]
    assert full["doc_number"] == "湖人社〔2020〕3号"
    assert full["publish_date"] == "2020-02-20"
    assert full["sightings"][0]["url"] == full["url"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/documents/" + "0" * 64, 404),
        ("/documents/not-hex", 400),
        ("/documents?limit=1000", 400),
        ("/documents?limit=0", 400),
        ("/documents?cursor=garbage", 400),
        ("/documents?report_year=abc", 400),
        ("/documents?published_after=2020-13-01", 400),
        ("/nowhere", 404),
    ],
)
def test_api_errors_share_one_body(api: str, path: str, status: int) -> None:
    response = httpx.get(f"{api}{path}")
    assert response.status_code == status
    body = response.json()
    assert (
        body["ok"] is False
        and body["status"] == status
        and body["error"]
        and isinstance(body["errors"], list)
    )


def test_healthz(api: str) -> None:
    assert httpx.get(f"{api}/healthz").json()["ok"] is True


def test_export_txt_in_the_seeds_format(
    crawled: tuple[Any, list[Any]], tmp_path: Path, groundtruth: dict[str, Any]
) -> None:
    db, _ = crawled
    files = export_txt(db, tmp_path / "out", total=5)
    names = sorted(p.name for p in files)
    documents = _documents(db)
    assert names == [f"{i:03d}_{d.id[:16]}.txt" for i, d in enumerate(documents)]
    for path, document in zip(sorted(files), documents, strict=True):
        title, _, body = path.read_text(encoding="utf-8").partition("\n")
        assert title == document.title
        assert body.rstrip("\n") == document.body


def test_export_jsonl_records(crawled: tuple[Any, list[Any]], tmp_path: Path) -> None:
    db, _ = crawled
    path = tmp_path / "docs.jsonl"
    with path.open("wb") as handle:
        assert export_jsonl(db, handle) == 5
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    required = {
        "id",
        "url",
        "title",
        "agency",
        "report_year",
        "publish_date",
        "doc_number",
        "index_no",
        "source",
        "province",
        "city",
        "county",
        "attachments",
        "body",
        "source_name",
        "fetched_at",
    }
    for record in records:
        assert required <= set(record)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["publish_date"])
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", record["fetched_at"])
        assert all(set(a) == set(PUBLIC_FIELDS) for a in record["attachments"])
    hedong = next(r for r in records if r["source_name"] == "hedong")
    assert hedong["attachments"][0]["url"].endswith(".pdf")


def test_concurrent_crawls_into_one_store_lose_nothing(db: Engine, demo_sources: list[Any]) -> None:
    from crawler.engine import CrawlConfig, crawl_sources
    from tests.netguard import loopback_only

    async def both() -> None:
        config = CrawlConfig(user_agent="fazhi-tests", keywords=0)
        await asyncio.gather(
            crawl_sources(demo_sources, db=db, config=config),
            crawl_sources(demo_sources, db=db, config=config),
        )

    with loopback_only():
        asyncio.run(both())
    documents = _documents(db)
    assert len(documents) == 5 and len({d.id for d in documents}) == 5
