"""The crawl frontier and run records. Every state change of a page commits together with its effects (the
documents it stored, the links it discovered), so a crash at any point loses nothing and duplicates nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, Table, bindparam, select, update
from sqlmodel import Session, col

from store.compiled import execute
from store.db import write_session
from store.models import CrawlRun, FrontierEntry
from store.sql import insert_for
from store.types import utcnow

_FRONTIER: Table = FrontierEntry.__table__  # type: ignore[attr-defined]


def entry_key(source_name: str, method: str, url: str, data: Iterable[Iterable[str]] = ()) -> str:
    raw = json.dumps([source_name, method.upper(), url, [list(pair) for pair in data]], ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Entry:
    """A frontier row as a crawl reads it (:func:`pending`): its columns as plain values, no ORM state (a crawl
    reads thousands of them, and the ORM's bookkeeping per row cost more than the query). The columns are
    :class:`store.models.FrontierEntry`'s, in its order (a test holds them equal)."""

    key: str
    source_name: str
    run_id: int
    url: str
    method: str = "GET"
    data: list[list[str]] = field(default_factory=list)
    kind: str = "detail"
    dialect: str = "auto"
    title: str = ""
    state: str = "pending"
    outcome: str = ""
    reason: str = ""
    http_status: int | None = None
    attempts: int = 0
    etag: str | None = None
    last_modified: str | None = None
    checksum: str | None = None
    document_id: str | None = None
    done_at: datetime | None = None


_ENTRY_COLUMNS = tuple(f.name for f in fields(Entry))


@dataclass
class NewEntry:
    url: str
    kind: str
    method: str = "GET"
    data: list[list[str]] = field(default_factory=list)
    dialect: str = "auto"
    title: str = ""


def start_run(
    engine: Engine, *, source_name: str, trigger: str, seeds: list[NewEntry], worker: str | None = None
) -> tuple[CrawlRun, bool]:
    """Resume the source's unfinished run, or start a new one seeded with ``seeds``; ``worker`` (host:pid) is
    recorded as the run's current runner. Returns ``(run, resumed)``."""
    with write_session(engine) as session:
        statement = select(CrawlRun).where(
            col(CrawlRun.source_name) == source_name, col(CrawlRun.state).in_(("running", "interrupted"))
        )
        running = session.scalars(statement.order_by(col(CrawlRun.id).desc())).first()
        if running is not None:
            running.worker, running.state = worker, "running"
            session.flush()
            session.refresh(running)
            session.expunge(running)
            return running, True
        run = CrawlRun(source_name=source_name, trigger=trigger, worker=worker)
        session.add(run)
        session.flush()
        assert run.id is not None
        enqueue(session, run_id=run.id, source_name=source_name, entries=seeds)
        session.refresh(run)
        session.expunge(run)
        return run, False


@cache
def _upsert_statement(dialect: str) -> Any:
    """The frontier's upsert, built once per dialect and run with many rows (executemany: compiled once)."""
    statement = insert_for(dialect)(_FRONTIER)
    excluded = statement.excluded
    # the last outcome and validators stay: they decide the conditional request and the unchanged-body skip
    requeue = {
        "run_id": excluded.run_id,
        "state": "pending",
        "attempts": 0,
        "title": excluded.title,
        "dialect": excluded.dialect,
        "kind": excluded.kind,
    }
    return statement.on_conflict_do_update(
        index_elements=["key"], set_=requeue, where=_FRONTIER.c.run_id != excluded.run_id
    )


def enqueue(session: Session, *, run_id: int, source_name: str, entries: Iterable[NewEntry]) -> None:
    """Queue entries for ``run_id``. Known URLs from earlier runs are re-queued, keeping their validators."""
    rows = {}
    for e in entries:
        key = entry_key(source_name, e.method, e.url, e.data)
        rows[key] = {
            "key": key,
            "source_name": source_name,
            "run_id": run_id,
            "url": e.url,
            "method": e.method,
            "data": e.data,
            "kind": e.kind,
            "dialect": e.dialect,
            "title": e.title,
            "state": "pending",
        }
    if rows:
        connection = session.connection()
        execute(connection, _upsert_statement(connection.dialect.name), list(rows.values()))


def pending(engine: Engine, *, run_id: int, kind: str) -> list[Entry]:
    """The run's pending entries of ``kind``, by URL."""
    with engine.connect() as connection:
        rows = connection.execute(_pending_statement(), {"run_id": run_id, "kind": kind})
        return [Entry(*row) for row in rows]


@cache
def _pending_statement() -> Any:
    columns = _FRONTIER.c
    return (
        select(*(columns[name] for name in _ENTRY_COLUMNS))
        .where(columns.run_id == bindparam("run_id"), columns.kind == bindparam("kind"))
        .where(columns.state == "pending")
        .order_by(columns.url)
    )


def mark_many(session: Session, marks: list[tuple[str, dict[str, Any]]]) -> None:
    """Record what each fetch ended in, ``(key, changes)`` each (``state`` done or failed, ``outcome``, a
    ``reason``, empty unless given, and what else changed), in the caller's transaction: one statement run for all
    the entries whose changes name the same columns (a group's pages in one ``executemany`` or a few)."""
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    done_at = utcnow()
    for key, values in marks:
        changes = {"reason": "", **values}
        if changes["state"] == "done":
            changes["done_at"] = done_at
        columns = tuple(sorted(changes))
        shapes.setdefault(columns, []).append(
            {"entry_key": key, **{f"new_{k}": v for k, v in changes.items()}}
        )
    connection = session.connection()
    for columns, params in shapes.items():
        execute(connection, _mark_statement(columns), params)


@cache
def _mark_statement(columns: tuple[str, ...]) -> Any:
    """An entry's update for these columns, built once (a statement per page would be compiled per page)."""
    values = {name: bindparam(f"new_{name}", type_=_FRONTIER.c[name].type) for name in columns}
    return update(_FRONTIER).where(_FRONTIER.c.key == bindparam("entry_key")).values(values)


def give_up_pending(engine: Engine, *, run_id: int, kind: str, reason: str) -> int:
    with write_session(engine) as session:
        result = session.execute(
            update(FrontierEntry)
            .where(
                col(FrontierEntry.run_id) == run_id,
                col(FrontierEntry.kind) == kind,
                col(FrontierEntry.state) == "pending",
            )
            .values(state="failed", outcome="failed", reason=reason)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def finish_run(engine: Engine, *, run_id: int, stats: dict[str, Any], error: str | None = None) -> None:
    with write_session(engine) as session:
        session.execute(
            update(CrawlRun)
            .where(col(CrawlRun.id) == run_id)
            .values(state="failed" if error else "finished", finished_at=utcnow(), stats=stats, error=error)
        )
