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
    RUN_SECONDS.labels(source).observe(seconds)
    RUNS.labels(source, trigger, "ok" if ok else "failed").inc()
    if ok:
        LAST_SUCCESS.labels(source).set(time.time())
