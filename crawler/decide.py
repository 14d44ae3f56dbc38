"""What a fetched page comes to, decided without I/O: ``decide_list`` and ``decide_detail`` turn a fetch (and what
reading the page gave) into a :class:`PageOutcome` that ``crawler.commit`` writes in one transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any

from crawler.errors import GaveUp, PageError
from crawler.fetch import FetchResult
from crawler.outcomes import Outcome, PageOutcome
from crawler.polite import Fetched
from ingest import ExtractedReport
from ingest.classify import blocked_reason
from ingest.decode import decode_html
from store.frontier import Entry, NewEntry
from store.types import utcnow

CLASSIFIED = (
    "report",
    "not_report",
)  # a page read before: asked conditionally, skipped when its bytes are equal
BLOCK_STATUSES = frozenset({202, 204, 403, 405, 412, 521})  # statuses WAFs answer their challenge pages with


def checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def validators(result: FetchResult) -> dict[str, Any]:
    return {"etag": result.headers.get("etag"), "last_modified": result.headers.get("last-modified")}


def status_reason(result: FetchResult) -> str:
    """The reason a non-200 answer is a failure: a block page's kind, ``http_5xx`` or ``http_<status>``."""
    if result.status in BLOCK_STATUSES and result.content:
        text, _ = decode_html(result.content, result.content_type)
        blocked = blocked_reason(text, len(text), 0)
        if blocked:
            return blocked
    if result.status >= 500:
        return "http_5xx"
    return f"http_{result.status}"


def conditional_headers(entry: Entry) -> dict[str, str]:
    """If-None-Match / If-Modified-Since for a page we classified before."""
    headers = {}
    if entry.outcome in CLASSIFIED:
        if entry.etag:
            headers["If-None-Match"] = entry.etag
        if entry.last_modified:
            headers["If-Modified-Since"] = entry.last_modified
    return headers


def failed(
    entry: Entry,
    reason: str,
    *,
    status: int | None = None,
    attempts: int = 0,
    detail: str = "",
    outcome: Outcome = Outcome.FAILED,
) -> PageOutcome:
    changes = dict(state="failed", outcome="failed", reason=reason, http_status=status, attempts=attempts)
    return PageOutcome(entry, outcome, changes, reason, status, detail=detail or reason)


def gave_up(entry: Entry, error: GaveUp) -> PageOutcome:
    return failed(entry, error.reason, attempts=error.attempts, detail=str(error))


def decide_list(
    entry: Entry,
    fetched: Fetched,
    read: tuple[str, list[NewEntry]] | PageError | None = None,
    *,
    absent: bool = False,
) -> PageOutcome:
    """A list page: done with what it listed (``read``: the listing's outcome and the entries found), done as
    ``absent`` (a probe's 404), or failed (another status, or ``read`` is the error reading it raised)."""
    result, attempts = fetched.result, fetched.attempts
    if result.status != 200 and absent:
        read = ("absent", [])
    elif result.status != 200:
        return failed(entry, status_reason(result), status=result.status, attempts=attempts)
    if isinstance(read, PageError):
        return failed(entry, read.reason, status=result.status, attempts=attempts, detail=str(read))
    assert read is not None, "a list page answered 200 is decided with what reading it gave"
    listed, found = read
    changes = dict(
        state="done",
        outcome=listed,
        reason="",
        http_status=result.status,
        attempts=attempts,
        checksum=fetched.digest,
        **validators(result),
    )
    return PageOutcome(entry, Outcome.LISTED, changes, "", result.status, found=found)


def needs_reading(entry: Entry, fetched: Fetched) -> bool:
    """Whether the page must be read (extracted) before :func:`decide_detail` can decide it."""
    status = fetched.result.status
    return status == 200 and not _same_bytes(entry, fetched)


def _same_bytes(entry: Entry, fetched: Fetched) -> bool:
    return entry.outcome in CLASSIFIED and fetched.digest == entry.checksum


def decide_detail(
    entry: Entry,
    fetched: Fetched,
    read: ExtractedReport | PageError | None = None,
    *,
    conditional: bool = False,
    source_name: str = "",
    search_tokens: tuple[str, str] | None = None,
) -> PageOutcome:
    """A detail page: ``NOT_MODIFIED`` (304 to a ``conditional`` request), ``UNCHANGED`` (same bytes), ``FAILED``,
    ``BLOCKED``, ``NOT_REPORT`` or ``NEW`` (a report to store; commit turns it into ``SEEN`` when its body is
    held). ``read`` is what reading the page gave, when :func:`needs_reading` said so."""
    result, attempts = fetched.result, fetched.attempts
    if result.status == 304 and conditional:
        return _unchanged(entry, fetched, Outcome.NOT_MODIFIED, "not_modified (304)")
    if result.status != 200:
        return failed(entry, status_reason(result), status=result.status, attempts=attempts)
    if _same_bytes(entry, fetched):
        return _unchanged(entry, fetched, Outcome.UNCHANGED, "unchanged (same checksum)")
    if isinstance(read, PageError):
        return failed(entry, read.reason, status=result.status, attempts=attempts, detail=str(read))
    assert read is not None, "a page that needs reading is decided with what reading it gave"
    if read.kind == "blocked":
        return failed(entry, read.reason, status=result.status, attempts=attempts, outcome=Outcome.BLOCKED)
    page = _read(entry, fetched, read, source_name)
    page.search_tokens = search_tokens if page.document else None
    return page


def _unchanged(entry: Entry, fetched: Fetched, outcome: Outcome, reason: str) -> PageOutcome:
    """The page is as it was: the sighting is refreshed, the last outcome kept, new validators stored."""
    result = fetched.result
    changes = dict(
        state="done",
        outcome=entry.outcome,
        reason=reason,
        http_status=result.status,
        attempts=fetched.attempts,
        **{k: v for k, v in validators(result).items() if v},  # a 304 may omit them: keep ours
    )
    return PageOutcome(entry, outcome, changes, reason, result.status, resight=True)


def _read(entry: Entry, fetched: Fetched, report: ExtractedReport, source_name: str) -> PageOutcome:
    result = fetched.result
    document = to_document(report, source_name) if report.is_report else None
    changes = dict(
        state="done",
        outcome=report.kind,
        reason=report.reason,
        http_status=result.status,
        attempts=fetched.attempts,
        checksum=fetched.digest,
        document_id=report.id if document else None,
        **validators(result),
    )
    outcome = Outcome.NEW if document else Outcome.NOT_REPORT
    page = PageOutcome(entry, outcome, changes, report.reason, result.status, document=document)
    if document and entry.document_id and entry.document_id != report.id:
        page.previous_id = entry.document_id
    return page


def to_document(report: ExtractedReport, source_name: str) -> dict[str, Any]:
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
        source_name=source_name,
        fetched_at=utcnow(),
        # the page's report fields (store/reports.py adds versions, first_seen, backdated)
        sections=report.sections,
        section_headings=report.section_headings,
        deadline=report.deadline,
    )
