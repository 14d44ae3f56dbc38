"""httpcore over asyncio's streams (``crawler.netstream``) against raw servers on 127.0.0.1: a kept-alive connection is
reused, one the server closed while idle is not, a server that stops answering is a read timeout, and no way a
connection ends (TLS or not) leaves its socket unclosed."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import ssl
import warnings
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from crawler.errors import FetchError, FetchTimeout
from crawler.fetch import Fetcher, FetchPolicy
from tests.servers import LoopThread

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


async def _answer_each(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    connections: list[int],
    after: Callable[[asyncio.StreamWriter], Awaitable[bool]],
) -> None:
    """Count the connection, answer each request with ANSWER and call ``after``; it returns True to close."""
    connections.append(1)
    try:
        while await _requests(reader):
            writer.write(ANSWER)
            await writer.drain()
            if await after(writer):
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.mark.parametrize("close_after_each", [False, True])
def test_connections_are_reused_unless_the_server_closed_them(close_after_each: bool) -> None:
    connections: list[int] = []

    async def close_or_keep(_: asyncio.StreamWriter) -> bool:
        return close_after_each  # no Connection: close header: the client finds out while idle

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer_each(reader, writer, connections, close_or_keep)

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


def test_bytes_a_server_sends_while_idle_are_never_the_next_answer() -> None:
    """asyncio reads an idle socket at once: bytes sent unasked sit in the reader, not the socket, and the connection
    holding them must be dropped, or they would be stored as the next URL's page."""
    connections: list[int] = []
    stray_sent, first_read = asyncio.Event(), asyncio.Event()
    stray = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nEVIL!"

    async def send_stray(writer: asyncio.StreamWriter) -> bool:
        if len(connections) == 1:
            await first_read.wait()  # the first answer is read and its connection back in the pool
            writer.write(stray)  # unasked, while the client's connection is idle in its pool
            await writer.drain()
            stray_sent.set()
        return False

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer_each(reader, writer, connections, send_stray)

    async def main() -> list[bytes]:
        server, url = await _serve(handle)
        async with server:
            async with Fetcher(_policy()) as fetcher:
                first = (await fetcher.fetch(url + "a")).content
                first_read.set()
                await stray_sent.wait()
                await asyncio.sleep(0.2)  # the loop reads them into the idle connection's reader
                second = (await fetcher.fetch(url + "b")).content
            return [first, second]

    assert asyncio.run(main()) == [b"ok", b"ok"]
    assert len(connections) == 2


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


# Every way a connection ends, over TLS and plain TCP, must close its socket transport before the fetch's event loop
# is gone: an unclosed one is a ResourceWarning (an error in the suite) when the loop's leftovers are collected.
DATA = Path(__file__).resolve().parents[1] / "data"  # a self-signed certificate for 127.0.0.1, for tests only
BODY = b"x" * 100_000


CLOSED: list[int] = []  # one entry each time a test server's connection is closed (its thread appends)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """/ok keep-alive; /close says so and closes; /drop closes without saying (the client finds out while
    idle); /partial closes mid-body; /big is over the client's cap; /stall stops mid-body (the client's deadline
    ends it)."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1]
            if path in (b"/ok", b"/drop"):
                writer.write(ANSWER)
            elif path == b"/close":
                writer.write(ANSWER.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
            else:
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(BODY))
                writer.write(BODY[: len(BODY) // 2] if path != b"/big" else BODY)
            await writer.drain()
            if path == b"/stall":
                await asyncio.sleep(30)
            if path != b"/ok":
                break
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(TimeoutError, OSError, asyncio.CancelledError):
            await asyncio.wait_for(writer.wait_closed(), 5)
        CLOSED.append(1)


async def _server_closed(before: int) -> None:
    for _ in range(1000):
        if len(CLOSED) > before:
            return
        await asyncio.sleep(0.01)


@pytest.fixture(scope="module")
def origins() -> Iterator[dict[str, str]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(DATA / "selfsigned.crt", DATA / "selfsigned.key")
    runner = LoopThread()

    async def start() -> tuple[asyncio.Server, asyncio.Server]:
        return (
            await asyncio.start_server(_answer, "127.0.0.1", 0),
            await asyncio.start_server(_answer, "127.0.0.1", 0, ssl=context),
        )

    async def stop(*servers: asyncio.Server) -> None:
        for server in servers:
            server.close()
            await server.wait_closed()

    plain, tls = runner.submit(start()).result(timeout=10)
    try:
        yield {
            "http": f"http://127.0.0.1:{plain.sockets[0].getsockname()[1]}",
            "https": f"https://127.0.0.1:{tls.sockets[0].getsockname()[1]}",
        }
    finally:
        runner.submit(stop(plain, tls)).result(timeout=10)
        runner.stop()


def _fetch_all(origin: str, paths: list[str], **policy: object) -> list[str]:
    """Fetch ``paths`` in order with one fetcher in a new event loop; each outcome (status or error class)."""

    async def main() -> list[str]:
        outcomes = []
        async with Fetcher(_policy(verify=False, **policy)) as fetcher:
            for path in paths:
                closed = len(CLOSED)
                try:
                    outcomes.append(str((await fetcher.fetch(origin + path)).status))
                except FetchError as exc:
                    outcomes.append(type(exc).__name__)
                if path == "/drop":
                    await _server_closed(closed)
        return outcomes

    return asyncio.run(main())


def _resource_warnings(run: Callable[[], object]) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = run()
        gc.collect()
    return result, [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


ROUNDS = 8
PATHS = ["/ok", "/ok", "/close", "/ok", "/drop", "/partial", "/ok", "/big", "/ok"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_no_connection_is_left_unclosed(scheme: str, origins: dict[str, str]) -> None:
    origin = origins[scheme]

    def run() -> list[list[str]]:
        return [
            _fetch_all(origin, PATHS, max_bytes=60_000) + _fetch_all(origin, ["/stall"], deadline=0.3)
            for _ in range(ROUNDS)
        ]

    outcomes, leaked = _resource_warnings(run)
    expected = ["200", "200", "200", "200", "200", "ConnectFailure", "200", "TooLarge", "200", "FetchTimeout"]
    assert outcomes == [expected] * ROUNDS
    assert leaked == []


def test_a_failed_tls_handshake_leaves_nothing_unclosed(origins: dict[str, str]) -> None:
    def run() -> list[str]:
        async def main() -> list[str]:
            outcomes = []
            async with Fetcher(_policy()) as fetcher:  # verified: the self-signed certificate is refused
                for _ in range(ROUNDS):
                    try:
                        await fetcher.fetch(origins["https"] + "/ok")
                    except FetchError as exc:
                        outcomes.append(type(exc).__name__)
            return outcomes

        return asyncio.run(main())

    outcomes, leaked = _resource_warnings(run)
    assert outcomes == ["TLSFailure"] * ROUNDS
    assert leaked == []
