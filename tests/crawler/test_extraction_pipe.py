"""The loop's side of a worker's pipe (``crawler.extraction``): it stays watched between calls, so a readable
callback queued before an answer was read must not wake the next call early (its read would block the event
loop until the worker answered), and a worker that died idle (its pipe readable at end of file, forever) must not
keep the loop turning on it."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import time

import pytest

from crawler.extraction import ExtractionPool


def test_a_stale_readable_callback_does_not_wake_a_call_before_its_answer() -> None:
    async def main() -> tuple[bool, float]:
        pool = ExtractionPool(1)
        try:
            await pool.run(os.getpid, timeout=30)
            (worker,) = pool._all
            call = asyncio.create_task(pool.run(time.sleep, 0.5, timeout=30))
            while worker._waiter is None:
                await asyncio.sleep(0)
            worker._wake()  # the callback the previous answer left queued: nothing to read yet
            woken = worker._waiter.done()
            await call
            return woken, 0.0
        finally:
            pool.close()

    woken, _ = asyncio.run(main())
    assert not woken


def test_a_worker_that_died_idle_is_no_longer_watched_and_is_replaced() -> None:
    async def main() -> tuple[int, int, bool]:
        pool = ExtractionPool(1)
        try:
            first = await pool.run(os.getpid, timeout=30)
            (worker,) = pool._all
            os.kill(first, signal.SIGKILL)
            worker.process.join(10)
            for _ in range(50):  # loop turns: the dead pipe's end of file is readable on each
                await asyncio.sleep(0.01)
            watched = worker._watching is not None
            second = await pool.run(os.getpid, timeout=30)
            return first, second, watched
        finally:
            pool.close()

    first, second, watched = asyncio.run(main())
    assert not watched
    assert second != first


def test_a_worker_whose_parent_closed_the_pipe_while_it_started_ends_quietly() -> None:
    """A crawl that ends while a worker is still importing (a short `fazhi crawl`, a loaded machine) closes the
    pipe first: the worker's "ready" then meets a closed pipe, and it must end with status 0, not a traceback."""
    import multiprocessing

    from crawler.extraction_worker import serve

    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    worker = context.Process(target=serve, args=(theirs, 0))
    worker.start()  # a spawned interpreter takes far longer to import than this process takes to close its end
    theirs.close()
    ours.close()
    worker.join(timeout=60)
    assert worker.exitcode == 0


def test_a_worker_pipe_numbered_past_1024_still_answers() -> None:
    """A crawl with many sockets and files open gives a new worker's pipe a descriptor number ≥ 1024, which
    ``select()`` refuses: the readiness check must work for any number (it raised in the loop's callback, so the
    worker never seemed to start)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200 and (hard == resource.RLIM_INFINITY or hard >= 1200):
        resource.setrlimit(resource.RLIMIT_NOFILE, (1200, hard))
    elif soft < 1200:
        pytest.skip(f"no more than {hard} open files allowed here")
    gc.collect()  # an earlier test's unreachable pipes closed now: their numbers freed later would go to the pool
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]

    async def main() -> int:
        pool = ExtractionPool(1)
        try:
            answer = await pool.run(os.getpid, timeout=30)
            (worker,) = pool._all
            assert worker.conn.fileno() >= 1024
            return int(answer)
        finally:
            pool.close()

    try:
        assert asyncio.run(main()) > 0
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
