"""Prometheus metrics of this process's crawls (prometheus-client's default registry, served at /metrics).

Counters are added from each finished run's :class:`SourceStats`, so they always agree with the run history; the fetch
latency histogram is observed per request.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

from crawler.outcomes import DETAIL_OUTCOMES, SourceStats

PAGES = Counter("fazhi_pages", "pages fetched, by source, kind and outcome", ["source", "kind", "outcome"])
FAILURES = Counter("fazhi_fetch_failures", "pages given up on, by source and reason", ["source", "reason"])
BYTES = Counter("fazhi_fetched_bytes", "response bytes received (decompressed)", ["source"])
DOCUMENTS = Counter(
    "fazhi_documents_ingested", "report pages stored, by source and outcome", ["source", "outcome"]
)
FETCH_SECONDS = Histogram(
    "fazhi_fetch_seconds",
    "time of one fetch, redirects included",
    ["source"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
RUN_SECONDS = Histogram(
    "fazhi_run_seconds", "time of one crawl run", ["source"], buckets=(1, 5, 15, 60, 300, 900, 3600, 4 * 3600)
)
RUNS = Counter(
    "fazhi_runs", "crawl runs finished, by source, trigger and result", ["source", "trigger", "result"]
)
LIST_EXPECTED = Gauge(
    "fazhi_listing_expected_entries", "entries the source's columns claim, at its last run", ["source"]
)
LIST_FOUND = Gauge(
    "fazhi_listing_found_entries", "entries found in those columns, at its last run", ["source"]
)
LIST_SHORTFALL = Gauge(
    "fazhi_listing_shortfall_entries", "entries claimed but not found, at the source's last run", ["source"]
)
LIST_PAGES_MISSING = Gauge(
    "fazhi_listing_missing_pages", "list pages claimed but not read, at the source's last run", ["source"]
)
LAST_SUCCESS = Gauge("fazhi_last_success_timestamp_seconds", "end of the last successful run", ["source"])


def record_run(stats: SourceStats, *, trigger: str, seconds: float, ok: bool) -> None:
    source = stats.name
    PAGES.labels(source, "list", "listed").inc(stats.list_pages)
    for outcome in DETAIL_OUTCOMES:
        PAGES.labels(source, "detail", outcome.value).inc(stats[outcome])
    for reason, count in stats.failed.items():
        FAILURES.labels(source, reason).inc(count)
    BYTES.labels(source).inc(stats.bytes)
    DOCUMENTS.labels(source, "new").inc(stats.new)
    DOCUMENTS.labels(source, "seen").inc(stats.seen)
    _record_listing(stats.listing, source)
    RUN_SECONDS.labels(source).observe(seconds)
    RUNS.labels(source, trigger, "ok" if ok else "failed").inc()
    if ok:
        LAST_SUCCESS.labels(source).set(time.time())


def _record_listing(listing: dict[str, Any], source: str) -> None:
    LIST_EXPECTED.labels(source).set(float(listing.get("expected") or 0))
    LIST_FOUND.labels(source).set(float(listing.get("found") or 0))
    LIST_SHORTFALL.labels(source).set(float(listing.get("shortfall") or 0))
    LIST_PAGES_MISSING.labels(source).set(float(listing.get("pages_missing") or 0))
