"""PostgreSQL's hot reads for the API (list pages, doc-by-id): :data:`store.sql.Plan` s run on sync psycopg
connections of their own, in threads of their own (:class:`ThreadReads`). psycopg is imported when the first
connection is made (:mod:`store.lazy`): a process on SQLite never imports it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from store.lazy import lazy_module
from store.sql import Plan, run_psycopg

if TYPE_CHECKING:
    import psycopg
else:  # imported by the first connection: a process on SQLite never imports it
    psycopg = lazy_module("psycopg")

T = TypeVar("T")
# threads for the hot reads: few, so that few take turns at the GIL with the event loop. A list page through 2, 4,
# 8 and 16 of them against the bare handler (bench/api.py's store, 20k documents, 8 connections, 8 interleaved
# turns of 1.5 s; server CPU a page): 2 and 4 threads 0.93x its req/s (879 µs), 8 0.87x (937 µs) at load 2.8-3.6;
# 4 threads 0.88x (852 µs), 16 0.82x (907 µs) at load 1.8-4.9, doc-by-id 1.10x and 1.04x
HOT_THREADS = 4
# threads for the slow plans (a filtered page, a count: their cost grows with the store), apart, so that they
# never hold up the hot reads' few
SLOW_THREADS = 16


class ThreadReads:
    """Sync psycopg connections for the API's reads of plans on PostgreSQL, in ``threads`` threads of their own
    (``slow_threads`` more for the slow plans), one connection a thread at a time (as many as reads at once, the
    idle ones kept); in autocommit, with timestamps in UTC, as the API's reader engine (api/deps.py). The event loop hands each read over and awaits
    it; the thread waits on the server without holding the GIL.

    Why not async psycopg on the event loop, which costs ~100 µs of CPU a request less: the loop is then
    the server's one thread, never idle under load (0.01 voluntary context switches a request in bench/api.py,
    8 connections), and on a shared machine the kernel gives such a thread its slice and no more. At load 6-7 on
    2 cores it waited in the run queue 390-680 µs a request (a third of its time), and a list page came out at
    0.71x the bare handler's req/s for the same CPU per request; through threads, 0.87x; doc-by-id 0.83x against
    0.94x (bench/api.py's store, 10 turns of 1.5 s, interleaved; /proc/PID/task/*/schedstat). With the machine
    idle the loop was ahead (1.27x and 1.09x of bare), and so it would be beside a database on another host.

    A read that finds its connection lost (a server restart, a failover) runs once more on a new one; a read
    failed otherwise keeps its connection unless it left a transaction open. Made and closed by the app's
    lifespan; :meth:`close` closes the idle connections at once and cancels the reads in flight."""

    def __init__(
        self, engine: Engine, *, threads: int = HOT_THREADS, slow_threads: int = SLOW_THREADS
    ) -> None:
        _, params = engine.dialect.create_connect_args(engine.url)
        self._params = {**params, "client_encoding": "utf8", "options": "-c TimeZone=UTC", "autocommit": True}
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="fazhi-read")
        self._slow = ThreadPoolExecutor(slow_threads, thread_name_prefix="fazhi-read-slow")
        self._idle: list[psycopg.Connection[Any]] = []
        self._busy: set[psycopg.Connection[Any]] = set()  # reading now: cancelled by close()
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, plan: Callable[[], Plan[T]], *, slow: bool = False) -> T:
        """``plan()`` run in one of the threads, the slow plans' if ``slow`` (its connection made anew for the
        second try). Cancelled, the awaiting request leaves the read to finish in its thread (its connection is
        kept)."""
        executor = self._slow if slow else self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, self._read, plan)

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
        with self._lock:
            self._busy.add(connection)
        keep = True
        try:
            return run_psycopg(connection, plan())
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
            self._busy.discard(connection)
            if keep and idle and not self._closed and not connection.closed and not connection.broken:
                self._idle.append(connection)
                return
        connection.close()

    async def close(self) -> None:
        """The reads not begun are dropped and those running cancelled on the server (a read stuck on a lock or a
        long plan would otherwise hold the process's exit, which waits for these threads): their requests end
        with an error, as the server stops anyway."""
        with self._lock:
            self._closed = True
            busy = list(self._busy)
        self._drop_idle()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._slow.shutdown(wait=False, cancel_futures=True)
        await asyncio.gather(*(asyncio.to_thread(_cancel, connection) for connection in busy))


def _cancel(connection: psycopg.Connection[Any]) -> None:
    # the read may have ended and its connection closed: nothing to cancel then
    with contextlib.suppress(Exception):
        connection.cancel_safe(timeout=5.0)
