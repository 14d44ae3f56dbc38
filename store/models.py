"""Tables. A document's ``id`` is the sha256 of its normalized body; ``seq`` is its ingest order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow

# 64-bit sequence numbers on PostgreSQL; SQLite's rowid alias must be spelled INTEGER (it is 64-bit anyway)
SEQ = BigInteger().with_variant(Integer(), "sqlite")
Blob = bytes  # AttachmentFile has a column named ``bytes``
# documents' sort keys: an undated document first, one of no year as year 0 (indexed by 0009)
DATE_ORDER = "coalesce(publish_date, '0001-01-01')"
YEAR_ORDER = "coalesce(report_year, 0)"


class Document(SQLModel, table=True):
    __tablename__ = "documents"
    # the date and year orders of the read API, as store.queries writes them (migration 0009)
    __table_args__ = (
        Index("ix_documents_date_order", text(DATE_ORDER), "seq"),
        Index("ix_documents_year_order", text(YEAR_ORDER), "seq"),
    )

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True))
    id: str = Field(max_length=64, unique=True, index=True)
    title: str | None = None
    agency: str | None = Field(default=None, index=True)
    report_year: int | None = Field(default=None, index=True)
    publish_date: date | None = Field(default=None, index=True)
    doc_number: str | None = None
    index_no: str | None = None
    signer: str | None = None
    addressee: str | None = None
    cc: str | None = None
    source: str | None = None
    province: str | None = Field(default=None, index=True)
    city: str | None = Field(default=None, index=True)
    county: str | None = None
    breadcrumb: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    attachments: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    keywords: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    provenance: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    url: str
    source_name: str = Field(index=True)
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    # reports and versions, required parts, timeliness (store/reports.py; null on rows from before 0005)
    report_id: str | None = Field(default=None, max_length=64, index=True)  # the id of the report's version 1
    version: int | None = None  # 1-based, in order of first sighting
    version_diff: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    sections: dict[str, bool] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    section_headings: dict[str, str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    missing_parts: str | None = None  # the required parts not found, comma-separated (the missing= filter)
    deadline: date | None = None
    late: bool | None = None
    days_late: int | None = None
    first_seen: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    backdated: bool | None = None
    # the WARC record of the fetch that created or last updated it (store.captures); null before archiving
    capture: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON(none_as_null=True), nullable=True)
    )


class ReportBand(SQLModel, table=True):
    """MinHash LSH bands of each document's text: documents sharing a band are near-duplicate candidates.

    Keyed by the document's ``seq`` (8 bytes, not the 64-character id) in one primary-key index, without a rowid
    table on SQLite: the lookup by band reads the index alone (migration 0010)."""

    __tablename__ = "report_bands"
    __table_args__ = (PrimaryKeyConstraint("band", "seq"), {"sqlite_with_rowid": False})

    band: int = Field(sa_column=Column(BigInteger, nullable=False))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))  # documents.seq


class ReportSketch(SQLModel, table=True):
    """Each document's MinHash (128 32-bit values, little-endian: ``store.grams.sketch``): a candidate version's
    estimated Jaccard, before its body is read for the exact one (migration 0011; documents stored before it have
    none, and are compared exactly)."""

    __tablename__ = "report_sketches"

    seq: int = Field(sa_column=Column(SEQ, primary_key=True, autoincrement=False))  # documents.seq
    minhash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class SourceExpectation(SQLModel, table=True):
    """What a source's configuration expects (``agencies``, ``since``, ``deadline``), noted at each crawl."""

    __tablename__ = "source_expectations"

    source_name: str = Field(primary_key=True)
    agencies: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    since: int | None = None
    deadline: str | None = None  # MM-DD; None: 04-01
    province: str | None = None
    city: str | None = None


