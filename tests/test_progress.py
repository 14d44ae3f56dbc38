"""The crawl summary adds up: its columns sum to the pages found in the lists, on a first crawl and on a
recrawl where nothing changed, and it reads at 80 columns with each reason on its own line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from crawler.engine import SourceStats
from fazhi.progress import OUTCOMES, outcome_counts, summary_lines, summary_table
from tests.conftest import crawl, make_db

pytestmark = pytest.mark.integration
COLUMNS = ["new", *(name for name, _ in OUTCOMES[1:]), "failed", "not reached"]


def _render(stats: list[SourceStats]) -> list[str]:
    console = Console(width=80, record=True, markup=False, file=io.StringIO())
    console.print(summary_table(stats))
    for line in summary_lines(stats):
        console.print(line, soft_wrap=True)
    return console.export_text().splitlines()


def test_the_columns_sum_to_the_pages_of_a_crawl_and_of_a_recrawl(
    tmp_path: Path, demo_sources: list[Any]
) -> None:
    db = make_db(tmp_path / "fazhi.db")
    first, second = crawl(db, demo_sources), crawl(db, demo_sources)
    for stats in (*first, *second):
        counts = outcome_counts(stats.as_dict())
        assert counts["pages"] == stats.candidates > 0
        assert sum(counts[c] for c in COLUMNS) == counts["pages"], counts
        assert counts["failed"] == 0 and counts["not reached"] == 0  # the demo portals answer every page
    assert sum(outcome_counts(s.as_dict())["new"] for s in first) == 5
    again = [outcome_counts(s.as_dict()) for s in second]
    assert sum(c["new"] for c in again) == 0
    assert sum(c["unchanged"] + c["not modified"] for c in again) >= 5  # named, not hidden in --json
    lines = _render(second)
    assert max(len(line) for line in lines) <= 80
    header = "\n".join(lines[:4])
    assert "unchanged" in header and "modified" in header and "…" not in "\n".join(lines)


class _Stats:
    """What the summary reads of a SourceStats: its ``as_dict()``."""

    def __init__(self, **data: Any) -> None:
        self.data = data

    def as_dict(self) -> dict[str, Any]:
        return self.data


def test_failures_and_errors_each_get_a_line() -> None:
    stats: Any = _Stats(
        name="moved",
        list_pages=1,
        candidates=4,
        details_done=4,
        new=1,
        blocked=1,
        failed={"waf_block": 1, "robots_unavailable": 1, "http_404": 1},
        error="start page [fzzfjs] answered 404",
    )
    counts = outcome_counts(stats.as_dict())
    assert counts == {**dict.fromkeys(COLUMNS, 0), "pages": 4, "new": 1, "blocked": 1, "failed": 2}
    lines = _render([stats])
    assert max(len(line) for line in lines) <= 80
    assert "moved: robots_unavailable (1)" in lines and "moved: http_404 (1)" in lines
    assert "moved: error: start page [fzzfjs] answered 404" in lines
