"""Engines and sessions. SQLite gets WAL, a 5 s busy timeout, and ``BEGIN IMMEDIATE`` for writers (STACK-NOTES 13)."""

from __future__ import annotations

import asyncio
import threading
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, TypeVar

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.pool import Pool
from sqlmodel import Session, create_engine

from store import models as _models  # noqa: F401  (registers the tables)
from store.errors import BadDatabaseURL, DatabaseUnusable
from store.migrate import upgrade
from store.sql import (
    _SEQSCAN_BACK,
    _SEQSCAN_OFF,
    Plan,
    Rows,
    Statement,
    _converted,
    _prepare,
    driver_sql,
    run_async,
)

T = TypeVar("T")

POSTGRES_DRIVERS = {"postgres", "postgresql", "postgresql+psycopg"}  # psycopg 3 is the one installed
# SQLite reads the first GiB of the file through a memory map instead of a read() and a copy per page: a row's
# columns after its body (url, source_name, fetched_at) are at the end of an overflow chain of ~6 pages, which a
# page of 50 summaries walks 50 times (bench/api.py: the list query 295 -> 188 µs). Reads only: SQLite writes
# with write() as before, and WAL is unchanged.
SQLITE_MMAP_BYTES = 1 << 30
# connections kept open per engine (SQLAlchemy's default is 5): the API's reads in the thread pool (searches,
# filtered pages) take one each, at once; a connection past the pool's size is closed when returned, and the next
# read opens another, whose page cache starts cold and which reads the schema again: a ranked search
# (store.queries.list_documents, sort=rank) on the store of bench/api.py cost 8.0 ms of CPU on a new connection
# against 6.0 ms on a kept one (median of 40, load 6.7)
SQLITE_POOL_SIZE = 20


def normalize_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (the usual spellings elsewhere) mean psycopg 3 here."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise BadDatabaseURL(
            f"not a database URL: {url!r} (expected e.g. sqlite:////var/lib/fazhi/fazhi.db or "
            "postgresql+psycopg://USER:PASSWORD@HOST:5432/DB)"
        ) from exc
    if parsed.drivername in POSTGRES_DRIVERS:
        return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    if parsed.get_backend_name() == "postgresql":
        raise BadDatabaseURL(
            f"driver {parsed.drivername!r} is not installed: use postgresql+psycopg:// (psycopg 3)"
        )
    if parsed.get_backend_name() != "sqlite":
        raise BadDatabaseURL(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:/// or postgresql+psycopg://"
        )
    return url


