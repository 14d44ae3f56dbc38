"""One detail page from fetched bytes to the store: extract, classify, keep reports, record the outcome."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import Engine

from crawler.fetch import FetchResult
from crawler.sources import Source
from ingest import ExtractedReport, SourceHints, extract_report
from ingest.keywords import extract_keywords
from store import Document, PageRecord, read_session, write_session
from store.documents import find_document, record_page, upsert_document
from store.types import utcnow


def to_document(report: ExtractedReport, source: Source) -> Document:
    return Document(
        id=report.id,
        title=report.title,
        agency=report.agency,
        report_year=report.report_year,
        publish_date=report.publish_date,
        doc_number=report.doc_number,
        index_no=report.index_no,
        signer=report.signer,
        addressee=report.addressee,
        cc=report.cc,
        source=report.source,
        province=report.province,
        city=report.city,
        county=report.county,
        breadcrumb=report.breadcrumb,
        attachments=[asdict(a) for a in report.attachments],
        keywords=report.keywords,
        provenance=report.provenance,
        body=report.body,
        url=report.url,
        source_name=source.name,
    )


def ingest_detail(*, db: Engine, source: Source, result: FetchResult, keywords: int = 8) -> tuple[str, str]:
    """Returns ``(outcome, reason)``; outcome is ``new`` / ``seen`` (reports) / ``not_report`` / ``blocked``."""
    hints = SourceHints(agency=source.agency, region=source.region)
    report = extract_report(result.content, result.final_url, content_type=result.content_type, hints=hints)
    document_id, outcome = None, report.kind
    if report.is_report:
        with read_session(db) as session:
            known = find_document(session=session, id_or_prefix=report.id) is not None
        if not known and keywords:
            report.keywords = extract_keywords(report.body, keywords)  # jieba only for new bodies
        with write_session(db) as session:
            created = upsert_document(session=session, document=to_document(report, source)).created
        document_id, outcome = report.id, "new" if created else "seen"
    _record(
        db,
        source,
        result.url,
        "detail",
        {"report": "report", "not_report": "not_report", "blocked": "failed"}[
            report.kind
        ],  # blocked: a failure
        report.reason,
        result.status,
        document_id,
    )
    return outcome, report.reason


def record_failure(
    *, db: Engine, source: Source, url: str, kind: str, reason: str, status: int | None
) -> None:
    _record(db, source, url, kind, "failed", reason, status, None)


def record_listed(*, db: Engine, source: Source, url: str, status: int) -> None:
    _record(db, source, url, "list", "listed", "", status, None)


def _record(
    db: Engine,
    source: Source,
    url: str,
    kind: str,
    outcome: str,
    reason: str,
    status: int | None,
    document_id: str | None,
) -> None:
    page = PageRecord(
        url=url,
        source_name=source.name,
        kind=kind,
        outcome=outcome,
        reason=reason,
        http_status=status,
        document_id=document_id,
        fetched_at=utcnow(),
    )
    with write_session(db) as session:
        record_page(session=session, page=page)
