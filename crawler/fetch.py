"""The only module that uses httpx (switching to httpx2 is a one-line import change).

Every fetch: each hop's host resolved once and every address checked, the connection made to a checked address
(DNS rebinding gets no second answer in), redirects followed here (≤ 10, loops
detected), the body read raw and decompressed by us under a byte cap (bombs stop early), one overall deadline
(httpx timeouts are per read: a slow drip would never end), and httpx errors turned into ``crawler.errors``.
Under httpx's transport interface the exchange is ``crawler.http1``'s (h11 in a pool of our own); a plain GET goes
to that pool without httpx's request and response objects, with the bytes and values httpx would have used.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from functools import cache, partial
from urllib.parse import urljoin

import httpcore
import httpx

from crawler import http1
from crawler.errors import (
    ConnectFailure,
    FetchTimeout,
    RedirectLoop,
    TLSFailure,
    TooManyRedirects,
)
from crawler.netstream import Address, check_address
from crawler.netstream import is_public as is_public  # re-exported: the address rules are the fetch rules
from crawler.warcrecords import Wire

REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    allow_private_hosts: frozenset[str] = frozenset()  # host names that may resolve to non-public addresses
    max_bytes: int = 20 * 1024 * 1024
    timeout: float = 15.0  # connect / read / write / pool, each
    deadline: float = 60.0  # the whole fetch, redirects included
    max_redirects: int = 10
    verify: bool = True  # False: no certificate check (logged by the caller)
    tls: str = "default"  # "legacy": SECLEVEL=1 and legacy renegotiation, for old government servers


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    elapsed: float
    redirects: list[str] = field(default_factory=list)
    wire: Wire | None = None  # the last hop as on the wire, for the WARC archive (crawler.warc)

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


def ssl_context(policy: FetchPolicy) -> ssl.SSLContext:
    return _ssl_context(policy.verify, policy.tls)


@cache
def _ssl_context(verify: bool, tls: str) -> ssl.SSLContext:
    """One context per (verify, tls) for the process: loading the CA store costs tens of ms a time."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])  # as httpcore offered it
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if tls == "legacy":
        context.set_ciphers("DEFAULT:@SECLEVEL=1")  # 1024-bit DH, SHA-1 signatures
        context.options |= getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
    return context


