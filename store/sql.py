"""Driver-level reads for the API's hot paths: SQL text run on the DBAPI cursor, rows as plain dicts.

SQLAlchemy Core costs about three times the driver's own time on a 51-row page (statement building, result
processing, ``Row`` objects); these reads skip all of it and convert only the columns that need it, as Core would:
UTC datetimes (aware), dates, JSON. One SQL text serves both backends: parameters are written ``:name``, which
sqlite3 reads as is and psycopg gets as ``%(name)s``. The connection is still SQLAlchemy's (pool, events).

A read of several steps is a :data:`Plan`: a generator that yields the statements of each step and is sent
their rows, written once and run by :func:`run` on a SQLAlchemy connection or by :func:`run_psycopg` on a psycopg
connection of its own (the API's hot reads on PostgreSQL, store.reads): the same SQL and conversions either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

import orjson
from sqlalchemy import JSON, Boolean, Date, Table
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from store.lazy import lazy_module
from store.models import Change, Document, Sighting
from store.types import UTCDateTime

if TYPE_CHECKING:
    import psycopg
    from psycopg.rows import dict_row
else:  # PostgreSQL's paths only: a process on SQLite never imports psycopg
    psycopg = lazy_module("psycopg")

    def dict_row(cursor: Any) -> Any:
        return psycopg.rows.dict_row(cursor)


_TABLES: tuple[Table, ...] = (
    Document.__table__,  # type: ignore[attr-defined]
    Sighting.__table__,  # type: ignore[attr-defined]
    Change.__table__,  # type: ignore[attr-defined]
)
_PARAM = re.compile(r"(?<![:\w]):(\w+)")
Convert = Callable[[Any], Any]
Rows = list[dict[str, Any]]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Statement:
    """One read: SQL text with ``:name`` parameters, and how :func:`fetch` runs it."""

    sql: str
    params: dict[str, Any]
    plan_each_time: bool = False
    no_seqscan: bool = False


# yields the statements of a step (independent of each other: one round trip on PostgreSQL), is sent their rows
Plan = Generator[list[Statement], list[Rows], T]


def insert_for(dialect: str) -> Callable[..., Any]:
    """The dialect's ``insert`` (ON CONFLICT …). PostgreSQL's module is imported only there: ~20 ms of every
    SQLite start otherwise."""
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        return postgresql.insert
    from sqlalchemy.dialects import sqlite

    return sqlite.insert


def _sqlite_utc(value: str) -> datetime:
    return datetime.fromisoformat(value + "+00:00")  # stored naive in UTC; 6× cheaper than .replace(tzinfo=)


def pg_utc(value: datetime) -> datetime:
    return value if value.tzinfo is UTC else value.astimezone(UTC)


@cache
def converters(dialect: str) -> dict[str, Convert]:
    """Column name → conversion of the driver's value, for every column of the tables the API reads."""
    out: dict[str, Convert] = {}
    for table in _TABLES:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                out[column.name] = pg_utc if dialect == "postgresql" else _sqlite_utc
            elif dialect == "sqlite" and isinstance(column.type, Date):
                out[column.name] = date.fromisoformat
            elif dialect == "sqlite" and isinstance(column.type, JSON):
                out[column.name] = orjson.loads
            elif dialect == "sqlite" and isinstance(column.type, Boolean):
                out[column.name] = bool  # SQLite gives 0 and 1
    return out


@lru_cache(maxsize=1024)
def driver_sql(sql: str, dialect: str) -> str:
    """``sql`` in the driver's parameter style (psycopg: ``%(name)s``; a literal ``%`` doubled)."""
    if dialect != "postgresql":
        return sql
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


def _bind(value: Any, dialect: str) -> Any:
    if dialect == "sqlite" and isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()  # how the store writes dates there
    return value


