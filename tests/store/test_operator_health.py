"""store.operator: source health in /-/sources and /metrics, interrupted runs, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from store import CrawlRun, write_session
from store.operator import health_by_source, mark_interrupted, sources_health, unfinished_runs

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def _run(n: int, source: str, state: str, health: str | None, reason: str | None = None) -> CrawlRun:
    return CrawlRun(
        source_name=source,
        state=state,
        health=health,
        health_reason=reason,
        health_message=f"message {n}",
        started_at=T0 + timedelta(hours=n),
        finished_at=T0 + timedelta(hours=n, minutes=5) if state not in ("running", "interrupted") else None,
        worker="host:1",
    )


def test_unhealthy_runs_count_as_failures_and_health_says_since_when(db: Engine) -> None:
    with write_session(db) as session:
        session.add(_run(1, "a", "finished", "healthy", "ok"))
        session.add(_run(2, "a", "finished", "unhealthy", "start_http_4xx"))
        session.add(_run(3, "a", "failed", "unhealthy", "start_unreachable"))
        session.add(_run(4, "a", "interrupted", None))
        session.add(_run(5, "b", "finished", "healthy", "ok"))
    with db.connect() as connection:
        health = {s["source_name"]: s for s in sources_health(connection)}
        by_source = health_by_source(connection)
    a = health["a"]
    assert a["consecutive_failures"] == 2
    assert a["last_success"] == T0 + timedelta(hours=1, minutes=5)
    assert a["health"]["state"] == "unhealthy" and a["health"]["reason"] == "start_unreachable"
    assert (
        a["health"]["since"] == T0 + timedelta(hours=2, minutes=5) and a["health"]["message"] == "message 3"
    )
    assert health["b"]["health"]["state"] == "healthy" and health["b"]["consecutive_failures"] == 0
    assert by_source == {"a": ("unhealthy", "start_unreachable"), "b": ("healthy", "ok")}


def test_interrupted_runs_are_those_of_the_stopping_worker(db: Engine) -> None:
    with write_session(db) as session:
        session.add(_run(1, "a", "running", None))
        other = _run(2, "b", "running", None)
        other.worker = "host:2"
        session.add(other)
    assert mark_interrupted(db, worker="host:1") == [(1, "a")]
    assert unfinished_runs(db) == {"a": (1, "interrupted", "host:1"), "b": (2, "running", "host:2")}
