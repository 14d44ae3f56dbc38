"""What ``fazhi crawl`` says about its sources' health when it ends, and its exit status: every unhealthy source
gets one line (its reason and what to do), and the crawl exits non-zero."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine

from store.operator import runs_health

if TYPE_CHECKING:
    from rich.console import Console


def unhealthy_sources(db: Engine, stats: Sequence[Any]) -> list[tuple[str, str, str]]:
    """``(source, reason, message)`` of each crawled source its run found unhealthy (``stats``: SourceStats)."""
    ids = {int(d["run_id"]): str(d["name"]) for d in (s.as_dict() for s in stats) if d.get("run_id")}
    judged = runs_health(db, list(ids))
    return [
        (ids[run_id], str(row["health_reason"]), str(row["health_message"]))
        for run_id, row in sorted(judged.items())
        if row["health"] == "unhealthy"
    ]


def crawl_verdict(db: Engine, stats: Sequence[Any], console: Console) -> int:
    """Print a line per unhealthy source (verbatim: no markup); the exit status (1 when any, else 0)."""
    bad = unhealthy_sources(db, stats)
    for name, reason, message in bad:
        console.print(
            f"{name} is unhealthy ({reason}): {message}", markup=False, highlight=False, soft_wrap=True
        )
    return 1 if bad else 0
