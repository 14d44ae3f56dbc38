"""Page reading off the event loop: list parsing, extraction and jieba run in worker processes, each call under a
deadline. A call over it has its worker killed and replaced (a thread could only be abandoned, still holding the
GIL and its memory), so a hostile page costs at most ``timeout`` seconds of one worker and never stalls the loop
or the API on it. An exception in a worker, or a worker that dies, fails that one page (``parse_error: …``).
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import ctypes.util
import importlib
import multiprocessing
import os
import queue
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from crawler.errors import ExtractTimeout, ParseError

T = TypeVar("T")
_CONTEXT = multiprocessing.get_context("spawn")  # no fork of a process with threads (uvicorn, the scheduler)


PRELOAD = ("crawler.pipeline", "crawler.discover")  # imported before a worker says it is ready
WORKER_NICENESS = 10  # reading pages yields the CPU to the process that serves the API and drives the crawl
START_SECONDS = 60.0  # a worker that is not ready by then is a broken installation


def _serve(conn: Connection) -> None:
    """A worker's loop: run each ``(function, args)`` received, answer ``("ok", value)`` or ``("error", text)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops its workers
    _die_with_parent()
    os.nice(WORKER_NICENESS)  # the event loop (crawl and API) comes first when the CPUs are busy
    for module in PRELOAD:  # imports are not a page's time: they happen before the first deadline starts
        importlib.import_module(module)
    conn.send(("ready", None))
    while True:
        try:
            function, args = conn.recv()
        except (EOFError, OSError):  # the parent closed the pipe or died
            return
        try:
            answer: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:  # any failure of a page is that page's, never the worker's
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        conn.send(answer)


def _die_with_parent() -> None:
    """Linux: SIGKILL when the parent dies (even by kill -9), so a runaway page never outlives its crawl."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker ends at its next receive instead
        pass


class _Worker:
    def __init__(self) -> None:
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(START_SECONDS):
            self.kill()
            raise RuntimeError(f"an extraction worker did not start within {START_SECONDS:g} s")
        self.conn.recv()

    @property
    def alive(self) -> bool:
        return self.process.is_alive()

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], timeout: float) -> Any:
        try:
            self.conn.send((function, args))
            if not self.conn.poll(timeout):
                self.kill()
                raise ExtractTimeout(f"no answer within {timeout:g} s: the worker was stopped")
            status, value = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            self.kill()
            raise ParseError(f"worker died (exit code {self.process.exitcode})") from exc
        if status == "error":
            raise ParseError(value)
        return value

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class ExtractionPool:
    """``workers`` processes, started when first needed; ``await pool.run(f, *args, timeout=…)`` runs ``f`` in
    one of them. Not bound to an event loop: one pool serves every crawl of the process."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix="fazhi-extract")
        self._idle: queue.SimpleQueue[_Worker | None] = queue.SimpleQueue()
        for _ in range(workers):
            self._idle.put(None)  # a slot; its worker starts on first use
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()

    async def run(self, function: Callable[..., T], *args: Any, timeout: float) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._threads, self._call, function, args, timeout)

    def _call(self, function: Callable[..., T], args: tuple[Any, ...], timeout: float) -> T:
        worker = self._idle.get() or self._start()
        try:
            return worker.call(function, args, timeout)
        finally:
            if not worker.alive:
                with self._lock:
                    self._all.discard(worker)
            self._idle.put(worker if worker.alive else None)

    def _start(self) -> _Worker:
        worker = _Worker()
        with self._lock:
            self._all.add(worker)
        return worker

    def start_all(self) -> list[int]:
        """Start every worker now (else each starts on first use) and return their process ids."""
        while not self._idle.empty():
            if self._idle.get() is None:
                self._start()
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._idle.put(worker)
        return [w.process.pid or 0 for w in workers]

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.kill()
        self._threads.shutdown(wait=False, cancel_futures=True)


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