def make_engine(url: str, *, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite files get their directory, and with ``create`` the schema is migrated to the
    newest revision. A database that cannot be reached or used raises :class:`DatabaseUnusable`."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(url, parsed.database)
    else:
        engine = create_engine(url, pool_pre_ping=True, connect_args={"client_encoding": "utf8"})
    if create:
        try:
            upgrade(engine)
        except DatabaseUnusable:
            engine.dispose()
            raise
        except OperationalError as exc:
            engine.dispose()
            reason = str(exc.orig or exc).strip().splitlines()[0]
            raise DatabaseUnusable(
                f"cannot use the database at {parsed.render_as_string(hide_password=True)}: {reason} "
                f"({_hint(parsed.get_backend_name())})"
            ) from exc
    return engine


def _hint(backend: str) -> str:
    if backend == "sqlite":
        return "is the file writable by this user, and its directory too? SQLite writes its journal beside it"
    return "is it running, and are FAZHI_DATABASE_URL's host, port, user and password right?"


def _sqlite_file(database: str) -> Path:
    """The file of a SQLite database name (``file:PATH?…`` URIs too)."""
    return Path(database.removeprefix("file:")).expanduser()


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        folder = _sqlite_file(database).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnusable(
                f"cannot create the directory {folder} of the SQLite database: {exc.strerror or exc} "
                "(set FAZHI_DATABASE_URL to a file in a directory this user can write)"
            ) from exc
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 5},
        pool_size=SQLITE_POOL_SIZE,  # made when needed, then kept
        max_overflow=SQLITE_POOL_SIZE,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = connection.get_execution_options().get("fazhi_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# keyed by the engine's pool (shared with its execution_options views), weakly: an id() could be reused by a
# later engine's pool once this one is collected, and hand it the old engine's writer (another database)
_WRITE_LOCKS: weakref.WeakKeyDictionary[Pool, threading.Lock] = weakref.WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()


def _process_write_lock(engine: Engine) -> threading.Lock | None:
    """SQLite has one writer: threads of one process queue on a Python lock (woken at once) instead of
    SQLite's busy handler, which sleeps in growing steps. Other processes still meet the busy timeout."""
    if engine.dialect.name != "sqlite":
        return None
    with _LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(engine.pool, threading.Lock())


_WRITE_ENGINES: weakref.WeakKeyDictionary[Pool, Engine] = weakref.WeakKeyDictionary()


def _write_engine(engine: Engine) -> Engine:
    """The engine's writer view (``BEGIN IMMEDIATE`` on SQLite), made once: building one per write is not free."""
    writer = _WRITE_ENGINES.get(engine.pool)
    if writer is None:
        writer = _WRITE_ENGINES[engine.pool] = engine.execution_options(fazhi_write=True)
    return writer


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction takes the write lock up front, committed on success."""
    lock = _process_write_lock(engine)
    with (
        lock if lock is not None else nullcontext(),
        Session(_write_engine(engine)) as session,
    ):
        yield session
        session.commit()


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


class AsyncReads:
    """Async psycopg connections for the API's hot reads on PostgreSQL: on the event loop, without a thread per
    read (bench/api.py: ~100 µs of CPU a request less than the thread pool). In autocommit, timestamps in UTC,
    as the API's reader engine (api/deps.py); made on first use, at most ``size`` at once, the idle ones kept.

    A read that finds its connection lost (a server restart, a failover) drops the idle ones too and runs once
    more on a new connection; a read cancelled or failed otherwise leaves its connection closed. Made and closed
    by the app's lifespan, inside the event loop that serves it."""

    def __init__(self, engine: Engine, *, size: int = 16) -> None:
        _, params = engine.dialect.create_connect_args(engine.url)
        self._params = {**params, "client_encoding": "utf8", "options": "-c TimeZone=UTC", "autocommit": True}
        self._idle: list[psycopg.AsyncConnection[Any]] = []
        self._slots = asyncio.Semaphore(size)
        self._closed = False

    async def run(self, plan: Callable[[], Plan[T]]) -> T:
        """``plan()`` run on a pooled connection (made anew for the second try)."""
        async with self._slots:
            try:
                return await self._once(plan)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                await self._drop_idle()  # the server dropped them all, most likely
                return await self._once(plan)

    async def _once(self, plan: Callable[[], Plan[T]]) -> T:
        connection = self._idle.pop() if self._idle else await self._connect()
        try:
            result = await run_async(connection, plan())
        except DBAPIError as exc:
            await self._release(connection, keep=not exc.connection_invalidated)
            raise
        except Exception:  # the plan's own (AmbiguousPrefix): raised between its statements
            await self._release(connection, keep=True)
            raise
        except BaseException:  # cancelled mid-query: the connection's state is unknown
            await connection.close()
            raise
        await self._release(connection, keep=True)
        return result

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        try:
            return await psycopg.AsyncConnection.connect(**self._params)
        except psycopg.Error as exc:
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc

    async def _release(self, connection: psycopg.AsyncConnection[Any], *, keep: bool) -> None:
        idle = connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        if keep and idle and not self._closed and not connection.closed and not connection.broken:
            self._idle.append(connection)
        else:
            await connection.close()

    async def _drop_idle(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    async def close(self) -> None:
        """Closes the idle connections now, those in use when their read ends."""
        self._closed = True
        await self._drop_idle()


class ThreadReads:
    """Sync psycopg connections for the API's hot reads on PostgreSQL, in a pool of ``threads`` threads of their
    own, one connection a thread at a time (as many as reads at once, the idle ones kept); in autocommit, with
    timestamps in UTC, as the API's reader engine (api/deps.py). The event loop hands each read over and awaits
    it; the thread waits on the server without holding the GIL.

    Why not :class:`AsyncReads` on the event loop, which costs ~100 µs of CPU a request less: the loop is then
    the server's one thread, never idle under load (0.01 voluntary context switches a request in bench/api.py,
    8 connections), and on a shared machine the kernel gives such a thread its slice and no more. At load 6-7 on
    2 cores it waited in the run queue 390-680 µs a request (a third of its time), and a list page came out at
    0.71x the bare handler's req/s for the same CPU per request; through threads, 0.87x; doc-by-id 0.83x against
    0.94x (bench/api.py's store, 10 turns of 1.5 s, interleaved; /proc/PID/task/*/schedstat). With the machine
    idle the loop was ahead (1.27x and 1.09x of bare), and so it would be beside a database on another host.

    A read that finds its connection lost (a server restart, a failover) runs once more on a new one; a read
    failed otherwise keeps its connection unless it left a transaction open. Made and closed by the app's
    lifespan; :meth:`close` closes the idle connections at once, those in use when their read ends."""

    def __init__(self, engine: Engine, *, threads: int = 16) -> None:
        _, params = engine.dialect.create_connect_args(engine.url)
        self._params = {**params, "client_encoding": "utf8", "options": "-c TimeZone=UTC", "autocommit": True}
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="fazhi-read")
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, plan: Callable[[], Plan[T]]) -> T:
        """``plan()`` run in one of the threads (its connection made anew for the second try). Cancelled, the
        awaiting request leaves the read to finish in its thread (its connection is kept)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._read, plan)

    def _read(self, plan: Callable[[], Plan[T]]) -> T:
        try:
            return self._once(plan)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            self._drop_idle()  # the server dropped them all, most likely
            return self._once(plan)

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _once(self, plan: Callable[[], Plan[T]]) -> T:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None:
            connection = self._connect()
        keep = True
        try:
            return _run_sync(connection, plan())
        except DBAPIError as exc:
            keep = not exc.connection_invalidated
            raise
        except BaseException as exc:  # the plan's own (AmbiguousPrefix), raised between its statements: kept
            keep = isinstance(exc, Exception)
            raise
        finally:
            self._release(connection, keep=keep)

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.Connection.connect(**self._params)
        except psycopg.Error as exc:
            raise DBAPIError.instance(None, None, exc, psycopg.Error) from exc

    def _release(self, connection: psycopg.Connection[Any], *, keep: bool) -> None:
        idle = connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            if keep and idle and not self._closed and not connection.closed and not connection.broken:
                self._idle.append(connection)
                return
        connection.close()

    async def close(self) -> None:
        with self._lock:
            self._closed = True
        self._drop_idle()
        self._executor.shutdown(wait=False)


def _run_sync(connection: psycopg.Connection[Any], plan: Plan[T]) -> T:
    """``plan`` on a sync psycopg connection in autocommit: :func:`store.sql.run_async`'s statements, rows and
    errors (SQLAlchemy's :class:`DBAPIError`, ``connection_invalidated`` when the connection is lost)."""
    try:
        statements = next(plan)
        while True:
            try:
                rows = _step_sync(connection, statements)
            except psycopg.Error as exc:
                lost = connection.broken or connection.closed
                raise DBAPIError.instance(
                    statements[0].sql, statements[0].params, exc, psycopg.Error, connection_invalidated=lost
                ) from exc
            statements = plan.send(rows)
    except StopIteration as done:
        return done.value


def _step_sync(connection: psycopg.Connection[Any], statements: list[Statement]) -> list[Rows]:
    if len(statements) == 1 or any(s.no_seqscan for s in statements):
        return [_fetch_sync(connection, statement) for statement in statements]
    cursors = [connection.cursor(row_factory=dict_row) for _ in statements]
    try:
        with connection.pipeline():  # one round trip
            for cursor, statement in zip(cursors, statements, strict=True):
                cursor.execute(
                    driver_sql(statement.sql, "postgresql"), statement.params, prepare=_prepare(statement)
                )
        return [_converted(cursor.fetchall(), "postgresql") for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


def _fetch_sync(connection: psycopg.Connection[Any], statement: Statement) -> Rows:
    sql = driver_sql(statement.sql, "postgresql")
    with connection.cursor(row_factory=dict_row) as cursor:
        if statement.no_seqscan:  # as store.sql's: sequential scans off for this statement alone
            with connection.transaction():
                row = cursor.execute(_SEQSCAN_OFF).fetchone()
                prior = row["prior"] if row else "on"
                rows = cursor.execute(sql, statement.params, prepare=False).fetchall()
                cursor.execute(_SEQSCAN_BACK, {"prior": prior})
        else:
            rows = cursor.execute(sql, statement.params, prepare=_prepare(statement)).fetchall()
    return _converted(rows, "postgresql")
