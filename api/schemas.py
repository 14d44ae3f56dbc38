"""What the API returns: ``DocumentSummary`` in lists, ``DocumentPublic`` for one document."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class AttachmentPublic(BaseModel):
    name: str
    url: str
    type: str = ""


class SightingPublic(BaseModel):
    url: str
    source_name: str
    first_seen: datetime
    last_seen: datetime


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


class DocumentPublic(DocumentSummary):
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


class DocumentsPage(BaseModel):
    ok: bool = True
    items: list[DocumentSummary]
    next: str | None = Field(description="opaque cursor for the next page; null on the last page")
    next_url: str | None


class Health(BaseModel):
    ok: bool
    database: str
    version: str


class ErrorBody(BaseModel):
    ok: bool = False
    error: str
    errors: list[object] = []
    status: int
