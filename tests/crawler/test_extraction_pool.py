"""The extraction pool starts a worker only when one is wanted: calls that a worker answers in turn share it; a
call that waits for a busy one (a slow or hostile page) brings the next one in, up to the pool's size."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from crawler import extraction
from crawler.extraction import ExtractionPool
from tests.crawler.misbehave import touch_file, wait_for_file

pytestmark = pytest.mark.serial  # timing-bound: run alone (`make test`'s second pass)


def test_calls_answered_in_turn_share_one_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    # no call waits a minute for its turn here, however loaded the machine: a second worker would be one started
    # merely because the first was busy when a call came
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)

    async def main() -> set[int]:
        pool = ExtractionPool(2)
        try:
            return set(await asyncio.gather(*(pool.run(os.getpid, timeout=30) for _ in range(5))))
        finally:
            pool.close()

    assert len(asyncio.run(main())) == 1


def test_a_call_waiting_for_a_busy_worker_gets_a_second_one(tmp_path: Path) -> None:
    flag = tmp_path / "second-answered"

    async def main() -> tuple[int, int]:
        pool = ExtractionPool(2)
        try:
            held = asyncio.create_task(pool.run(wait_for_file, str(flag), 60.0, timeout=30))
            await asyncio.sleep(0)  # the first call has the first worker (it holds it until the flag exists)
            second = await pool.run(touch_file, str(flag), timeout=30)
            return await held, second
        finally:
            pool.close()

    first, second = asyncio.run(main())
    assert first != second


def test_a_backlog_of_calls_gets_a_second_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls that keep finding the worker busy (BACKLOG of them in a row) bring the next worker in without
    waiting GROW_AFTER; the calls of a shorter burst share the worker."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)
    monkeypatch.setattr(extraction, "BACKLOG", 4)

    async def main() -> tuple[set[int], set[int]]:
        pool = ExtractionPool(2)
        try:
            await pool.run(os.getpid, timeout=30)  # the first worker is up and idle
            burst = set(await asyncio.gather(*(pool.run(os.getpid, timeout=30) for _ in range(4))))
            backlog = set(await asyncio.gather(*(pool.run(os.getpid, timeout=30) for _ in range(8))))
            return burst, backlog
        finally:
            pool.close()

    burst, backlog = asyncio.run(main())
    assert len(burst) == 1 and len(backlog) == 2  # the burst: 3 calls found it busy; the backlog: 7


def test_a_waiting_call_is_sent_as_the_worker_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's next call goes out when its answer is read, not when the loop comes round to the callers: the
    caller that got the answer holds the loop here, and the waiting call runs meanwhile (sent any later, it would
    wait for the hold to end: the flag would not exist)."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)
    flag = tmp_path / "second-ran"

    async def main() -> tuple[bool, int, int]:
        pool = ExtractionPool(1)
        try:
            await pool.run(os.getpid, timeout=30)

            async def first() -> tuple[bool, int]:
                await pool.run(time.sleep, 0.2, timeout=30)
                deadline = time.monotonic() + 20  # the loop is held: nothing else of this process runs
                while not flag.exists() and time.monotonic() < deadline:
                    time.sleep(0.005)
                return flag.exists(), len(pool._all)

            held = asyncio.create_task(first())
            await asyncio.sleep(0)  # the first call has the worker
            second = await pool.run(touch_file, str(flag), timeout=30)
            ran, workers = await held
            return ran, workers, second
        finally:
            pool.close()

    ran, workers, second = asyncio.run(main())
    assert ran and workers == 1 and second > 0


def test_a_call_cancelled_after_it_was_sent_stops_its_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """A waiting call cancelled after it was sent to a worker (before its caller ran again) has that worker
    stopped, as a call cancelled while it runs does: its late answer never reaches the next caller."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)

    async def main() -> tuple[int, int, bool]:
        pool = ExtractionPool(1)
        try:
            before = await pool.run(os.getpid, timeout=30)
            waiting: list[asyncio.Task[int]] = []

            async def first() -> None:
                await pool.run(time.sleep, 0.2, timeout=30)
                waiting[0].cancel()  # its call is on the worker already; its caller has not run since

            held = asyncio.create_task(first())
            await asyncio.sleep(0)
            waiting.append(asyncio.create_task(pool.run(os.getpid, timeout=30)))
            await held
            with pytest.raises(asyncio.CancelledError):
                await waiting[0]
            after = await pool.run(os.getpid, timeout=30)
            return before, after, len(pool._all) == 1
        finally:
            pool.close()

    before, after, one = asyncio.run(main())
    assert after != before and one


