"""Real servers on 127.0.0.1 for integration tests: the simulated portals and uvicorn, each in a thread."""

from __future__ import annotations

import asyncio
import os
import random
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from portalsim import HOSTS, build_portals, serve_portals
from portalsim.portal import Portal
from portalsim.server import HOSTILE_HOST


def free_port(hosts: tuple[str, ...] = ("127.0.0.1",)) -> int:
    """A port that is free on every one of ``hosts``. Under pytest-xdist each test process draws from its own residue
    of the ports below Linux's ephemeral range (modulo the processes' count: two of them never race for one port
    between finding it free and binding it; bind() to port 0 cannot serve here, Linux hands out even ports)."""
    count, index = _test_process()
    draw = random.Random()
    for _ in range(200):
        if count == 1:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        else:
            port = draw.randrange(10_000 + (index - 10_000) % count, 32_768, count)  # port ≡ index
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port")


def _test_process() -> tuple[int, int]:
    """(how many test processes run, this one's index): (1, 0) outside pytest-xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, …
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if not worker.startswith("gw") or count < 2:
        return 1, 0
    return count, int(worker[2:]) % count


class LoopThread:
    """An asyncio loop in a daemon thread running one coroutine until stopped."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def submit(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        """Cancel every task on the loop and wait until they have run their cleanup and the calls they handed to
        threads (``asyncio.to_thread``) have returned, as ``asyncio.run`` does, then close the loop. (A call still
        running would give its database connection back after the test's engine was disposed, into a pool that
        nobody closes: its connections then meet the garbage collector open, in some later test.)"""

        async def shutdown() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.get_running_loop().shutdown_default_executor()

        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=15)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@contextmanager
def serving(portals: dict[str, Portal], port: int) -> Iterator[tuple[dict[str, Portal], int]]:
    """Serve ``portals`` on ``port`` in a background loop until the block ends."""
    runner = LoopThread()
    started = threading.Event()

    async def main() -> None:
        ready = asyncio.Event()
        task = asyncio.create_task(serve_portals(portals, port, ready))
        await ready.wait()
        started.set()
        await task

    future = runner.submit(main())
    if not started.wait(15):
        raise RuntimeError(f"simulated portals did not start: {future}")
    try:
        yield portals, port
    finally:
        runner.stop()


@contextmanager
def running_portals(*, hostile: bool = True) -> Iterator[tuple[dict[str, Portal], int]]:
    port = free_port((*HOSTS.values(), HOSTILE_HOST))
    with serving(build_portals(port, hostile=hostile), port) as running:
        yield running


@contextmanager
def running_app(app: Any, host: str = "127.0.0.1") -> Iterator[str]:
    port = free_port((host,))
    server = uvicorn.Server(
        uvicorn.Config(
            app, host=host, port=port, log_level="warning", lifespan="on", timeout_graceful_shutdown=1
        )
    )
    runner = LoopThread()
    future = runner.submit(server.serve())
    for _ in range(500):
        if server.started:
            break
        if future.done():
            raise RuntimeError(f"uvicorn did not start: {future.exception()}")
        threading.Event().wait(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        try:
            future.result(timeout=10)
        finally:
            runner.stop()
