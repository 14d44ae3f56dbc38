"""Attachments crawled from the simulated files portal (127.0.0.17), into each backend: an attachment-only report
takes its file's text and fields, a report and its PDF stay one document, every file has a status and a reason,
hostile files never stop the crawl, and attachment text is searched, exported and served."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from api import create_app
from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from fazhi.settings import Settings
from ingest import content_hash, normalize_body
from ingest.tokens import tokenize
from portalsim.attachments import FILES, HOST, attachments_portal
from portalsim.portal import Portal
from store import read_session
from store.attachments import ATTACHMENTS, PUBLIC_FIELDS
from store.export import export_jsonl
from store.queries import Filters, list_documents
from tests.conftest import BACKENDS, store_for
from tests.netguard import loopback_only
from tests.rows import bands_of, entries_of
from tests.servers import free_port, running_app, serving

pytestmark = pytest.mark.integration
CONFIG = CrawlConfig(user_agent="fazhi-tests", timeout=5.0, deadline=10.0, keywords=4)


def files_source(port: int, **overrides: Any) -> Source:
    settings = {
        "name": "files",
        "start_urls": [f"http://{HOST}:{port}/fujian/"],
        "allow_private": True,
        "delay": 0.0,
        "retries": 0,
        **overrides,
    }
    return Source.model_validate(settings)


@pytest.fixture(scope="module")
def files_portal() -> Iterator[tuple[Portal, int]]:
    port = free_port((HOST,))
    portal = attachments_portal(f"{HOST}:{port}")
    with serving({"attachments": portal}, port):
        yield portal, port


def run_crawl(db: Engine, source: Source) -> Any:
    from crawler.indexer import index_pending

    with loopback_only():
        stats = asyncio.run(crawl_sources([source], db=db, config=CONFIG))[0]
    index_pending(db, keywords=4)  # what `fazhi crawl` does when the crawl ends: attachment text included
    return stats


@pytest.fixture(scope="module", params=BACKENDS)
def crawled_files(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, files_portal: tuple[Portal, int]
) -> dict[str, Any]:
    db = store_for(request, tmp_path_factory, "files")
    started = time.monotonic()
    stats = run_crawl(db, files_source(files_portal[1]))
    pages = {e.url.rsplit("/", 1)[1]: e for e in entries_of(db, source_name="files")}
    with read_session(db) as session:
        rows = [dict(r._mapping) for r in session.connection().execute(select(ATTACHMENTS))]
    seconds = time.monotonic() - started
    return {"db": db, "stats": stats, "pages": pages, "rows": rows, "seconds": seconds}


def _document(crawl: dict[str, Any], page: str) -> dict[str, Any]:
    document_id = crawl["pages"][page].document_id
    assert document_id, f"{page} stored no document: {crawl['pages'][page].reason}"
    with crawl["db"].connect() as connection:
        return next(
            d for d in list_documents(connection, filters=Filters(), limit=50) if d["id"] == document_id
        )


def _full(crawl: dict[str, Any], page: str) -> dict[str, Any]:
    from store.queries import get_document

    with crawl["db"].connect() as connection:
        found = get_document(connection, crawl["pages"][page].document_id)
    assert found is not None
    return found


def _rows(crawl: dict[str, Any], page: str) -> list[dict[str, Any]]:
    document_id = crawl["pages"][page].document_id
    return sorted((r for r in crawl["rows"] if r["document_id"] == document_id), key=lambda r: r["n"])


def test_the_crawl_completes_with_every_page_a_report(crawled_files: dict[str, Any]) -> None:
    stats = crawled_files["stats"]
    assert stats.error is None and stats.details_done == 4 and stats.new == 4 and not stats.failures
    assert {p: e.outcome for p, e in crawled_files["pages"].items() if e.kind == "detail"} == {
        "only.html": "report",
        "with-pdf.html": "report",
        "formats.html": "report",
        "hostile.html": "report",
    }


def test_an_attachment_only_report_takes_its_files_text_as_body(crawled_files: dict[str, Any]) -> None:
    document = _full(crawled_files, "only.html")
    truth = (FILES / "truth" / "report.txt").read_text(encoding="utf-8")
    assert len(document["body"]) > 5000 and "附件:" not in document["body"]
    assert document["id"] == content_hash(document["body"])
    assert "依法行政" in document["body"] and truth.splitlines()[3][:20] in document["body"]
    (row,) = _rows(crawled_files, "only.html")
    assert row["is_body"] and row["status"] == "extracted"
    assert (
        normalize_body(row["text"].split("\n")) == document["body"]
    )  # the file's text, as the body is stored
    assert row["sha256"] and row["bytes"] == (FILES / "report.pdf").stat().st_size


def test_each_document_is_looked_up_by_its_own_bodys_bands(crawled_files: dict[str, Any]) -> None:
    """The sketch (band keys and MinHash) computed beside the page's extraction is dropped when an attachment's
    text became the body: every document's stored bands and MinHash are those of the body stored."""
    bands = bands_of(crawled_files["db"])
    assert len(bands) == 4
    for stored, computed, minhash, own in bands.values():
        assert stored == computed and stored
        assert minhash == own and minhash is not None


