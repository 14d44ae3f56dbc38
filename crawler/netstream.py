"""httpcore's network stream on asyncio's own streams, for :class:`crawler.fetch.PinnedBackend`.

httpcore's default (anyio) stream costs a crawl a good part of each request's CPU for work it does not need here:
a cancel scope per read and write, and a dict of socket attributes (two ``getpeername`` calls) each time a pooled
connection is checked before reuse. This one reads with an ``asyncio.StreamReader``, bounds each read, write and
TLS handshake with ``asyncio.timeout`` and maps failures to httpcore's exceptions, as the anyio stream does.
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
from typing import Any

import httpcore


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
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout("read timed out") from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
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
