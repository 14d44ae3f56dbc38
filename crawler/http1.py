"""The HTTP/1.1 client under :mod:`crawler.fetch`: h11 connections over :mod:`crawler.netstream`'s streams, kept
alive in a small pool that connects only to the addresses the fetcher checked for a host (DNS rebinding).

httpcore's pool and connection machinery (anyio locks and events, a cancel scope per read and write, per-request
bookkeeping over every pooled connection, tracing hooks) was about a third of a page's CPU on the event loop; this
does the same HTTP/1.1 exchange with h11 (the parser httpcore uses, with its settings) and nothing else. It raises
httpcore's exceptions, as the stream does (``crawler.fetch`` maps them to httpx's).

:func:`plain_request` and :func:`header_dict` let the fetcher send a plain GET without building httpx's request
and response objects (their URL parsing and header models were the next largest share): they give exactly what
httpx would have sent and read, for the URLs httpx sends as written (a differential test holds them to httpx).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import re
import ssl
import time
import zlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

import h11
import httpcore

from crawler.errors import FetchError, TooLarge, UnsupportedEncoding
from crawler.http1wire import Head, parse_head, request_bytes
from crawler.netstream import AsyncioStream, _literal, connect

READ_BYTES = 64 * 1024  # one read of a response (httpcore's size)
MAX_HEAD = 100 * 1024  # the most a response head may take (httpcore's h11 setting)
_BLANK_LINE = re.compile(rb"\n\r?\n")  # where h11 ends a head (h11/_receivebuffer.py)
_START = b"HTTP/1.1 "  # how every head http1wire reads begins
Origin = tuple[str, str, int]  # scheme, host (lower case, as the fetcher checked it), port
Timeouts = dict[str, float | None]  # connect, read, write, pool (httpx's timeout extension)


class Connection:
    """One HTTP/1.1 connection over an :class:`AsyncioStream`, one exchange at a time: a plain GET and an answer
    with a Content-Length body are written and read by :mod:`crawler.http1wire`; everything else is h11's state
    machine's, which also takes over an answer that module declines, with every byte read so far."""

    def __init__(self, origin: Origin, stream: AsyncioStream) -> None:
        self.origin, self.stream = origin, stream
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = 0.0
        self._replay: list[bytes] = []  # bytes read before h11 took the answer over: given to it first
        self._wire: _WireBody | None = None  # this exchange's body, when http1wire read the head

    async def exchange(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timeouts: Timeouts,
    ) -> h11.Response | Head:
        """Send the request and read the answer's head (informational answers skipped); the body follows
        from :meth:`body`."""
        self._wire, self._replay = None, []
        written = request_bytes(method, target, headers) if method == b"GET" and not body else None
        data = self._h11_request(method, target, headers, body) if written is None else written[0]
        with contextlib.suppress(
            httpcore.WriteError
        ):  # a server may answer, then close before reading it all
            await self.stream.write(data, timeouts.get("write"))
        read = timeouts.get("read")
        if written is not None:
            head = await self._wire_head(read, keep=written[1])
            if head is not None:
                return head
            self._h11_request(method, target, headers, body)  # h11 takes over: the same bytes went out
        while True:
            event = await self._event(read)
            if type(event) is h11.Response:
                return event
            if event is h11.PAUSED:  # a 101: the connection left HTTP/1.1 (h11 reads no further)
                raise httpcore.RemoteProtocolError("the server switched protocols (101): not HTTP/1.1")

    def _h11_request(
        self, method: bytes, target: bytes, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> bytes:
        state = self.h11
        try:
            data = state.send(h11.Request(method=method, target=target, headers=headers)) or b""
            if body:
                data += state.send(h11.Data(data=body)) or b""
            return data + (state.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(str(exc)) from exc

    async def _wire_head(self, timeout: float | None, *, keep: bool) -> Head | None:
        """The answer's head by :func:`crawler.http1wire.parse_head`, or None with what was read kept for h11.

        h11 is handed the bytes as soon as they cannot be such a head: a start other than ``HTTP/1.1 `` (h11
        refuses some at once, a leading CRLF or space), or a head that ends where h11 ends one, at the first
        blank line, but not with CRLF CRLF (a bare line feed: h11 reads it). Each read is searched once."""
        buffer, searched = bytearray(), 0
        while (found := _BLANK_LINE.search(buffer, max(0, searched - 2))) is None:
            if buffer[: len(_START)] != _START[: len(buffer)] or len(buffer) > MAX_HEAD:
                self._replay = [bytes(buffer)]  # (over the limit: h11 refuses it, as it would have)
                return None
            searched = len(buffer)
            data = await self.stream.read(READ_BYTES, timeout)
            if not data:  # cut off: h11 says how
                self._replay = [bytes(buffer), b""]
                return None
            buffer += data
        end = found.start() - 1  # where the CRLF CRLF begins
        crlf = found.end() - found.start() == 3 and end >= 0 and buffer[end] == 0x0D
        head = parse_head(bytes(buffer[:end])) if crlf and end <= MAX_HEAD else None
        if head is None:
            self._replay = [bytes(buffer)]
            return None
        self._wire = _WireBody(head.length, bytes(buffer[found.end() :]), keep=head.keep_alive and keep)
        return head

    async def body(self, timeout: float | None) -> AsyncGenerator[bytes, None]:
        if self._wire is not None:
            async for chunk in self._wire.chunks(self.stream, timeout):
                yield chunk
            return
        while True:
            event = await self._event(timeout)
            if type(event) is h11.Data:
                yield bytes(event.data)
            elif type(event) is h11.EndOfMessage or event is h11.PAUSED:
                return
            elif type(event) is h11.ConnectionClosed:  # (h11 raises on a short body: never reached)
                raise httpcore.RemoteProtocolError("connection closed before the body ended")

    async def _event(self, timeout: float | None) -> Any:
        state = self.h11
        while True:
            try:
                event = state.next_event()
            except h11.RemoteProtocolError as exc:
                raise httpcore.RemoteProtocolError(str(exc)) from exc
            if event is not h11.NEED_DATA:
                return event
            data = self._replay.pop(0) if self._replay else await self.stream.read(READ_BYTES, timeout)
            if not data and state.their_state is h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError("Server disconnected without sending a response.")
            state.receive_data(data)

    @property
    def reusable(self) -> bool:
        """The exchange ended cleanly on both sides, neither side asked to close, and the server sent nothing past
        the answer's end (a stray CRLF, a body longer than its Content-Length, a second answer in the same read:
        such bytes sit in a buffer, where neither the socket nor the stream would show them, and the next request
        on this connection would read them as its answer)."""
        if self._wire is not None:
            return self._wire.done and not self._wire.trailing and self._wire.keep
        return (
            self.h11.our_state is h11.DONE
            and self.h11.their_state is h11.DONE
            and not self.h11.trailing_data[0]
        )

    def next_cycle(self) -> None:
        """Ready for the next exchange (h11 saw none of an exchange read by http1wire: it is still idle)."""
        if self._wire is None:
            self.h11.start_next_cycle()
        self._wire = None


class _WireBody:
    """A Content-Length body read off the stream (h11's ContentLengthReader, and its error when cut off)."""

    def __init__(self, length: int, data: bytes, *, keep: bool) -> None:
        self.length, self.remaining, self.data, self.keep = length, length, data, keep
        self.done = self.trailing = False

    async def chunks(self, stream: AsyncioStream, timeout: float | None) -> AsyncGenerator[bytes, None]:
        data, self.data = self.data, b""
        while True:
            if data:
                self.trailing = len(data) > self.remaining
                taken = data[: self.remaining]
                self.remaining -= len(taken)
                if taken:
                    yield taken
            if not self.remaining:
                self.done = True
                return
            data = await stream.read(READ_BYTES, timeout)
            if not data:
                raise httpcore.RemoteProtocolError(
                    "peer closed connection without sending complete message body "
                    f"(received {self.length - self.remaining} bytes, expected {self.length})"
                )


class Pool:
    """At most ``size`` exchanges at once and ``size`` connections open (an idle one is closed to make room);
    idle connections are reused per origin unless the server closed them or sent bytes unasked. A connection goes
    only to one of ``pins[host]``, the addresses the fetcher resolved and checked for that host (TLS SNI and
    certificate names stay the host's). ``tls``: the TLS context, asked for at the first ``https`` connection (a
    crawl of plain-HTTP portals never loads the CA store; the first https one loads it there, once a process,
    tens of ms on the event loop)."""

    def __init__(self, tls: Callable[[], ssl.SSLContext], size: int = 4) -> None:
        self.tls, self.size = tls, size
        self.pins: dict[str, list[Any]] = {}
        self._idle: dict[Origin, list[Connection]] = {}
        self._busy: set[Connection] = set()
        self._opening = 0  # connections being made (not yet busy): they count against ``size`` too
        self._slots = asyncio.Semaphore(size)

    async def acquire(self, origin: Origin, timeouts: Timeouts) -> Connection:
        slots = self._slots
        if slots.locked():
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await slots.acquire()
            except TimeoutError as exc:
                raise httpcore.PoolTimeout("no connection free in time") from exc
        else:
            await slots.acquire()  # free: does not wait
        try:
            connection = await self._reuse(origin) or await self._connect(origin, timeouts.get("connect"))
        except BaseException:
            slots.release()
            raise
        self._busy.add(connection)
        return connection

    async def _reuse(self, origin: Origin) -> Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if not connection.stream.get_extra_info("is_readable"):
                return connection
            await connection.stream.aclose()  # closed by the server while idle, or bytes nobody asked for
        return None

    async def _connect(self, origin: Origin, timeout: float | None) -> Connection:
        scheme, host, port = origin
        addresses = self.pins.get(host)
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not resolved and checked before connecting")
        self._opening += 1
        try:
            await self._make_room()
            failure: Exception | None = None
            for ip in addresses:
                try:
                    stream = await connect(str(ip), port, timeout)
                    break
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                    failure = exc
            else:
                assert failure is not None
                raise failure
            if scheme == "https":
                await stream.start_tls(self.tls(), server_hostname=host, timeout=timeout)
            return Connection(origin, stream)
        finally:
            self._opening -= 1

    async def _make_room(self) -> None:
        """Close the longest idle connection while a new one would be one too many."""
        while len(self._busy) + self._opening + sum(map(len, self._idle.values())) > self.size:
            oldest = min(
                (idle[0] for idle in self._idle.values() if idle), key=lambda c: c.idle_since, default=None
            )
            if oldest is None:
                return
            self._idle[oldest.origin].remove(oldest)
            await oldest.stream.aclose()

    async def release(self, connection: Connection, *, keep: bool = True) -> None:
        """The exchange is over: the connection goes back idle if it can carry another, else it is closed."""
        if connection not in self._busy:
            return
        self._busy.discard(connection)
        self._slots.release()
        if keep and connection.reusable:
            connection.next_cycle()
            connection.idle_since = time.monotonic()
            self._idle.setdefault(connection.origin, []).append(connection)
        else:
            await connection.stream.aclose()

    async def aclose(self) -> None:
        connections = [*self._busy, *(c for idle in self._idle.values() for c in idle)]
        self._busy.clear()
        self._idle.clear()
        for connection in connections:
            await connection.stream.aclose()


DEFAULT_PORTS = {"http": 80, "https": 443}
# a URL httpx sends as written: lower-case scheme and host, a port, a path and a query of characters that httpx's
# normalization keeps as they are (its path and query percent-encode sets), no fragment and no user
_PLAIN_URL = re.compile(
    r"(https?)://([a-z0-9.-]+)(?::([1-9][0-9]{0,4}))?(/[!$-;=@-_a-z|~]*)?(\?[!$-;=?-~]*)?"
)


def plain_request(url: str) -> tuple[Origin, bytes, bytes] | None:
    """``(origin, target, Host header)`` of a URL that httpx would send exactly as written, else ``None`` (httpx's
    own parsing then normalizes it: dot segments, a default port written out, percent-encoding, IDNA …)."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None:
        return None
    scheme, host, port, path, query = match.groups()
    if "xn--" in host:  # an IDNA A-label: httpx checks it (and refuses an invalid one)
        return None
    if host.replace(".", "").isdigit() and not isinstance(_literal(host), ipaddress.IPv4Address):
        return None  # httpx checks a dotted-number host as an IPv4 address
    number = int(port) if port else DEFAULT_PORTS[scheme]
    if port and (number == DEFAULT_PORTS[scheme] or number > 65535):
        return None
    path = path or "/"
    if "/." in path:  # a "." or ".." segment, which httpx drops
        return None
    netloc = f"{host}:{port}" if port else host
    return (scheme, host, number), (path + (query or "")).encode("ascii"), netloc.encode("ascii")


def header_dict(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """A response's headers as ``{k.lower(): v for k, v in httpx.Headers(raw).items()}``: names lower-cased, a
    repeated name's values joined with ", ", all decoded as ASCII, else UTF-8, else ISO-8859-1 (httpx's rule)."""
    encoding = "iso-8859-1"
    for candidate in ("ascii", "utf-8"):
        try:
            for key, value in raw:
                key.decode(candidate)
                value.decode(candidate)
        except UnicodeDecodeError:
            continue
        encoding = candidate
        break
    headers: dict[str, str] = {}
    for key, value in raw:
        name, text = key.lower().decode(encoding).lower(), value.decode(encoding)
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


class Inflater:
    """Bounded decompression of a raw body: at most ``limit`` bytes ever come out (STACK-NOTES 1)."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit, self.url, self.size, self.raw = limit, url, 0, 0
        # the compressed bytes are capped too: deflate's worst case grows a body by ~0.03 % plus a few bytes, so
        # no body whose decompressed size is within ``limit`` has more than this many
        self.raw_limit = limit + limit // 100 + 4096
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            self._d = None
        elif encoding in ("gzip", "x-gzip"):
            self._d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif encoding == "deflate":
            self._d = zlib.decompressobj(zlib.MAX_WBITS | 32)  # zlib header, auto-detected
        else:
            raise UnsupportedEncoding(url, f"Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        if self._d is None:
            return self._count(chunk)
        self.raw += len(chunk)
        if self.raw > self.raw_limit:
            raise TooLarge(self.url, f"compressed body over {self.raw_limit} bytes")
        if self._d.eof:  # past the compressed stream's end: nothing more comes out (zlib would keep it all)
            return b""
        out = bytearray()
        data = chunk
        while data and not self._d.eof:
            try:
                piece = self._d.decompress(data, self.limit - self.size + 1)
            except zlib.error as exc:
                raise FetchError(self.url, f"corrupt compressed body: {exc}") from exc
            out += self._count(piece)
            data = self._d.unconsumed_tail
        return bytes(out)

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.limit:
            raise TooLarge(self.url, f"body over {self.limit} bytes")
        return data
