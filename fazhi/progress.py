"""Rich progress bars for `fazhi crawl`: one bar per source, then a summary table."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from crawler.engine import SourceStats


class CrawlProgress:
    def __init__(self, console: Console, names: list[str]) -> None:
        self._progress = Progress(
            TextColumn("{task.fields[name]:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
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


def summary_table(stats: list[SourceStats]) -> Table:
    table = Table(title="crawl summary")
    table.add_column("source", no_wrap=True)
    for column in ("lists", "links", "new", "stored", "not reports", "blocked"):
        table.add_column(column, justify="right")
    table.add_column("failed (reason=n)", overflow="fold")
    for s in stats:
        failed = ", ".join(f"{reason}={n}" for reason, n in s.failed.items()) or "0"
        if s.error:
            failed = f"{failed}; error: {s.error}"
        table.add_row(
            s.name,
            str(s.list_pages),
            str(s.candidates),
            str(s.new),
            str(s.seen),
            str(s.not_reports),
            str(s.blocked),
            failed,
        )
    return table
