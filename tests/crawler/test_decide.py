"""The page path's decisions, offline: pages answered by ``httpx.MockTransport`` through the real fetcher and the
polite fetcher, then decided by ``decide_list`` / ``decide_detail`` (no server, no database)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from crawler.decide import conditional_headers, decide_detail, decide_list, gave_up, needs_reading
from crawler.errors import GaveUp, ParseError
from crawler.fetch import Fetcher, FetchPolicy
from crawler.outcomes import Outcome, PageOutcome, SourceStats
from crawler.polite import Fetched, Manners, PoliteFetcher
from crawler.politeness import HostSlots
from crawler.retry import RetryPolicy
from crawler.robots import RobotsCache
from ingest import extract_report
from store.frontier import Entry, NewEntry
from tests.pages import report_page

HOST = "127.0.0.2"  # never connected to: the mock transport answers
BASE = f"http://{HOST}"
Handler = Callable[[httpx.Request], httpx.Response]


def _get(
    handler: Handler,
    url: str = f"{BASE}/a.html",
    *,
    retries: int = 2,
    obey_robots: bool = False,
    **headers: str,
) -> Fetched:
    async def main() -> Fetched:
        policy = FetchPolicy(user_agent="fazhi-tests", allow_private_hosts=frozenset({HOST}))
        async with Fetcher(policy, transport=httpx.MockTransport(handler)) as fetcher:
            manners = Manners(0.0, 1, obey_robots, RetryPolicy(retries=retries, backoff=0.001))
            polite = PoliteFetcher(
                fetcher, slots=HostSlots(), robots=RobotsCache(), manners=manners, source="s"
            )
            return await polite.get(url, headers=headers or None)

    return asyncio.run(main())


def _entry(kind: str = "detail", **values: object) -> Entry:
    return Entry(key="k" * 64, source_name="s", run_id=1, url=f"{BASE}/a.html", kind=kind, **values)


def _answer(status: int, content: bytes = b"", **headers: str) -> httpx.Response:
    """A mock answer as a stream, as a server's is (the fetcher reads bodies raw, under its cap)."""
    return httpx.Response(status, stream=httpx.ByteStream(content), headers=headers)


def _page(status: int, content: bytes = b"", **headers: str) -> Handler:
    return lambda request: _answer(status, content, **headers)


REPORT = report_page("2023年法治政府建设年度报告")


def _read(fetched: Fetched) -> object:
    return extract_report(fetched.result.content, fetched.result.final_url, content_type="text/html")


# ---------------------------------------------------------------- the polite fetcher


def test_a_503_with_retry_after_is_asked_again() -> None:
    answers = iter([_answer(503, **{"Retry-After": "0"}), _answer(200, REPORT)])
    fetched = _get(lambda request: next(answers))
    assert (fetched.result.status, fetched.attempts) == (200, 2)


def test_connect_failures_give_up_after_the_retries() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(GaveUp) as failure:
        _get(refuse, retries=2)
    assert (failure.value.reason, failure.value.attempts) == ("connect", 3)


