"""``fazhi coverage``: per expected agency and due report year, ``on_time | late | missing`` (store/coverage.py).

Registered in fazhi/cli.py; imports stay inside the command so that ``fazhi --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)  # user text verbatim
FORMATS = ("table", "jsonl", "csv")


def coverage(
    sources: Annotated[
        Path | None,
        typer.Option(
            "--sources",
            help="TOML file of [[sources]] whose agencies/since/deadline to use (default: $FAZHI_SOURCES, else "
            "what the crawls noted in the store)",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, jsonl or csv")] = "table",
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD: the years due by then")] = None,
    status: Annotated[str | None, typer.Option("--status", help="on_time, late or missing")] = None,
    year: Annotated[int | None, typer.Option("--year", help="one report year")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="one agency (its full name)")] = None,
) -> None:
    """Which expected publishers reported on time, late, or not at all, per report year."""
    from fazhi.commands.common import load_settings, load_sources, open_engine
    from store.coverage import STATUSES, CoverageFilters, coverage_rows, declared

    if fmt not in FORMATS:
        _fail(f"unknown format {fmt!r}: use --format table, jsonl or csv")
    if status is not None and status not in STATUSES:
        _fail(f"unknown status {status!r}: use on_time, late or missing")
    today = _as_of(as_of)
    settings = load_settings()
    expectations = None
    if sources is not None or settings.sources is not None:
        from crawler.coverage import expectation

        expectations = [expectation(s) for s in load_sources(sources, settings)]
    filters = CoverageFilters(agency=agency, report_year=year, status=status)
    with open_engine(settings.database_url).connect() as connection:
        rows = coverage_rows(
            connection,
            expectations if expectations is not None else declared(connection),
            today=today,
            filters=filters,
        )
    _print(rows, fmt)


def _fail(message: str) -> None:
    console.print(message, style="red")
    raise typer.Exit(2)


def _as_of(value: str | None) -> date:
    if value is None:
        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"--as-of {value!r} is not a date (YYYY-MM-DD)")
        raise


def _print(rows: list[dict[str, Any]], fmt: str) -> None:
    from store.coverage import coverage_csv

    if fmt == "csv":
        sys.stdout.write(coverage_csv(rows, bom=False))
    elif fmt == "jsonl":
        for row in rows:
            sys.stdout.write(
                json.dumps({**row, "deadline": row["deadline"].isoformat()}, ensure_ascii=False) + "\n"
            )
    else:
        _table(rows)


def _table(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table("agency", "year", "status", "deadline", "document", box=None)
    for row in rows:
        table.add_row(
            row["agency"],
            str(row["report_year"]),
            row["status"],
            row["deadline"].isoformat(),
            (row["document_id"] or "")[:16],
        )
    Console().print(table)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("on_time", "late", "missing")}
    console.print(", ".join(f"{n} {s}" for s, n in counts.items()))
