"""The fetch boundary against a hostile origin on 127.0.0.1 (a real uvicorn server)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

from crawler.errors import (
    ConnectFailure,
    FetchTimeout,
    PrivateAddress,
    RedirectLoop,
    TooLarge,
    TooManyRedirects,
    UnsupportedEncoding,
)
from crawler.fetch import Fetcher, FetchPolicy, FetchResult, is_public
from tests.hostile import hostile_app
from tests.servers import running_app


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with running_app(hostile_app) as base:
        yield base


def _fetch(url: str, **policy: object) -> FetchResult:
    settings = {"user_agent": "fazhi-tests", "allow_private_hosts": frozenset({"127.0.0.1"}), **policy}

    async def main() -> FetchResult:
        async with Fetcher(FetchPolicy(**settings)) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch(url)

    return asyncio.run(main())


def test_plain_and_gzip(origin: str) -> None:
    assert _fetch(f"{origin}/ok").content.decode() == "法治政府建设"
    assert _fetch(f"{origin}/gzip").content.decode() == "你好"


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb", "/big"])
def test_body_cap_applies_to_decompressed_bytes(origin: str, path: str) -> None:
    with pytest.raises(TooLarge):
        _fetch(f"{origin}{path}", max_bytes=1024 * 1024)


def test_unsupported_encoding_is_refused(origin: str) -> None:
    with pytest.raises(UnsupportedEncoding):
        _fetch(f"{origin}/br")


def test_slow_drip_hits_the_overall_deadline(origin: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        _fetch(f"{origin}/drip", deadline=1.0, timeout=5.0)
    assert time.monotonic() - started < 5


def test_redirect_loop_and_chain(origin: str) -> None:
    with pytest.raises(RedirectLoop):
        _fetch(f"{origin}/loop")
    with pytest.raises(TooManyRedirects):
        _fetch(f"{origin}/chain?n=0")


def test_waf_cookie_redirect_completes(origin: str) -> None:
    result = _fetch(f"{origin}/waf")
    assert result.status == 200 and b"real page" in result.content
    assert len(result.redirects) == 1


def test_loopback_refused_unless_allowed(origin: str) -> None:
    with pytest.raises(PrivateAddress):
        _fetch(f"{origin}/ok", allow_private_hosts=frozenset())


@pytest.mark.parametrize("path", ["/to-foreign", "/to-decimal-loopback"])
def test_redirect_to_another_private_host_is_refused_before_connecting(origin: str, path: str) -> None:
    with pytest.raises(PrivateAddress):
        _fetch(f"{origin}{path}")


PUBLIC_ANSWER = "9.9.9.9"  # a public address a fake resolver answers; the test refuses every connect to it


@pytest.fixture
def rebinding(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, list[Any]]]:
    """``rebind.test`` resolves to a public address once, then to 127.0.0.2 (the "foreign" host) after that;
    connects to the public address are refused before any packet (and recorded)."""
    seen: dict[str, list[Any]] = {"lookups": [], "connects": []}
    original_getaddrinfo, original_connect = socket.getaddrinfo, socket.socket.connect

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if (host.decode() if isinstance(host, bytes) else host) != "rebind.test":
            return original_getaddrinfo(host, port, *args, **kwargs)
        seen["lookups"].append(host)
        address = PUBLIC_ANSWER if len(seen["lookups"]) == 1 else "127.0.0.2"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    def connect(self: socket.socket, address: Any) -> Any:
        seen["connects"].append(address[0])
        if address[0] == PUBLIC_ANSWER:
            raise ConnectionRefusedError("refused by the test: never on the wire")
        return original_connect(self, address)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    yield seen


def test_dns_rebinding_connects_to_the_checked_address_only(rebinding: dict[str, list[Any]]) -> None:
    with running_app(hostile_app, host="127.0.0.2") as foreign:
        port = foreign.rsplit(":", 1)[1]
        with pytest.raises(ConnectFailure):
            _fetch(f"http://rebind.test:{port}/ok", allow_private_hosts=frozenset())
    assert rebinding["lookups"] == ["rebind.test"]  # resolved once for the hop
    assert "127.0.0.2" not in rebinding["connects"]
    assert PUBLIC_ANSWER in rebinding["connects"]


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::7f00:2",  # NAT64 of 127.0.0.2
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:2::1",  # 6to4 of 127.0.0.2
        "2002:a9fe:a9fe::",  # 6to4 of 169.254.169.254
        "::127.0.0.2",  # IPv4-compatible
        "::ffff:127.0.0.2",  # IPv4-mapped
        "64:ff9b:1::7f00:2",  # local-use NAT64 (RFC 8215)
    ],
)
def test_ipv6_transition_addresses_are_judged_by_their_ipv4(address: str) -> None:
    with pytest.raises(PrivateAddress):
        _fetch(f"http://[{address}]:9/")


def test_transition_address_of_a_public_ipv4_counts_as_public() -> None:
    assert is_public(ipaddress.ip_address("64:ff9b::909:909"))  # NAT64 of 9.9.9.9
    assert is_public(ipaddress.ip_address("2002:909:909::1"))  # 6to4 of 9.9.9.9
