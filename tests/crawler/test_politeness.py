"""Per-host slots: start spacing, and with one request in flight, spacing from the previous answer's end."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest

from crawler.politeness import HostSlots

pytestmark = pytest.mark.serial  # timing-bound: run alone (`make test`'s second pass)


async def _two_requests(slots: HostSlots, delay: float, answer: float, concurrency: int) -> list[float]:
    """Two requests to one host, each taking ``answer`` seconds: when each began and ended (monotonic)."""
    times: list[float] = []

    async def one() -> None:
        async with slots.slot("h", delay, concurrency):
            times.append(time.monotonic())
            await asyncio.sleep(answer)
            times.append(time.monotonic())

    await asyncio.gather(one(), one())
    return sorted(times)


def test_one_in_flight_starts_delay_after_the_previous_answer_ended() -> None:
    """A slow answer (0.2 s) with a delay of 0.15 s: the second request waits 0.15 s after the first answer, not
    0.15 s after the first start (which an answer slower than the delay would already have covered)."""
    began_a, ended_a, began_b, _ = asyncio.run(
        _two_requests(HostSlots(), delay=0.15, answer=0.2, concurrency=1)
    )
    assert began_b - ended_a >= 0.149  # asyncio may fire a timer up to its clock's resolution early
    assert began_b - began_a >= 0.349


def test_several_in_flight_keep_start_spacing_only() -> None:
    """With two in flight the second starts 0.15 s after the first start, while the first is still waiting."""
    times = asyncio.run(_two_requests(HostSlots(), delay=0.15, answer=1.0, concurrency=2))
    began_a, began_b = times[0], times[1]
    assert 0.149 <= began_b - began_a < 1.0  # started before the first answer ended


def test_a_request_cancelled_or_failed_in_its_slot_gives_the_slot_back() -> None:
    """A request cancelled while it waits for its turn, and one whose fetch raised, leave the host's one slot free:
    the next request gets it (else the host would stall for the rest of the crawl)."""

    async def main() -> list[str]:
        slots, done = HostSlots(), []
        async with slots.slot("h", 0.0):
            waiting = asyncio.create_task(_enter(slots, done))
            await asyncio.sleep(0.01)  # it waits for the slot held here
            waiting.cancel()
        with contextlib.suppress(RuntimeError):
            async with slots.slot("h", 0.0):
                raise RuntimeError("the fetch failed")
        await asyncio.wait_for(_enter(slots, done), 5)
        return done

    assert asyncio.run(main()) == ["entered"]


async def _enter(slots: HostSlots, done: list[str]) -> None:
    async with slots.slot("h", 0.0):
        done.append("entered")
