"""The commands that move documents: ``fazhi crawl`` (once, in the foreground), ``index``, ``extract`` (one
saved page, no database) and ``export``."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fazhi.commands.common import (
    PortalPortOpt,
    SourcesOpt,
    console,
    fail,
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
        typer.Option(
            "--index/--no-index",
            help="index new documents for search (jieba) beside the crawl, and what is left when it ends",
        ),
    ] = True,
) -> None:
    """Crawl once in the foreground, with a progress bar per source and a summary table.

    An interrupted crawl (Ctrl-C, kill -9, power loss) resumes where it stopped on the next run."""
    settings = load_settings()
    from crawler.extraction import shared_pool

    loaded = demo_sources(portal_port, names) if demo else load_sources(sources, settings, names)
    # one worker now, after the checks: its imports overlap ours; the others start when pages first queue for one
    # (an unchanged recrawl reads no page: it never starts them)
    shared_pool(settings.extract_workers).prestart(1)
    db = open_engine(settings.database_url)
    from crawler.engine import crawl_sources  # after the checks: a mistake is reported without the wait
    from fazhi.crawling import crawl_config
    from fazhi.progress import CrawlProgress, summary_lines, summary_table

    with CrawlProgress(console, [s.name for s in loaded]) as progress:
        crawling = crawl_sources(loaded, db=db, config=crawl_config(settings), on_event=progress.update)
        if index_after:  # jieba beside the crawl, in a worker of its own: the crawl never waits for it
            from crawler.indexer import while_indexing

            stats, _ = asyncio.run(while_indexing(crawling, db, keywords=settings.keywords))
        else:
            stats = asyncio.run(crawling)
    if as_json:  # the crawl's stats as soon as it ends; the indexing of what is left follows
        print(json.dumps([s.as_dict() for s in stats], ensure_ascii=False), flush=True)
    else:
        out.print(summary_table(stats))
        for line in summary_lines(stats):
            out.print(line, soft_wrap=True)
    if index_after:
        _index(db, settings.keywords)
    runs = [s.as_dict() for s in stats]
    unreachable = [r["name"] for r in runs if not r["list_pages"] and r["failed"] and not r["details_done"]]
    if unreachable:
        hint = "start them with `fazhi portals` in another terminal" if demo else "check their start_urls"
        console.print(f"no list page could be fetched for {', '.join(unreachable)}: {hint}", style="yellow")
    from fazhi.verdict import crawl_verdict  # source health: a line per unhealthy source, exit 1

    if crawl_verdict(db, stats, console) or any(r["error"] for r in runs) or len(unreachable) == len(runs):
        raise typer.Exit(1)


def _index(db: Engine, keywords: int) -> int:
    """Index what is not indexed yet, giving new documents ``keywords`` keywords (FAZHI_KEYWORDS)."""
    from rich.progress import Progress

    from crawler.indexer import index_pending

    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("indexing for search", total=None)
        return index_pending(db, on_batch=lambda n: progress.advance(task, n), keywords=keywords)


def index() -> None:
    """Build the full-text search index for documents that are not in it yet (jieba words)."""
    settings = load_settings()
    count = _index(open_engine(settings.database_url), settings.keywords)
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
    from ingest.files.report import report_from_file

    content = file.read_bytes()
    if sniff(content) not in ("html", "unknown"):  # a document: read in a child process with a deadline
        text = read_bounded(content, file.name).text
        hints = SourceHints(agency=agency, region=region)
        found = report_from_file(
            text, content, name=file.name, url=url or file.resolve().as_uri(), hints=hints
        )
        out.print_json(json.dumps(found.to_dict(), ensure_ascii=False))
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


FORMATS = ("txt", "jsonl", "csv")
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def export(
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="txt (one NNN_<hash>.txt per document in a directory), jsonl or csv; "
            "default: from --out's extension (.csv, .jsonl), else txt",
        ),
    ] = None,
    out_path: Annotated[
        Path, typer.Option("--out", help="directory for txt; file for jsonl or csv ('-' = stdout)")
    ] = Path("export"),
) -> None:
    """Export every stored document, in ingest order.

    A txt export replaces the NNN_<hash>.txt files of an earlier one in that directory (other files stay)."""
    fmt = fmt or SUFFIXES.get(out_path.suffix.lower(), "txt")
    _check_export_target(fmt, out_path)
    settings = load_settings()
    db = open_engine(settings.database_url)
    try:
        count = _export(db, fmt, out_path)
    except OSError as exc:
        fail(f"cannot write {out_path}: {exc.strerror or exc}", hint="choose another --out")
    if str(out_path) != "-":
        console.print(f"exported {count} documents to {out_path}")


def _check_export_target(fmt: str, out_path: Path) -> None:
    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}", hint="use --format txt, jsonl or csv")
    stdout = str(out_path) == "-"
    if fmt == "txt" and stdout:
        fail(
            "--format txt writes one file per document into a directory",
            hint="for stdout use --format jsonl or csv",
        )
    if fmt == "txt" and out_path.exists() and not out_path.is_dir():
        fail(
            f"--out {out_path} is a file, and --format txt writes a directory",
            hint=f"use --format {SUFFIXES.get(out_path.suffix.lower(), 'jsonl')} or another --out",
        )
    if fmt != "txt" and not stdout and out_path.is_dir():
        fail(
            f"--out {out_path} is a directory",
            hint=f"give a file name, e.g. --out {out_path / f'documents.{fmt}'}",
        )


def _to_stdout(db: Engine, fmt: str) -> int:
    """The export on stdout; a reader that stops early (``| head``) ends it quietly, as it would ``cat``."""
    from store.export import export_csv, export_jsonl

    try:
        count = export_jsonl(db, sys.stdout.buffer) if fmt == "jsonl" else export_csv(db, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush at exit
        return 0
    return count


def _export(db: Engine, fmt: str, out_path: Path) -> int:
    from rich.progress import Progress

    from store.export import export_csv, export_jsonl, export_txt
    from store.queries import Filters, count_documents

    if str(out_path) == "-":
        return _to_stdout(db, fmt)
    with db.connect() as connection:
        total = count_documents(connection, filters=Filters())
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("exporting", total=total)
        step = lambda: progress.advance(task)  # noqa: E731
        if fmt == "txt":
            return len(export_txt(db, out_path, total, on_item=step))
        out_path.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "csv":
            with out_path.open("w", encoding="utf-8-sig", newline="") as handle:
                return export_csv(db, handle, on_item=step)
        with out_path.open("wb") as binary:
            return export_jsonl(db, binary, on_item=step)
