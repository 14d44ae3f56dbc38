"""After a run finishes: judge the source's health (``crawler.health``), record it with the run, and log one line
for the run (source, outcome, counts, duration). A line that changes the source's health, or reports a failed
crawl, carries an ``alert`` field: ``fazhi.alerts`` posts those to the operator's webhook.

Never raises: a failure here is logged and the crawl goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine

from crawler.health import HISTORY, Health, PastRun, StartPage, assess, transition
from crawler.sources import Source
from store.operator import earlier_runs, listed_entries, record_health, start_pages

log = logging.getLogger("fazhi.runs")
_COUNTS = ("new", "unchanged", "not_modified", "not_reports", "blocked")
_LABELS = {
    "list_pages": "list pages",
    "candidates": "listed",
    "new": "new",
    "unchanged": "unchanged",
    "not_modified": "not modified",
    "not_reports": "not a report",
    "blocked": "blocked",
    "failed": "failed",
}


def after_run(
    db: Engine, *, source: Source, run_id: int, stats: dict[str, Any], error: str | None, seconds: float
) -> Health | None:
    try:
        health, previous = judge(db, source=source, run_id=run_id, stats=stats, error=error)
    except Exception:
        log.exception("could not judge the health of run %s", run_id, extra={"source": source.name})
        return None
    log_run(source.name, run_id, stats, error, seconds, health, previous)
    return health


def judge(
    db: Engine, *, source: Source, run_id: int, stats: dict[str, Any], error: str | None
) -> tuple[Health, str | None]:
    """The run's health, recorded with it; and the source's health before this run."""
    pages = [
        StartPage(p["url"], p["state"], p["reason"] or "", p["http_status"])
        for p in start_pages(db, run_id=run_id, source_name=source.name, urls=source.start_urls)
    ]
    earlier = earlier_runs(db, source_name=source.name, before=run_id, limit=HISTORY * 2)
    history = [_past(r) for r in earlier]
    health = assess(
        stats, error=error, start_pages=pages, entries=listed_entries(db, run_id=run_id), history=history
    )
    record_health(db, run_id=run_id, state=health.state, reason=health.reason, message=health.message)
    return health, (earlier[0]["health"] if earlier else None)


def _past(run: dict[str, Any]) -> PastRun:
    stats = run["stats"] if isinstance(run["stats"], dict) else {}
    comparable = not stats.get("resumed") and isinstance(stats.get("candidates"), int)
    return PastRun(stats["candidates"] if comparable else None, run["health"] == "healthy")


def counts(stats: dict[str, Any]) -> dict[str, int]:
    failed = stats.get("failed") if isinstance(stats.get("failed"), dict) else {}
    assert isinstance(failed, dict)
    out = {"list_pages": int(stats.get("list_pages") or 0), "candidates": int(stats.get("candidates") or 0)}
    out.update({k: int(stats.get(k) or 0) for k in _COUNTS})
    out["failed"] = sum(int(n) for n in failed.values())
    return out


def log_run(
    name: str,
    run_id: int,
    stats: dict[str, Any],
    error: str | None,
    seconds: float,
    health: Health,
    previous: str | None,
) -> None:
    numbers = counts(stats)
    outcome = "failed" if error else "finished"
    shown = ", ".join(f"{numbers[k]} {label}" for k, label in _LABELS.items())
    verdict = health.state if health.healthy else f"UNHEALTHY ({health.reason}): {health.message}"
    extra: dict[str, Any] = {
        "source": name,
        "run_id": run_id,
        "outcome": outcome,
        "health": health.state,
        "reason": health.reason,
        "counts": numbers,
        "duration": round(seconds, 3),
    }
    event = transition(previous, health, error=error)
    if event:
        extra["alert"] = {
            "event": event,
            "source": name,
            "run_id": run_id,
            "outcome": outcome,
            "error": error,
            "health": health.state,
            "previous_health": previous,
            "reason": health.reason,
            "message": health.message,
            "counts": numbers,
            "duration_seconds": round(seconds, 3),
        }
    level = logging.INFO if health.healthy and not error else logging.WARNING
    log.log(
        level,
        "run %s of %s %s in %.1f s: %s; %s",
        run_id,
        name,
        outcome,
        seconds,
        verdict,
        shown,
        extra=extra,
    )