class Sighting(SQLModel, table=True):
    """One URL a document was found at. The same body at two URLs is one document with two sightings."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("document_id", "url"),)

    pk: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=64)
    url: str = Field(index=True)  # versions: other bodies seen at the same URL
    source_name: str
    first_seen: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class Change(SQLModel, table=True):
    """The change feed: one row per create or update, its ``seq`` given in the transaction of the change."""

    __tablename__ = "changes"

    seq: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True))
    document_id: str = Field(index=True, max_length=64)
    kind: str  # created | updated
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))


class RecrawlRequest(SQLModel, table=True):
    """An operator's request to crawl now; the scheduler takes it within seconds."""

    __tablename__ = "recrawl_requests"

    id: int | None = Field(default=None, primary_key=True)
    source_name: str = Field(index=True)
    requested_by: str = "operator"
    state: str = Field(default="pending", index=True)  # pending | taken
    requested_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    taken_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class SourceState(SQLModel, table=True):
    """What the scheduler knows about a source, for /-/sources."""

    __tablename__ = "source_state"

    source_name: str = Field(primary_key=True)
    next_run_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class CrawlRun(SQLModel, table=True):
    """One crawl of one source. An unfinished run is resumed by the next crawl of its source."""

    __tablename__ = "crawl_runs"

    id: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True))
    source_name: str = Field(index=True)
    trigger: str = "manual"  # manual | schedule | operator | startup
    state: str = "running"  # running | finished | failed | interrupted (SIGTERM; the next start resumes it)
    error: str | None = None
    health: str | None = None  # healthy | unhealthy, judged when the run finished (crawler.health)
    health_reason: str | None = None  # ok | start_unreachable | start_http_4xx | … (crawler.health.REASONS)
    health_message: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    worker: str | None = None  # host:pid of the process running (or that last ran) it
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class FrontierEntry(SQLModel, table=True):
    """A URL to fetch for a source, with its state in the current run and what the last fetch learned.

    Rows outlive runs: a new run re-queues them (``run_id``, ``state``) and keeps ETag, Last-Modified and the
    raw-body checksum for conditional requests.
    """

    __tablename__ = "frontier"
    # a run's pending entries of one kind (store.frontier.pending, give_up_pending): read from this index alone,
    # not from every pending entry of every source (migration 0012; it also serves run_id alone)
    __table_args__ = (Index("ix_frontier_run_kind_state", "run_id", "kind", "state"),)

    key: str = Field(primary_key=True, max_length=64)  # sha256 of source, method, URL and form data
    source_name: str = Field(index=True)
    run_id: int = Field(sa_column=Column(SEQ, nullable=False))
    url: str
    method: str = "GET"
    data: list[list[str]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    kind: str  # list | detail
    dialect: str = "auto"
    title: str = ""  # the list's title for a detail link
    state: str = Field(default="pending", index=True)  # pending | done | failed
    outcome: str = (
        ""  # listed | stub | empty | repeated | report | not_report | unchanged | not_modified | failed
    )
    reason: str = ""
    http_status: int | None = None
    attempts: int = 0
    etag: str | None = None
    last_modified: str | None = None
    checksum: str | None = None  # sha256 of the raw body
    document_id: str | None = None
    done_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, nullable=True))


class HostPace(SQLModel, table=True):
    """When a host may next be asked, shared by every crawl worker (distributed mode; see store.pace)."""

    __tablename__ = "host_pace"

    host: str = Field(primary_key=True)
    next_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class AttachmentFile(SQLModel, table=True):
    """One attachment of a document (its ``n``-th, as in ``documents.attachments``): what reading it gave, its
    text and search words, and (when kept) its bytes. Written before its document, so a crash between the two
    leaves rows the next crawl of the page overwrites (see store.attachments)."""

    __tablename__ = "attachments"
    __table_args__ = (UniqueConstraint("document_id", "n"),)

    pk: int | None = Field(default=None, sa_column=Column(SEQ, primary_key=True))
    document_id: str = Field(max_length=64, index=True)
    n: int
    name: str
    url: str = Field(index=True)  # conditional requests: the last validators seen for this URL
    type: str = ""
    bytes: int = 0
    sha256: str = ""
    text_chars: int = 0
    status: str = "skipped"  # extracted | needs_ocr | failed | skipped
    reason: str | None = None
    is_body: bool = False  # its text is the document's body (an attachment-only report)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    tokens: str = Field(default="", sa_column=Column(Text, nullable=False))  # jieba words, for search
    content: Blob | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
