"""The HTTP/1.1 exchange under ``crawler.fetch`` (``crawler.netstream.Pool``) against raw servers on 127.0.0.1: what
httpcore's pool did and the crawl relies on — a form POST's body, informational answers skipped, chunked and
close-delimited bodies, ``Connection: close`` honoured, at most four connections, a body cut short is a failure —
kept by the fetch module's own pool. These pass on httpcore's pool too: they pin its behaviour."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from crawler.errors import ConnectFailure
from crawler.fetch import Fetcher, FetchPolicy, FetchResult

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def _policy() -> FetchPolicy:
    return FetchPolicy(
        user_agent="fazhi-tests", allow_private_hosts=frozenset({"127.0.0.1"}), timeout=5, deadline=20
    )


async def _head(reader: asyncio.StreamReader) -> dict[str, str]:
    """One request head: its request line under ``""`` and its headers, lower-cased."""
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    head = {"": lines[0]}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            head[name.strip().lower()] = value.strip()
    return head


def _run(handle: Handler, fetches: Callable[[Fetcher, str], Awaitable[object]]) -> object:
    async def main() -> object:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        async with server, Fetcher(_policy()) as fetcher:
            return await fetches(fetcher, url)

    return asyncio.run(main())


def test_a_form_post_sends_its_body_and_headers() -> None:
    seen: list[tuple[dict[str, str], bytes]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await _head(reader)
        body = await reader.readexactly(int(head["content-length"]))
        seen.append((head, body))
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        await writer.drain()
        writer.close()

    async def post(fetcher: Fetcher, url: str) -> FetchResult:
        return await fetcher.fetch(url + "list?x=1", method="POST", data={"page": "2", "q": "法治"})

    result = _run(handle, post)
    assert isinstance(result, FetchResult)
    ((head, body),) = seen
    assert head[""] == "POST /list?x=1 HTTP/1.1"
    assert head["content-type"] == "application/x-www-form-urlencoded"
    assert head["host"] == url_host(result.url) and head["user-agent"] == "fazhi-tests"
    assert body == b"page=2&q=%E6%B3%95%E6%B2%BB"
    assert result.status == 200 and result.content == body
    assert result.wire is not None and result.wire.request_body == body and result.wire.target == b"/list?x=1"


def url_host(url: str) -> str:
    return url.split("/")[2]


def test_informational_answers_are_skipped_and_chunked_bodies_joined() -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _head(reader)
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Kind: chunks\r\n\r\n")
        for piece in (b"hello ", b"", b"world"):
            if piece:
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        await reader.read()  # until the client closes
        writer.close()

    async def get(fetcher: Fetcher, url: str) -> FetchResult:
        return await fetcher.fetch(url)

    result = _run(handle, get)
    assert isinstance(result, FetchResult)
    assert (result.status, result.content, result.headers["x-kind"]) == (200, b"hello world", "chunks")
    assert result.wire is not None and result.wire.reason == b"OK" and result.wire.http_version == "HTTP/1.1"


def test_a_close_delimited_body_is_read_to_the_end_and_its_connection_not_reused() -> None:
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await _head(reader)
        writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nno length, ")
        await writer.drain()
        writer.write(b"ends at close")
        writer.close()

    async def twice(fetcher: Fetcher, url: str) -> list[bytes]:
        return [(await fetcher.fetch(url)).content for _ in range(2)]

    assert _run(handle, twice) == [b"no length, ends at close"] * 2
    assert len(connections) == 2


def test_connection_close_is_honoured_and_keep_alive_reused() -> None:
    connections: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        try:
            while True:
                head = await _head(reader)
                close = head[""].startswith("GET /close")
                extra = b"Connection: close\r\n" if close else b""
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + extra + b"\r\nok")
                await writer.drain()
                if close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()

    async def sequence(fetcher: Fetcher, url: str) -> list[int]:
        paths = ["a", "b", "close", "c", "d"]
        return [(await fetcher.fetch(url + path)).status for path in paths]

    assert _run(handle, sequence) == [200] * 5
    assert len(connections) == 2  # a, b, close on the first; c, d on the second


def test_at_most_four_connections_are_open_at_once() -> None:
    open_now, most = [0], [0]
    release = asyncio.Event()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        open_now[0] += 1
        most[0] = max(most[0], open_now[0])
        try:
            while True:
                await _head(reader)
                if most[0] >= 4:
                    release.set()
                await release.wait()  # every answer waits until four requests are in at once
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            open_now[0] -= 1
            writer.close()

    async def many(fetcher: Fetcher, url: str) -> list[int]:
        results = await asyncio.gather(*(fetcher.fetch(f"{url}{n}") for n in range(10)))
        return [r.status for r in results]

    assert _run(handle, many) == [200] * 10
    assert most[0] == 4


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",  # closed before the length
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",  # closed before the last chunk
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",  # not a length
        b"HTTP/1.1 2000 OK\r\n\r\n",  # not a status line
        b"",  # closed without an answer
    ],
)
def test_a_broken_answer_is_a_connect_failure(answer: bytes) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _head(reader)
        writer.write(answer)
        await writer.drain()
        writer.close()

    async def get(fetcher: Fetcher, url: str) -> object:
        with pytest.raises(ConnectFailure):
            await fetcher.fetch(url)
        return None

    _run(handle, get)
