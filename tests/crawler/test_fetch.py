"""The fetch boundary against a hostile origin on 127.0.0.1 (a real uvicorn server)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from crawler.errors import (
    FetchTimeout,
    PrivateAddress,
    RedirectLoop,
    TooLarge,
    TooManyRedirects,
    UnsupportedEncoding,
)
from crawler.fetch import Fetcher, FetchPolicy, FetchResult
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
