"""Prometheus metrics of this process's crawls (prometheus-client's default registry, served at /metrics).

Counters are added from each finished run's stats, so they always agree with the run history; the fetch
latency histogram is observed per request.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Gauge, Histogram

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


def record_run(stats: dict[str, object], *, source: str, trigger: str, seconds: float, ok: bool) -> None:
    def n(key: str) -> float:
        value = stats.get(key, 0)
        return float(value) if isinstance(value, int | float) else 0.0

    PAGES.labels(source, "list", "listed").inc(n("list_pages"))
    for outcome in ("new", "seen", "unchanged", "not_modified", "not_reports", "blocked"):
        PAGES.labels(source, "detail", outcome).inc(n(outcome))
    failed = stats.get("failed", {})
    for reason, count in failed.items() if isinstance(failed, dict) else []:
        FAILURES.labels(source, str(reason)).inc(float(count))
    BYTES.labels(source).inc(n("bytes"))
    DOCUMENTS.labels(source, "new").inc(n("new"))
    DOCUMENTS.labels(source, "seen").inc(n("seen"))
    _record_listing(stats.get("listing"), source)
    RUN_SECONDS.labels(source).observe(seconds)
    RUNS.labels(source, trigger, "ok" if ok else "failed").inc()
    if ok:
        LAST_SUCCESS.labels(source).set(time.time())


def _record_listing(listing: object, source: str) -> None:
    if not isinstance(listing, dict):
        return
    LIST_EXPECTED.labels(source).set(float(listing.get("expected") or 0))
    LIST_FOUND.labels(source).set(float(listing.get("found") or 0))
    LIST_SHORTFALL.labels(source).set(float(listing.get("shortfall") or 0))
    LIST_PAGES_MISSING.labels(source).set(float(listing.get("pages_missing") or 0))
