"""Coverage: for each expected publisher and each report year that is due, was its report on time, late or missing?

Expected publishers are those a source declares (``agencies``, with ``since`` and ``deadline``; noted in
``source_expectations`` at each crawl, or passed in by ``fazhi coverage --sources``) and every agency observed
publishing. A year is due once its deadline has passed (1 April of the next year, or the source's ``MM-DD``). An
agency's years run from ``since``, else from the first year it was observed, else the source's first observed year.

A report's timeliness is its earliest version's: on time when its page date is on or before the deadline. When the
page date is missing, or ``backdated`` (a crawl after the deadline did not list it), the date it was first seen
stands in for it: the page's own date is then no evidence.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.export import FORMULA_STARTS
from store.models import SourceExpectation
from store.sql import fetch

STATUSES = ("on_time", "late", "missing")
CSV_COLUMNS = (
    "source_name",
    "province",
    "city",
    "agency",
    "report_year",
    "deadline",
    "status",
    "document_id",
)
_TABLE = SourceExpectation.__table__  # type: ignore[attr-defined]
_DOCUMENTS = (
    "SELECT id, report_id, version, agency, report_year, source_name, province, city, publish_date, deadline, "
    "first_seen, backdated FROM documents WHERE agency IS NOT NULL AND report_year IS NOT NULL"
)


@dataclass(frozen=True)
class Expectation:
    source_name: str
    agencies: tuple[str, ...] = ()  # normalized as the extractor writes agency names
    since: int | None = None
    deadline: str | None = None  # MM-DD; None: 04-01
    province: str | None = None
    city: str | None = None


@dataclass(frozen=True)
class CoverageFilters:
    source_name: str | None = None
    province: str | None = None
    city: str | None = None
    agency: str | None = None
    report_year: int | None = None
    status: str | None = None

    def keep(self, row: dict[str, Any]) -> bool:
        return all(
            getattr(self, name) is None or row[name] == getattr(self, name)
            for name in ("source_name", "province", "city", "agency", "report_year", "status")
        )

    def keeps_publisher(self, publisher: _Publisher) -> bool:
        """Whether any row of ``publisher`` could be kept (its rows carry its source, province, city, agency)."""
        return all(
            getattr(self, name) is None or getattr(publisher, name) == getattr(self, name)
            for name in ("source_name", "province", "city", "agency")
        )


def declare(session: Session, expectation: Expectation) -> None:
    """Note (replace) what a source expects."""
    connection = session.connection()
    connection.execute(delete(_TABLE).where(_TABLE.c.source_name == expectation.source_name))
    row = {**expectation.__dict__, "agencies": list(expectation.agencies)}
    connection.execute(insert(_TABLE), row)


def declared(connection: Connection) -> list[Expectation]:
    rows = connection.execute(_TABLE.select().order_by(_TABLE.c.source_name)).mappings()
    return [Expectation(**{**row, "agencies": tuple(row["agencies"] or ())}) for row in rows]


@cache  # one per (year, deadline): a 20k-document store asks it ~90k times
def due_date(year: int, month_day: str | None) -> date:
    month, day = (int(p) for p in (month_day or "04-01").split("-"))
    try:
        return date(year + 1, month, day)
    except ValueError:  # 02-29 in a common year
        return date(year + 1, month, day - 1)


def latest_due_year(today: date, month_day: str | None) -> int:
    year = today.year - 1
    return year if due_date(year, month_day) < today else year - 1


@dataclass
class _Publisher:
    agency: str
    source_name: str | None
    province: str | None
    city: str | None
    expected: bool
    since: int | None = None
    deadline: str | None = None
    documents: list[dict[str, Any]] = field(default_factory=list)


def coverage_rows(
    connection: Connection,
    expectations: list[Expectation],
    *,
    today: date,
    filters: CoverageFilters | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{source_name, province, city, agency, report_year, deadline, status, document_id, report_id,
    expected}`` by province, city, agency, year."""
    documents = fetch(connection, _DOCUMENTS)
    publishers = _publishers(expectations, documents)
    first_years = _first_years(documents)
    chosen = filters or CoverageFilters()
    rows = []
    # publishers are one per agency and each one's rows run by year: sorting them sorts the rows
    for publisher in sorted(publishers.values(), key=lambda p: (p.province or "", p.city or "", p.agency)):
        if chosen.keeps_publisher(publisher):
            rows.extend(_rows_of(publisher, first_years, today))
    if chosen.report_year is None and chosen.status is None:
        return rows
    return [r for r in rows if chosen.keep(r)]


