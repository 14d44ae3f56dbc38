"""Source health: what one finished run says about its source. Pure: the run's stats (``SourceStats.as_dict()``
keys), its start pages' outcomes and the source's recent runs in, a :class:`Health` out (``crawler.checkup`` reads
the store, records the verdict, logs it).

A run is unhealthy when a start page could not be fetched (unreachable, 4xx, 5xx, refused by robots.txt), when its
columns list nothing (or far fewer entries than usual), when every detail page was a block page, or when the crawl
itself failed. Every message names the URL and says what to do.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any
from urllib.parse import urlsplit

HEALTHY, UNHEALTHY = "healthy", "unhealthy"
REASONS = (
    "ok",
    "start_unreachable",  # connection refused/reset, DNS, timeout, TLS: the start page could not be fetched
    "start_http_4xx",  # the start page answers 404, 410, 403 …: the column moved, or access is denied
    "start_http_5xx",  # the portal's server fails
    "robots_refused",  # robots.txt disallows the column (or answers 5xx, which disallows everything)
    "listing_dropped",  # zero entries, or far fewer than the source's recent runs listed
    "listing_empty",  # zero entries and no earlier run to compare with
    "all_blocked",  # every detail page was a block or challenge page
    "crawl_error",  # the crawl itself failed (an exception, a held run)
)
DROP_RATIO = 0.5  # fewer entries than half the usual count is a drop
HISTORY = 5  # the usual count: the median of this many recent comparable runs
_CONNECT_WORDS = {
    "connect": "the connection was refused or reset, or the host name did not resolve",
    "timeout": "it did not answer in time",
    "tls": "the TLS handshake failed",
    "private_address": "it resolves to a private or loopback address",
}
_BLOCK_REASONS = ("blocked", "maintenance", "empty_page", "http_403", "http_412")


@dataclass(frozen=True)
class Health:
    state: str  # healthy | unhealthy
    reason: str  # one of REASONS
    message: str

    @property
    def healthy(self) -> bool:
        return self.state == HEALTHY


@dataclass(frozen=True)
class StartPage:
    """A start URL's outcome in the run (from its frontier row)."""

    url: str
    state: str  # pending | done | failed
    reason: str = ""
    http_status: int | None = None


@dataclass(frozen=True)
class PastRun:
    """An earlier run of the source: how many entries its columns listed (``None``: not comparable)."""

    entries: int | None
    healthy: bool | None = None


def assess(
    stats: Mapping[str, Any],
    *,
    error: str | None,
    start_pages: Sequence[StartPage],
    entries: int,
    history: Sequence[PastRun] = (),
) -> Health:
    """The verdict on one finished run. ``entries``: detail entries its list pages found; ``history``: the
    source's earlier runs, newest first."""
    failed = [p for p in start_pages if p.state == "failed"]
    if failed:
        return _start_page(failed[0], len(failed), len(start_pages))
    if error:
        return Health(UNHEALTHY, "crawl_error", f"the crawl failed: {error}")
    first = start_pages[0].url if start_pages else "the start page"
    usual = usual_entries(history)
    if usual and entries < DROP_RATIO * usual:
        return Health(
            UNHEALTHY,
            "listing_dropped",
            f"the column lists {entries} entries where its recent runs listed {usual}: it has probably moved "
            f"or changed its layout; open {first} in a browser and update start_urls (or the dialect)",
        )
    if entries == 0:
        return Health(
            UNHEALTHY,
            "listing_empty",
            f"{first} lists no entries: check that start_urls name the report column (open it in a browser)",
        )
    return _details(stats) or Health(HEALTHY, "ok", _ok_message(stats, entries))


def usual_entries(history: Sequence[PastRun]) -> int | None:
    """The median entry count of the recent healthy, comparable runs (``None`` without any)."""
    counts = [r.entries for r in history if r.entries and r.healthy is not False][:HISTORY]
    return int(median(counts)) if counts else None


def transition(previous: str | None, health: Health, *, error: str | None) -> str | None:
    """The alert a run calls for: ``source_unhealthy`` (it turned unhealthy), ``source_recovered`` (it turned
    healthy again), ``crawl_failed`` (the run failed, the source's health unchanged) or ``None``."""
    if not health.healthy and previous != UNHEALTHY:
        return "source_unhealthy"
    if health.healthy and previous == UNHEALTHY:
        return "source_recovered"
    return "crawl_failed" if error else None


def _start_page(page: StartPage, failed: int, total: int) -> Health:
    which = f"start page {page.url}" + (f" ({failed} of {total} start pages failed)" if total > 1 else "")
    origin = _origin(page.url)
    if page.reason in ("robots", "robots_unavailable"):
        why = (
            f"robots.txt of {origin} disallows it"
            if page.reason == "robots"
            else f"{origin}/robots.txt answers with a server error, which disallows every page"
        )
        return Health(
            UNHEALTHY,
            "robots_refused",
            f"{which}: {why}; ask the portal's webmaster, or set obey_robots = false only with their permission",
        )
    status = page.http_status
    if status is not None and 400 <= status < 500:
        return Health(
            UNHEALTHY,
            "start_http_4xx",
            f"{which} answers HTTP {status} ({page.reason}): the column has moved or is closed to us; open "
            f"{origin}/ in a browser, find the report column and update start_urls",
        )
    if status is not None and status >= 500:
        return Health(
            UNHEALTHY,
            "start_http_5xx",
            f"{which} answers HTTP {status}: the portal's server is failing; it is retried at the next run, "
            "check the page in a browser if it persists",
        )
    words = _CONNECT_WORDS.get(page.reason, page.reason or "it could not be fetched")
    return Health(
        UNHEALTHY,
        "start_unreachable",
        f"{which} is unreachable ({page.reason}: {words}): check that {origin} is up and reachable from this "
        "machine, and that start_urls is right",
    )


def _details(stats: Mapping[str, Any]) -> Health | None:
    """Every detail page blocked, or refused by robots.txt: unhealthy."""
    done = _int(stats.get("details_done"))
    failed = stats.get("failed") if isinstance(stats.get("failed"), Mapping) else {}
    assert isinstance(failed, Mapping)
    blocked = {str(r): _int(n) for r, n in failed.items() if str(r).startswith(_BLOCK_REASONS)}
    robots = sum(_int(n) for r, n in failed.items() if r in ("robots", "robots_unavailable"))
    if done and sum(blocked.values()) == done:
        reasons = ", ".join(f"{r}={n}" for r, n in sorted(blocked.items()))
        return Health(
            UNHEALTHY,
            "all_blocked",
            f"all {done} detail pages were block or challenge pages ({reasons}): the portal is blocking the "
            "crawler; raise the source's delay, try again later, or ask the webmaster to let it in",
        )
    if done and robots == done:
        return Health(
            UNHEALTHY,
            "robots_refused",
            f"robots.txt refuses all {done} detail pages: ask the portal's webmaster, or set obey_robots = false "
            "only with their permission",
        )
    return None


def _ok_message(stats: Mapping[str, Any], entries: int) -> str:
    return f"{entries} entries listed, {_int(stats.get('new'))} new, {_failures(stats)} failed"


def _failures(stats: Mapping[str, Any]) -> int:
    failed = stats.get("failed")
    return sum(_int(n) for n in failed.values()) if isinstance(failed, Mapping) else 0


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0
