"""crawler.health: the verdict on one run, from its stats, start pages and the source's recent runs (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from crawler.health import DROP_RATIO, PastRun, StartPage, assess, transition, usual_entries

URL = "http://127.0.0.2/col/"
OK_PAGE = [StartPage(URL, "done", "", 200)]


def _stats(**values: Any) -> dict[str, Any]:
    return {"details_done": 0, "new": 0, "failed": {}, **values}


def test_an_ordinary_run_is_healthy() -> None:
    health = assess(_stats(details_done=5, new=2), error=None, start_pages=OK_PAGE, entries=5)
    assert (health.state, health.reason) == ("healthy", "ok")
    assert health.message == "5 entries listed, 2 new, 0 failed"


@pytest.mark.parametrize(
    ("page", "reason", "says"),
    [
        (StartPage(URL, "failed", "http_404", 404), "start_http_4xx", f"start page {URL} answers HTTP 404"),
        (StartPage(URL, "failed", "http_410", 410), "start_http_4xx", "the column has moved"),
        (StartPage(URL, "failed", "http_5xx", 503), "start_http_5xx", "answers HTTP 503"),
        (StartPage(URL, "failed", "connect", None), "start_unreachable", "refused or reset"),
        (StartPage(URL, "failed", "timeout", None), "start_unreachable", "did not answer in time"),
        (
            StartPage(URL, "failed", "robots", None),
            "robots_refused",
            "robots.txt of http://127.0.0.2 disallows",
        ),
        (
            StartPage(URL, "failed", "robots_unavailable", None),
            "robots_refused",
            "answers with a server error",
        ),
    ],
)
def test_a_failed_start_page_names_its_url_and_the_cause(page: StartPage, reason: str, says: str) -> None:
    health = assess(_stats(), error="no list page could be fetched", start_pages=[page], entries=0)
    assert (health.state, health.reason) == ("unhealthy", reason)
    assert says in health.message and URL in health.message


def test_one_failed_column_of_two_is_unhealthy_and_says_how_many() -> None:
    pages = [StartPage(URL, "failed", "http_404", 404), StartPage("http://127.0.0.2/b/", "done", "", 200)]
    health = assess(_stats(details_done=3), error=None, start_pages=pages, entries=3)
    assert health.reason == "start_http_4xx" and "(1 of 2 start pages failed)" in health.message


def test_a_drop_below_the_threshold_of_the_usual_count_is_unhealthy() -> None:
    history = [PastRun(10), PastRun(12), PastRun(11)]
    usual = usual_entries(history)
    assert usual == 11
    below = int(DROP_RATIO * usual)  # 5 < 5.5
    dropped = assess(
        _stats(details_done=below), error=None, start_pages=OK_PAGE, entries=below, history=history
    )
    assert dropped.reason == "listing_dropped"
    assert (
        f"lists {below} entries where its recent runs listed 11" in dropped.message and URL in dropped.message
    )
    fine = assess(_stats(details_done=6), error=None, start_pages=OK_PAGE, entries=6, history=history)
    assert fine.reason == "ok"


def test_unhealthy_and_incomparable_runs_do_not_set_the_usual_count() -> None:
    assert usual_entries([PastRun(0, False), PastRun(None, True), PastRun(40, False), PastRun(8, True)]) == 8
    assert usual_entries([PastRun(None), PastRun(0)]) is None


def test_nothing_listed_without_history_is_an_empty_listing() -> None:
    health = assess(_stats(), error=None, start_pages=OK_PAGE, entries=0)
    assert health.reason == "listing_empty" and URL in health.message


def test_every_detail_page_blocked_is_unhealthy_one_real_page_is_not() -> None:
    blocked = _stats(details_done=3, failed={"blocked_waf": 2, "blocked_js_challenge": 1})
    health = assess(blocked, error=None, start_pages=OK_PAGE, entries=3)
    assert health.reason == "all_blocked"
    assert "(blocked_js_challenge=1, blocked_waf=2)" in health.message
    mostly = _stats(details_done=4, new=1, failed={"blocked_waf": 3})
    assert assess(mostly, error=None, start_pages=OK_PAGE, entries=4).reason == "ok"


def test_robots_refusing_every_detail_page_is_a_robots_refusal() -> None:
    stats = _stats(details_done=2, failed={"robots": 2})
    assert assess(stats, error=None, start_pages=OK_PAGE, entries=2).reason == "robots_refused"


def test_a_crawl_error_with_reachable_start_pages_is_a_crawl_error() -> None:
    health = assess(_stats(), error="OperationalError: disk full", start_pages=OK_PAGE, entries=4)
    assert health.reason == "crawl_error" and "disk full" in health.message


@pytest.mark.parametrize(
    ("previous", "healthy", "error", "event"),
    [
        (None, True, None, None),
        ("healthy", True, None, None),
        (None, False, None, "source_unhealthy"),
        ("healthy", False, "boom", "source_unhealthy"),
        ("unhealthy", False, None, None),
        ("unhealthy", False, "boom", "crawl_failed"),
        ("unhealthy", True, None, "source_recovered"),
    ],
)
def test_transitions(previous: str | None, healthy: bool, error: str | None, event: str | None) -> None:
    stats = _stats(details_done=1, new=1)
    pages = OK_PAGE if healthy else [StartPage(URL, "failed", "http_404", 404)]
    health = assess(stats, error=None, start_pages=pages, entries=1)
    assert transition(previous, health, error=error) == event