def fetch(
    connection: Connection,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    plan_each_time: bool = False,
    no_seqscan: bool = False,
) -> list[dict[str, Any]]:
    """Rows of ``sql`` as dicts, with the store's column types (see :func:`converters`).

    ``plan_each_time``: the best plan depends on the values (a search: how common its words are). psycopg
    prepares a statement run five times, and PostgreSQL then settles on one plan for all values: not for these.
    ``no_seqscan`` (PostgreSQL; implies ``plan_each_time``): planned with sequential scans off, for this statement
    alone (``SET LOCAL`` in a transaction of its own). For a word nearly every document has, the planner prefers
    reading the whole search table to the GIN index, not costing that it then decompresses every row's
    ``tsvector`` from TOAST: ``EXPLAIN ANALYZE SELECT count(*) FROM documents_fts WHERE vector @@
    plainto_tsquery('simple', '政府')`` on the store of ``bench/api.py`` (20k documents, the word in all), with
    ``SET enable_seqscan`` on then off: 482 ms (a sequential scan) against 16 ms (the index), at load 4.
    """
    if no_seqscan and connection.dialect.name == "postgresql":
        return _fetch_without_seqscan(connection, sql, params or {})
    dialect = connection.dialect.name
    bound = {k: _bind(v, dialect) for k, v in (params or {}).items()}
    raw: Any = connection.connection.dbapi_connection
    postgres = dialect == "postgresql"
    # psycopg: dict rows straight from the result (its cursor.description builds a Column object per column)
    cursor = raw.cursor(row_factory=dict_row) if postgres else raw.cursor()
    try:
        if plan_each_time and postgres:
            cursor.execute(driver_sql(sql, dialect), bound, prepare=False)
        else:
            cursor.execute(driver_sql(sql, dialect), bound)
        if postgres:
            out = cursor.fetchall()
        else:
            names = [d[0] for d in cursor.description]
            out = [dict(zip(names, row)) for row in cursor.fetchall()]  # noqa: B905 (rows have every column)
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(connection, exc, sql, bound, raw, cursor) from exc
    finally:
        cursor.close()
    return _converted(out, dialect)


# sequential scans off for one statement, and back to what they were before it (a caller's own setting stays)
_SEQSCAN_OFF = "SELECT current_setting('enable_seqscan') AS prior, set_config('enable_seqscan', 'off', true)"
_SEQSCAN_BACK = "SELECT set_config('enable_seqscan', %(prior)s, true)"


