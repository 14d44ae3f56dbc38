"""Where a fetch may connect, and the HTTP/1.1 client under :mod:`crawler.fetch`'s transport: :func:`check_address`
resolves a hop's host once and checks every address (non-public ones refused unless allowed); h11 connections
over asyncio's own streams are kept alive in a small pool that connects only to those addresses (DNS rebinding).

httpcore's pool and connection machinery (anyio locks and events, a cancel scope per read and write, per-request
bookkeeping over every pooled connection, tracing hooks) was about a third of a page's CPU on the event loop; this
does the same HTTP/1.1 exchange with h11 (the same parser httpcore uses, with its settings) and nothing else. The
network stream implements httpcore's interface and raises httpcore's exceptions (``crawler.fetch`` maps them to
httpx's): it reads with an ``asyncio.StreamReader``, bounds each read, write and TLS handshake that has to wait
with ``asyncio.timeout`` (a read the reader can answer from its buffer, or a write the socket took whole, does not
wait, so it needs no timer).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import select
import socket
import ssl
import time
from collections.abc import AsyncIterator
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import h11
import httpcore

from crawler.errors import ConnectFailure, FetchError, PrivateAddress

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
_LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")  # RFC 8215: local use, never public


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 transition address reaches: mapped, NAT64, 6to4 or IPv4-compatible."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or (int(ip) >> 32 == 0 and int(ip) > 1):  # ::a.b.c.d (:: and ::1 are not IPv4)
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


@lru_cache(maxsize=4096)  # pure, and asked for every fetch: the standard library's checks walk network lists
def is_public(ip: Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        ip = _embedded_ipv4(ip) or ip
    return ip.is_global and not ip.is_multicast


@lru_cache(maxsize=4096)
def _literal(host: str) -> Address | None:
    """The address a host written as one is (``None``: a name)."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


async def resolve_addresses(host: str, port: int) -> list[Address]:
    literal = _literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos))


async def check_address(url: str, allow_private_hosts: frozenset[str]) -> list[Address]:
    """Resolve a hop's host once and return its addresses, all checked: a host with a non-public address is
    refused unless it is allowed to. The connection then goes to these addresses (:class:`Pool`, through ``crawler.fetch.PinnedTransport``)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "only http(s) URLs with a host are fetched")
    host = parts.hostname.lower()
    try:
        addresses = await resolve_addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
    except OSError as exc:
        raise ConnectFailure(url, f"cannot resolve {host}: {exc}") from exc
    if not addresses:
        raise ConnectFailure(url, f"{host} resolves to no address")
    private = [str(ip) for ip in addresses if not is_public(ip)]
    if private and host not in allow_private_hosts:
        raise PrivateAddress(url, f"{host} resolves to {', '.join(private)}")
    return addresses


def _readable(sock: socket.socket | None) -> bool:
    """Whether a read would return at once (data or the end): an idle pooled connection that is readable was
    closed (or broken) by the server and is not reused."""
    if sock is None or sock.fileno() < 0:
        return True
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    return bool(poller.poll(0))


CLOSE_WAIT = 1.0  # seconds a closing connection may take (a TLS close waits for the server's close_notify)


async def _close(writer: asyncio.StreamWriter) -> None:
    """Close the connection and wait until its socket is closed: ``close()`` alone leaves a TLS connection's socket
    open until the close_notify exchange ends, and a socket still open when the event loop goes is a leak
    (``ResourceWarning: unclosed transport``). Past :data:`CLOSE_WAIT`, or on any error, the socket is dropped
    (``abort``); a cancelled close drops it too, then lets the cancellation go on. Never raises otherwise."""
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), CLOSE_WAIT)
    except asyncio.CancelledError:
        writer.transport.abort()
        raise
    except Exception:  # a timeout, or the connection's own error (reset, TLS): closed either way
        writer.transport.abort()
        await asyncio.sleep(0)  # the socket is closed on the loop's next turn


class AsyncioStream(httpcore.AsyncNetworkStream):
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader, self._writer = reader, writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        reader = self._reader
        try:
            if reader._buffer or reader.at_eof():  # type: ignore[attr-defined]  # answered at once: no timer
                return await reader.read(max_bytes)
            async with asyncio.timeout(timeout):
                return await reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("read timed out") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        writer = self._writer
        try:
            writer.write(buffer)
            if not writer.transport.get_write_buffer_size():  # the socket took it all: drain cannot wait
                await writer.drain()
                return
            async with asyncio.timeout(timeout):
                await writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout("write timed out") from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        await _close(self._writer)

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            self._writer.close()
            raise httpcore.ConnectTimeout("TLS handshake timed out") from exc
        except (ssl.SSLError, OSError) as exc:
            self._writer.close()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        writer = self._writer
        if info == "ssl_object":
            return writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return writer.get_extra_info("sockname")
        if info == "server_addr":
            return writer.get_extra_info("peername")
        if info == "socket":
            return writer.get_extra_info("socket")
        if info == "is_readable":
            reader = self._reader
            if reader.at_eof() or reader.exception() is not None or writer.is_closing():
                return True
            if getattr(
                reader, "_buffer", None
            ):  # bytes the loop read while idle: not an answer to the next request
                return True
            return _readable(writer.get_extra_info("socket"))
        return None


async def connect(host: str, port: int, timeout: float | None) -> AsyncioStream:
    """A TCP connection to ``host`` (an address: the caller resolved and checked it) and ``port``."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    return AsyncioStream(reader, writer)


