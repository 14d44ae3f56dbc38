"""httpcore over asyncio's streams (``crawler.netstream``) against raw servers on 127.0.0.1: a kept-alive connection is
reused, one the server closed while idle is not, and a server that stops answering is a read timeout."""

from __future__ import annotations

import asyncio

import pytest

from crawler.errors import FetchTimeout
from crawler.fetch import Fetcher, FetchPolicy

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"


async def _serve(handle: object) -> tuple[asyncio.Server, str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)  # type: ignore[arg-type]
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}/"


def _policy(**extra: object) -> FetchPolicy:
    return FetchPolicy(user_agent="fazhi-tests", allow_private_hosts=frozenset({"127.0.0.1"}), **extra)  # type: ignore[arg-type]


async def _requests(reader: asyncio.StreamReader) -> int:
    """Read one request head; 0 at the end of the connection."""
    head = await reader.readuntil(b"\r\n\r\n") if not reader.at_eof() else b""
    return len(head)


@pytest.mark.parametrize("close_after_each", [False, True])
def test_connections_are_reused_unless_the_server_closed_them(close_after_each: bool) -> None:
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while await _requests(reader):
                writer.write(ANSWER)
                await writer.drain()
                if close_after_each:  # no Connection: close header: the client finds out while idle
                    break
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    async def main() -> list[int]:
        server, url = await _serve(handle)
        async with server:
            async with Fetcher(_policy()) as fetcher:
                statuses = []
                for _ in range(3):
                    statuses.append((await fetcher.fetch(url)).status)
                    await asyncio.sleep(0.05)  # the server's close reaches the client
            await asyncio.sleep(0.05)  # and the client's the server
            return statuses

    assert asyncio.run(main()) == [200, 200, 200]
    assert len(connections) == (3 if close_after_each else 1)


def test_a_server_that_stops_answering_is_a_timeout() -> None:
    async def main() -> None:
        stop = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await _requests(reader)
            writer.write(ANSWER[:20])  # part of the status line, then nothing
            await writer.drain()
            await stop.wait()
            writer.close()

        server, url = await _serve(handle)
        async with server:
            try:
                async with Fetcher(_policy(timeout=0.5, deadline=20)) as fetcher:
                    await fetcher.fetch(url)
            finally:
                stop.set()
                await asyncio.sleep(0.05)

    with pytest.raises(FetchTimeout, match="ReadTimeout"):
        asyncio.run(main())