def test_fields_the_page_lacks_come_from_the_file(crawled_files: dict[str, Any]) -> None:
    document = _full(crawled_files, "only.html")
    assert document["doc_number"] == "湖人社〔2020〕3号"
    assert document["signer"] == "王树"
    assert str(document["publish_date"]) == "2020-02-20"
    assert document["agency"] == "湖州市人力资源和社会保障局"
    provenance = document["provenance"]
    assert {provenance[k] for k in ("body", "doc_number", "signer", "publish_date")} == {"attachment"}
    assert document["title"] == "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告"
    assert provenance["title"] != "attachment"  # the page had one


def test_a_report_and_its_own_pdf_stay_one_document(crawled_files: dict[str, Any]) -> None:
    document = _full(crawled_files, "with-pdf.html")
    assert document["provenance"]["body"] != "attachment"
    rows = _rows(crawled_files, "with-pdf.html")
    assert [(r["type"], r["status"], r["is_body"]) for r in rows] == [
        ("pdf", "extracted", False),
        ("xlsx", "extracted", False),
    ]
    assert rows[0]["text"][:30] in document["body"]  # the same report: one document, not two
    ids = [e.document_id for e in crawled_files["pages"].values() if e.document_id]
    assert len(ids) == len(set(ids)) == 4


def test_every_format_is_read(crawled_files: dict[str, Any]) -> None:
    rows = _rows(crawled_files, "formats.html")
    assert [(r["name"], r["type"], r["status"]) for r in rows] == [
        ("报告.docx", "docx", "extracted"),
        ("报告.doc", "doc", "extracted"),
        ("报告.wps", "doc", "extracted"),
        ("报告.ofd", "ofd", "extracted"),
        ("网页版报告.doc", "html", "extracted"),
        ("统计表.xls", "xls", "extracted"),
        ("扫描件.pdf", "pdf", "needs_ocr"),
    ]
    assert all(r["text_chars"] == len(r["text"].replace("\n", "")) for r in rows)
    assert rows[-1]["reason"].startswith("no text layer")


def test_hostile_files_are_recorded_with_a_reason(crawled_files: dict[str, Any]) -> None:
    rows = _rows(crawled_files, "hostile.html")
    found = {r["name"]: (r["status"], r["reason"]) for r in rows}
    assert found == {
        "压缩炸弹.docx": ("failed", "zip: 209715444 bytes uncompressed > 209715200"),
        "加密.pdf": ("failed", "encrypted: a password is needed to open it"),
        "残缺.pdf": ("failed", "truncated: the file ends before %%EOF"),
        "五千页.pdf": ("failed", "pdf: 5000 pages > 2000"),
        "错误页.pdf": ("failed", "an HTML page, not a file (33 characters; title '404 Not Found')"),
        "不存在.pdf": ("failed", "http_404"),
        "打包下载.zip": ("skipped", "type not allowed: .zip"),
        "禁止抓取.pdf": ("failed", "robots"),
        "外站附件.pdf": ("failed", "private_address"),  # 127.0.0.2: refused before any connection
    }
    document = _full(crawled_files, "hostile.html")
    assert [a["status"] for a in document["attachments"]] == [s for s, _ in found.values()]


def test_reading_stays_under_500_mb(crawled_files: dict[str, Any]) -> None:
    counts = crawled_files["stats"].attachments
    assert 0 < counts["peak_rss_mb"] < 500
    assert counts["extracted"] == 9 and counts["needs_ocr"] == 1 and counts["skipped"] == 1


def test_the_requests_went_the_page_path(
    files_portal: tuple[Portal, int], crawled_files: dict[str, Any]
) -> None:
    portal = files_portal[0]
    assert portal.hits.get("/robots.txt", 0) >= 1
    assert "/fujian/private/h8.pdf" not in portal.hits  # robots.txt disallows it
    pdf = next(h for h in portal.log if h.path == "/fujian/P020200220.pdf")
    assert pdf.headers["user-agent"] == "fazhi-tests"
    assert pdf.headers["referer"].endswith("/fujian/only.html")


def test_attachment_text_is_searched(crawled_files: dict[str, Any]) -> None:
    words = tuple(
        tokenize("公务员法")
    )  # in the huzhou report (only.html, formats.html's .docx), no other body
    formats = _full(crawled_files, "formats.html")
    assert "公务员法" not in formats["body"]
    with crawled_files["db"].connect() as connection:
        hits = list_documents(connection, filters=Filters(), limit=10, match=words)
    assert {h["id"] for h in hits} == {formats["id"], _full(crawled_files, "only.html")["id"]}