_HTTPX_ERRORS: dict[type[Exception], type[httpx.HTTPError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
}
_NETWORK_ERRORS = (httpcore.TimeoutException, httpcore.NetworkError, httpcore.ProtocolError)
_PORTS = {"http": 80, "https": 443}


def _as_httpx(exc: Exception) -> httpx.HTTPError:
    """httpcore's exception as httpx's (what httpx's own transport raises for it)."""
    return _HTTPX_ERRORS.get(type(exc), httpx.TransportError)(str(exc))


class PinnedTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over :class:`crawler.http1.Pool`: connections go only to the addresses :func:`check_address`
    returned for the host (``pins``: DNS rebinding gets no second answer in); TLS SNI, the certificate check and
    the Host header stay the name. (httpcore's pool, on a pinned backend, cost far more CPU per request.)"""

    def __init__(self, policy: FetchPolicy) -> None:
        self.pool = http1.Pool(partial(ssl_context, policy), size=4)
        self.pins = self.pool.pins

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        timeouts = request.extensions.get("timeout", {})
        origin = (url.scheme, url.raw_host.decode("ascii").lower(), url.port or _PORTS[url.scheme])
        try:
            connection = await self.pool.acquire(origin, timeouts)
            try:
                head = await connection.exchange(
                    request.method.encode("ascii"),
                    url.raw_path,
                    request.headers.raw,
                    request.content,
                    timeouts,
                )
            except BaseException:
                await self.pool.release(connection, keep=False)
                raise
        except _NETWORK_ERRORS as exc:
            raise _as_httpx(exc) from exc
        return httpx.Response(
            head.status_code,
            headers=head.headers.raw_items(),
            stream=_Body(self.pool, connection, timeouts.get("read")),
            extensions={"http_version": b"HTTP/" + head.http_version, "reason_phrase": head.reason},
        )

    async def aclose(self) -> None:
        await self.pool.aclose()


class _Body(httpx.AsyncByteStream):
    """A response's body off its connection; closing it gives the connection back to the pool (or closes it)."""

    def __init__(self, pool: http1.Pool, connection: http1.Connection, timeout: float | None) -> None:
        self._pool, self._connection, self._timeout = pool, connection, timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._connection.body(self._timeout):
                yield chunk
        except _NETWORK_ERRORS as exc:
            raise _as_httpx(exc) from exc

    async def aclose(self) -> None:
        await self._pool.release(self._connection)


class Fetcher:
    """One per source crawl: its cookie jar is the source's (WAF cookie redirects complete)."""

    def __init__(self, policy: FetchPolicy, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        """``transport``: unit tests only (``httpx.MockTransport``); otherwise the pinned one.

        Requests go to the transport itself, not through an ``httpx.AsyncClient``: the client's per-request work
        (merging its URL, headers and cookie jar into every request, reading every response for cookies) was a
        large part of a page's CPU. What it did that we need is done here: the source's cookies (only when there
        are any, or a response sets some), the timeouts, the headers."""
        self.policy = policy
        self._transport: httpx.AsyncBaseTransport
        self._pool: http1.Pool | None = None  # plain GETs go to the pinned transport's pool directly
        if transport is None:
            pinned = PinnedTransport(policy)
            self._pins, self._transport, self._pool = pinned.pins, pinned, pinned.pool
        else:
            self._pins, self._transport = {}, transport
        self._cookies = httpx.Cookies()
        self._timeouts = httpx.Timeout(policy.timeout).as_dict()
        self._headers = {
            "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Connection": "keep-alive",
            "User-Agent": policy.user_agent,
            "Accept-Language": "zh-CN,zh;q=0.9",
        }
        self._raw_headers = _encoded(self._headers)

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._transport.aclose()

    async def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> FetchResult:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.policy.deadline):
                result = await self._follow(url, method, data, headers or {})
        except TimeoutError as exc:
            raise FetchTimeout(url, f"no complete answer within {self.policy.deadline:g} s") from exc
        result.elapsed = time.monotonic() - started
        return result

    async def _follow(
        self, url: str, method: str, data: dict[str, str] | None, extra: dict[str, str]
    ) -> FetchResult:
        current, hops, visits = url, list[str](), {url: 1}
        while True:
            addresses = await check_address(current, self.policy.allow_private_hosts)
            status, headers, content, wire = await self._send(
                current, method, data, extra if not hops else {}, addresses
            )
            location = headers.get("location")
            if status not in REDIRECT_CODES or not location:
                return FetchResult(url, current, status, headers, content, 0.0, hops, wire)
            if len(hops) >= self.policy.max_redirects:
                raise TooManyRedirects(url, f"more than {self.policy.max_redirects} redirects")
            hops.append(current)
            current = urljoin(current, location)
            visits[current] = visits.get(current, 0) + 1
            if visits[current] > 2:  # one revisit is the WAF "302 to self with a cookie" pattern
                raise RedirectLoop(url, f"redirect loop at {current}")
            if status == 303 or (status in (301, 302) and method == "POST"):
                method, data = "GET", None

    async def _send(
        self,
        url: str,
        method: str,
        data: dict[str, str] | None,
        extra: dict[str, str],
        addresses: list[Address],
    ) -> tuple[int, dict[str, str], bytes, Wire]:
        try:
            plain = http1.plain_request(url) if self._pool and method == "GET" and not data else None
            if plain and not self._cookies:
                return await self._send_plain(url, plain, extra, addresses)
            request = self._request(method, url, data, extra)
            self._pins[request.url.raw_host.decode("ascii").lower()] = addresses
            wire = _wire(request)
            response = await self._transport.handle_async_request(request)
            response.request = request
            if "set-cookie" in response.headers:  # a WAF's cookie redirect: the next hop sends it back
                self._cookies.extract_cookies(response)
            try:
                headers = {k.lower(): v for k, v in response.headers.items()}
                inflater = http1.Inflater(headers.get("content-encoding", ""), self.policy.max_bytes, url)
                body, raw = bytearray(), bytearray()
                async for chunk in response.aiter_raw():
                    raw += chunk
                    body += inflater.feed(chunk)
                content = bytes(body)
                _answered(wire, response, content if raw == body else bytes(raw))
                return response.status_code, headers, content, wire
            finally:
                await response.aclose()
        except httpx.TimeoutException as exc:
            raise FetchTimeout(url, type(exc).__name__) from exc
        except httpx.ConnectError as exc:
            if (
                isinstance(exc.__context__, ssl.SSLError)
                or "SSL" in str(exc)
                or "certificate" in str(exc).lower()
            ):
                raise TLSFailure(url, str(exc)) from exc
            raise ConnectFailure(url, str(exc) or type(exc).__name__) from exc
        except httpx.HTTPError as exc:
            raise ConnectFailure(url, str(exc) or type(exc).__name__) from exc

    async def _send_plain(
        self,
        url: str,
        plain: tuple[http1.Origin, bytes, bytes],
        extra: dict[str, str],
        addresses: list[Address],
    ) -> tuple[int, dict[str, str], bytes, Wire]:
        """A plain GET straight on the pinned pool: the bytes httpx would send and the values it would read
        (``crawler.http1.plain_request``, ``header_dict``), without building its request and response objects."""
        origin, target, host = plain
        pool, timeouts = self._pool, self._timeouts
        assert pool is not None
        self._pins[origin[1]] = addresses
        headers = [(b"Host", host), *(_encoded({**self._headers, **extra}) if extra else self._raw_headers)]
        wire = Wire(url, "GET", target, headers, b"", "HTTP/1.1", 0, b"", [], b"")  # its time: the request's
        try:
            connection = await pool.acquire(origin, timeouts)
            try:
                head = await connection.exchange(b"GET", target, headers, b"", timeouts)
                answer = head.headers.raw_items()
                found = http1.header_dict(answer)
                if "set-cookie" in found:  # a WAF's cookie redirect: the next hop sends it back
                    request = httpx.Request("GET", url, headers=headers)
                    self._cookies.extract_cookies(
                        httpx.Response(head.status_code, headers=answer, request=request)
                    )
                inflater = http1.Inflater(found.get("content-encoding", ""), self.policy.max_bytes, url)
                body, raw = bytearray(), bytearray()
                async with contextlib.aclosing(connection.body(timeouts.get("read"))) as chunks:
                    async for chunk in chunks:
                        raw += chunk
                        body += inflater.feed(chunk)
            except BaseException:
                await pool.release(connection, keep=False)
                raise
            await pool.release(connection)
        except _NETWORK_ERRORS as exc:
            raise _as_httpx(exc) from exc
        content = bytes(body)
        wire.http_version, wire.status = "HTTP/" + head.http_version.decode("ascii"), head.status_code
        wire.reason, wire.response_headers, wire.body = (
            head.reason,
            answer,
            content if raw == body else bytes(raw),
        )
        return head.status_code, found, content, wire

    def _request(
        self, method: str, url: str, data: dict[str, str] | None, extra: dict[str, str]
    ) -> httpx.Request:
        headers = {**self._headers, **extra} if extra else self._headers
        request = httpx.Request(
            method, url, data=data, headers=headers, extensions={"timeout": self._timeouts}
        )
        if self._cookies:
            self._cookies.set_cookie_header(request)
        return request


def _encoded(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers as httpx encodes a dict of them (ASCII: anything else raises, as it does)."""
    return [(key.encode("ascii"), value.encode("ascii")) for key, value in headers.items()]


def _wire(request: httpx.Request) -> Wire:
    """The request as sent, for the WARC archive; :func:`_answered` adds the response."""
    return Wire(
        url=str(request.url),
        method=request.method,
        target=request.url.raw_path,
        request_headers=list(request.headers.raw),
        request_body=request.content,
        http_version="HTTP/1.1",
        status=0,
        reason=b"",
        response_headers=[],
        body=b"",
    )


def _answered(wire: Wire, response: httpx.Response, raw: bytes) -> None:
    wire.http_version, wire.status = response.http_version, response.status_code
    wire.reason = response.extensions.get("reason_phrase", b"")
    wire.response_headers, wire.body = list(response.headers.raw), raw
