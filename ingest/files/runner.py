"""Run a reader in a child process with a deadline and an address-space limit, so a pathological file can
neither hang nor bloat the worker that fetched it.

The child is started with ``spawn`` (a fresh interpreter: no locks or threads inherited from the crawler), sets
``RLIMIT_AS`` on itself, runs the reader and sends back the :class:`FileText` with its own peak RSS. The parent
waits up to the deadline, then kills it. Every outcome is a FileText: a timeout, a memory limit or a crash is
``failed`` with its reason. ``read_in_place`` keeps the memory bound for a process that is already a killable
worker (the crawler's extraction workers).
"""

from __future__ import annotations

import multiprocessing
import resource
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from ingest.files.extract import extract_file
from ingest.files.model import DEFAULT_LIMITS, FileLimits, FileText

_CONTEXT = multiprocessing.get_context("spawn")


@dataclass
class BoundedResult:
    text: FileText
    peak_rss_bytes: int | None  # the child's, as it measured itself; None when it was killed
    seconds: float


def read_bounded(
    content: bytes,
    name: str = "",
    limits: FileLimits = DEFAULT_LIMITS,
    reader: Callable[[bytes, str, FileLimits], FileText] = extract_file,
) -> BoundedResult:
    """``reader(content, name, limits)`` in a child process; ``reader`` must be importable (a module-level function)."""
    import time

    start = time.monotonic()
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(send, reader, content, name, limits), daemon=True)
    child.start()
    send.close()
    try:
        text, rss = _wait(receive, child, limits)
    finally:
        receive.close()
        _reap(child)
    return BoundedResult(text, rss, time.monotonic() - start)


def _wait(
    receive: Connection, child: multiprocessing.process.BaseProcess, limits: FileLimits
) -> tuple[FileText, int | None]:
    if receive.poll(limits.timeout_s):
        try:
            text, rss = receive.recv()
            return text, rss
        except EOFError:
            pass  # the child died before it could answer
    else:
        child.kill()
        return FileText(
            "unknown", "failed", f"timeout: no result within {limits.timeout_s:g} s (killed)"
        ), None
    child.join(5)
    return FileText("unknown", "failed", f"reader crashed (exit code {child.exitcode})"), None


def _reap(child: multiprocessing.process.BaseProcess) -> None:
    child.join(5)
    if child.is_alive():
        child.kill()
        child.join(5)
    child.close()


def _peak_rss() -> int:
    """This process's own high-water RSS (VmHWM). Not ru_maxrss: Linux carries that across exec from the parent."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(
    send: Connection,
    reader: Callable[[bytes, str, FileLimits], FileText],
    content: bytes,
    name: str,
    limits: FileLimits,
) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    try:
        text = reader(content, name, limits)
    except MemoryError:
        text = FileText(
            "unknown", "failed", f"memory limit: more than {limits.memory_bytes} bytes of address space"
        )
    send.send((text, _peak_rss()))
    send.close()


def read_in_place(content: bytes, name: str = "", limits: FileLimits = DEFAULT_LIMITS) -> BoundedResult:
    """Read a file in this (worker) process under the same memory bound as :func:`read_bounded`: at most
    ``limits.memory_bytes`` more address space than the process holds now, restored afterwards. The deadline is the
    caller's: a crawler's extraction worker is killed when a call overruns (``crawler.extraction``), which a
    thread could not be. Saves starting an interpreter per file (about a second on a busy machine)."""
    import time

    start = time.monotonic()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    ceiling = _status_bytes("VmSize:") + limits.memory_bytes
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    _reset_peak()
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))
    try:
        text = extract_file(content, name, limits)
    except MemoryError:
        text = FileText(
            "unknown", "failed", f"memory limit: more than {limits.memory_bytes} bytes of address space"
        )
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    return BoundedResult(text, _peak_rss(), time.monotonic() - start)


def _status_bytes(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> None:
    """Linux ≥ 4.0: writing 5 to clear_refs resets VmHWM to the current RSS, so the peak is this file's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass
