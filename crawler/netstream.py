"""Where a fetch may connect, and the network stream it connects with (under :mod:`crawler.http1`).

:func:`check_address` resolves a hop's host once and checks every address (a non-public one is refused unless the
host is allowed to); the pool connects only to those addresses (DNS rebinding gets no second answer in).
:class:`AsyncioStream` implements httpcore's network-stream interface on asyncio's own streams (httpcore's anyio
stream cost a cancel scope per read and write, and two ``getpeername`` calls whenever a pooled connection was
checked before reuse): it reads with an ``asyncio.StreamReader``, bounds each read, write and TLS handshake that
has to wait with ``asyncio.timeout`` (a read the reader answers from its buffer, or a write the socket takes whole,
does not wait and arms no timer) and maps failures to httpcore's exceptions, as the anyio stream does.
"""

from __future__ import annotations

import asyncio
import ipaddress
import select
import socket
import ssl
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

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
    refused unless it is allowed to. The connection then goes to these addresses (``crawler.http1.Pool``)."""
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
