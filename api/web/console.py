"""The console's sources table, pure: one row per source from the store's health and latest runs, then the
operator's filter and sort. Rows are plain dicts the template reads."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

STATUSES = {
    "running": "运行中",
    "failing": "失败",
    "ok": "正常",
    "never": "未运行",
}
FILTERS = {
    "": "全部",
    "running": "运行中",
    "failing": "失败",
    "ok": "正常",
    "clean": "无错误",
    "errors": "有错误",
    "never": "未运行",
}
COLUMNS = {  # sort key → (label, how a row sorts)
    "name": "来源",
    "status": "状态",
    "last_run": "最近运行",
    "next_run": "下次运行（北京时间）",
    "failures": "连续失败",
    "errors": "最近一次失败页数",
    "documents": "文档数",
    "health": "健康",
}
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _failed_pages(run: dict[str, Any] | None) -> int:
    stats = (run or {}).get("stats") or {}
    failed = stats.get("failed") if isinstance(stats, dict) else None
    return sum(int(n) for n in failed.values()) if isinstance(failed, dict) else 0


def _status(health: dict[str, Any], run: dict[str, Any] | None) -> str:
    if run is not None and run["state"] == "running":
        return "running"
    if health.get("consecutive_failures"):
        return "failing"
    return "ok" if health.get("last_success") else "never"


def _health(health: dict[str, Any], errors: int) -> tuple[str, str]:
    """``(level, words)``: ``bad`` when the newest judged run found the source unhealthy (``crawler.health``) or
    the last runs failed, ``warn`` on failed pages or a short listing, ``none`` before any judged run."""
    verdict = health.get("health") or {}
    if verdict.get("state") == "unhealthy":
        return "bad", f"不健康：{verdict.get('message') or verdict.get('reason')}"
    if health.get("consecutive_failures"):
        return "bad", f"连续 {health['consecutive_failures']} 次运行失败"
    problems = []
    if health.get("incomplete_listing"):
        listing = health.get("listing") or {}
        problems.append(f"列表不全（应有 {listing.get('expected')}，见到 {listing.get('found')}）")
    if errors:
        problems.append(f"{errors} 个页面失败")
    if problems:
        return "warn", "；".join(problems)
    return ("good", "健康") if verdict.get("state") == "healthy" else ("none", "尚无判断")


def source_rows(health: list[dict[str, Any]], latest: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for entry in health:
        run = latest.get(entry["source_name"])
        errors = _failed_pages(run)
        level, words = _health(entry, errors)
        status = _status(entry, run)
        rows.append(
            {
                "name": entry["source_name"],
                "status": status,
                "status_label": STATUSES[status],
                "run": run,
                "next_run": entry.get("next_run"),
                "failures": int(entry.get("consecutive_failures") or 0),
                "errors": errors,
                "documents": int(entry.get("documents") or 0),
                "health": level,
                "health_label": words,
                "last_error": entry.get("last_error"),
            }
        )
    return rows


def _keep(row: dict[str, Any], status: str) -> bool:
    if status == "clean":
        return not row["failures"] and not row["errors"]
    if status == "errors":
        return bool(row["failures"] or row["errors"])
    return not status or row["status"] == status


_HEALTH_ORDER = {"bad": 0, "warn": 1, "none": 2, "good": 3}


def _sort_key(column: str) -> Any:
    if column == "last_run":
        return lambda r: r["run"]["started_at"] if r["run"] else _EARLIEST
    if column == "next_run":
        return lambda r: r["next_run"] or datetime.max.replace(tzinfo=UTC)
    if column == "health":
        return lambda r: _HEALTH_ORDER[r["health"]]
    return lambda r: r[column]


def filter_sort(
    rows: list[dict[str, Any]],
    *,
    status: str = "",
    text: str = "",
    sort: str = "name",
    descending: bool = False,
) -> list[dict[str, Any]]:
    """Rows of ``status`` (a key of :data:`FILTERS`) whose name contains ``text``, sorted by ``sort`` (ties by
    name, always A to Z: the sort is stable)."""
    kept = sorted(
        (r for r in rows if _keep(r, status) and text.lower() in r["name"].lower()), key=lambda r: r["name"]
    )
    column = sort if sort in COLUMNS else "name"
    return sorted(kept, key=_sort_key(column), reverse=descending) if column != "name" or descending else kept
