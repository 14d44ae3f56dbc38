"""What a fetched page does to the store, each in one transaction with its frontier entry's new state.

A list page marks itself done and queues what it found; a detail page stores its document (or notes why not) and
marks itself done; a failure records its reason. A crash between two of these loses nothing and duplicates nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from crawler.fetch import FetchResult
from crawler.sources import Source
from ingest import ExtractedReport, SourceHints, extract_report
from ingest.keywords import extract_keywords
from ingest.tokens import token_text
from store import FrontierEntry, read_session, write_session
from store.captures import set_capture
from store.documents import find_document, record_sighting, upsert_document
from store.frontier import NewEntry, enqueue, mark
from store.types import utcnow


@dataclass(frozen=True)
class DetailOutcome:
    outcome: str  # report | not_report | failed
    status: str  # new | seen | unchanged | not_modified | not_report | blocked
    reason: str
    document_id: str | None = None


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def validators(result: FetchResult) -> dict[str, Any]:
    return {"etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified")}


def to_document(report: ExtractedReport, source: Source) -> dict[str, Any]:
    """The document's row (plain columns: no model validation on the crawl's hot path)."""
    return dict(
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
        fetched_at=utcnow(),
        # the page's report fields (store/reports.py adds versions, first_seen, backdated)
        sections=report.sections,
        section_headings=report.section_headings,
        deadline=report.deadline,
    )


def complete_list(
    db: Engine,
    *,
    entry: FrontierEntry,
    result: FetchResult,
    outcome: str,
    found: list[NewEntry],
    attempts: int,
) -> None:
    with write_session(db) as session:
        mark(
            session,
            entry.key,
            state="done",
            outcome=outcome,
            http_status=result.status,
            attempts=attempts,
            checksum=checksum(result.content),
            **validators(result),
        )
        enqueue(session, run_id=entry.run_id, source_name=entry.source_name, entries=found)


def fail(db: Engine, *, entry: FrontierEntry, reason: str, status: int | None, attempts: int) -> None:
    with write_session(db) as session:
        mark(
            session,
            entry.key,
            state="failed",
            outcome="failed",
            reason=reason,
            http_status=status,
            attempts=attempts,
        )


def not_modified(db: Engine, *, entry: FrontierEntry, result: FetchResult, attempts: int) -> DetailOutcome:
    """A 304: what we hold is current."""
    return _unchanged(db, entry, result, attempts, "not_modified", "not_modified (304)")


def _unchanged(
    db: Engine, entry: FrontierEntry, result: FetchResult, attempts: int, status: str, reason: str
) -> DetailOutcome:
    """The page is as it was: the sighting is refreshed, the last outcome kept, new validators stored."""
    with write_session(db) as session:
        _resight(session, entry)
        mark(
            session,
            entry.key,
            state="done",
            outcome=entry.outcome,
            reason=reason,
            http_status=result.status,
            attempts=attempts,
            **{k: v for k, v in validators(result).items() if v},  # a 304 may omit them: keep ours
        )
    return DetailOutcome(entry.outcome, status, reason, entry.document_id)


def _resight(session: Session, entry: FrontierEntry) -> None:
    if entry.document_id:
        record_sighting(
            session=session,
            document_id=entry.document_id,
            url=entry.url,
            source_name=entry.source_name,
            seen_at=utcnow(),
        )


@dataclass
class Extracted:
    """A detail page read and classified, not yet stored."""

    report: ExtractedReport
    digest: str
    needs_keywords: bool
    search_tokens: tuple[str, str] | None = None
    capture: dict[str, Any] | None = (
        None  # the page's WARC record (crawler.warc), written before it is stored
    )


def unchanged(
    db: Engine, *, entry: FrontierEntry, result: FetchResult, attempts: int
) -> DetailOutcome | None:
    """Same bytes as the last time we classified the page: nothing to re-extract (recorded); else ``None``."""
    if checksum(result.content) != entry.checksum or entry.outcome not in ("report", "not_report"):
        return None
    return _unchanged(db, entry, result, attempts, "unchanged", "unchanged (same checksum)")


def extract(content: bytes, url: str, content_type: str | None, hints: SourceHints) -> ExtractedReport:
    """The extraction step (run in an extraction worker)."""
    return extract_report(content, url, content_type=content_type, hints=hints)


def hints_of(source: Source) -> SourceHints:
    return SourceHints(agency=source.agency, region=source.region, deadline=source.deadline)


def read_detail(
    db: Engine,
    *,
    entry: FrontierEntry,
    result: FetchResult,
    report: ExtractedReport,
    attempts: int,
    keywords: int = 8,
) -> DetailOutcome | Extracted:
    """A block page ends here (recorded); anything else comes back to be stored."""
    if report.kind == "blocked":
        fail(db, entry=entry, reason=report.reason, status=result.status, attempts=attempts)
        return DetailOutcome("failed", "blocked", report.reason)
    needs_keywords = False
    if report.is_report and keywords:
        with read_session(db) as session:  # jieba only for bodies we do not hold yet
            needs_keywords = find_document(session=session, id_or_prefix=report.id) is None
    return Extracted(report, checksum(result.content), needs_keywords)


def keywords_and_tokens(title: str, body: str, count: int) -> tuple[list[str], tuple[str, str]]:
    """jieba keywords and search tokens: ≈ 10–50 ms a report (run in an extraction worker)."""
    return extract_keywords(body, count), (token_text(title), token_text(body))


def store_detail(
    db: Engine,
    *,
    source: Source,
    entry: FrontierEntry,
    result: FetchResult,
    extracted: Extracted,
    attempts: int,
) -> DetailOutcome:
    return _store(
        db,
        source,
        entry,
        result,
        extracted.report,
        extracted.digest,
        attempts,
        extracted.search_tokens,
        extracted.capture,
    )


def _store(
    db: Engine,
    source: Source,
    entry: FrontierEntry,
    result: FetchResult,
    report: ExtractedReport,
    digest: str,
    attempts: int,
    search_tokens: tuple[str, str] | None = None,
    capture: dict[str, Any] | None = None,
) -> DetailOutcome:
    with write_session(db) as session:
        document_id, status = None, "not_report"
        if report.is_report:
            previous = entry.document_id if entry.document_id != report.id else None
            created = upsert_document(
                session=session,
                document=to_document(report, source),
                previous_id=previous,
                search_tokens=search_tokens,
            ).created
            document_id, status = report.id, "new" if created else "seen"
            if capture:
                set_capture(session, document_id=report.id, capture=capture)
        mark(
            session,
            entry.key,
            state="done",
            outcome=report.kind,
            reason=report.reason,
            http_status=result.status,
            attempts=attempts,
            checksum=digest,
            document_id=document_id,
            **validators(result),
        )
    return DetailOutcome(report.kind, status, report.reason, document_id)
