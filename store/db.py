"""Engines and sessions. SQLite gets WAL, a 5 s busy timeout, and ``BEGIN IMMEDIATE`` for writers (STACK-NOTES 13)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.pool import Pool
from sqlmodel import Session, create_engine

from store import models as _models  # noqa: F401  (registers the tables)
from store.errors import BadDatabaseURL, DatabaseUnusable
from store.migrate import upgrade

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
    if not parsed.database or parsed.database == ":memory:":
        raise BadDatabaseURL(
            f"{url!r} is an in-memory SQLite database: each of fazhi's connections (the crawl's commit thread, the "
            "API's readers) would get an empty one of its own; use a file, e.g. sqlite:///fazhi.db"
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
