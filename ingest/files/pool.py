"""Warm bounded readers: :func:`ingest.files.runner.read_bounded`'s guarantees without a new interpreter per file.

A crawl reads many attachments; starting a fresh interpreter for each (and importing the readers) costs about a
second on a busy machine. A :class:`ReaderPool` keeps up to ``size`` child processes, each under its address-space
limit (``RLIMIT_AS``), reading one file at a time. A read over its deadline has its child killed (the next read
starts a new one); a child that died, hit its memory limit or grew past ``recycle_rss_bytes`` is replaced. Each
answer carries the peak RSS of that read alone (the child resets its high-water mark before each file).
"""

from __future__ import annotations

import atexit
import multiprocessing
import queue
import resource
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from ingest.files.extract import extract_file
from ingest.files.model import DEFAULT_LIMITS, FileLimits, FileText
from ingest.files.runner import BoundedResult

_CONTEXT = multiprocessing.get_context("spawn")
Reader = Callable[[bytes, str, FileLimits], FileText]
START_SECONDS = 60.0
RECYCLE_RSS_BYTES = 300 * 1024 * 1024  # a child holding more than this after a file is replaced


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    """Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def _serve(conn: Connection, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    conn.send("ready")
    while True:
        try:
            reader, content, name, limits = conn.recv()
        except (EOFError, OSError):
            return
        _reset_peak()
        try:
            text = reader(content, name, limits)
        except MemoryError:
            text = FileText(
                "unknown", "failed", f"memory limit: more than {memory_bytes} bytes of address space"
            )
        del content
        conn.send((text, _status_kb("VmHWM:"), _status_kb("VmRSS:")))
        if text.reason and text.reason.startswith("memory limit"):
            return  # a process that ran out of memory is not trusted with the next file


class _Child:
    def __init__(self, memory_bytes: int) -> None:
        self.memory_bytes = memory_bytes
        self.conn, child = _CONTEXT.Pipe()
        self.process: BaseProcess = _CONTEXT.Process(target=_serve, args=(child, memory_bytes), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(START_SECONDS):
            self.kill()
            raise RuntimeError(f"a file reader did not start within {START_SECONDS:g} s")
        self.conn.recv()

    def read(
        self, reader: Reader, content: bytes, name: str, limits: FileLimits
    ) -> tuple[FileText, int | None, int]:
        try:
            self.conn.send((reader, content, name, limits))
            if not self.conn.poll(limits.timeout_s):
                self.kill()
                reason = f"timeout: no result within {limits.timeout_s:g} s (killed)"
                return FileText("unknown", "failed", reason), None, 0
            text, peak, rss = self.conn.recv()
            return text, peak, rss
        except (EOFError, OSError):
            self.kill()
            return (
                FileText("unknown", "failed", f"reader crashed (exit code {self.process.exitcode})"),
                None,
                0,
            )

    def kill(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


class ReaderPool:
    """``pool.read(content, name, limits)`` from any thread: at most ``size`` files are read at once, each by
    ``reader`` (a module-level function, like :func:`~ingest.files.runner.read_bounded`'s)."""

    def __init__(
        self, size: int = 2, recycle_rss_bytes: int = RECYCLE_RSS_BYTES, reader: Reader = extract_file
    ) -> None:
        self.recycle_rss_bytes, self.reader = recycle_rss_bytes, reader
        self._idle: queue.SimpleQueue[_Child | None] = queue.SimpleQueue()
        for _ in range(size):
            self._idle.put(None)
        self._all: set[_Child] = set()
        self._lock = threading.Lock()

    def read(self, content: bytes, name: str = "", limits: FileLimits = DEFAULT_LIMITS) -> BoundedResult:
        started = time.monotonic()
        child = self._idle.get()
        try:
            if child is None or child.memory_bytes != limits.memory_bytes or not child.process.is_alive():
                child = self._replace(child, limits.memory_bytes)
            text, peak, rss = child.read(self.reader, content, name, limits)
            spent = rss > self.recycle_rss_bytes or (text.reason or "").startswith("memory limit")
            if spent and child.process.is_alive():
                child.kill()
        finally:
            self._release(child)
        return BoundedResult(text, peak, time.monotonic() - started)

    def _release(self, child: _Child | None) -> None:
        alive = child is not None and child.process.is_alive()
        if child is not None and not alive:
            with self._lock:
                self._all.discard(child)
        self._idle.put(child if alive else None)

    def _replace(self, child: _Child | None, memory_bytes: int) -> _Child:
        with self._lock:
            if child is not None:
                self._all.discard(child)
                child.kill()
            fresh = _Child(memory_bytes)
            self._all.add(fresh)
            return fresh

    def close(self) -> None:
        with self._lock:
            children, self._all = list(self._all), set()
        for child in children:
            child.kill()


_shared: ReaderPool | None = None
_shared_lock = threading.Lock()


def shared_readers(size: int = 2) -> ReaderPool:
    """The process's reader pool (created on first use)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ReaderPool(size)
            atexit.register(_shared.close)
        return _shared
