"""Rich progress bars for `fazhi crawl`: one bar per source, then a summary table."""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.engine import SourceStats


class CrawlProgress:
    def __init__(self, console: Console, names: list[str]) -> None:
        self._progress = Progress(
            TextColumn("{task.fields[name]:<16}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}", markup=False),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {
            n: self._progress.add_task("listing…", total=None, name=n) for n in names
        }

    def __enter__(self) -> CrawlProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()

    def update(self, kind: str, stats: SourceStats) -> None:
        if not self._progress.console.is_terminal:
            return  # nobody watches a pipe: keep the crawl's CPU for crawling
        task = self._tasks[stats.name]
        if kind == "list":
            self._progress.update(task, description=f"listing… {stats.list_pages} list pages")
        elif kind == "candidates":
            self._progress.update(task, total=stats.candidates, description=f"{stats.candidates} candidates")
        else:
            self._progress.update(task, completed=stats.details_done, description=f"{stats.new} new")


# The summary's columns, each a plain name and the SourceStats.as_dict() keys it adds up; with "failed" (detail pages
# given up on, blocked ones aside) and "not reached" they sum to the pages found in the lists.
OUTCOMES = (
    ("new", ("new",)),
    ("unchanged", ("unchanged", "seen")),  # same content as stored: the same page, or its twin at another URL
    ("not modified", ("not_modified",)),  # the portal answered 304
    ("not a report", ("not_reports",)),
    ("blocked", ("blocked",)),
)


def outcome_counts(stats: dict[str, Any]) -> dict[str, int]:
    """One source's pages by outcome: the summary's columns, which add up to ``pages``."""
    counts = {name: sum(int(stats.get(k) or 0) for k in keys) for name, keys in OUTCOMES}
    done = int(stats.get("details_done") or 0)
    pages = int(stats.get("candidates") or 0)
    counts["failed"] = max(done - sum(counts.values()), 0)
    counts["not reached"] = max(pages - done, 0)
    return {"pages": pages, **counts}


def summary_table(stats: list[SourceStats]) -> Table:
    """The crawl summary as a table that fits 80 columns (see :func:`summary_lines` for the reasons)."""
    rows = [(s.as_dict(), outcome_counts(s.as_dict())) for s in stats]
    columns = ["pages", *(name for name, _ in OUTCOMES), "failed"]
    if any(counts["not reached"] for _, counts in rows):
        columns.append("not reached")
    table = Table(
        title="crawl summary",
        caption="pages = " + " + ".join(columns[1:]),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        collapse_padding=True,
    )
    table.add_column("source", no_wrap=True)
    for column in columns:
        table.add_column(column.replace(" ", "\n", 1) if len(column) > 9 else column, justify="right")
    for data, counts in rows:
        table.add_row(str(data.get("name")), *(str(counts[c]) for c in columns))
    return table


def summary_lines(stats: list[SourceStats]) -> list[str]:
    """Why pages were blocked or failed: one line per source and reason (with its count), and per error."""
    lines = []
    for data in (s.as_dict() for s in stats):
        for reason, n in sorted((data.get("failed") or {}).items()):
            lines.append(f"{data.get('name')}: {reason} ({n})")
        if data.get("error"):
            lines.append(f"{data.get('name')}: error: {data['error']}")
    return lines
