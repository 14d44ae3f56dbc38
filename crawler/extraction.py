"""Page reading off the event loop: list parsing, extraction and jieba run in worker processes, each call under a
deadline; the loop waits on the worker's pipe itself (no thread hop). A call over it has its worker killed and
replaced (a thread could only be abandoned, still holding the GIL and its memory), so a hostile page costs at most
``timeout`` seconds of one worker and never stalls the loop or the API on it. An exception in a worker, or a worker
that dies, fails that one page (``parse_error: …``).

The deadline is the worker's own CPU time: the worker arms ``ITIMER_PROF`` for each call, and the kernel ends it
with SIGPROF when the call has used ``timeout`` CPU seconds (in C code too: nothing to poll, no ``/proc`` read per
page). A worker starved by a loaded machine is therefore not taken for a hostile page; one that neither answers
nor runs is stopped by the parent after ``WALL_FACTOR`` times the deadline in wall time.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import multiprocessing
import os
import pickle
import select
import signal
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar, cast

from crawler.errors import ExtractTimeout, ParseError
from crawler.extraction_worker import WORKER_NICENESS, dumps, serve

T = TypeVar("T")
_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a process with threads (uvicorn, the scheduler)


# a call that waits this long for a busy worker starts another (up to ``workers``): pages read faster than they are
# fetched keep one worker busy and the others never start (an unchanged recrawl reads only its list pages);
# a slow or hostile page holding a worker, or a starved worker, brings the next one in
GROW_AFTER = 0.5
# so does a backlog: this many calls in a row that each found every worker busy (one worker cannot keep up),
# while a burst (every source's first list page at once) is shorter than this and starts nothing
BACKLOG = 64
START_SECONDS = 60.0  # a worker that is not ready by then is a broken installation
WALL_FACTOR = 10.0  # a call's deadline is CPU time: in wall time a starved worker gets this many times that


class _Worker:
    """One worker process. It is started from the calling thread (PR_SET_PDEATHSIG follows the thread that
    started it: a worker started from a pool thread would be killed when that thread ends), then says it is ready."""

    def __init__(self, niceness: int = WORKER_NICENESS) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.killed = False
        self._waiter: asyncio.Future[None] | None = None
        self._watching: asyncio.AbstractEventLoop | None = None  # the loop whose selector watches the pipe
        self._poller = select.poll()  # the pipe's readiness (poll, not select: any descriptor number is fine)
        self._poller.register(self.conn.fileno(), select.POLLIN)
        self._unclaimed = 0  # readable callbacks in a row with nobody waiting
        self._answer: bytes | BaseException | None = None  # what the readable callback read, for the caller
        self.on_answer: Callable[[_Worker], bool] | None = None  # the pool's: sends it the next call at once
        self.handed = False  # on_answer sent it its next call: the call that just ended does not release it
        self.process: BaseProcess = _CONTEXT.Process(target=serve, args=(child, niceness), daemon=True)
        self.process.start()
        child.close()

    def wait_ready(self) -> None:
        if not self.conn.poll(START_SECONDS):
            self._not_started()
        self.conn.recv()

    async def ready(self) -> None:
        """Wait (on the loop, without blocking it) for the worker's imports to finish."""
        try:
            await self._readable(START_SECONDS)
            self._take()
        except (TimeoutError, EOFError, OSError):
            self._not_started()

    def _not_started(self) -> None:
        self.kill()
        raise RuntimeError(f"an extraction worker did not start within {START_SECONDS:g} s")

    async def _readable(self, timeout: float) -> None:
        """Wait until the worker's pipe is readable. The pipe stays watched between calls (no epoll change per
        page); a callback with nobody waiting is the one already queued when the answer was read, so only a
        pipe readable again and again with nobody waiting (a dead worker's end of file) stops the watch."""
        loop = asyncio.get_running_loop()
        readable = self._waiter = loop.create_future()
        if self._watching is not loop:
            loop.add_reader(self.conn.fileno(), self._wake)
            self._watching, self._unclaimed = loop, 0
        timer = loop.call_later(timeout, _expire, readable)
        try:
            await readable
        finally:
            timer.cancel()
            if self._waiter is readable:
                self._waiter = None

    def _take(self) -> bytes:
        """The answer the readable callback read, or the error reading it raised."""
        answer, self._answer = self._answer, None
        if not isinstance(answer, bytes):
            raise answer or EOFError()
        return answer

    def _wake(self) -> None:
        """The pipe is readable: the answer is read here, and the pool sends the worker its next call at once."""
        waiter = self._waiter
        if waiter is not None:  # a callback queued before this call's answer is read must not wake it early
            self._unclaimed = 0
            if not waiter.done() and self._poller.poll(0):
                try:
                    self._answer = self.conn.recv_bytes()
                except (EOFError, OSError) as exc:  # died: the waiting call says how
                    self._answer = exc
                waiter.set_result(None)
                if isinstance(self._answer, bytes) and self.on_answer is not None:
                    self.handed = self.on_answer(self)
            return
        self._unclaimed += 1
        if self._unclaimed > 2:
            self._unwatch()

    def _unwatch(self) -> None:
        loop, self._watching = self._watching, None
        if (
            loop is not None and _running_loop() is loop and not self.conn.closed
        ):  # (only from the loop's thread)
            loop.remove_reader(self.conn.fileno())

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    async def call(self, call: bytes, timeout: float, *, sent: bool = False) -> Any:
        """Run ``call`` (a pickled ``(function, args, timeout)``; ``sent``: the pool has sent it already) in this
        worker; the loop waits on the pipe (no thread). The worker stops itself after ``timeout`` seconds of its
        own CPU time; a worker that neither answers nor runs is stopped after ``WALL_FACTOR`` times that in wall
        time."""
        try:
            if not sent:
                self.conn.send_bytes(call)
            await self._readable(timeout * WALL_FACTOR)
            answer = self._take()
        except TimeoutError:
            self.kill()
            raise ExtractTimeout(f"no answer within {timeout:g} s: the worker was stopped") from None
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            if self.process.exitcode == -signal.SIGPROF:  # its CPU deadline
                raise ExtractTimeout(
                    f"no answer within {timeout:g} s of CPU: the worker was stopped"
                ) from None
            raise ParseError(f"worker died (exit code {self.process.exitcode})") from exc
        except BaseException:  # cancelled mid-call: its late answer must not reach the next caller
            if not isinstance(self._answer, bytes):  # (answered already, it may be on its next call: kept)
                self.kill()
            self._answer = None
            raise
        try:
            status, value = pickle.loads(answer)  # noqa: S301 (our worker: as conn.recv)
        except Exception as exc:  # a value that does not unpickle here: that page's failure, not the worker's
            raise ParseError(f"unreadable answer: {type(exc).__name__}: {exc}"[:300]) from exc
        if status == "error":
            raise ParseError(value)
        return value

    def kill(self) -> None:
        self.killed = True
        self._unwatch()
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class ExtractionPool:
    """Up to ``workers`` processes, the first started when first needed, each other one when a call has waited
    ``GROW_AFTER`` seconds for the workers that are up, all busy (the time counts from the call's arrival or from
    the last worker's start, whichever is later: a call that queued while a worker started has not waited for a
    busy one), or when ``BACKLOG`` calls in a row each found every worker busy. ``await pool.run(f, *args,
    timeout=…)`` runs ``f`` in one of them. The event loop talks to a worker through its pipe: no thread between
    them. Not bound to an event loop: one pool serves every crawl of the process (one loop at a time).
    ``niceness``: the workers' (the indexing step's pool is nicer than the crawl's)."""

    def __init__(self, workers: int, *, niceness: int = WORKER_NICENESS) -> None:
        self.workers, self.niceness = workers, niceness
        self._idle: list[_Worker] = []
        self._booting: list[_Worker] = []  # started by prestart(), not yet known to be ready
        self._starting = 0
        # calls waiting for a worker, each with its pickled call: a worker that answers is sent the first at once
        self._waiting: collections.deque[tuple[asyncio.Future[_Worker | None], bytes]] = collections.deque()
        self._paused: list[asyncio.Future[_Worker | None]] = []  # no growth timer while a worker starts
        self._all: set[_Worker] = set()
        self._ready_at = 0.0  # time.monotonic() when the last worker became ready
        self._backlog = 0  # calls in a row that found every worker busy
        self._lock = threading.Lock()

    async def run(self, function: Callable[..., T], *args: Any, timeout: float) -> T:
        call = dumps((function, args, timeout))  # once: sent by whoever gets it a worker
        worker, sent = await self._acquire(call)
        try:
            return cast(T, await worker.call(call, timeout, sent=sent))
        finally:
            self._release(worker)

    async def _acquire(self, call: bytes) -> tuple[_Worker, bool]:
        """A worker for ``call``, and whether it was sent to it already (handed over as the worker answered)."""
        waited = False  # this call waited GROW_AFTER for the workers that are up, all busy
        arrived, queued = time.monotonic(), False
        while True:
            while self._idle:  # one may have died idle (the thread that started it ended)
                worker = self._idle.pop()
                if worker.alive:
                    if not queued:
                        self._backlog = 0
                    return worker, False
                with self._lock:
                    self._all.discard(worker)
            room = len(self._all) + self._starting < self.workers
            if not queued and self._all and not self._starting:  # every worker that is up is busy
                queued, self._backlog = True, self._backlog + 1
                waited = self._backlog >= BACKLOG
            if self._booting or (room and (waited or not (self._all or self._starting))):
                self._starting += 1
                starting: _Worker | None = None
                try:  # from the loop's thread, which lives as long as the crawls
                    worker = starting = self._booting.pop() if self._booting else _Worker(self.niceness)
                    await worker.ready()
                except BaseException:  # cancelled while it started: it is in no list close() reads
                    if starting is not None:
                        starting.kill()
                    raise
                finally:
                    self._starting -= 1
                    self._resume()
                self._ready_at, self._backlog = time.monotonic(), 0
                worker.on_answer = self._hand_over
                with self._lock:
                    self._all.add(worker)
                return worker, False
            queued = True  # (a call that waited for a starting worker breaks no streak either)
            waiter: asyncio.Future[_Worker | None] = asyncio.get_running_loop().create_future()
            self._waiting.append((waiter, call))
            grow_at = max(arrived, self._ready_at) + GROW_AFTER
            if room and self._starting:  # no growth while one starts: woken when it is up, to time from then
                self._paused.append(waiter)
            try:
                async with asyncio.timeout(
                    max(grow_at - time.monotonic(), 0.0) if room and not self._starting else None
                ):
                    await waiter
            except TimeoutError:  # one more worker if the others are up and busy (not while one starts)
                late = time.monotonic() >= max(arrived, self._ready_at) + GROW_AFTER
                waited = bool(self._all) and not self._starting and late
            except BaseException:  # cancelled: a call sent to a worker must not answer the next caller
                if waiter.done() and not waiter.cancelled():
                    if given := waiter.result():
                        given.kill()
                        self._release(given)
                    else:  # woken for a free worker or a start that ended: the next waiting call goes instead
                        self._wake_next()
                raise
            if waiter.done() and not waiter.cancelled() and (given := waiter.result()):
                return given, True  # sent to a worker as it answered (the growth timer may have come too)

    def _resume(self) -> None:
        """A worker has started (or failed to): the calls paused meanwhile look again, timing from now."""
        paused, self._paused = self._paused, []
        for waiter in paused:
            if not waiter.done():
                waiter.set_result(None)

    def _hand_over(self, worker: _Worker) -> bool:
        """``worker`` has just answered (its readable callback): send it the first waiting call now, rather than
        when the loop has come round to the call that ended and then to the one waiting. True when one was sent."""
        while self._waiting:
            waiter, call = self._waiting[0]
            if waiter.done():  # its caller stopped waiting (cancelled, or off to start a worker)
                self._waiting.popleft()
                continue
            try:
                worker.conn.send_bytes(call)
            except OSError:  # gone: the call that ended releases it, and wakes this waiter then
                return False
            self._waiting.popleft()
            waiter.set_result(worker)
            return True
        return False

    def _release(self, worker: _Worker) -> None:
        handed, worker.handed = worker.handed, False  # handed: its next call is on it already (_hand_over)
        if worker.killed:
            with self._lock:
                self._all.discard(worker)
        elif not handed:  # it answered (a worker that died idle is found by _acquire)
            self._idle.append(worker)
        if not handed:
            self._wake_next()

    def _wake_next(self) -> None:
        """The first call still waiting looks again (a worker is free, or there is room to start one)."""
        while self._waiting:
            waiter, _ = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def prestart(self, count: int | None = None) -> None:
        """Start ``count`` workers' processes (default: all of them) now without waiting for them: their start-up
        (imports) overlaps the caller's own, and the first calls wait only for what is left of it; the others
        start when the calls first overlap. Call it from a thread that lives as long as the pool (the main
        thread)."""
        wanted = self.workers if count is None else min(count, self.workers)
        while len(self._all) + self._starting + len(self._booting) < wanted:
            self._booting.append(_Worker(self.niceness))

    def start_all(self) -> list[int]:
        """Start every worker now (else each starts on first use) and return their process ids."""
        while len(self._all) < self.workers:
            worker = self._booting.pop() if self._booting else _Worker(self.niceness)
            worker.wait_ready()
            worker.on_answer = self._hand_over
            with self._lock:
                self._all.add(worker)
            self._idle.append(worker)
        return [w.process.pid or 0 for w in self._all]

    def close(self) -> None:
        with self._lock:
            workers, self._all, self._idle = [*self._all, *self._booting], set(), []
            self._booting = []
        for worker in workers:
            worker.kill()


_shared: ExtractionPool | None = None
_shared_lock = threading.Lock()


def shared_pool(workers: int | None = None) -> ExtractionPool:
    """The process's pool (created on first use with ``workers``, default: the CPU count, at most 4)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ExtractionPool(workers or min(4, os.cpu_count() or 1))
            atexit.register(_shared.close)
        return _shared
