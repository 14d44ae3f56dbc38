"""What the web pages read beyond the documents themselves: runs and their pages, the sources the console lists,
the facets of the search form, publication dates for the deadline chart. Reads only (a recrawl request is
:func:`store.operator.request_recrawl`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.engine import Connection

from store.models import CrawlRun, Document, FrontierEntry, SourceState

_RUNS: Table = CrawlRun.__table__  # type: ignore[attr-defined]
_DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
_FRONTIER: Table = FrontierEntry.__table__  # type: ignore[attr-defined]
_STATE: Table = SourceState.__table__  # type: ignore[attr-defined]
MAX_FAILURES = 500  # failed pages listed on a run's page


def source_names(connection: Connection) -> list[str]:
    names = {r[0] for r in connection.execute(select(_STATE.c.source_name))}
    names |= {r[0] for r in connection.execute(select(_RUNS.c.source_name).distinct())}
    return sorted(names)


def latest_runs(connection: Connection) -> dict[str, dict[str, Any]]:
    """Each source's newest run (running or not)."""
    newest = select(func.max(_RUNS.c.id)).group_by(_RUNS.c.source_name)
    rows = connection.execute(select(_RUNS).where(_RUNS.c.id.in_(newest))).mappings()
    return {r["source_name"]: dict(r) for r in rows}


def run(connection: Connection, run_id: int) -> dict[str, Any] | None:
    row = connection.execute(select(_RUNS).where(_RUNS.c.id == run_id)).mappings().first()
    return dict(row) if row else None


def running_runs(connection: Connection) -> list[dict[str, Any]]:
    """Runs in progress, oldest first, each with its pages so far by frontier state (``progress``)."""
    runs = [
        dict(r)
        for r in connection.execute(
            select(_RUNS).where(_RUNS.c.state == "running").order_by(_RUNS.c.id)
        ).mappings()
    ]
    for entry in runs:
        entry["progress"] = pages_by(connection, entry["id"], _FRONTIER.c.state)
    return runs


def pages_by(connection: Connection, run_id: int, column: Any) -> dict[str, int]:
    rows = connection.execute(
        select(column, func.count()).where(_FRONTIER.c.run_id == run_id).group_by(column)
    ).all()
    return {str(key or "—"): int(n) for key, n in rows}


def run_pages(connection: Connection, run_id: int) -> dict[str, Any]:
    """The frontier's pages of ``run_id`` by outcome, and its failed pages with reasons. The frontier keeps a
    page's latest run only: an older run's pages belong to a newer run now (its ``stats`` still count them)."""
    failed = connection.execute(
        select(_FRONTIER.c.url, _FRONTIER.c.kind, _FRONTIER.c.reason, _FRONTIER.c.http_status)
        .where(_FRONTIER.c.run_id == run_id, _FRONTIER.c.state == "failed")
        .order_by(_FRONTIER.c.reason, _FRONTIER.c.url)
        .limit(MAX_FAILURES)
    ).mappings()
    return {
        "outcomes": pages_by(connection, run_id, _FRONTIER.c.outcome),
        "failures": [dict(r) for r in failed],
    }


def facets(connection: Connection) -> dict[str, list[Any]]:
    """The values the search form offers: report years, provinces, sources."""
    c = _DOCUMENTS.c
    years = [r[0] for r in connection.execute(select(c.report_year).distinct()) if r[0] is not None]
    provinces = [r[0] for r in connection.execute(select(c.province).distinct()) if r[0]]
    sources = [r[0] for r in connection.execute(select(c.source_name).distinct())]
    return {"years": sorted(years, reverse=True), "provinces": sorted(provinces), "sources": sorted(sources)}


def publication_dates(connection: Connection) -> list[tuple[int, date, date | None, int]]:
    """``(report_year, publish_date, deadline, reports)`` over the latest version of every dated report (a
    document of no report yet counts alone); ``deadline`` as ``store.reports`` recorded it (``None`` before)."""
    c, newer = _DOCUMENTS.c, _DOCUMENTS.alias("newer")
    superseded = (
        select(newer.c.seq).where(newer.c.report_id == c.report_id, newer.c.version > c.version).exists()
    )
    rows = connection.execute(
        select(c.report_year, c.publish_date, c.deadline, func.count())
        .where(c.report_year.is_not(None), c.publish_date.is_not(None), ~superseded)
        .group_by(c.report_year, c.publish_date, c.deadline)
    ).all()
    return [(int(y), d, deadline, int(n)) for y, d, deadline, n in rows]
