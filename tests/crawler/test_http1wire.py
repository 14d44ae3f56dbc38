"""crawler.http1wire against h11: a connection that writes and reads the common exchange itself must send the
bytes h11 sends and read every answer as h11 reads it (status, reason, headers, body, whether the connection can
be kept, and the error when it cannot be read), on generated, mutated, cut and re-chunked exchanges."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import h11
import httpcore
import pytest

from crawler import http1
from crawler.http1 import MAX_HEAD, Connection
from crawler.http1wire import parse_head, request_bytes

TIMEOUTS: dict[str, float | None] = {"read": 5.0, "write": 5.0}


class Stream:
    """What a Connection reads and writes: the answer in the given chunks, then end of file, or (``stall``: a
    server keeping the connection open) a read timeout."""

    def __init__(self, chunks: list[bytes], *, stall: bool = False) -> None:
        self.chunks, self.written, self.ended, self.stall = list(chunks), bytearray(), False, stall

    async def read(self, size: int, timeout: float | None) -> bytes:
        if self.chunks:
            return self.chunks.pop(0)
        if self.stall:
            raise httpcore.ReadTimeout("read timed out")
        self.ended = True
        return b""

    async def write(self, data: bytes, timeout: float | None) -> None:
        self.written += data


async def _exchange(connection: Connection, headers: list[tuple[bytes, bytes]]) -> tuple[Any, ...]:
    try:
        head = await connection.exchange(b"GET", b"/r/1.html", headers, b"", TIMEOUTS)
        body = b"".join([chunk async for chunk in connection.body(5.0)])
    except (httpcore.RemoteProtocolError, httpcore.LocalProtocolError, httpcore.ReadTimeout) as exc:
        return ("error", type(exc).__name__, str(exc))
    items = [(bytes(k), bytes(v)) for k, v in head.headers.raw_items()]
    return (head.status_code, bytes(head.reason), bytes(head.http_version), items, body, connection.reusable)


def run(
    answer: bytes,
    cuts: list[int],
    headers: list[tuple[bytes, bytes]],
    *,
    wire: bool,
    again: bytes = b"",
    stall: bool = False,
) -> tuple[tuple[Any, ...], bytes, bool]:
    """One exchange (and a second on the same connection when the first left it reusable): results, the bytes
    sent, and whether http1wire read the first answer. ``stall``: the server keeps the connection open after
    what it sent (a read past it times out) instead of closing it."""
    points = sorted({c for c in cuts if 0 < c < len(answer)})
    chunks = [answer[a:b] for a, b in zip([0, *points], [*points, len(answer)], strict=True)]
    stream = Stream(chunks, stall=stall)
    connection = Connection(("http", "127.0.0.1", 80), stream)  # type: ignore[arg-type]

    async def both() -> tuple[tuple[Any, ...], bool]:
        first = await _exchange(connection, headers)
        taken = connection._wire is not None
        second: tuple[Any, ...] = ()
        if first[0] != "error" and first[-1] and not stream.ended:  # (the pool never reuses a closed one)
            connection.next_cycle()
            stream.chunks = [again] if again else []
            second = await _exchange(connection, headers)
        return (first, second), taken

    if wire:
        results, taken = asyncio.run(both())
    else:
        original = http1.request_bytes
        http1.request_bytes = lambda *args: None  # type: ignore[assignment]
        try:
            results, taken = asyncio.run(both())
        finally:
            http1.request_bytes = original
    return results, bytes(stream.written), taken


BASE_HEADERS = [(b"Host", b"127.0.0.1"), (b"Accept", b"text/html"), (b"User-Agent", b"fazhi-tests")]
NOT_MODIFIED = b"HTTP/1.1 304 Not Modified"  # an unchanged recrawl's answer
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\nhello"


def test_a_plain_answer_is_read_by_http1wire_as_h11_reads_it() -> None:
    ours, sent, taken = run(OK, [], BASE_HEADERS, wire=True, again=OK)
    theirs, sent_by_h11, _ = run(OK, [], BASE_HEADERS, wire=False, again=OK)
    assert taken and ours == theirs and sent == sent_by_h11
    assert ours[0][:2] == (200, b"OK") and ours[0][4:] == (b"hello", True) and ours[1] == ours[0]


STATUS = [
    b"HTTP/1.1 200 OK",
    b"HTTP/1.1 200",
    b"HTTP/1.1 200 ",
    b"HTTP/1.1 404 Not Found",
    b"HTTP/1.1 503 \xe7\xbb\xb4\xe6\x8a\xa4",
    b"HTTP/1.1 599 x\ty",
    b"HTTP/1.0 200 OK",
    b"HTTP/1.1 204 No Content",
    b"HTTP/1.1 304 Not Modified",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK",
    b"HTTP/1.1 600 x",
    b"HTTP/1.1 20 OK",
    b"HTTP/1.1 200 O\x00K",
    b"http/1.1 200 OK",
    b"HTTP/1.1  200 OK",
    b"HTTP/1.1 200 OK\r",
    b"HTTP/2 200",
]
NAMES = [
    b"Content-Type",
    b"X-Powered-By",
    b"set-cookie",
    b"ETag",
    b"Last-Modified",
    b"Server",
    b"X-Frame-Options",
]
VALUES = [
    b"text/html; charset=utf-8",
    b"a  b",
    b"",
    b"\xe4\xb8\xad\xe6\x96\x87",
    b'"abc"',
    b"x" * 300,
    b"1,2",
]
ODD_LINES = [
    b"Bad Name: x",
    b": x",
    b"X-A x",
    b" folded",
    b"\tfolded too",
    b"X-B:\x00",
    b"X-C: a\x0bb",
    b"X-D:  padded\t ",
    b"X-E:x",
    b"X-F: \x7f",
    b"",
]


def _answer(rng: random.Random) -> bytes:
    body = rng.randbytes(rng.choice([0, 1, 5, 100, 5000, 70000]))
    lines = [
        rng.choice(STATUS) if rng.random() < 0.4 else rng.choice([b"HTTP/1.1 200 OK"] * 4 + [NOT_MODIFIED])
    ]
    for _ in range(rng.randint(0, 6)):
        lines.append(rng.choice(NAMES) + b":" + rng.choice([b" ", b"", b"\t", b"  "]) + rng.choice(VALUES))
    if rng.random() < 0.2:
        lines.insert(rng.randint(1, len(lines)), rng.choice(ODD_LINES))
    framing = rng.random()
    if framing < 0.6:
        length = len(body) if rng.random() < 0.8 else max(0, len(body) + rng.choice([-3, -1, 1, 40]))
        value = rng.choice([b"%d", b"%d", b" %d ", b"%d, %d", b"0%d", b"+%d", b"%d%d"])
        lines.append(b"Content-Length: " + (value.replace(b"%d", str(length).encode())))
        if rng.random() < 0.1:
            lines.append(b"content-length: " + rng.choice([str(length).encode(), b"7", b"1" * 21]))
    elif framing < 0.75:
        lines.append(b"Transfer-Encoding: " + rng.choice([b"chunked", b"Chunked", b"gzip", b"chunked"]))
        if b"chunked" in lines[-1].lower():
            body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if body else b"0\r\n\r\n"
    if rng.random() < 0.25:
        lines.append(b"Connection: " + rng.choice([b"close", b"keep-alive", b"Keep-Alive, CLOSE", b"closed"]))
    end = b"\r\n"
    head = end.join(lines)
    if rng.random() < 0.05:  # a bare line feed somewhere in the head
        at = head.find(b"\r\n", rng.randint(0, len(head)))
        if at >= 0:
            head = head[:at] + head[at + 1 :]
    answer = head + b"\r\n\r\n" + body
    tail = rng.random()
    if tail < 0.1:
        answer += b"\r\n"
    elif tail < 0.15:
        answer += OK
    if rng.random() < 0.1:  # cut off
        answer = answer[: rng.randint(0, len(answer))]
    return answer


def _request_headers(rng: random.Random) -> list[tuple[bytes, bytes]]:
    headers = list(BASE_HEADERS)
    if rng.random() < 0.3:
        headers.append(
            rng.choice(
                [
                    (b"Connection", b"close"),
                    (b"Referer", b"http://127.0.0.1/list.html"),
                    (b"If-None-Match", b'"abc"'),
                    (b"X-Bad", b" lead"),
                    (b"Bad Name", b"x"),
                    (b"host", b"127.0.0.2"),
                    (b"Content-Length", b"0"),
                    (b"X-Nul", b"a\x00b"),
                    (b"X-Obs", b"\xe4\xb8\xad"),
                ]
            )
        )
    if rng.random() < 0.05:
        headers = headers[1:]  # no Host
    return headers


def test_generated_exchanges_read_as_h11_reads_them() -> None:
    rng = random.Random(20261202)
    taken = 0
    for _ in range(6000):
        answer, headers = _answer(rng), _request_headers(rng)
        cuts = [rng.randint(0, len(answer)) for _ in range(rng.randint(0, 4))]
        again = OK if rng.random() < 0.5 else _answer(rng)
        stall = rng.random() < 0.5  # a keep-alive server: what it did not send never comes
        ours, sent, wire = run(answer, cuts, headers, wire=True, again=again, stall=stall)
        theirs, sent_by_h11, _ = run(answer, cuts, headers, wire=False, again=again, stall=stall)
        assert ours == theirs, (answer[:300], cuts, headers, stall)
        assert sent == sent_by_h11, headers
        taken += wire
    assert taken > 800  # the generator's plain answers (about a sixth) were http1wire's


@pytest.mark.parametrize(
    "headers",
    [
        BASE_HEADERS,
        [(b"Accept", b"*/*"), (b"Host", b"example.test:8080")],  # Host goes first, as h11 writes it
        [*BASE_HEADERS, (b"Connection", b"close")],
    ],
)
def test_request_bytes_are_h11s(headers: list[tuple[bytes, bytes]]) -> None:
    state = h11.Connection(h11.CLIENT)
    expected = state.send(h11.Request(method=b"GET", target=b"/a?b=1", headers=headers)) or b""
    expected += state.send(h11.EndOfMessage()) or b""
    written = request_bytes(b"GET", b"/a?b=1", headers)
    assert written == (expected, state.our_state is h11.DONE)


def test_a_head_h11_must_read_is_declined() -> None:
    for head in [
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked",
        b"HTTP/1.1 200 OK",  # no length: read until close
        b"HTTP/1.1 200 OK\r\nContent-Length: 5, 5",
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded",
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: x",
    ]:
        assert parse_head(head) is None, head
    for head in [b"HTTP/1.1 200 OK\r\nContent-Length: 0", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5"]:
        assert parse_head(head).length == 0  # type: ignore[union-attr]  (a 304 has no body, whatever it says)


def test_a_head_over_the_limit_fails_as_h11_fails_it() -> None:
    answer = b"HTTP/1.1 200 OK\r\nX-Big: " + b"x" * (3 * MAX_HEAD) + b"\r\nContent-Length: 0\r\n\r\n"
    cuts = list(range(0, len(answer), 64 * 1024))
    ours, _, _ = run(answer, cuts, BASE_HEADERS, wire=True)
    theirs, _, _ = run(answer, cuts, BASE_HEADERS, wire=False)
    assert ours == theirs and ours[0][0] == "error"


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\nContent-Length: 5\n\nhello",  # bare line feeds: h11 reads them
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\n\r\nhello",
        b" HTTP/1.1 200 OK\r\nContent-Length: 5\r\n",  # h11 refuses these before the head ends
        b"\r\nHTTP/1.1 200 OK\r\n",
        b"\x00HTTP/1.1 200 OK\r\n",
    ],
)
def test_an_answer_h11_reads_or_refuses_before_a_crlf_crlf_is_not_waited_on(answer: bytes) -> None:
    """From a server that keeps the connection open, whatever h11 makes of these bytes, without reading more,
    http1wire makes of them too: it does not wait for a blank line h11 would not wait for."""
    for cuts in ([], list(range(len(answer)))):
        ours, _, taken = run(answer, cuts, BASE_HEADERS, wire=True, stall=True)
        theirs, _, _ = run(answer, cuts, BASE_HEADERS, wire=False, stall=True)
        assert ours == theirs and not taken
        assert ours[0][0] != "error" or ours[0][1] != "ReadTimeout", ours


def test_a_head_read_a_byte_at_a_time_is_read_as_h11_reads_it() -> None:
    answer = b"HTTP/1.1 200 OK\r\n" + b"X-Long: " + b"y" * 20_000 + b"\r\nContent-Length: 2\r\n\r\nok"
    cuts = list(range(len(answer)))
    ours, _, taken = run(answer, cuts, BASE_HEADERS, wire=True, stall=True)
    theirs, _, _ = run(answer, cuts, BASE_HEADERS, wire=False, stall=True)
    assert taken and ours == theirs and ours[0][4] == b"ok"


@pytest.mark.timeout(20)
def test_a_switch_of_protocols_is_an_error_not_a_spin() -> None:
    """A request asking for an upgrade, answered 101: h11 pauses; the exchange ends with an error (it looped on the
    pause before, never awaiting, holding the event loop)."""
    headers = [*BASE_HEADERS, (b"Upgrade", b"h2c"), (b"Connection", b"Upgrade")]
    answer = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\nxx"
    for wire in (True, False):
        ours, _, taken = run(answer, [], headers, wire=wire, stall=True)
        assert not taken and ours[0][:2] == ("error", "RemoteProtocolError"), ours
