"""Driver-level reads (store.sql) give exactly what SQLAlchemy Core gives, on both backends, and a server that
dropped the connection is reported the way Core reports it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import psycopg
import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from api.deps import reader
from store import Document, write_session
from store.documents import upsert_document
from store.models import Change, Sighting
from store.sql import Plan, Statement, driver_sql, fetch, run, run_psycopg


def _fill(db: Engine) -> None:
    with write_session(db) as session:
        for n, published in enumerate([date(2024, 3, 1), None]):
            upsert_document(
                session=session,
                document=Document(
                    id=f"{n}" * 64,
                    title=f"报告{n}",
                    body="正文",
                    url=f"http://127.0.0.2/{n}",
                    source_name="s",
                    publish_date=published,
                    report_year=2023 if published else None,
                    breadcrumb=["首页", "报告"],
                    attachments=[{"name": "附件", "url": "http://127.0.0.2/a.pdf"}],
                    provenance={"title": "meta"},
                    fetched_at=datetime(2026, 1, 2, 3, 4, 5, 0 if n else 678901, tzinfo=UTC),
                ),
                seen_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            )


@pytest.mark.parametrize("model", [Document, Sighting, Change])
def test_rows_equal_what_core_returns(db: Engine, model: type) -> None:
    _fill(db)
    table = model.__table__  # type: ignore[attr-defined]
    with db.connect() as connection:
        core = [dict(r) for r in connection.execute(select(table).order_by(table.c[0])).mappings()]
        ours = fetch(connection, f"SELECT * FROM {table.name} ORDER BY {table.c[0].name}")
    assert ours == core and len(ours) >= 2
    for row in ours:
        for value in row.values():
            if isinstance(value, datetime):
                assert value.tzinfo is UTC


def test_parameters_dates_and_the_driver_style(db: Engine) -> None:
    _fill(db)
    with db.connect() as connection:
        rows = fetch(
            connection,
            "SELECT id, publish_date FROM documents WHERE publish_date >= :day AND title = :title",
            {"day": date(2024, 1, 1), "title": "报告0"},
        )
    assert rows == [{"id": "0" * 64, "publish_date": date(2024, 3, 1)}]
    assert driver_sql("SELECT x::text FROM t WHERE a = :a AND b LIKE 'x%'", "postgresql") == (
        "SELECT x::text FROM t WHERE a = %(a)s AND b LIKE 'x%%'"
    )
    assert driver_sql("SELECT 1 WHERE a = :a", "sqlite") == "SELECT 1 WHERE a = :a"


def test_a_dropped_connection_is_invalidated_like_core_does(db: Engine) -> None:
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no server to lose")
    with db.connect() as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with db.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            fetch(connection, "SELECT 1 AS one")
    assert raised.value.connection_invalidated
    with db.connect() as connection:  # the pool made a new one
        assert fetch(connection, "SELECT 1 AS one") == [{"one": 1}]


@pytest.mark.parametrize("autocommit", [True, False])
def test_no_seqscan_plans_that_statement_alone(db: Engine, autocommit: bool) -> None:
    """PostgreSQL: the statement is planned without sequential scans; the setting is back to on afterwards, on
    an autocommit connection (the API's reads) and inside an open transaction alike, and after an error too."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the planner setting is PostgreSQL's")
    _fill(db)
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    with db.connect().execution_options(**options) as connection:
        plan = fetch(connection, "EXPLAIN SELECT count(*) AS n FROM documents", no_seqscan=True)
        assert "Seq Scan" not in " ".join(r["QUERY PLAN"] for r in plan)
        assert fetch(connection, "SHOW enable_seqscan") == [{"enable_seqscan": "on"}]
        with pytest.raises(DBAPIError):
            fetch(connection, "SELECT no_such_column FROM documents", no_seqscan=True)
        if not autocommit:
            connection.rollback()
        assert fetch(connection, "SHOW enable_seqscan") == [{"enable_seqscan": "on"}]
        assert fetch(connection, "SELECT count(*) AS n FROM documents", no_seqscan=True) == [{"n": 2}]


def test_no_seqscan_gives_back_the_callers_own_setting(db: Engine) -> None:
    """PostgreSQL: inside a transaction whose caller turned sequential scans off itself, they stay off after a
    ``no_seqscan`` statement (it restores the prior value, not ``on``)."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: the planner setting is PostgreSQL's")
    _fill(db)
    with db.connect() as connection:
        fetch(connection, "SELECT set_config('enable_seqscan', 'off', true) AS s")
        assert fetch(connection, "SELECT count(*) AS n FROM documents", no_seqscan=True) == [{"n": 2}]
        assert fetch(connection, "SHOW enable_seqscan") == [{"enable_seqscan": "off"}]
        connection.rollback()


# the probes prepared (the text split: this statement, prepared too, is not one of them)
_PREPARED = (
    "SELECT count(*) AS n FROM pg_prepared_statements WHERE strpos(statement, 'AS fazhi' || '_probe') > 0"
)


def _probes(plan_each_time: bool) -> Plan[list[int]]:
    """Two statements in one step (a pipeline on PostgreSQL), then the count of them prepared on this connection."""
    steps = [
        Statement(f"SELECT {n} AS fazhi_probe FROM documents LIMIT 1", {}, plan_each_time=plan_each_time)
        for n in (1, 2)
    ]
    rows = yield steps
    (prepared,) = yield [Statement(_PREPARED, {})]
    return [*(r[0]["fazhi_probe"] for r in rows), prepared[0]["n"]]


@pytest.mark.parametrize("plan_each_time", [True, False])
def test_a_pipelined_step_never_prepares_what_is_planned_each_time(db: Engine, plan_each_time: bool) -> None:
    """PostgreSQL: run ten times on one connection, a step of two statements goes in one pipeline, and psycopg
    prepares them from the fifth run on, unless they are ``plan_each_time``: the runner on SQLAlchemy's connection and
    the one on psycopg's (the API's hot reads) alike."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: psycopg prepares statements there")
    _fill(db)
    engine = reader(db)
    with engine.connect() as connection:
        synced = [run(connection, _probes(plan_each_time)) for _ in range(10)][-1]
    _, params = engine.dialect.create_connect_args(engine.url)
    with psycopg.Connection.connect(
        **params, autocommit=True
    ) as raw:  # store.sql.run_psycopg's own connection
        direct = [run_psycopg(raw, _probes(plan_each_time)) for _ in range(10)][-1]
    engine.dispose()
    assert synced == direct == [1, 2, 0 if plan_each_time else 2]