def test_jsonl_export_carries_the_attachments(crawled_files: dict[str, Any]) -> None:
    out = BytesIO()
    export_jsonl(crawled_files["db"], out)
    records = {r["url"].rsplit("/", 1)[1]: r for r in map(json.loads, out.getvalue().splitlines())}
    hostile = records["hostile.html"]["attachments"]
    assert all(list(a) == list(PUBLIC_FIELDS) for a in hostile)
    assert hostile[1]["status"] == "failed" and hostile[1]["reason"].startswith("encrypted")
    only = records["only.html"]
    assert only["attachments"][0]["sha256"] and only["body"].startswith("湖人社〔2020〕3号")


def test_the_api_serves_text_and_bytes(crawled_files: dict[str, Any]) -> None:
    document = _full(crawled_files, "with-pdf.html")
    app = create_app(engine=crawled_files["db"], config=Settings().api_config())
    with running_app(app) as base, httpx.Client(timeout=60) as client:  # a search loads jieba: slow when busy
        url = f"{base}/documents/{document['id'][:16]}/attachments"
        shown = client.get(f"{base}/documents/{document['id']}").json()
        assert [a["status"] for a in shown["attachments"]] == ["extracted", "extracted"]
        text = client.get(f"{url}/0")
        assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
        assert text.text.rstrip("\n") == _rows(crawled_files, "with-pdf.html")[0]["text"]
        raw = client.get(f"{url}/0", params={"raw": "1"})
        assert raw.content == (FILES / "dongguan.pdf").read_bytes()
        assert raw.headers["content-type"] == "application/pdf"
        missing = client.get(f"{url}/7")
        assert missing.status_code == 404 and "has 2" in missing.json()["error"]
        ranked = client.get(f"{base}/documents", params={"q": "公务员法"}).json()["items"]
        assert _full(crawled_files, "formats.html")["id"] in {i["id"] for i in ranked}
        hostile = _full(crawled_files, "hostile.html")["id"]
        failed = client.get(f"{base}/documents/{hostile}/attachments/1")
        assert failed.status_code == 404 and "encrypted" in failed.json()["error"]


def test_a_recrawl_asks_whether_each_file_changed(files_portal: tuple[Portal, int], tmp_path: Path) -> None:
    """A changed page refetches its files conditionally: 304s reuse the stored reading."""
    from tests.conftest import make_db

    portal, port = files_portal
    db = make_db(tmp_path / "recrawl.db")
    run_crawl(db, files_source(port))
    page = "/fujian/with-pdf.html"
    old = portal.pages[page].body.decode()
    portal.replace_page(page, old.replace("<p>附件：</p>", "<p>(2021年3月2日更新)</p><p>附件：</p>"))
    mark = len(portal.log)
    try:
        stats = run_crawl(db, files_source(port))
    finally:
        portal.pages[page] = type(portal.pages[page])(old.encode())
    pdf = [h for h in portal.log[mark:] if h.path == "/fujian/P020210101.pdf"]
    assert len(pdf) == 1 and "if-none-match" in pdf[0].headers
    assert stats.new == 1 and stats.attachments["extracted"] == 2
    with read_session(db) as session:
        rows = list(session.connection().execute(select(ATTACHMENTS).where(ATTACHMENTS.c.n == 0)))
    texts = {r.document_id: r.text for r in rows if r.url.endswith("P020210101.pdf")}
    assert len(texts) == 2 and len(set(texts.values())) == 1 and next(iter(texts.values()))


def test_the_size_cap_and_the_type_list_are_the_sources(
    files_portal: tuple[Portal, int], tmp_path: Path
) -> None:
    """Over max_attachment_bytes: refused unread; an attachment-only report whose file failed keeps the page."""
    from tests.conftest import make_db

    db = make_db(tmp_path / "cap.db")
    source = files_source(files_portal[1], max_attachment_bytes=100_000, attachment_types=["pdf"])
    stats = run_crawl(db, source)
    assert stats.error is None and stats.new == 4
    crawl = {"db": db, "pages": {e.url.rsplit("/", 1)[1]: e for e in entries_of(db, source_name="files")}}
    only = _full(crawl, "only.html")
    assert only["attachments"][0]["status"] == "failed" and only["attachments"][0]["reason"] == "too_large"
    assert only["provenance"]["body"] != "attachment" and "附件" in only["body"]
    with_pdf = _full(crawl, "with-pdf.html")["attachments"]
    assert [(a["status"], a["reason"]) for a in with_pdf] == [
        ("failed", "too_large"),
        ("skipped", "type not allowed: .xlsx"),
    ]
