"""Per-host slots: at most ``concurrency`` requests in flight to a host, request starts ``delay`` apart, and a
host-wide pause when a server says ``Retry-After``. With one request in flight (the default) the next request also
starts no sooner than ``delay`` after the previous one's answer ended, as Yandex reads ``Crawl-delay`` and Heritrix
spaces its fetches: the server then sees its requests arrive at least ``delay`` apart whatever the latency, not
only the crawler sending them so. :class:`SharedHostSlots` extends spacing and pauses to every
worker sharing a PostgreSQL store.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine

from store import pace


@dataclass
class _Slot:
    concurrency: int
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = float("-inf")


class HostSlots:
    def __init__(self) -> None:
        self._slots: dict[str, _Slot] = {}

    def _slot(self, host: str, concurrency: int) -> _Slot:
        slot = self._slots.get(host)
        if slot is None:
            slot = self._slots[host] = _Slot(concurrency, asyncio.Semaphore(concurrency))
        return slot

    def slot(self, host: str, delay: float, concurrency: int = 1) -> AbstractAsyncContextManager[None]:
        """``async with slots.slot(host, delay, concurrency):`` one request to ``host``, started in its turn."""
        return _Turn(self._slot(host, concurrency), delay)

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts for ``seconds`` (a 429/503 ``Retry-After``)."""
        slot = self._slot(host, 1)
        slot.next_start = max(slot.next_start, time.monotonic() + seconds)


class _Turn:
    """One request's hold on its host's slot (a class, not a generator-based context manager: one per fetch)."""

    __slots__ = ("delay", "slot")

    def __init__(self, slot: _Slot, delay: float) -> None:
        self.slot, self.delay = slot, delay

    async def __aenter__(self) -> None:
        slot = self.slot
        await slot.semaphore.acquire()
        try:
            async with slot.lock:  # starts are serialized so that they can be spaced
                wait = slot.next_start - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                slot.next_start = time.monotonic() + self.delay
        except BaseException:
            slot.semaphore.release()
            raise

    async def __aexit__(self, *exc: object) -> None:
        slot = self.slot
        if slot.concurrency == 1:  # a request arrives before its answer ends: spaced from that end
            slot.next_start = max(slot.next_start, time.monotonic() + self.delay)
        slot.semaphore.release()


class SharedHostSlots(HostSlots):
    """:class:`HostSlots` whose start spacing and ``Retry-After`` pauses also hold across worker processes and
    machines: each start is reserved in the shared store (:mod:`store.pace`). The in-flight cap stays per
    process."""

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self._pending: set[asyncio.Future[None]] = set()

    @asynccontextmanager
    async def slot(self, host: str, delay: float, concurrency: int = 1) -> AsyncIterator[None]:
        async with super().slot(host, delay, concurrency):
            wait = await asyncio.to_thread(pace.reserve, self.engine, host, delay)
            if wait > 0:
                await asyncio.sleep(wait)
            yield

    def defer(self, host: str, seconds: float) -> None:
        super().defer(host, seconds)
        future = asyncio.get_running_loop().run_in_executor(None, pace.defer, self.engine, host, seconds)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
