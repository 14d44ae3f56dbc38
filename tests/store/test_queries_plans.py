"""store.queries' plans: a document with its sightings and versions is what the sightings table says, on both
backends (PostgreSQL reads it in one statement, its sightings as JSON); on PostgreSQL, the reads of the API's hot
paths (store.reads.ThreadReads) give exactly what the same plans give on a
SQLAlchemy connection, keep their connection through the plan's own errors, survive the server dropping it and
close everything they opened."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from api.deps import reader
from store import Document, write_session
from store.documents import upsert_document
from store.errors import AmbiguousPrefix
from store.models import Sighting
from store.queries import Filters, count_plan, document_plan, document_with_sightings, list_plan
from store.reads import ThreadReads
from store.sql import Statement, run
from tests.store.test_sql import _probes

T0 = datetime(2026, 1, 2, 3, 4, 5, 120000, tzinfo=UTC)
A, B = "a" * 64, "a" * 8 + "b" * 56  # one prefix of 8 for both: ambiguous


def _fill(db: Engine) -> None:
    """A seen at /1 and /2 (twice at /1), then B at /1 (a new body there), and C alone elsewhere."""
    visits = [(A, "/1", 0), (A, "/2", 1), (A, "/1", 2), (B, "/1", 3), ("c" * 64, "/3", 4)]
    with write_session(db) as session:
        for doc_id, path, hours in visits:
            upsert_document(
                session=session,
                document=Document(
                    id=doc_id,
                    title=f"报告{doc_id[:2]}",
                    body=f"正文{doc_id}",
                    url=f"http://127.0.0.2{path}",
                    source_name="s",
                    breadcrumb=["首页"],
                    fetched_at=T0,
                ),
                seen_at=T0 + timedelta(hours=hours, microseconds=7 if hours == 1 else 0),
            )


def _sightings_table(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as connection:
        rows = connection.execute(select(Sighting.__table__)).mappings()  # type: ignore[attr-defined]
        fields = ("document_id", "url", "source_name", "first_seen", "last_seen")
        return [{k: r[k] for k in fields} for r in rows]


def test_a_document_comes_with_its_sightings_and_the_other_bodies_at_its_urls(db: Engine) -> None:
    _fill(db)
    table = _sightings_table(db)
    mine = sorted((r for r in table if r["document_id"] == A), key=lambda r: (r["first_seen"], r["url"]))
    urls = {r["url"] for r in mine}
    others = sorted(
        (r for r in table if r["document_id"] != A and r["url"] in urls),
        key=lambda r: (r["first_seen"], r["url"]),
    )
    with db.connect() as connection:
        document = document_with_sightings(connection, A)
    assert document is not None and document["id"] == A and document["breadcrumb"] == ["首页"]
    assert document["sightings"] == [{k: v for k, v in r.items() if k != "document_id"} for r in mine]
    assert [s["url"] for s in document["sightings"]] == ["http://127.0.0.2/1", "http://127.0.0.2/2"]
    assert document["sightings"][1]["first_seen"] == T0 + timedelta(hours=1, microseconds=7)
    assert all(s["last_seen"].tzinfo is UTC for s in document["sightings"])
    assert document["versions"] == [
        {"id": r["document_id"], "url": r["url"], "first_seen": r["first_seen"], "last_seen": r["last_seen"]}
        for r in others
    ]
    assert [v["id"] for v in document["versions"]] == [B]
    with db.connect() as connection:
        by_prefix = document_with_sightings(connection, A[:12])
        assert document_with_sightings(connection, "d" * 64) is None
    assert by_prefix == document


def _postgres(db: Engine) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the hot reads are PostgreSQL's")


def test_hot_reads_give_what_the_sync_reads_give(db: Engine) -> None:
    _postgres(db)
    _fill(db)
    plans = [
        lambda: list_plan("postgresql", filters=Filters(), limit=2),
        lambda: list_plan("postgresql", filters=Filters(), sort="-seq", after=(3, 3), limit=5),
        lambda: count_plan("postgresql", filters=Filters()),
        lambda: document_plan(A, with_sightings=True, dialect="postgresql"),
        lambda: document_plan(B[:10], with_sightings=True, dialect="postgresql"),
        lambda: document_plan(A, dialect="postgresql"),
    ]
    engine = reader(db)  # the API's: UTC timestamps, autocommit
    with engine.connect() as connection:
        expected = [run(connection, plan()) for plan in plans]
    pool = ThreadReads(engine)

    async def both() -> list[Any]:
        try:
            return [await pool.run(plan) for plan in plans]
        finally:
            await pool.close()

    assert asyncio.run(both()) == expected
    engine.dispose()


def test_hot_reads_keep_their_connection_through_errors_and_survive_a_dropped_one(db: Engine) -> None:
    _postgres(db)
    _fill(db)
    pool = ThreadReads(reader(db))

    def backend_pid() -> Any:
        (rows,) = yield [Statement("SELECT pg_backend_pid() AS pid", {})]
        return rows[0]["pid"]

    def bad() -> Any:
        yield [Statement("SELECT no_such_column FROM documents", {})]

    async def scenario() -> tuple[Any, ...]:
        try:
            first = await pool.run(backend_pid)
            with pytest.raises(AmbiguousPrefix):  # A and B share it
                await pool.run(lambda: document_plan("a" * 8, dialect="postgresql"))
            with pytest.raises(DBAPIError) as raised:
                await pool.run(bad)
            assert not raised.value.connection_invalidated
            kept = await pool.run(backend_pid)
            with db.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept})
            after = await pool.run(backend_pid)  # the dropped connection is noticed, and the read run again
            return first, kept, after
        finally:
            await pool.close()

    first, kept, after = asyncio.run(scenario())
    assert first == kept != after
    # nothing left open by the pool: its connection closed, the server's backend exits soon after (not at once:
    # under load the count was still 1 just after the close), so it is looked for again for a while
    left = 1
    for _ in range(200):
        with db.connect() as connection:  # a transaction each time: one sees one snapshot of the activity
            left = connection.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid = :pid"
                ),
                {"pid": after},
            ).scalar()
        if left == 0:
            break
        time.sleep(0.05)
    assert left == 0


@pytest.mark.parametrize("plan_each_time", [True, False])
def test_the_threaded_hot_reads_pipeline_a_step_and_prepare_as_the_sync_runner(
    db: Engine, plan_each_time: bool
) -> None:
    """store.reads.ThreadReads on one connection, ten runs: a step of two statements in one pipeline, prepared
    from the fifth run on unless ``plan_each_time``, as store.sql's runners do (tests/store/test_sql.py)."""
    _postgres(db)
    _fill(db)
    engine = reader(db)
    with engine.connect() as connection:
        synced = [run(connection, _probes(plan_each_time)) for _ in range(10)][-1]
    pool = ThreadReads(engine, threads=1)  # one thread, one connection for every run

    async def runs() -> Any:
        try:
            return [await pool.run(lambda: _probes(plan_each_time)) for _ in range(10)][-1]
        finally:
            await pool.close()

    threaded = asyncio.run(runs())
    engine.dispose()
    assert synced == threaded == [1, 2, 0 if plan_each_time else 2]


def test_closing_the_hot_reads_cancels_a_read_in_flight(db: Engine) -> None:
    """A read stuck on the server (here a sleep of a minute) is cancelled by close(): the process's exit, which
    waits for the pool's threads, is not held up by it."""
    _postgres(db)
    pool = ThreadReads(reader(db), threads=1)

    def sleeper() -> Any:
        (rows,) = yield [Statement("SELECT pg_sleep(60) AS slept", {})]
        return rows

    def sleeping() -> int:
        with db.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep(60)%'")
                ).scalar_one()
            )

    async def scenario() -> BaseException | None:
        read = asyncio.ensure_future(pool.run(sleeper))
        for _ in range(600):  # until the server runs it
            if sleeping():
                break
            await asyncio.sleep(0.05)
        await pool.close()
        try:
            await read
        except DBAPIError as exc:
            return exc
        return None

    raised = asyncio.run(scenario())
    assert raised is not None and "cancel" in str(raised.orig).lower()
