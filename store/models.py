"""Tables. A document's ``id`` is the sha256 of its normalized body; ``seq`` is its ingest order."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime, utcnow


class Document(SQLModel, table=True):
    __tablename__ = "documents"

    seq: int | None = Field(default=None, primary_key=True)
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


class Sighting(SQLModel, table=True):
    """One URL a document was found at. The same body at two URLs is one document with two sightings."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("document_id", "url"),)

    pk: int | None = Field(default=None, primary_key=True)
    document_id: str = Field(foreign_key="documents.id", index=True, max_length=64)
    url: str
    source_name: str
    first_seen: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    last_seen: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class PageRecord(SQLModel, table=True):
    """The last outcome of fetching a URL: every page the crawler gave up on or rejected says why."""

    __tablename__ = "pages"

    url: str = Field(primary_key=True)
    source_name: str = Field(index=True)
    kind: str  # "list" | "detail"
    outcome: str  # "report" | "not_report" | "blocked" | "failed" | "listed"
    reason: str = ""
    http_status: int | None = None
    document_id: str | None = None
    fetched_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False))
