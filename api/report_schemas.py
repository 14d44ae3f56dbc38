"""What ``/reports`` and ``/coverage`` return, and the report fields of a document (store/reports.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

NEXT_URL = (
    "the next page's URL (also the Link header): on FAZHI_PUBLIC_URL when set, else relative to the request's; "
    "null on the last page"
)


class ReportFields(BaseModel):
    """A document's place in its report, its required parts and its timeliness (null on documents stored before
    these were kept)."""

    report_id: str | None = Field(None, description="shared by every version of one report: version 1's id")
    version: int | None = Field(None, description="1-based, in the order the versions were first seen")
    version_diff: dict[str, Any] | None = Field(
        None, description="from the version before: previous (its id), added, removed, changed (paragraphs)"
    )
    sections: dict[str, bool] | None = Field(
        None, description="required parts found: measures, shortcomings, leader_duties, next_year, other"
    )
    section_headings: dict[str, str | None] | None = Field(None, description="the heading that showed each")
    missing_parts: str | None = Field(None, description="the parts not found, comma-separated")
    deadline: date | None = Field(None, description="due date: 1 April (or the source's MM-DD) of year + 1")
    late: bool | None = Field(None, description="page date after the deadline; null without a date")
    days_late: int | None = None
    first_seen: datetime | None = Field(None, description="when fazhi first saw this version")
    backdated: bool | None = Field(
        None,
        description="a crawl after the deadline and the page date did not list it: the date is no evidence",
    )


class ReportRow(BaseModel):
    report_id: str
    version: int = Field(description="the latest version's number")
    versions: int = Field(description="how many versions")
    id: str = Field(description="the latest version's document id")
    seq: int
    title: str | None
    agency: str | None
    report_year: int | None
    publish_date: date | None
    province: str | None
    city: str | None
    county: str | None
    url: str
    source_name: str
    sections: dict[str, bool] | None
    missing_parts: str | None
    deadline: date | None
    late: bool | None
    days_late: int | None
    first_seen: datetime | None
    backdated: bool | None


class ReportsPage(BaseModel):
    ok: bool = True
    items: list[ReportRow]
    next: str | None = Field(description="cursor of the next page (`seq.<seq>`); null on the last page")
    next_url: str | None = Field(description=NEXT_URL)


class VersionRow(BaseModel):
    version: int
    id: str
    title: str | None
    url: str
    source_name: str
    publish_date: date | None
    first_seen: datetime | None
    fetched_at: datetime
    sections: dict[str, bool] | None
    missing_parts: str | None
    deadline: date | None
    late: bool | None
    days_late: int | None
    backdated: bool | None
    version_diff: dict[str, Any] | None


class ReportDetail(BaseModel):
    ok: bool = True
    report_id: str
    latest: str = Field(description="the latest version's document id")
    first_seen: datetime | None
    versions: list[VersionRow]


class CoverageRow(BaseModel):
    source_name: str | None
    province: str | None
    city: str | None
    agency: str
    report_year: int
    deadline: date
    status: str = Field(description="on_time | late | missing")
    document_id: str | None
    report_id: str | None
    expected: bool = Field(description="declared in the sources file (else: observed publishing)")


class CoveragePage(BaseModel):
    ok: bool = True
    as_of: date
    rows: list[CoverageRow]