def test_a_call_cancelled_after_its_answer_was_read_leaves_the_next_call_its_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Cancelled between its answer's read (and the worker's hand-over to the next call) and its task's next run,
    a call has nothing left running: the worker, now on the next call, is kept and that call gets its answer."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)

    async def main() -> tuple[int, int, bool]:
        pool = ExtractionPool(1)
        try:
            before = await pool.run(os.getpid, timeout=30)
            (worker,) = pool._all
            hand_over = worker.on_answer
            assert hand_over is not None
            calls: list[asyncio.Task[object]] = []

            def then_cancel(answered: extraction._Worker) -> bool:
                handed = hand_over(answered)
                calls[0].cancel()  # the call whose answer was just read: its task has not run since
                return handed

            worker.on_answer = then_cancel
            calls.append(asyncio.create_task(pool.run(time.sleep, 0.2, timeout=30)))
            await asyncio.sleep(0)
            calls.append(asyncio.create_task(pool.run(os.getpid, timeout=30)))
            with pytest.raises(asyncio.CancelledError):
                await calls[0]
            worker.on_answer = hand_over
            return before, int(await calls[1]), not worker.killed  # type: ignore[call-overload]
        finally:
            pool.close()

    before, after, kept = asyncio.run(main())
    assert kept and after == before


def test_calls_waiting_while_a_worker_starts_do_not_spin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A call past its growth time while another worker is starting waits for a worker without a timer: it does
    not turn the loop over and over, queueing itself again on each turn."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 0.05)
    flag = tmp_path / "release"

    async def main() -> int:
        pool = ExtractionPool(3)
        try:
            await pool.run(os.getpid, timeout=30)
            held = asyncio.create_task(pool.run(wait_for_file, str(flag), 60.0, timeout=30))
            await asyncio.sleep(0)  # the first worker is held
            waiting = [asyncio.create_task(pool.run(os.getpid, timeout=30)) for _ in range(2)]
            while not pool._starting:  # one of them starts the second worker, past its growth time
                await asyncio.sleep(0.01)
            await asyncio.sleep(0.2)  # the other is past its growth time too, while the second worker starts
            queued = len(pool._waiting)
            touch_file(str(flag))
            await asyncio.gather(held, *waiting)
            return queued
        finally:
            pool.close()

    assert asyncio.run(main()) <= 3