def _publishers(expectations: list[Expectation], documents: list[dict[str, Any]]) -> dict[str, _Publisher]:
    publishers: dict[str, _Publisher] = {}
    by_source = {e.source_name: e for e in expectations}
    for e in expectations:
        for agency in e.agencies:
            publishers.setdefault(
                agency, _Publisher(agency, e.source_name, e.province, e.city, True, e.since, e.deadline)
            )
    for doc in sorted(documents, key=lambda d: (d["first_seen"] is None, d["first_seen"] or 0, d["id"])):
        source = by_source.get(doc["source_name"])
        publisher = publishers.get(doc["agency"])
        if publisher is None:
            publisher = publishers[doc["agency"]] = _Publisher(
                doc["agency"],
                doc["source_name"],
                doc["province"],
                doc["city"],
                False,
                source.since if source else None,
                source.deadline if source else None,
            )
        publisher.documents.append(doc)
    return publishers


def _first_years(documents: list[dict[str, Any]]) -> dict[str, int]:
    """Per source, the first report year observed."""
    first: dict[str, int] = {}
    for doc in documents:
        name = doc["source_name"]
        first[name] = min(first.get(name, doc["report_year"]), doc["report_year"])
    return first


def _rows_of(publisher: _Publisher, first_years: dict[str, int], today: date) -> list[dict[str, Any]]:
    latest = latest_due_year(today, publisher.deadline)
    years = {d["report_year"] for d in publisher.documents}
    first = (
        publisher.since or min(years, default=None) or first_years.get(publisher.source_name or "", latest)
    )
    earliest: dict[int, dict[str, Any]] = {}
    for doc in publisher.documents:  # earliest seen first
        earliest.setdefault(doc["report_year"], doc)
    rows = []
    for year in sorted(set(range(first, latest + 1)) | {y for y in years if y >= first}):
        found = earliest.get(year)
        deadline = found["deadline"] if found and found["deadline"] else due_date(year, publisher.deadline)
        rows.append(
            {
                "source_name": publisher.source_name,
                "province": publisher.province,
                "city": publisher.city,
                "agency": publisher.agency,
                "report_year": year,
                "deadline": deadline,
                "status": _status(found, deadline) if found else "missing",
                "document_id": found["id"] if found else None,
                "report_id": found["report_id"] if found else None,
                "expected": publisher.expected,
            }
        )
    return rows


def _status(doc: dict[str, Any], deadline: date) -> str:
    evidence = doc["publish_date"]
    if evidence is None or doc["backdated"]:
        evidence = doc["first_seen"].date() if doc["first_seen"] else None
    if evidence is None:  # stored before first sightings were kept on the document, undated
        return "late"
    return "on_time" if evidence <= deadline else "late"


def coverage_csv(rows: list[dict[str, Any]], *, bom: bool = True) -> str:
    """The rows as CSV; ``bom``: spreadsheets then read UTF-8 Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(
        (
            _plain(r["source_name"]),
            _plain(r["province"]),
            _plain(r["city"]),
            _plain(r["agency"]),
            r["report_year"],
            r["deadline"].isoformat(),
            r["status"],
            r["document_id"],
        )
        for r in rows
    )
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _plain(text: str | None) -> str | None:
    """As ``csv_safe``: text a spreadsheet would run as a formula gets a leading '."""
    return "'" + text if text is not None and text.startswith(FORMULA_STARTS) else text
