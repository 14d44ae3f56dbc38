"""Edges of the crawl's own HTTP/1.1 pool (``crawler.http1``), each found by probing it against raw servers on
127.0.0.1: bytes past an answer's end never become the next answer, connections being opened count against the
cap, IDNA hosts go through httpx's checks, and a compressed body's raw bytes are capped too."""

from __future__ import annotations

import asyncio
import gzip
import random

import pytest

from crawler.errors import TooLarge
from crawler.fetch import Fetcher, FetchPolicy
from crawler.http1 import Inflater, plain_request


def _policy() -> FetchPolicy:
    return FetchPolicy(
        user_agent="fazhi-tests", allow_private_hosts=frozenset({"127.0.0.1"}), timeout=5, deadline=20
    )


@pytest.mark.parametrize(
    "extra",
    [b"\r\n", b" world", b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil"],
    ids=["stray-crlf", "body-past-its-length", "a-second-answer-in-the-same-write"],
)
def test_bytes_past_an_answers_end_are_never_read_as_the_next_answer(extra: bytes) -> None:
    """The server writes the first answer and more in one write; the next URL must get its own answer, on a new
    connection (the old one cannot be trusted), never those bytes."""
    connections = 0

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                path = head.split(" ", 2)[1].encode()
                body = b"hello" + path
                answer = b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                writer.write(answer + (extra if path == b"/a" else b""))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> list[bytes]:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        base = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        async with server, Fetcher(_policy()) as fetcher:
            first = await fetcher.fetch(base + "/a")
            await asyncio.sleep(0.05)  # the extra bytes have arrived (they came in the same write anyway)
            second = await fetcher.fetch(base + "/b")
            return [first.content, second.content]

    assert asyncio.run(main()) == [b"hello/a", b"hello/b"]
    assert connections == 2


def test_connections_being_opened_count_against_the_cap_of_four() -> None:
    """Four idle connections to one origin, then four fetches at once to another: the pool closes idle ones to
    make room for every connection it opens, so no more than four are ever kept (seven were, before)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(0.2)  # all four are in flight together
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def main() -> tuple[int, int]:
        one = await asyncio.start_server(handle, "127.0.0.1", 0)
        two = await asyncio.start_server(handle, "127.0.0.1", 0)
        ports = [server.sockets[0].getsockname()[1] for server in (one, two)]
        async with one, two, Fetcher(_policy()) as fetcher:
            await asyncio.gather(*(fetcher.fetch(f"http://127.0.0.1:{ports[0]}/{i}") for i in range(4)))
            await asyncio.gather(*(fetcher.fetch(f"http://127.0.0.1:{ports[1]}/{i}") for i in range(4)))
            pool = fetcher._pool
            assert pool is not None
            return len(pool._busy), sum(map(len, pool._idle.values()))

    busy, idle = asyncio.run(main())
    assert busy == 0 and idle <= 4


@pytest.mark.parametrize("url", ["http://xn--a1/", "http://xn--zz.cn/x", "http://www.xn--fiqs8s.cn/"])
def test_an_idna_host_goes_through_httpx_which_checks_it(url: str) -> None:
    assert plain_request(url) is None


def test_a_compressed_body_stops_at_its_end_and_its_raw_bytes_are_capped() -> None:
    page = b"<p>report</p>" * 100
    inflater = Inflater("gzip", 100_000, "http://127.0.0.1/x")
    assert inflater.feed(gzip.compress(page)) == page
    assert inflater.feed(b"garbage after the member" * 10) == b""  # nothing kept past the stream's end
    with pytest.raises(TooLarge):
        for _ in range(200):  # 200 × 1 KiB past the end: over the raw cap long before the deadline
            inflater.feed(b"\0" * 1024)
    # an incompressible body just under the limit still passes: deflate's expansion is within the raw cap's slack
    body = random.Random(7).randbytes(99_000)
    fresh = Inflater("gzip", 100_000, "http://127.0.0.1/y")
    assert fresh.feed(gzip.compress(body, 1)) == body