def test_a_call_woken_for_a_free_worker_and_cancelled_passes_the_wake_up_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A worker's release wakes one waiting call; cancelled before it ran, that call wakes the next one instead,
    which would otherwise wait with no timer (the pool is full) although a worker is free to start."""
    monkeypatch.setattr(extraction, "GROW_AFTER", 60.0)

    async def main() -> int:
        pool = ExtractionPool(1)
        try:
            await pool.run(os.getpid, timeout=30)
            stuck = asyncio.create_task(pool.run(time.sleep, 30, timeout=0.05))  # stopped after 0.5 s wall
            await asyncio.sleep(0)
            woken = asyncio.create_task(pool.run(os.getpid, timeout=30))
            await asyncio.sleep(0)
            after = asyncio.create_task(pool.run(os.getpid, timeout=30))
            await asyncio.sleep(0)
            release = pool._release

            def release_then_cancel(worker: extraction._Worker) -> None:
                release(worker)
                woken.cancel()  # its crawl stopped in the same turn of the loop

            pool._release = release_then_cancel  # type: ignore[method-assign]
            with pytest.raises(extraction.ExtractTimeout):
                await stuck
            pool._release = release  # type: ignore[method-assign]
            return int(await asyncio.wait_for(after, 60))
        finally:
            pool.close()

    assert asyncio.run(main()) > 0


def test_a_call_cancelled_while_its_worker_starts_stops_that_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker a call was starting belongs to no list yet (close() would not find it): cancelled, the call
    stops it rather than leave a process behind."""
    made: list[extraction._Worker] = []
    make = extraction._Worker.__init__

    def init(self: extraction._Worker, *args: object, **kwargs: object) -> None:
        make(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(extraction._Worker, "__init__", init)

    async def main() -> None:
        pool = ExtractionPool(1)
        try:
            call = asyncio.create_task(pool.run(os.getpid, timeout=30))
            while not made:
                await asyncio.sleep(0)
            call.cancel()  # long before a spawned interpreter has imported the worker's modules
            with pytest.raises(asyncio.CancelledError):
                await call
        finally:
            pool.close()

    asyncio.run(main())
    (worker,) = made
    worker.process.join(10)
    assert not worker.process.is_alive()


def test_a_call_that_queued_while_the_first_worker_started_waits_its_full_time_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second worker starts no sooner than GROW_AFTER after the first became ready and busy, however long the
    first took to start (the call queued meanwhile had not been waiting for a busy worker)."""
    created: list[float] = []
    ready: list[float] = []
    make, get_ready = extraction._Worker.__init__, extraction._Worker.ready

    def init(self: extraction._Worker, *args: object, **kwargs: object) -> None:
        created.append(time.monotonic())
        make(self, *args, **kwargs)  # type: ignore[arg-type]

    async def on_ready(self: extraction._Worker) -> None:
        await get_ready(self)
        ready.append(time.monotonic())

    monkeypatch.setattr(extraction._Worker, "__init__", init)
    monkeypatch.setattr(extraction._Worker, "ready", on_ready)
    flag = tmp_path / "second-answered"

    async def main() -> tuple[int, int]:
        pool = ExtractionPool(2)
        try:  # both calls come before any worker is up; the first holds its worker until the second has run
            held = asyncio.create_task(pool.run(wait_for_file, str(flag), 60.0, timeout=30))
            await asyncio.sleep(0)
            second = await pool.run(touch_file, str(flag), timeout=30)
            return await held, second
        finally:
            pool.close()

    first, second = asyncio.run(main())
    assert first != second and len(created) == 2
    assert created[1] - ready[0] >= extraction.GROW_AFTER


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="SCHED_IDLE is Linux's")
def test_the_indexing_step_s_worker_runs_below_every_nice_level() -> None:
    """The indexing pool's worker runs under SCHED_IDLE; the crawl's run at their niceness, under the normal
    policy (a crawl run niced puts its extraction workers at nice 19 too: jieba must still come after them)."""
    from crawler.indexer import index_pool

    async def main() -> tuple[int, int]:
        crawl, index = ExtractionPool(1), index_pool()
        try:
            return (
                await crawl.run(os.sched_getscheduler, 0, timeout=30),
                await index.run(os.sched_getscheduler, 0, timeout=30),
            )
        finally:
            crawl.close()
            index.close()

    assert asyncio.run(main()) == (os.SCHED_OTHER, os.SCHED_IDLE)


def _threads() -> tuple[bool, int]:
    return "numpy" in sys.modules, len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="counts threads in /proc")
def test_a_worker_runs_one_thread_with_numpy_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """numpy is preloaded (the sketch's 5-grams) without its BLAS thread pool: a thread spinning beside a
    page would count in the page's CPU deadline and in the crawl's cost."""
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)

    async def main() -> tuple[bool, int]:
        pool = ExtractionPool(1)
        try:
            return await pool.run(_threads, timeout=30)
        finally:
            pool.close()

    assert asyncio.run(main()) == (True, 1)