def test_robots_refusal_gives_up_without_an_attempt() -> None:
    def origin(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return _answer(200, b"User-agent: *\nDisallow: /\n")
        raise AssertionError("a refused page was fetched")

    with pytest.raises(GaveUp) as failure:
        _get(origin, obey_robots=True)
    assert (failure.value.reason, failure.value.attempts) == ("robots", 0)
    assert gave_up(_entry(), failure.value).changes["state"] == "failed"


# ---------------------------------------------------------------- list pages


def test_a_list_page_is_done_with_what_it_found() -> None:
    fetched = _get(_page(200, b"<ul></ul>", etag='"v1"'))
    found = [NewEntry(f"{BASE}/r/1.html", "detail")]
    page = decide_list(_entry("list"), fetched, ("listed", found))
    assert (page.outcome, page.found, page.changes["outcome"]) == (Outcome.LISTED, found, "listed")
    assert page.changes["checksum"] == fetched.digest and page.changes["etag"] == '"v1"'


def test_a_probe_past_the_end_is_absent_and_other_statuses_fail() -> None:
    fetched = _get(_page(404))
    assert decide_list(_entry("list"), fetched, absent=True).changes["outcome"] == "absent"
    page = decide_list(_entry("list"), fetched)
    assert (page.outcome, page.reason, page.http_status) == (Outcome.FAILED, "http_404", 404)
    assert decide_list(_entry("list"), _get(_page(502), retries=0)).reason == "http_5xx"


def test_a_waf_page_with_a_block_status_fails_with_its_kind() -> None:
    waf = "<html><body>访问被拦截，请联系管理员</body></html>".encode()
    assert decide_list(_entry("list"), _get(_page(403, waf))).reason == "blocked_waf"


def test_a_list_page_that_could_not_be_read_fails_with_the_reason() -> None:
    page = decide_list(_entry("list"), _get(_page(200, b"<ul>")), ParseError("ValueError: boom"))
    assert (page.outcome, page.reason) == (Outcome.FAILED, "parse_error: ValueError")


# ---------------------------------------------------------------- detail pages


def test_a_new_report_carries_its_document_and_what_the_url_had_before() -> None:
    fetched = _get(_page(200, REPORT, **{"last-modified": "Tue, 01 Dec 2026 00:00:00 GMT"}))
    entry = _entry(document_id="0" * 64)
    assert needs_reading(entry, fetched)
    page = decide_detail(entry, fetched, _read(fetched), source_name="s", search_tokens=("t", "b"))  # type: ignore[arg-type]
    assert page.outcome is Outcome.NEW and page.document is not None
    assert page.document["source_name"] == "s" and page.changes["document_id"] == page.document["id"]
    assert page.previous_id == "0" * 64 and page.search_tokens == ("t", "b")
    assert page.changes["last_modified"] == "Tue, 01 Dec 2026 00:00:00 GMT"


def test_a_page_with_the_bytes_it_had_is_unchanged_and_not_read() -> None:
    fetched = _get(_page(200, REPORT))
    entry = _entry(outcome="report", checksum=fetched.digest, document_id="d" * 64, etag='"v1"')
    assert not needs_reading(entry, fetched)
    page = decide_detail(entry, fetched)
    assert (page.outcome, page.resight, page.changes["outcome"]) == (Outcome.UNCHANGED, True, "report")
    assert "etag" not in page.changes  # the answer had none: ours stays


def test_a_304_to_a_conditional_request_is_not_modified() -> None:
    entry = _entry(outcome="report", etag='"v1"', checksum="c" * 64)
    headers = conditional_headers(entry)
    assert headers == {"If-None-Match": '"v1"'}

    def origin(request: httpx.Request) -> httpx.Response:
        assert request.headers["if-none-match"] == '"v1"'
        return _answer(304, etag='"v1"')

    fetched = _get(origin, **headers)
    assert not needs_reading(entry, fetched)
    assert decide_detail(entry, fetched, conditional=True).outcome is Outcome.NOT_MODIFIED
    assert decide_detail(entry, fetched).reason == "http_304"  # not asked conditionally: a failure


def test_block_pages_non_reports_and_unreadable_pages() -> None:
    fetched = _get(_page(200, REPORT))
    blocked = extract_report(
        "<html><body>请求已被拦截</body></html>".encode(), f"{BASE}/a.html", content_type="text/html"
    )
    page = decide_detail(_entry(), fetched, blocked)
    assert (page.outcome, page.changes["state"], page.reason) == (Outcome.BLOCKED, "failed", blocked.reason)
    other = extract_report(report_page("关于召开会议的通知"), f"{BASE}/a.html", content_type="text/html")
    page = decide_detail(_entry(), fetched, other)
    assert (
        page.outcome is Outcome.NOT_REPORT and page.document is None and page.changes["document_id"] is None
    )
    page = decide_detail(_entry(), fetched, ParseError("RecursionError: deep"))
    assert (page.outcome, page.reason) == (Outcome.FAILED, "parse_error: RecursionError")


# ---------------------------------------------------------------- counting


def test_stats_count_outcomes_under_their_keys() -> None:
    stats = SourceStats("s")
    for entry, outcome, reason, status in [
        (_entry("list"), Outcome.LISTED, "", 200),
        (_entry("list"), Outcome.FAILED, "timeout", None),  # not answered: not a list page read
        (_entry(), Outcome.NEW, "", 200),
        (_entry(), Outcome.NOT_REPORT, "", 200),
        (_entry(), Outcome.BLOCKED, "blocked_waf", 200),
        (_entry(), Outcome.FAILED, "http_404", 404),
    ]:
        stats.count(PageOutcome(entry, outcome, {}, reason, status))
    data = stats.as_dict()
    assert (data["list_pages"], data["new"], data["not_reports"], data["blocked"]) == (1, 1, 1, 1)
    assert data["details_done"] == 4 and data["failed"] == {"timeout": 1, "blocked_waf": 1, "http_404": 1}
    assert stats.failures == 3 and stats[Outcome.NEW] == stats.new == 1
