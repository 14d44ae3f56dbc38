"""The console's sources table: rows from health and latest runs, filter, sort (unit)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from api.web.console import filter_sort, source_rows

T = datetime(2026, 1, 1, tzinfo=UTC)


def _health(name: str, **values: Any) -> dict[str, Any]:
    return {"source_name": name, "consecutive_failures": 0, "last_success": None, "documents": 0, **values}


def _rows() -> list[dict[str, Any]]:
    health = [
        _health("alpha", last_success=T, documents=5, health={"state": "healthy"}),
        _health("beta", consecutive_failures=2, last_error={"at": T, "error": "boom"}, documents=1),
        _health("gamma"),
        _health(
            "eps",
            last_success=T,
            health={"state": "unhealthy", "message": "列表页 404", "reason": "start_page"},
        ),
        _health("zeta", last_success=T, documents=2, health={"state": "healthy"}),
        _health(
            "delta", last_success=T, documents=3, incomplete_listing=True, listing={"expected": 9, "found": 7}
        ),
    ]
    latest = {
        "alpha": {"id": 4, "state": "finished", "started_at": T, "stats": {"failed": {"http_500": 2}}},
        "beta": {"id": 3, "state": "failed", "started_at": T.replace(day=2), "stats": {}},
        "delta": {"id": 5, "state": "running", "started_at": T.replace(day=3), "stats": {}},
    }
    return source_rows(health, latest)


def test_status_errors_and_health_of_each_source() -> None:
    rows = {r["name"]: r for r in _rows()}
    assert {n: r["status"] for n, r in rows.items()} == {
        "alpha": "ok",
        "beta": "failing",
        "gamma": "never",
        "delta": "running",
        "eps": "ok",
        "zeta": "ok",
    }
    assert rows["alpha"]["errors"] == 2 and rows["alpha"]["health"] == "warn"
    assert rows["beta"]["health"] == "bad" and "连续 2 次" in rows["beta"]["health_label"]
    assert rows["delta"]["health"] == "warn" and "应有 9，见到 7" in rows["delta"]["health_label"]
    assert rows["gamma"]["health"] == "none" and rows["gamma"]["health_label"] == "尚无判断"
    assert rows["eps"]["health"] == "bad" and rows["eps"]["health_label"] == "不健康：列表页 404"
    assert rows["zeta"]["health"] == "good" and rows["zeta"]["health_label"] == "健康"


def test_filters() -> None:
    names = lambda **kw: [r["name"] for r in filter_sort(_rows(), **kw)]  # noqa: E731
    assert names(status="clean") == ["delta", "eps", "gamma", "zeta"]
    assert names(status="errors") == ["alpha", "beta"]
    assert names(status="failing") == ["beta"]
    assert names(text="ALP") == ["alpha"]
    assert names(status="ok", text="zzz") == []


def test_sorts_by_any_column() -> None:
    names = lambda **kw: [r["name"] for r in filter_sort(_rows(), **kw)]  # noqa: E731
    assert names(sort="documents", descending=True) == ["alpha", "delta", "zeta", "beta", "eps", "gamma"]
    assert names(sort="last_run") == ["eps", "gamma", "zeta", "alpha", "beta", "delta"]
    assert names(sort="health") == ["beta", "eps", "alpha", "delta", "gamma", "zeta"]
    assert names(sort="no-such-column") == ["alpha", "beta", "delta", "eps", "gamma", "zeta"]
