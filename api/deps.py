"""Database access for handlers.

On SQLite a read is a local call of well under a millisecond: async handlers run it on the event loop, because a
thread-pool hop costs more than the query (bench/api.py), on one connection the app keeps for them (a pool
checkout and return cost ~15 µs a read). On PostgreSQL every query is a network round trip, and a blocked event
loop would serialize every request of the replica: reads go to the thread pool, and the hot reads
(:func:`run_plan`: list pages, doc-by-id) to threads of their own on sync psycopg connections while the app's
lifespan runs (:func:`lifespan`, :class:`store.reads.ThreadReads`: why threads and not async psycopg on the loop is
said there). :func:`read` picks. Full-text searches go to the thread pool on both (they take milliseconds), as
do SQLite's filtered pages, at most :data:`SQLITE_THREADS` at once there.

``ConnectionDep`` is for the synchronous operator handlers (FastAPI runs them in the thread pool).
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, FastAPI, Request
from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from store.reads import ThreadReads
from store.sql import Plan, run

T = TypeVar("T")
# SQLite's threaded reads (searches, filtered pages) at once, at most: one a core. Each holds the GIL for its
# Python part, and 8 threads contending for it cost a search ~7.5 ms of CPU against ~5 ms with 1 or 2 (fazhi
# serve, 8 connections cycling the 20 commonest words on the store of bench/api.py, 5 s runs, load 2.6-5);
# the searches of a networked database wait on the network, not the GIL, and keep the default pool of 40.
SQLITE_THREADS = min(os.cpu_count() or 2, 8)


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


class Held:
    """The SQLite connection the inline reads of one thread (the event loop's) share, taken from the pool on
    first use and kept. After each read no transaction is left open (each statement sees committed data, and
    no snapshot holds back a WAL checkpoint); a read on any other thread takes a pooled connection as before."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._thread: int | None = None

    def run(self, work: Callable[[Connection], T]) -> T:
        if self._thread is None:
            self._thread = threading.get_ident()
        elif self._thread != threading.get_ident():
            return _with_connection(self.engine, work)
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self.engine.connect()
        try:
            return work(connection)
        finally:
            if connection.in_transaction():
                connection.rollback()

    def close(self) -> None:
        connection, self._connection, self._thread = self._connection, None, None
        if connection is not None:
            connection.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the app serves: on PostgreSQL the threads and connections of the hot reads; on SQLite the limit of
    its threaded reads (:data:`SQLITE_THREADS`). At the end the connections and SQLite's held one are closed."""
    engine: Engine = app.state.reader
    app.state.hot_reads = ThreadReads(engine) if engine.dialect.name == "postgresql" else None
    app.state.thread_reads = (
        anyio.CapacityLimiter(SQLITE_THREADS) if engine.dialect.name == "sqlite" else None
    )
    try:
        yield
    finally:
        pool: ThreadReads | None = app.state.hot_reads
        app.state.hot_reads = app.state.thread_reads = None
        if pool is not None:
            await pool.close()
        app.state.held.close()


def _read(engine: Engine, work: Callable[[Connection], T]) -> T:
    try:
        return _with_connection(engine, work)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _with_connection(engine, work)  # the pool was stale: reads are safe to repeat, once


async def read(request: Request, work: Callable[[Connection], T], *, slow: bool = False) -> T:
    """``work(connection)``: inline on SQLite (unless ``slow``), in the thread pool on a networked database."""
    state: Any = request.app.state
    engine: Engine = state.reader
    if engine.dialect.name == "sqlite" and not slow:
        held: Held | None = getattr(state, "held", None)  # an app's; a bare request state has none
        return held.run(work) if held is not None else _with_connection(engine, work)
    limiter: anyio.CapacityLimiter | None = getattr(state, "thread_reads", None)  # None: anyio's default
    return await anyio.to_thread.run_sync(_read, engine, work, limiter=limiter)


async def run_plan(request: Request, plan: Callable[[str], Plan[T]], *, slow: bool = False) -> T:
    """``plan(dialect)`` (:data:`store.sql.Plan`): on SQLite inline, or ``slow`` (a plan whose cost grows with
    the store: a filtered list, a count) in the thread pool, as :func:`read`; on PostgreSQL in the hot reads'
    threads while the lifespan runs (:class:`store.reads.ThreadReads`; else, the app driven without one, in the
    thread pool through SQLAlchemy's)."""
    state: Any = request.app.state
    engine: Engine = state.reader
    dialect = engine.dialect.name
    pool: ThreadReads | None = getattr(state, "hot_reads", None)
    if pool is not None:
        return await pool.run(lambda: plan(dialect), slow=slow)
    return await read(request, lambda connection: run(connection, plan(dialect)), slow=slow)
