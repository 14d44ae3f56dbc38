"""The worker process's side of ``crawler.extraction``: its loop (each call under a CPU-time deadline the kernel
enforces with SIGPROF), its niceness, and its end with the parent. Imported by the spawned worker alone (and by the
pool, for its start-up arguments and the pickling of calls).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import os
import pickle
import signal
from multiprocessing.connection import Connection
from typing import Any

# imported before a worker says it is ready
PRELOAD = ("crawler.pipeline", "crawler.discover", "ingest.extract", "numpy")
WORKER_NICENESS = 10  # reading pages yields the CPU to the process that serves the API and drives the crawl
LOWEST_NICENESS = 19  # a pool asking for it also runs under SCHED_IDLE (_idle_policy)


def serve(conn: Connection, niceness: int = WORKER_NICENESS) -> None:
    """A worker's loop: run each ``(function, args, timeout)`` received under a CPU-time deadline of ``timeout``
    seconds (SIGPROF ends the process), answer ``("ok", value)`` or ``("error", text)``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops its workers
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the CPU deadline: the kernel terminates the worker
    _die_with_parent()
    os.nice(niceness)  # the event loop (crawl and API) comes first when the CPUs are busy
    if niceness >= LOWEST_NICENESS:
        _idle_policy()
    for module in PRELOAD:  # imports are not a page's time: they happen before the first deadline starts
        importlib.import_module(module)
    if not _answer(conn, dumps(("ready", None))):
        return
    while True:
        try:
            function, args, timeout = pickle.loads(conn.recv_bytes())  # noqa: S301 (our parent: as conn.recv)
        except (EOFError, OSError):  # the parent closed the pipe or died
            return
        signal.setitimer(signal.ITIMER_PROF, timeout)
        try:
            answer: tuple[str, Any] = ("ok", function(*args))
        except Exception as exc:  # any failure of a page is that page's, never the worker's
            answer = ("error", f"{type(exc).__name__}: {exc}"[:300])
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
        if not _answer(conn, dumps(answer)):
            return


def _idle_policy() -> None:
    """Linux: ``SCHED_IDLE``, the CPU time no process at any nice level wants. A pool asking for the lowest
    niceness (the indexing step's) gets it: under a crawl that itself runs niced, its extraction workers are at
    nice 19 too, and would otherwise share a CPU evenly with jieba."""
    policy = getattr(os, "SCHED_IDLE", None)
    if policy is not None:
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, policy, os.sched_param(0))


def _answer(conn: Connection, message: bytes) -> bool:
    """Send ``message`` to the parent; False when the parent has closed its end (a crawl that ended while this
    worker started or read its last page): the worker then ends quietly, with nothing left to answer."""
    try:
        conn.send_bytes(message)
    except (BrokenPipeError, ConnectionResetError, EOFError):
        return False
    return True


def dumps(message: object) -> bytes:
    """Calls and answers are pickled plainly (multiprocessing's own pickler looks every object's type up in a
    chain of reducer tables first: the loop's largest share of a page's extraction call)."""
    return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)


def _die_with_parent() -> None:
    """Linux: SIGKILL when the parent dies (even by kill -9), so a runaway page never outlives its crawl."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker ends at its next receive instead
        pass