def _fetch_without_seqscan(connection: Connection, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    raw: Any = connection.connection.dbapi_connection
    cursor = raw.cursor(row_factory=dict_row)
    try:
        with raw.transaction():  # BEGIN … COMMIT (a savepoint inside a transaction already open)
            prior = cursor.execute(_SEQSCAN_OFF).fetchone()["prior"]
            cursor.execute(driver_sql(sql, "postgresql"), params, prepare=False)
            out = cursor.fetchall()
            cursor.execute(_SEQSCAN_BACK, {"prior": prior})  # a savepoint's SET LOCAL would outlive it
    except connection.dialect.loaded_dbapi.Error as exc:
        raise _wrapped(connection, exc, sql, params, raw, cursor) from exc
    finally:
        cursor.close()
    return _converted(out, "postgresql")


def fetch_together(connection: Connection, statements: list[Statement]) -> list[list[dict[str, Any]]]:
    """Independent reads in one round trip on PostgreSQL (psycopg's pipeline mode), one after another on SQLite
    (where a query is a function call). A ``plan_each_time`` statement is never prepared, as in :func:`fetch`;
    ``no_seqscan`` needs a transaction of its own: run those with :func:`fetch`."""
    dialect = connection.dialect.name
    if dialect != "postgresql":
        return [fetch(connection, s.sql, s.params) for s in statements]
    raw: Any = connection.connection.dbapi_connection
    cursors = [raw.cursor(row_factory=dict_row) for _ in statements]
    try:
        with raw.pipeline():
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(
                    driver_sql(statement.sql, dialect), statement.params, prepare=_prepare(statement)
                )
        return [_converted(cursor.fetchall(), dialect) for cursor in cursors]
    except connection.dialect.loaded_dbapi.Error as exc:
        first = statements[0]
        raise _wrapped(connection, exc, first.sql, first.params, raw, cursors[0]) from exc
    finally:
        for cursor in cursors:
            cursor.close()


def _prepare(statement: Statement) -> bool | None:
    """psycopg's ``prepare``: ``False`` (never) for a statement planned each time, else its own choice (prepared
    from the fifth run on)."""
    return False if statement.plan_each_time else None


def _converted(rows: list[dict[str, Any]], dialect: str) -> list[dict[str, Any]]:
    if not rows:
        return rows
    table = converters(dialect)
    for name in rows[0]:
        convert = table.get(name)
        if convert is not None:
            for entry in rows:  # column by column: a loop per column instead of one per value
                value = entry[name]
                if value is not None:
                    entry[name] = convert(value)
    return rows


def _wrapped(
    connection: Connection, exc: Exception, sql: str, params: dict[str, Any], raw: Any, cursor: Any
) -> DBAPIError:
    """The driver's error as SQLAlchemy would raise it; a lost server connection is invalidated (the pool drops
    it, and ``connection_invalidated`` tells the caller a retry may work), as Core does."""
    lost = connection.dialect.is_disconnect(exc, raw, cursor)  # type: ignore[arg-type]
    if lost:
        connection.invalidate(exc)
    return DBAPIError.instance(  # type: ignore[return-value]
        sql, params, exc, connection.dialect.loaded_dbapi.Error, connection_invalidated=lost
    )


def placeholders(prefix: str, values: list[Any]) -> tuple[str, dict[str, Any]]:
    """``:prefix0, :prefix1 …`` and their parameters, for an ``IN (…)`` list."""
    params = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return ", ".join(f":{name}" for name in params), params


def run(connection: Connection, plan: Plan[T]) -> T:
    """``plan`` on a SQLAlchemy connection."""
    try:
        statements = next(plan)
        while True:
            statements = plan.send(_step(connection, statements))
    except StopIteration as done:
        return done.value


def _step(connection: Connection, statements: list[Statement]) -> list[Rows]:
    if len(statements) > 1 and not any(s.no_seqscan for s in statements):
        return fetch_together(connection, statements)
    return [
        fetch(connection, s.sql, s.params, plan_each_time=s.plan_each_time, no_seqscan=s.no_seqscan)
        for s in statements
    ]


def run_psycopg(connection: psycopg.Connection[Any], plan: Plan[T]) -> T:
    """``plan`` on a sync psycopg connection in autocommit (PostgreSQL; store.reads): the statements, rows and
    conversions of :func:`run`, and a driver error as SQLAlchemy's :class:`DBAPIError`, ``connection_invalidated``
    when the connection is lost."""
    try:
        statements = next(plan)
        while True:
            try:
                rows = _step_psycopg(connection, statements)
            except psycopg.Error as exc:
                lost = connection.broken or connection.closed
                raise DBAPIError.instance(
                    statements[0].sql, statements[0].params, exc, psycopg.Error, connection_invalidated=lost
                ) from exc
            statements = plan.send(rows)
    except StopIteration as done:
        return done.value


def _step_psycopg(connection: psycopg.Connection[Any], statements: list[Statement]) -> list[Rows]:
    if len(statements) == 1 or any(s.no_seqscan for s in statements):
        return [_fetch_psycopg(connection, statement) for statement in statements]
    cursors = [connection.cursor(row_factory=dict_row) for _ in statements]
    try:
        with connection.pipeline():  # one round trip, as fetch_together
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(
                    driver_sql(statement.sql, "postgresql"), statement.params, prepare=_prepare(statement)
                )
        return [_converted(cursor.fetchall(), "postgresql") for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _fetch_psycopg(connection: psycopg.Connection[Any], statement: Statement) -> Rows:
    sql = driver_sql(statement.sql, "postgresql")
    with connection.cursor(row_factory=dict_row) as cursor:
        if statement.no_seqscan:  # as _fetch_without_seqscan
            with connection.transaction():
                row = cursor.execute(_SEQSCAN_OFF).fetchone()
                prior = row["prior"] if row else "on"
                rows = cursor.execute(sql, statement.params, prepare=False).fetchall()
                cursor.execute(_SEQSCAN_BACK, {"prior": prior})
        else:
            rows = cursor.execute(sql, statement.params, prepare=_prepare(statement)).fetchall()
    return _converted(rows, "postgresql")
