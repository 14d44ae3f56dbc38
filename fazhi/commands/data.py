"""The commands that move documents: ``fazhi crawl`` (once, in the foreground), ``index``, ``extract`` (one
saved page, no database) and ``export``."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fazhi.commands.common import (
    PortalPortOpt,
    SourcesOpt,
    console,
    load_settings,
    load_sources,
    open_engine,
    out,
)
from fazhi.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine


from fazhi.commands.demo import demo_sources


def crawl(
    names: Annotated[list[str] | None, typer.Argument(help="source names to crawl (default: all)")] = None,
    sources: SourcesOpt = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="crawl the shipped demo sources (simulated portals)")
    ] = False,
    portal_port: PortalPortOpt = 8801,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the per-source stats as JSON instead of a table")
    ] = False,
    index_after: Annotated[
        bool,
        typer.Option("--index/--no-index", help="index new documents for search when the crawl ends (jieba)"),
    ] = True,
) -> None:
    """Crawl once in the foreground, with a progress bar per source and a summary table.

    An interrupted crawl (Ctrl-C, kill -9, power loss) resumes where it stopped on the next run."""
    from crawler.engine import crawl_sources
    from fazhi.progress import CrawlProgress, summary_table
    from fazhi.service import crawl_config

    settings = load_settings()
    loaded = demo_sources(portal_port, names) if demo else load_sources(sources, settings, names)
    db = open_engine(settings.database_url)
    with CrawlProgress(console, [s.name for s in loaded]) as progress:
        stats = asyncio.run(
            crawl_sources(loaded, db=db, config=crawl_config(settings), on_event=progress.update)
        )
    if index_after:
        _index(db)
    if as_json:
        print(json.dumps([s.as_dict() for s in stats], ensure_ascii=False))
    else:
        out.print(summary_table(stats))
    unreachable = [s.name for s in stats if s.list_pages == 0 and s.failures and not s.details_done]
    if unreachable:
        hint = "start them with `fazhi portals` in another terminal" if demo else "check their start_urls"
        console.print(f"[yellow]no list page could be fetched for {', '.join(unreachable)}:[/yellow] {hint}")
    if any(s.error for s in stats) or len(unreachable) == len(stats):
        raise typer.Exit(1)


def _index(db: Engine) -> int:
    from rich.progress import Progress

    from crawler.indexer import index_pending

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("indexing for search", total=None)
        return index_pending(db, on_batch=lambda n: progress.advance(task, n))


def index() -> None:
    """Build the full-text search index for documents that are not in it yet (jieba words)."""
    settings = load_settings()
    count = _index(open_engine(settings.database_url))
    console.print(f"indexed {count} documents for search")


def extract(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True, dir_okay=False, help="a saved HTML page, or a PDF/DOCX/DOC/WPS/OFD/RTF/XLS(X) file"
        ),
    ],
    url: Annotated[
        str | None,
        typer.Option("--url", help="the page's URL (resolves links, dates in paths); default: the file"),
    ] = None,
    content_type: Annotated[
        str | None, typer.Option(help="the Content-Type header it was served with")
    ] = None,
    agency: Annotated[str | None, typer.Option(help="agency hint, as in a source")] = None,
    region: Annotated[str | None, typer.Option(help="region hint, e.g. 广东省/江门市/江海区")] = None,
    containers: Annotated[
        bool,
        typer.Option(help="use the known CMS containers as a shortcut (off: the general body finder alone)"),
    ] = True,
) -> None:
    """Extract one saved page (or a report file: its type is read from its bytes) and print JSON (no database)."""
    from ingest import ExtractOptions, SourceHints, extract_report
    from ingest.files import read_bounded, sniff

    content = file.read_bytes()
    if sniff(content) not in ("html", "unknown"):  # a document: read in a child process with a deadline
        out.print_json(json.dumps(read_bounded(content, file.name).text.to_dict(), ensure_ascii=False))
        return
    keywords = Settings().keywords
    options = (
        ExtractOptions(keywords=keywords) if containers else ExtractOptions(keywords=keywords, containers=())
    )
    report = extract_report(
        content,
        url or file.resolve().as_uri(),
        content_type=content_type,
        hints=SourceHints(agency=agency, region=region),
        options=options,
    )
    out.print_json(json.dumps(report.to_dict(), ensure_ascii=False))


def export(
    fmt: Annotated[
        str, typer.Option("--format", help="txt (one NNN_<hash>.txt per document), jsonl or csv")
    ] = "txt",
    out_path: Annotated[
        Path, typer.Option("--out", help="directory for txt; file for jsonl or csv ('-' = stdout)")
    ] = Path("export"),
) -> None:
    """Export every stored document, in ingest order."""
    from rich.progress import Progress

    from store.export import export_csv, export_jsonl, export_txt
    from store.queries import Filters, count_documents

    if fmt not in ("txt", "jsonl", "csv"):
        console.print(f"[red]unknown format {fmt!r}:[/red] use --format txt, jsonl or csv")
        raise typer.Exit(2)
    settings = load_settings()
    db = open_engine(settings.database_url)
    with db.connect() as connection:
        total = count_documents(connection, filters=Filters())
    if fmt in ("jsonl", "csv") and str(out_path) == "-":
        (export_jsonl if fmt == "jsonl" else export_csv)(db, sys.stdout)
        return
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("exporting", total=total)
        step = lambda: progress.advance(task)  # noqa: E731
        if fmt == "txt":
            count = len(export_txt(db, out_path, total, on_item=step))
        elif fmt == "csv":
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with out_path.open("w", encoding="utf-8-sig", newline="") as handle:
                count = export_csv(db, handle, on_item=step)
        else:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            with out_path.open("w", encoding="utf-8") as handle:
                count = export_jsonl(db, handle, on_item=step)
    console.print(f"exported {count} documents to {out_path}")
