"""The extraction pool starts a worker only when one is wanted: calls that a worker answers in turn share it; a
call that waits for a busy one (a slow or hostile page) brings the next one in, up to the pool's size."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from crawler.extraction import ExtractionPool
from tests.crawler.misbehave import touch_file, wait_for_file


def test_calls_answered_in_turn_share_one_worker() -> None:
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