READ_BYTES = 64 * 1024  # one read of a response (httpcore's size)
MAX_HEAD = 100 * 1024  # the most a response head may take (httpcore's h11 setting)
Origin = tuple[str, str, int]  # scheme, host (lower case, as the fetcher checked it), port
Timeouts = dict[str, float | None]  # connect, read, write, pool (httpx's timeout extension)


class Connection:
    """One HTTP/1.1 connection: h11's state machine over an :class:`AsyncioStream`, one exchange at a time."""

    def __init__(self, origin: Origin, stream: AsyncioStream) -> None:
        self.origin, self.stream = origin, stream
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = 0.0

    async def exchange(
        self,
        method: bytes,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        timeouts: Timeouts,
    ) -> h11.Response:
        """Send the request and read the answer's head (informational answers skipped); the body follows
        from :meth:`body`."""
        state = self.h11
        try:
            data = state.send(h11.Request(method=method, target=target, headers=headers)) or b""
            if body:
                data += state.send(h11.Data(data=body)) or b""
            data += state.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError as exc:
            raise httpcore.LocalProtocolError(str(exc)) from exc
        with contextlib.suppress(
            httpcore.WriteError
        ):  # a server may answer, then close before reading it all
            await self.stream.write(data, timeouts.get("write"))
        read = timeouts.get("read")
        while True:
            event = await self._event(read)
            if type(event) is h11.Response:
                return event

    async def body(self, timeout: float | None) -> AsyncIterator[bytes]:
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
            data = await self.stream.read(READ_BYTES, timeout)
            if not data and state.their_state is h11.SEND_RESPONSE:
                raise httpcore.RemoteProtocolError("Server disconnected without sending a response.")
            state.receive_data(data)

    @property
    def reusable(self) -> bool:
        """The exchange ended cleanly on both sides and the server did not ask to close."""
        return self.h11.our_state is h11.DONE and self.h11.their_state is h11.DONE


class Pool:
    """At most ``size`` exchanges at once and ``size`` connections open (an idle one is closed to make room);
    idle connections are reused per origin unless the server closed them or sent bytes unasked. A connection goes
    only to one of ``pins[host]``, the addresses the fetcher resolved and checked for that host (TLS SNI and
    certificate names stay the host's)."""

    def __init__(self, ssl_context: ssl.SSLContext, size: int = 4) -> None:
        self.ssl_context, self.size = ssl_context, size
        self.pins: dict[str, list[Any]] = {}
        self._idle: dict[Origin, list[Connection]] = {}
        self._busy: set[Connection] = set()
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
            await stream.start_tls(self.ssl_context, server_hostname=host, timeout=timeout)
        return Connection(origin, stream)

    async def _make_room(self) -> None:
        """Close the longest idle connection while a new one would be one too many."""
        while len(self._busy) + sum(map(len, self._idle.values())) >= self.size:
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
            connection.h11.start_next_cycle()
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
