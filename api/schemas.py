"""What the API returns (for the OpenAPI document and schemathesis), with one example per endpoint."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from api.report_schemas import NEXT_URL, ReportFields

# PostgreSQL text cannot hold NUL (SQLite can): a NUL in a text parameter is a 400 on both backends
NO_NUL = r"^[^\x00]*$"


class AttachmentPublic(BaseModel):
    """A linked file; what fetching and reading it found (``None`` on documents stored before files were read).
    Its text: ``GET /documents/{id}/attachments/{n}``, ``n`` its index here."""

    name: str
    url: str
    type: str = ""
    bytes: int | None = None
    sha256: str | None = None
    text_chars: int | None = None
    status: str | None = Field(None, description="extracted | needs_ocr | failed | skipped")
    reason: str | None = None


class SightingPublic(BaseModel):
    url: str
    source_name: str
    first_seen: datetime
    last_seen: datetime


class VersionPublic(BaseModel):
    id: str = Field(description="another body seen at one of this document's URLs")
    url: str
    first_seen: datetime
    last_seen: datetime


class CapturePublic(BaseModel):
    fetched_at: datetime
    payload_sha256: str = Field(description="sha256 hex of the response body after content decoding")
    warc_file: str = Field(description="a file in the WARC directory")
    offset: int = Field(description="where the response record starts in it (GET /documents/{id}/capture)")


class DocumentSummary(BaseModel):
    id: str = Field(description="sha256 hex of the normalized clean body")
    seq: int = Field(description="ingest order")
    title: str | None
    agency: str | None
    report_year: int | None
    publish_date: date | None
    doc_number: str | None
    province: str | None
    city: str | None
    county: str | None
    url: str
    source_name: str
    fetched_at: datetime


class DocumentPublic(DocumentSummary, ReportFields):
    ok: bool = True
    index_no: str | None
    signer: str | None
    addressee: str | None
    cc: str | None
    source: str | None
    breadcrumb: list[str]
    attachments: list[AttachmentPublic]
    keywords: list[str]
    body: str = Field(description="clean paragraphs joined by newlines")
    sightings: list[SightingPublic]
    versions: list[VersionPublic]
    capture: CapturePublic | None = Field(
        None, description="the archived fetch that created or last updated it; null before archiving"
    )


class DocumentListed(DocumentSummary):
    """A document in a list; with ``q``, a search hit."""

    score: float | None = Field(
        None,
        description="searches (q) only: relevance, higher is better (bm25 on SQLite, ts_rank on PostgreSQL)",
    )
    snippet: str | None = Field(
        None,
        description="searches (q) only: HTML, the body's text escaped around the first match, the query's "
        "words in <mark>",
    )


class DocumentsPage(BaseModel):
    ok: bool = True
    items: list[DocumentListed]
    next: str | None = Field(
        description="cursor of the next page (`<order>.<key>.<seq>`, api/cursor.py); null on the last page"
    )
    next_url: str | None = Field(description=NEXT_URL)
    count: int | None = Field(None, description="total matches, only with count=true")


class ChangePublic(BaseModel):
    seq: int
    document_id: str
    kind: str = Field(description="created | updated")
    detail: dict[str, Any]
    at: datetime


class ChangesPage(BaseModel):
    ok: bool = True
    changes: list[ChangePublic]
    next_since: int = Field(description="pass as `since` next time")


class YearProvince(BaseModel):
    report_year: int | None
    province: str | None
    documents: int


class SourceYears(BaseModel):
    source_name: str
    years: list[int]
    documents: int


class Stats(BaseModel):
    ok: bool = True
    documents: int
    by_year_province: list[YearProvince]
    sources: list[SourceYears]


class Health(BaseModel):
    ok: bool
    database: str
    version: str


class ErrorBody(BaseModel):
    ok: bool = False
    error: str
    errors: list[Any] = []
    status: int


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad parameters"},
    404: {"model": ErrorBody, "description": "not found"},
    409: {"model": ErrorBody, "description": "ambiguous id prefix"},
}

_SUMMARY = {
    "id": "33b85772537e0e6fc52779579538e57a836e9263eb25795f20733043983b49ff",
    "seq": 4,
    "title": "东莞市人力资源和社会保障局2020年法治政府建设年度报告",
    "agency": "东莞市人力资源和社会保障局",
    "report_year": 2020,
    "publish_date": "2021-01-27",
    "doc_number": None,
    "province": "广东省",
    "city": "东莞市",
    "county": None,
    "url": "http://127.0.0.13:8801/zfxxgkml/fzzfjsbg/content/post_3453860.html",
    "source_name": "dongguan-rsj",
    "fetched_at": "2026-11-22T04:17:57.583388Z",
}
EXAMPLES: dict[str, Any] = {
    "documents_page": {
        "ok": True,
        "items": [_SUMMARY],
        "next": "seq.4",
        "next_url": "/documents?limit=1&cursor=seq.4",
    },
    "document": {
        "ok": True,
        **_SUMMARY,
        "index_no": None,
        "signer": None,
        "addressee": None,
        "cc": None,
        "source": "本网",
        "breadcrumb": ["首页", "政府信息公开目录", "法治政府建设报告"],
        "attachments": [],
        "keywords": ["人社", "法治"],
        "body": "2020年,我局以习近平新时代中国特色社会主义思想为指导……",
        "sightings": [
            {
                "url": _SUMMARY["url"],
                "source_name": "dongguan-rsj",
                "first_seen": "2026-11-22T04:17:57Z",
                "last_seen": "2026-11-22T04:17:57Z",
            }
        ],
        "versions": [],
        "capture": {
            "fetched_at": "2026-11-22T04:17:57.412907Z",
            "payload_sha256": "5f1c9d3ac2b0e4a8d7b6e1f0c9a8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0",
            "warc_file": "fazhi-20261122041750118092-00001-crawler1-4242.warc.gz",
            "offset": 1234,
        },
    },
    "changes": {
        "ok": True,
        "changes": [
            {
                "seq": 7,
                "document_id": _SUMMARY["id"],
                "kind": "created",
                "detail": {"url": _SUMMARY["url"]},
                "at": "2026-11-22T04:17:57Z",
            }
        ],
        "next_since": 7,
    },
    "recrawl": {"ok": True, "requested": ["hedong"], "request_ids": [7]},
    "runs": {
        "ok": True,
        "runs": [
            {
                "id": 12,
                "source_name": "hedong",
                "trigger": "operator",
                "state": "finished",
                "started_at": "2026-11-22T04:17:50Z",
                "finished_at": "2026-11-22T04:17:57Z",
                "worker": "host:4242",
                "error": None,
                "health": "healthy",
                "health_reason": "ok",
                "health_message": None,
                "stats": {"candidates": 2, "new": 0, "not_modified": 2, "failed": {}},
            }
        ],
        "next_before": None,
    },
    "sources": {
        "ok": True,
        "sources": [
            {
                "source_name": "hedong",
                "last_success": "2026-11-22T04:17:57Z",
                "last_error": None,
                "consecutive_failures": 0,
                "next_run": "2026-11-23T19:00:00Z",
                "documents": 1,
                "health": {
                    "state": "healthy",
                    "reason": "ok",
                    "message": None,
                    "run_id": 12,
                    "at": "2026-11-22T04:17:57Z",
                    "since": "2026-11-20T19:03:11Z",
                },
                "listing": {"expected": 2, "found": 2, "shortfall": 0, "pages_missing": 0},
                "incomplete_listing": False,
            }
        ],
    },
    "stats": {
        "ok": True,
        "documents": 5,
        "by_year_province": [{"report_year": 2020, "province": "广东省", "documents": 1}],
        "sources": [{"source_name": "dongguan-rsj", "years": [2020], "documents": 1}],
    },
    "health": {"ok": True, "database": "ok", "version": "0.1.0"},
}


def example(name: str, *, status: str = "200", media_type: str = "application/json") -> dict[str, Any]:
    """``openapi_extra`` giving the ``status`` response an example (``EXAMPLES[name]``, or ``TEXT_EXAMPLES``)."""
    value = TEXT_EXAMPLES[name] if media_type != "application/json" else EXAMPLES[name]
    return {"responses": {status: {"content": {media_type: {"example": value}}}}}


_REPORT_ROW = {
    "report_id": _SUMMARY["id"],
    "version": 2,
    "id": "5c2f0e8a9d41b7c3e6f5a2d8b0c9e1f4a7d3b6c8e2f0a9d5b1c4e7f3a8d2b6c0",
    "title": _SUMMARY["title"],
    "agency": "东莞市人力资源和社会保障局",
    "report_year": 2020,
    "publish_date": "2021-01-27",
    "sections": {
        "measures": True,
        "shortcomings": True,
        "leader_duties": True,
        "next_year": True,
        "other": False,
    },
    "missing_parts": "other",
    "deadline": "2021-04-01",
    "late": False,
    "days_late": 0,
    "first_seen": "2026-11-22T04:17:57Z",
    "backdated": False,
}
EXAMPLES["reports_page"] = {
    "ok": True,
    "items": [{**_REPORT_ROW, "versions": 2, "url": _SUMMARY["url"], "source_name": "dongguan-rsj"}],
    "next": "seq.1",
    "next_url": "/reports?limit=1&cursor=seq.1",
}
EXAMPLES["report"] = {
    "ok": True,
    "report_id": _SUMMARY["id"],
    "latest": _REPORT_ROW["id"],
    "first_seen": "2026-11-22T04:17:57Z",
    "versions": [
        {"version": 1, "id": _SUMMARY["id"], "url": _SUMMARY["url"], "version_diff": None},
        {
            "version": 2,
            "id": _REPORT_ROW["id"],
            "url": str(_SUMMARY["url"]).replace(".html", "_1.html"),
            "version_diff": {"added": 0, "removed": 0, "changed": 1},
        },
    ],
}
EXAMPLES["coverage"] = {
    "ok": True,
    "as_of": "2026-12-01",
    "rows": [
        {
            "source_name": "hedong",
            "province": "天津市",
            "city": "天津市",
            "agency": "天津市河东区人力资源和社会保障局",
            "report_year": 2023,
            "deadline": "2024-04-01",
            "status": "on_time",
            "document_id": "a107fcc69c7fea4773c0157b1338108dd9f7602eb22f70d2eac84ec5755d9f4e",
            "report_id": "a107fcc69c7fea4773c0157b1338108dd9f7602eb22f70d2eac84ec5755d9f4e",
            "expected": True,
        },
        {
            "source_name": "hedong",
            "province": "天津市",
            "city": "天津市",
            "agency": "天津市河东区人力资源和社会保障局",
            "report_year": 2024,
            "deadline": "2025-04-01",
            "status": "missing",
            "document_id": None,
            "report_id": None,
            "expected": True,
        },
    ],
}

_ID = _SUMMARY["id"]
TEXT_EXAMPLES: dict[str, str] = {
    "document_text": "东莞市人力资源和社会保障局2020年法治政府建设年度报告\n2020年,我局以习近平新时代中国特色社会主义思想为指导……\n",
    "documents_jsonl": f'{{"id":"{_ID}","url":"{_SUMMARY["url"]}","title":"{_SUMMARY["title"]}",'
    '"report_year":2020,"publish_date":"2021-01-27","fetched_at":"2026-11-22T04:17:57Z","attachments":[],…}\n',
    "documents_csv": "id,url,title,agency,report_year,publish_date,doc_number,index_no,signer,addressee,cc,source,"
    "province,city,county,breadcrumb,attachment_names,attachments,keywords,body,source_name,fetched_at\r\n"
    f"{_ID},{_SUMMARY['url']},{_SUMMARY['title']},…,2026-11-22T04:17:57Z\r\n",
    "coverage_csv": "source_name,province,city,agency,report_year,deadline,status,document_id\r\n"
    "hedong,天津市,天津市,天津市河东区人力资源和社会保障局,2023,2024-04-01,on_time,a107fcc69c7fea47…\r\n"
    "hedong,天津市,天津市,天津市河东区人力资源和社会保障局,2024,2025-04-01,missing,\r\n",
    "capture": '<!DOCTYPE html><html><head><meta charset="utf-8"><title>东莞市人力资源和社会保障局2020年法治政府建设年度报告'
    "</title>…</html>",
    "attachment": "湖人社〔2020〕3号\n湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告\n……\n",
    "metrics": "# HELP fazhi_frontier_urls URLs in the crawl frontier, by state\n"
    '# TYPE fazhi_frontier_urls gauge\nfazhi_frontier_urls{state="done"} 42.0\n',
}
