"""The extraction deadline counts the worker's CPU time: a starved worker is waited for, a runaway one is not."""

from __future__ import annotations

import asyncio
import signal
import time

import pytest

from crawler.errors import ExtractTimeout
from crawler.extraction import WALL_FACTOR, ExtractionPool
from tests.crawler.misbehave import sleep_then_answer, spin_forever

pytestmark = pytest.mark.serial  # timing-bound: run alone (`make test`'s second pass)


def _run(coroutine_of):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        pool = ExtractionPool(1)
        try:
            return await coroutine_of(pool)
        finally:
            pool.close()

    return asyncio.run(main())


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs ITIMER_PROF (a CPU-time timer)")
def test_a_worker_without_cpu_is_waited_for_past_the_wall_deadline() -> None:
    answer = _run(lambda pool: pool.run(sleep_then_answer, 2.0, timeout=0.5))
    assert answer == "answered"


def test_a_runaway_worker_is_stopped_at_its_cpu_deadline() -> None:
    async def spin(pool: ExtractionPool) -> float:
        await pool.run(sleep_then_answer, 0.0, timeout=60)  # the worker is up: its start is not timed
        started = time.monotonic()
        with pytest.raises(ExtractTimeout):
            await pool.run(spin_forever, timeout=0.5)
        return time.monotonic() - started

    elapsed = _run(spin)
    assert 0.5 <= elapsed < 0.5 * WALL_FACTOR + 5


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs ITIMER_PROF (a CPU-time timer)")
def test_a_worker_that_never_answers_is_stopped_at_the_wall_cap() -> None:
    async def stuck(pool: ExtractionPool) -> float:
        await pool.run(sleep_then_answer, 0.0, timeout=60)
        started = time.monotonic()
        with pytest.raises(ExtractTimeout):
            await pool.run(sleep_then_answer, 3600.0, timeout=0.3)
        return time.monotonic() - started

    elapsed = _run(stuck)
    assert 0.3 * WALL_FACTOR <= elapsed < 0.3 * WALL_FACTOR + 5
