"""The listing ledger (unit): columns, claims against what was read, the fallback once, headers, resumed runs."""

from __future__ import annotations

from crawler.discover import Link, ListPage, ListRequest
from crawler.listing import Listing
from store.frontier import Entry

HOSTS = frozenset({"h"})
COLUMN = "http://h/col/index.html"


def _entry(request: ListRequest) -> Entry:
    data = [list(p) for p in request.data]
    return Entry(
        key="k",
        source_name="s",
        run_id=1,
        url=request.url,
        method=request.method,
        data=data,
        kind="list",
        dialect=request.dialect,
    )


def _links(n: int, start: int = 0) -> list[Link]:
    return [
        Link(f"http://h/art/{i}.html", f"某某局{i}年法治政府建设年度报告") for i in range(start, start + n)
    ]


def test_a_short_column_gets_the_fallback_once_and_keeps_its_shortfall() -> None:
    listing = Listing(HOSTS, [COLUMN])
    seed = listing.request(_entry(ListRequest(COLUMN, "auto")))
    probe = ListRequest("http://h/col/index_2.html", "fallback", probe=True)
    first = ListPage(links=_links(8), expected=30, pages=4, fallback=[probe], dialect="jpaas")
    outcome, found = listing.read(seed, first, 5000)
    assert outcome == "listed" and {e.kind for e in found} == {"detail"}
    more = listing.fallbacks()
    assert [e.url for e in more] == [probe.url] and listing.fallbacks() == []  # once
    second = listing.request(_entry(probe))
    assert second.probe  # the metadata survives the trip through the frontier
    assert listing.read(second, ListPage(links=_links(8, 8), dialect="fallback"), 5000)[0] == "listed"
    summary = listing.summary()
    assert (summary["expected"], summary["found"], summary["shortfall"], summary["pages_missing"]) == (
        30,
        16,
        14,
        2,
    )
    assert summary["fallbacks"] == 1 and summary["short_columns"][0]["column"] == COLUMN


def test_xhr_requests_and_details_carry_the_html_page_as_referer() -> None:
    listing = Listing(HOSTS, [COLUMN])
    seed = listing.request(_entry(ListRequest(COLUMN, "auto")))
    api = ListRequest("http://h/api?pageNo=2", "jpaas", xhr=True)
    listing.read(seed, ListPage(links=_links(1), requests=[api], dialect="jpaas"), 5000)
    queued = listing.request(_entry(api))
    headers = listing.headers(queued)
    assert headers["X-Requested-With"] == "XMLHttpRequest" and headers["Referer"] == COLUMN
    listing.read(queued, ListPage(links=_links(1, 5), dialect="jpaas"), 500)
    detail = Entry(key="d", source_name="s", run_id=1, url="http://h/art/5.html", kind="detail")
    assert listing.detail_headers(detail) == {"Referer": COLUMN}  # the page the browser is on, not the API
    assert listing.headers(ListRequest(COLUMN, "auto")) == {}


def test_a_repeated_page_number_is_retried_once_as_a_browser() -> None:
    listing = Listing(HOSTS, [COLUMN])
    seed = listing.request(_entry(ListRequest(COLUMN, "auto")))
    listing.read(seed, ListPage(links=_links(3)), 5000)
    again = ListRequest("http://h/col/index.html?pageIndex=2", "ls")
    same = ListPage(links=_links(3))
    assert listing.retry_as_browser(again, same) and not listing.retry_as_browser(again, same)
    assert "Sec-Fetch-Mode" in listing.headers(again, browser=True)
    assert not listing.retry_as_browser(ListRequest("http://h/x?page=2", "fallback", probe=True), same)


def test_pages_of_a_resumed_run_are_left_out_of_the_figures() -> None:
    listing = Listing(HOSTS, [COLUMN])
    deep = listing.request(
        _entry(ListRequest("http://h/col/index_3.html", "trs"))
    )  # queued by a killed process
    listing.read(
        deep, ListPage(links=_links(2), pages=9, fallback=[ListRequest("http://h/x", "fallback")]), 5000
    )
    summary = listing.summary()
    assert summary["pages_missing"] == 0 and summary["resumed_pages"] == 1 and listing.fallbacks() == []
