"""Database access for handlers.

On SQLite a read is a local call of well under a millisecond: async handlers run it on the event loop, because a
thread-pool hop costs more than the query (bench/api.py). On PostgreSQL every query is a network round trip, and a
blocked event loop would serialize every request of the replica: reads go to the thread pool. :func:`read` picks.
Full-text searches go to the thread pool on both (they take milliseconds).

``ConnectionDep`` is for the synchronous operator handlers (FastAPI runs them in the thread pool).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

T = TypeVar("T")


async def get_connection(request: Request) -> AsyncIterator[Connection]:
    with request.app.state.engine.connect() as connection:  # a pool checkout: rare endpoints, kept simple
        yield connection


ConnectionDep = Annotated[Connection, Depends(get_connection)]


def _with_connection(engine: Engine, work: Callable[[Connection], T]) -> T:
    with engine.connect() as connection:
        return work(connection)


def reader(engine: Engine) -> Engine:
    """The engine reads go through. SQLite: the store's own. PostgreSQL: a pool of its own in autocommit and
    without a ping per checkout, so that a read costs one round trip instead of four (ping, BEGIN, the query, the
    ROLLBACK that returns the connection); each statement sees committed data. A connection the server dropped
    (a restart, a failover) is noticed by the read that meets it, which :func:`read` then runs once more."""
    if engine.dialect.name != "postgresql":
        return engine
    return create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=False,
        pool_size=10,
        max_overflow=20,
        # timestamps come back in UTC, as the store's own type gives them (no conversion per row)
        connect_args={"client_encoding": "utf8", "options": "-c TimeZone=UTC"},
    )


def _read(engine: Engine, work: Callable[[Connection], T]) -> T:
    try:
        return _with_connection(engine, work)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _with_connection(engine, work)  # the pool was stale: reads are safe to repeat, once


async def read(request: Request, work: Callable[[Connection], T], *, slow: bool = False) -> T:
    """``work(connection)``: inline on SQLite (unless ``slow``), in the thread pool on a networked database."""
    engine: Engine = request.app.state.reader
    if engine.dialect.name == "sqlite" and not slow:
        return _with_connection(engine, work)
    return await run_in_threadpool(_read, engine, work)
