"""The frontier takes what a page lists, however much: inserts are chunked under the backends' variable limits
(one INSERT of more than ~19,000 rows failed on SQLite: too many SQL variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from store import make_engine, write_session
from store.frontier import NewEntry, enqueue, pending, start_run
from store.types import utcnow


def test_a_page_with_20000_links_is_queued_whole(db: Engine) -> None:
    run, _ = start_run(db, source_name="many", trigger="manual", seeds=[NewEntry("http://a.test/", "list")])
    assert run.id is not None
    links = [NewEntry(f"http://a.test/art/{i}.html", "detail", title="年度报告") for i in range(20_000)]
    with write_session(db) as session:
        enqueue(session, run_id=run.id, source_name="many", entries=links)
    assert len(pending(db, run_id=run.id, kind="detail")) == 20_000


def test_a_runs_pending_entries_are_read_from_their_own_index(tmp_path: Path) -> None:
    """``pending`` reads one run's entries of one kind from ``ix_frontier_run_kind_state`` (migration 0012), not
    from every pending entry of every source: the statement it runs, as SQLite plans it, beside other sources'
    thousands of pending entries."""
    db = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    runs = []
    for n in range(3):
        run, _ = start_run(
            db, source_name=f"s{n}", trigger="manual", seeds=[NewEntry(f"http://a.test/{n}", "list")]
        )
        assert run.id is not None
        links = [NewEntry(f"http://a.test/{n}/{i}.html", "detail") for i in range(2000)]
        with write_session(db) as session:
            enqueue(session, run_id=run.id, source_name=f"s{n}", entries=links)
        runs.append(run.id)
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "frontier" in statement:
            seen.append((statement, parameters))

    event.listen(db, "before_cursor_execute", record)
    assert len(pending(db, run_id=runs[1], kind="list")) == 1
    event.remove(db, "before_cursor_execute", record)
    ((statement, parameters),) = seen
    with db.connect() as connection:
        plan = " ".join(
            row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        )
    assert "ix_frontier_run_kind_state" in plan, plan
    db.dispose()


def test_a_pending_entry_holds_every_column_of_its_row(db: Engine) -> None:
    """``pending`` reads plain ``Entry`` values, not ORM objects: the same columns in the same order as the
    model's table, and the same values as the ORM loads (the JSON form data and the validators included)."""
    from dataclasses import asdict, fields

    from sqlmodel import Session, select

    from store import FrontierEntry
    from store.frontier import Entry

    assert [f.name for f in fields(Entry)] == [c.name for c in FrontierEntry.__table__.columns]  # type: ignore[attr-defined]
    run, _ = start_run(db, source_name="cols", trigger="manual", seeds=[NewEntry("http://a.test/", "list")])
    assert run.id is not None
    form = NewEntry("http://a.test/q", "detail", method="POST", data=[["page", "2"]], title="年度报告")
    with write_session(db) as session:
        enqueue(session, run_id=run.id, source_name="cols", entries=[form])
        session.execute(
            FrontierEntry.__table__.update()  # type: ignore[attr-defined]
            .where(FrontierEntry.__table__.c.url == form.url)  # type: ignore[attr-defined]
            .values(
                etag='"v1"',
                last_modified="Mon, 04 Mar 2024 09:00:00 GMT",
                checksum="c" * 64,
                http_status=304,
                document_id="d" * 64,
                done_at=utcnow(),
            )
        )
    (entry,) = pending(db, run_id=run.id, kind="detail")
    with Session(db) as session:
        row = session.exec(select(FrontierEntry).where(FrontierEntry.url == form.url)).one()
        loaded = {c: getattr(row, c) for c in asdict(entry)}
    assert asdict(entry) == loaded
    assert entry.data == [["page", "2"]] and entry.method == "POST" and entry.etag == '"v1"'
    assert entry.http_status == 304 and entry.done_at is not None and entry.done_at.tzinfo is not None
