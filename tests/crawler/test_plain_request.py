"""The fetcher sends a plain GET without httpx's request and response objects (``crawler.http1``); what goes on
the wire and what is read back must be what httpx gives: a differential check against httpx itself over the bench
portal's URLs, fuzzed URLs and fuzzed headers."""

from __future__ import annotations

import asyncio
import random
import string
from collections.abc import Iterator

import httpx
import pytest

from crawler.fetch import Fetcher, FetchPolicy, _encoded
from crawler.http1 import header_dict, plain_request
from portalsim.bulk import bulk_portals
from tests.hostile import hostile_app
from tests.servers import running_app

TRICKY = [
    "http://h.cn",
    "http://h.cn?x=1",
    "http://h.cn:80/a",
    "https://h.cn:443/a",
    "http://h.cn:080/a",
    "http://h.cn:65536/a",
    "http://h.cn/a/./b",
    "http://h.cn/a/../b",
    "http://h.cn/a/.hidden",
    "http://h.cn/a b",
    "http://h.cn/%zz/%41?q=%&b=c?d",
    "http://H.cn/a",
    "HTTP://h.cn/a",
    "http://h.cn/a#frag",
    "http://user@h.cn/a",
    "http://999.1.1.1/a",
    "http://1.2.3/a",
    "http://01.2.3.4/a",
    "http://1-2-3-4/a",
    "http://[::1]:8080/a",
    "http://例子.cn/a",
    "http://h.cn/法治?q=报告",
    "http://h.cn/a{b}`c",
    "http://h.cn/a?b{c}`d|e^f",
    "http://h.cn/a\tb",
]
ALPHABET = string.ascii_letters + string.digits + string.punctuation + " \t法%"


def _fuzzed(count: int) -> list[str]:
    rng = random.Random(12)
    hosts = ["h.cn", "127.0.0.31", "a-b.gov.cn", "1.2.3.4", "H.CN", "x..y", "999.0.0.1", "1.2.3"]
    ports = ["", ":8080", ":80", ":443", ":0", ":65535", ":99999", ":08080"]
    urls = []
    for _ in range(count):
        path = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 30)))
        scheme = rng.choice(["http", "https"])
        urls.append(
            f"{scheme}://{rng.choice(hosts)}{rng.choice(ports)}{'/' if rng.random() < 0.9 else ''}{path}"
        )
    return urls


def _httpx_view(url: str) -> tuple[tuple[str, str, int], bytes, bytes, str] | None:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):
        return None
    port = parsed.port or {"http": 80, "https": 443}[parsed.scheme]
    return (parsed.scheme, parsed.raw_host.decode("ascii"), port), parsed.raw_path, parsed.netloc, str(parsed)


@pytest.mark.parametrize("source", ["bench", "tricky", "fuzzed"])
def test_a_plain_request_is_what_httpx_sends(source: str) -> None:
    if source == "bench":
        urls = [f"http://{p.host}{path}" for p in bulk_portals(3, 100, 18600).values() for path in p.pages]
    else:
        urls = TRICKY if source == "tricky" else _fuzzed(20000)
    plain_count = 0
    for url in urls:
        plain = plain_request(url)
        if plain is None:
            continue
        plain_count += 1
        view = _httpx_view(url)
        assert view is not None, url  # httpx would have refused it
        origin, target, netloc, as_text = view
        assert plain == (origin, target, netloc), url
        assert as_text == url, url  # the WARC record's URL
    assert plain_count >= (len(urls) if source == "bench" else 5)


@pytest.mark.parametrize(
    "extra", [{}, {"Referer": "http://h.cn/list/"}, {"Accept": "x/y", "If-None-Match": '"e"'}]
)
def test_request_headers_are_what_httpx_sends(extra: dict[str, str]) -> None:
    base = {
        "Accept": "text/html",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "keep-alive",
        "User-Agent": "u",
    }
    merged = {**base, **extra}
    request = httpx.Request("GET", "http://h.cn:8080/a?b", headers=merged)
    assert request.headers.raw == [(b"Host", b"h.cn:8080"), *_encoded(merged)]
    assert request.content == b""


def test_response_headers_are_read_as_httpx_reads_them() -> None:
    rng = random.Random(3)
    names = [
        b"Content-Type",
        b"content-type",
        b"Set-Cookie",
        b"X-A",
        b"Location",
        b"ETag",
        b"Content-Encoding",
    ]
    values = [b"text/html", b"a=1", "法治".encode(), "é".encode("latin-1"), b"", b"gzip", b"  spaced  "]
    for _ in range(3000):
        raw = [(rng.choice(names), rng.choice(values)) for _ in range(rng.randint(0, 6))]
        expected = {k.lower(): v for k, v in httpx.Headers(raw).items()}
        assert header_dict(raw) == expected, raw


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with running_app(hostile_app) as base:
        yield base


@pytest.mark.parametrize("path", ["/ok", "/gzip", "/waf", "/big", "/nothing-here"])
def test_a_plain_get_reads_what_the_httpx_path_reads(origin: str, path: str) -> None:
    """The same fetches through the plain path and through httpx's request and response objects (on the same
    pinned transport) give the same result and the same WARC record, but for its time."""

    async def both() -> list[tuple[object, ...]]:
        policy = FetchPolicy(user_agent="fazhi-tests", allow_private_hosts=frozenset({"127.0.0.1"}))
        seen = []
        for plain in (True, False):
            async with Fetcher(policy) as fetcher:
                if not plain:
                    fetcher._pool = None  # every request through httpx.Request / httpx.Response
                result = await fetcher.fetch(origin + path, headers={"Referer": origin + "/list/"})
                wire = {k: v for k, v in vars(result.wire).items() if k != "at"}
                seen.append((result.status, result.headers, result.content, result.redirects, wire))
        return seen

    with_plain, with_httpx = asyncio.run(both())
    assert with_plain == with_httpx
