"""Extraction pool benchmark: how busy one worker is kept while the event loop has work of its own, fazhi's
``crawler.extraction.ExtractionPool`` against the standard library's ``ProcessPoolExecutor`` in the same run.

    python bench/pool.py [--tasks 20 --calls 25 --work 3 --loop 0 0.5 1.5 --rounds 3]

A crawl's page path in miniature: ``--tasks`` coroutines each make ``--calls`` calls, one at a time, of a function
that spins ``--work`` ms of CPU in the worker (reading a page), then spin ``--loop`` ms on the event loop (the
crawl's fetching and committing of other pages). One worker process in each pool, at the caller's niceness (fazhi's growth is
switched off: the question is how much of one worker's time the loop wastes between an answer and the next call). Each setting
runs the two pools alternately, ``--rounds`` times; the table shows medians. Worker busy = calls × work ÷ wall.
Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def spin(ms: float) -> float:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass
    return ms


async def _drive(call, tasks: int, calls: int, work: float, loop_ms: float) -> float:  # type: ignore[no-untyped-def]
    async def one() -> None:
        for _ in range(calls):
            await call(work)
            spin(loop_ms)  # the loop's own work between pages
            await asyncio.sleep(0)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(tasks)))
    return time.perf_counter() - started


async def fazhi_pool(tasks: int, calls: int, work: float, loop_ms: float) -> float:
    from crawler import extraction

    extraction.GROW_AFTER, extraction.BACKLOG = 3600.0, sys.maxsize  # one worker
    pool = extraction.ExtractionPool(1, niceness=0)  # as the standard library's worker: not niced
    try:
        await pool.run(spin, 0.0, timeout=60)  # started and warm
        return await _drive(lambda ms: pool.run(spin, ms, timeout=60), tasks, calls, work, loop_ms)
    finally:
        pool.close()


async def stdlib_pool(tasks: int, calls: int, work: float, loop_ms: float) -> float:
    import multiprocessing

    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        await loop.run_in_executor(pool, spin, 0.0)
        return await _drive(lambda ms: loop.run_in_executor(pool, spin, ms), tasks, calls, work, loop_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--calls", type=int, default=25)
    parser.add_argument("--work", type=float, default=3.0, help="ms of CPU per call, in the worker")
    parser.add_argument(
        "--loop", type=float, nargs="+", default=[0.0, 0.5, 1.5], help="ms on the loop per call"
    )
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    busy = args.tasks * args.calls * args.work / 1000
    print(f"{args.tasks} tasks × {args.calls} calls of {args.work:g} ms in one worker; {args.rounds} rounds")
    print(f"{'loop ms/call':>12}  {'fazhi s':>8} {'busy':>5}  {'stdlib s':>8} {'busy':>5}  stdlib ÷ fazhi")
    for loop_ms in args.loop:
        times: dict[str, list[float]] = {"fazhi": [], "stdlib": []}
        for _ in range(args.rounds):
            for name, pool in (("fazhi", fazhi_pool), ("stdlib", stdlib_pool)):
                times[name].append(asyncio.run(pool(args.tasks, args.calls, args.work, loop_ms)))
        ours, theirs = statistics.median(times["fazhi"]), statistics.median(times["stdlib"])
        print(
            f"{loop_ms:12g}  {ours:8.2f} {busy / ours:5.0%}  {theirs:8.2f} {busy / theirs:5.0%}  {theirs / ours:.2f}"
        )


if __name__ == "__main__":
    main()
