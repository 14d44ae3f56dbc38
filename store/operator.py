"""Operator state: recrawl requests, run history, source health, the scheduler's next run times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select, update
from sqlalchemy.engine import Connection

from store.db import write_session
from store.frontier import entry_key
from store.models import CrawlRun, Document, FrontierEntry, RecrawlRequest, SourceState
from store.sql import insert_for
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
        insert_ = insert_for(connection.dialect.name)
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


def start_pages(engine: Engine, *, run_id: int, source_name: str, urls: list[str]) -> list[dict[str, Any]]:
    """The run's outcome for each start URL (GET, no form data): ``url``, ``state``, ``reason``,
    ``http_status``; a URL the run never queued (another run's row) reads as ``pending``."""
    keys = {entry_key(source_name, "GET", url): url for url in urls}
    with engine.connect() as connection:
        rows = connection.execute(
            select(_FRONTIER.c.key, _FRONTIER.c.state, _FRONTIER.c.reason, _FRONTIER.c.http_status).where(
                _FRONTIER.c.key.in_(list(keys)), _FRONTIER.c.run_id == run_id
            )
        ).mappings()
        found = {r["key"]: r for r in rows}
    return [
        {
            "url": url,
            "state": found[key]["state"] if key in found else "pending",
            "reason": found[key]["reason"] if key in found else "",
            "http_status": found[key]["http_status"] if key in found else None,
        }
        for key, url in keys.items()
    ]


def listed_entries(engine: Engine, *, run_id: int) -> int:
    """Detail pages the run's list pages found (however many processes the run took)."""
    with engine.connect() as connection:
        statement = select(func.count()).where(_FRONTIER.c.run_id == run_id, _FRONTIER.c.kind == "detail")
        return int(connection.execute(statement).scalar() or 0)


def earlier_runs(engine: Engine, *, source_name: str, before: int, limit: int) -> list[dict[str, Any]]:
    """The source's judged runs before run ``before``, newest first: ``id``, ``stats``, ``health``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_RUNS.c.id, _RUNS.c.stats, _RUNS.c.health)
            .where(_RUNS.c.source_name == source_name, _RUNS.c.id < before, _RUNS.c.health.is_not(None))
            .order_by(_RUNS.c.id.desc())
            .limit(limit)
        ).mappings()
        return [dict(r) for r in rows]


def record_health(engine: Engine, *, run_id: int, state: str, reason: str, message: str) -> None:
    with write_session(engine) as session:
        session.connection().execute(
            update(_RUNS)
            .where(_RUNS.c.id == run_id)
            .values(health=state, health_reason=reason, health_message=message)
        )


def runs_health(engine: Engine, run_ids: list[int]) -> dict[int, dict[str, Any]]:
    """``health``, ``health_reason``, ``health_message`` of each judged run among ``run_ids``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_RUNS.c.id, _RUNS.c.health, _RUNS.c.health_reason, _RUNS.c.health_message).where(
                _RUNS.c.id.in_(run_ids), _RUNS.c.health.is_not(None)
            )
        ).mappings()
        return {int(r["id"]): dict(r) for r in rows}


def mark_interrupted(engine: Engine, *, worker: str) -> list[tuple[int, str]]:
    """Runs of ``worker`` (host:pid) still running, marked ``interrupted``; returns their ``(id, source)``."""
    with write_session(engine) as session:
        rows = session.connection().execute(
            update(_RUNS)
            .where(_RUNS.c.state == "running", _RUNS.c.worker == worker)
            .values(state="interrupted")
            .returning(_RUNS.c.id, _RUNS.c.source_name)
        )
        return sorted((int(r[0]), str(r[1])) for r in rows)


def unfinished_runs(engine: Engine) -> dict[str, tuple[int, str, str | None]]:
    """Per source, its newest run that never finished (interrupted, or running): ``(id, state, worker)``."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(_RUNS.c.source_name, _RUNS.c.id, _RUNS.c.state, _RUNS.c.worker)
            .where(_RUNS.c.state.in_(("running", "interrupted")))
            .order_by(_RUNS.c.id)
        ).all()
        return {str(name): (int(run_id), str(state), worker) for name, run_id, state, worker in rows}


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
    """Per source: last success, last error, consecutive failures (failed or unhealthy runs), next scheduled
    run, documents held, health (the newest judged run's verdict) and the last finished run's listing completeness
    (entries its columns claim vs entries found)."""
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
                select(*_RUN_COLUMNS)
                .where(_RUNS.c.source_name == name, _RUNS.c.state.not_in(("running", "interrupted")))
                .order_by(_RUNS.c.id.desc())
                .limit(200)
            ).mappings()
        )
        failures = 0
        for run in runs:
            if not _failed(run):
                break
            failures += 1
        success = next((r["finished_at"] for r in runs if not _failed(r)), None)
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
                "health": _health(runs),
                **_listing(runs),
            }
        )
    return out


_RUN_COLUMNS = [
    _RUNS.c.id,
    _RUNS.c.state,
    _RUNS.c.error,
    _RUNS.c.finished_at,
    _RUNS.c.started_at,
    _RUNS.c.stats,
    _RUNS.c.health,
    _RUNS.c.health_reason,
    _RUNS.c.health_message,
]


def _failed(run: Any) -> bool:
    """A failed run, or one that found its source unhealthy (a moved column ends its run without an error)."""
    return bool(run["state"] == "failed" or run["health"] == "unhealthy")


def _health(runs: list[Any]) -> dict[str, Any] | None:
    """The newest judged run's verdict, with ``since``: when the source's health last changed to it."""
    judged = [r for r in runs if r["health"] is not None]
    if not judged:
        return None
    newest = judged[0]
    since = newest["finished_at"]
    for run in judged[1:]:
        if run["health"] != newest["health"]:
            break
        since = run["finished_at"]
    return {
        "state": newest["health"],
        "reason": newest["health_reason"],
        "message": newest["health_message"],
        "run_id": newest["id"],
        "at": newest["finished_at"],
        "since": since,
    }


def health_by_source(connection: Connection) -> dict[str, tuple[str, str]]:
    """Per source, the newest judged run's ``(health, reason)`` (for /metrics)."""
    newest = (
        select(_RUNS.c.source_name, func.max(_RUNS.c.id).label("id"))
        .where(_RUNS.c.health.is_not(None))
        .group_by(_RUNS.c.source_name)
        .subquery()
    )
    rows = connection.execute(
        select(_RUNS.c.source_name, _RUNS.c.health, _RUNS.c.health_reason).join(
            newest, _RUNS.c.id == newest.c.id
        )
    ).all()
    return {str(name): (str(health), str(reason or "")) for name, health, reason in rows}


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
