"""Operator state: recrawl requests, run history, source health, the scheduler's next run times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from store.db import write_session
from store.models import CrawlRun, Document, FrontierEntry, RecrawlRequest, SourceState
from store.types import utcnow

_REQUESTS: Table = RecrawlRequest.__table__  # type: ignore[attr-defined]
_RUNS: Table = CrawlRun.__table__  # type: ignore[attr-defined]
_STATE: Table = SourceState.__table__  # type: ignore[attr-defined]
_DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
_FRONTIER: Table = FrontierEntry.__table__  # type: ignore[attr-defined]


def request_recrawl(engine: Engine, names: list[str], *, requested_by: str = "operator") -> list[int]:
    with write_session(engine) as session:
        ids = []
        for name in names:
            result = session.connection().execute(
                insert(_REQUESTS).values(
                    source_name=name, requested_by=requested_by, state="pending", requested_at=utcnow()
                )
            )
            ids.append(int(result.inserted_primary_key[0]))  # type: ignore[index]
        return ids


def take_recrawl_requests(engine: Engine) -> list[str]:
    """Pending requests, marked taken; one name per source however many requests it had. One UPDATE … RETURNING:
    two schedulers polling at once never both take a request."""
    with write_session(engine) as session:
        taken = session.connection().execute(
            update(_REQUESTS)
            .where(_REQUESTS.c.state == "pending")
            .values(state="taken", taken_at=utcnow())
            .returning(_REQUESTS.c.source_name)
        )
        return sorted({r[0] for r in taken})


def set_next_runs(engine: Engine, next_runs: dict[str, datetime | None]) -> None:
    with write_session(engine) as session:
        connection = session.connection()
        insert_ = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        for name, when in next_runs.items():
            statement = insert_(_STATE).values(source_name=name, next_run_at=when)
            connection.execute(
                statement.on_conflict_do_update(index_elements=["source_name"], set_={"next_run_at": when})
            )


def last_run_started(engine: Engine, source_name: str) -> datetime | None:
    with engine.connect() as connection:
        return connection.execute(
            select(func.max(_RUNS.c.started_at)).where(_RUNS.c.source_name == source_name)
        ).scalar()


def runs_page(
    connection: Connection, *, before: int | None, limit: int, source_name: str | None
) -> list[dict[str, Any]]:
    statement = select(_RUNS).order_by(_RUNS.c.id.desc()).limit(limit)
    if before is not None:
        statement = statement.where(_RUNS.c.id < before)
    if source_name:
        statement = statement.where(_RUNS.c.source_name == source_name)
    return [dict(r) for r in connection.execute(statement).mappings()]


def sources_health(connection: Connection) -> list[dict[str, Any]]:
    """Per source: last success, last error, consecutive failures, next scheduled run, documents held, and the
    last finished run's listing completeness (entries its columns claim vs entries found)."""
    names = {r[0] for r in connection.execute(select(_RUNS.c.source_name).distinct())}
    names |= {r[0] for r in connection.execute(select(_STATE.c.source_name))}
    counts = connection.execute(
        select(_DOCUMENTS.c.source_name, func.count()).group_by(_DOCUMENTS.c.source_name)
    )
    held: dict[str, int] = {str(name): int(n) for name, n in counts}
    next_runs = dict(connection.execute(select(_STATE.c.source_name, _STATE.c.next_run_at)).all())
    out = []
    for name in sorted(names):
        runs = list(
            connection.execute(
                select(_RUNS.c.state, _RUNS.c.error, _RUNS.c.finished_at, _RUNS.c.started_at, _RUNS.c.stats)
                .where(_RUNS.c.source_name == name, _RUNS.c.state != "running")
                .order_by(_RUNS.c.id.desc())
                .limit(200)
            ).mappings()
        )
        failures = 0
        for run in runs:
            if run["state"] != "failed":
                break
            failures += 1
        success = next((r["finished_at"] for r in runs if r["state"] == "finished"), None)
        error = next(
            ({"at": r["finished_at"], "error": r["error"]} for r in runs if r["state"] == "failed"), None
        )
        out.append(
            {
                "source_name": name,
                "last_success": success,
                "last_error": error,
                "consecutive_failures": failures,
                "next_run": next_runs.get(name),
                "documents": int(held.get(name, 0)),
                **_listing(runs),
            }
        )
    return out


def _listing(runs: list[Any]) -> dict[str, Any]:
    """The newest finished run's listing: ``expected``/``found``/``shortfall``; incomplete when entries or
    pages a column claims were not found."""
    stats = next((r["stats"] for r in runs if r["state"] == "finished"), None) or {}
    listing = stats.get("listing") if isinstance(stats, dict) else None
    if not isinstance(listing, dict):
        return {"listing": None, "incomplete_listing": False}
    summary = {k: listing.get(k) for k in ("expected", "found", "shortfall", "pages_missing")}
    return {
        "listing": summary,
        "incomplete_listing": bool(listing.get("shortfall") or listing.get("pages_missing")),
    }


def frontier_size(connection: Connection) -> dict[str, int]:
    rows = connection.execute(select(_FRONTIER.c.state, func.count()).group_by(_FRONTIER.c.state)).all()
    return {str(state): int(n) for state, n in rows}
