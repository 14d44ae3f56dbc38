"""The benches' HTTP load: keep-alive connections from this process cycling through paths, req/s and p50/p99,
and a server process started and waited for on 127.0.0.1 (bench/api.py and bench/web.py)."""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _read_body(reader: asyncio.StreamReader, head: bytes) -> None:
    """A Content-Length body, or a chunked one (Datasette streams its JSON)."""
    lines = [line.lower() for line in head.split(b"\r\n")]
    length = next((int(line.split(b":")[1]) for line in lines if line.startswith(b"content-length")), None)
    if length is not None:
        await reader.readexactly(length)
        return
    while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
        await reader.readexactly(size + 2)
    await reader.readuntil(b"\r\n")


async def _one_connection(
    port: int, paths: list[str], stop: float, latencies: list[float], headers: str = ""
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < stop:
            path = quote(paths[i % len(paths)], safe="/?=&%")
            i += 1
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{path}: {head[:60]!r}")
            await _read_body(reader, head)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(
    port: int, paths: list[str], seconds: float, connections: int, headers: str = ""
) -> tuple[float, list[float]]:
    """``connections`` keep-alive connections cycling through ``paths`` for ``seconds``: (elapsed, latencies).
    ``headers``: more request header lines, each ending in CRLF."""
    latencies: list[float] = []

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _one_connection(port, paths[k::connections] or paths, stop, latencies, headers)
                for k in range(connections)
            )
        )

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started, latencies


def summary(elapsed: float, latencies: list[float]) -> tuple[float, float, float]:
    """req/s, p50 ms, p99 ms."""
    cut = sorted(latencies)
    return len(cut) / elapsed, statistics.median(cut) * 1000, cut[max(int(len(cut) * 0.99) - 1, 0)] * 1000


def serve(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")
