"""``fazhi``: one CLI. Sources come from ``--sources FILE``; servers take ``--host``/``--port``; the database from
``FAZHI_DATABASE_URL``. Heavy imports happen inside commands so that ``fazhi --help`` stays fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from fazhi import coverage_command
from fazhi.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from crawler.engine import SourceStats
    from crawler.sources import Source

app = typer.Typer(
    name="fazhi",
    help="Harvest 法治政府建设年度报告 from government portals and serve them clean and structured.\n\n"
    "Start with `fazhi run` (the demo: simulated portals, the API and a first crawl).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
console = Console(stderr=True)
out = Console()

SourcesOpt = Annotated[
    Path | None,
    typer.Option(
        "--sources",
        help="TOML file of [[sources]] (default: $FAZHI_SOURCES, else the shipped seeds/sources.toml)",
    ),
]
HostOpt = Annotated[str, typer.Option("--host", help="address the API listens on")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="port the API listens on")]
PortalPortOpt = Annotated[
    int, typer.Option("--portal-port", min=1, max=65535, help="port of the simulated portals")
]


def _settings() -> Settings:
    from fazhi.logs import configure_logging

    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        console.print(f"[red]invalid FAZHI_ setting:[/red] {exc}")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level, settings.log_format)
    return settings


def _engine(url: str):
    from store import make_engine
    from store.errors import StoreError

    try:
        return make_engine(url)
    except StoreError as exc:
        console.print(f"[red]database:[/red] {exc}")
        raise typer.Exit(2) from exc


def _load_sources(path: Path | None, settings: Settings, names: list[str] | None = None) -> list[Source]:
    from crawler.errors import SourcesError
    from crawler.sources import load_sources, select_sources
    from fazhi.paths import real_sources

    try:
        return select_sources(load_sources(path or settings.sources or real_sources()), names)
    except SourcesError as exc:
        console.print(f"[red]sources:[/red] {exc}")
        raise typer.Exit(2) from exc


def _demo_sources(portal_port: int, names: list[str] | None = None) -> list[Source]:
    """The shipped demo sources, pointed at ``portal_port``."""
    from crawler.sources import Source, load_sources, select_sources
    from fazhi.paths import demo_sources
    from portalsim import DEFAULT_PORT

    sources = select_sources(load_sources(demo_sources()), names)
    if portal_port == DEFAULT_PORT:
        return sources
    moved = [
        s.model_copy(
            update={"start_urls": [u.replace(f":{DEFAULT_PORT}/", f":{portal_port}/") for u in s.start_urls]}
        )
        for s in sources
    ]
    return [Source.model_validate(s.model_dump()) for s in moved]


def _shown(db: Engine) -> str:
    return db.url.render_as_string(hide_password=True)


def _queue(settings: Settings):
    from fazhi.queue import NotPostgres, connect

    try:
        return connect(settings.database_url)
    except NotPostgres as exc:
        console.print(f"[red]database:[/red] {exc}")
        raise typer.Exit(2) from exc


def _serve_metrics(host: str, port: int) -> None:
    """Prometheus /metrics of this process on a thread (prometheus-client's own server)."""
    from prometheus_client import start_http_server

    from fazhi.net import PortInUse, bind_socket

    try:
        bind_socket(host, port).close()  # the usual clear message for a taken port
    except PortInUse as exc:
        _exit_on_port(exc)
    start_http_server(port, addr=host)
    console.print(f"metrics on http://{host}:{port}/metrics")


def _exit_on_port(exc: Exception) -> None:
    console.print(f"[red]{exc}[/red]")
    raise typer.Exit(1) from exc


@app.command()
def run(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    portal_port: PortalPortOpt = 8801,
) -> None:
    """The demo: start the simulated portals, the API and the scheduler, and crawl the portals at once.

    The documents land in the database of FAZHI_DATABASE_URL (default: a SQLite file in ~/.local/share/fazhi).
    """
    settings = _settings()
    sources = _demo_sources(portal_port)
    db = _engine(settings.database_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_demo(db, settings, sources, host, port, portal_port))


async def _run_demo(
    db, settings: Settings, sources: list[Source], host: str, port: int, portal_port: int
) -> None:
    from fazhi.net import PortInUse
    from fazhi.service import run_service
    from portalsim import build_portals, serve_portals
    from portalsim.server import PortalsError

    portals = build_portals(portal_port)
    started = asyncio.Event()
    portal_task = asyncio.create_task(serve_portals(portals, portal_port, started))
    waiter = asyncio.create_task(started.wait())
    await asyncio.wait({portal_task, waiter}, return_when=asyncio.FIRST_COMPLETED)
    if portal_task.done():
        waiter.cancel()
        try:
            portal_task.result()
        except PortalsError as exc:
            _exit_on_port(exc)

    def ready() -> None:
        base = f"http://{host}:{port}"
        lines = [
            "[bold green]fazhi demo is up[/bold green]",
            f"  documents  curl {base}/documents",
            f"  one        curl {base}/documents/<id or 16-hex prefix>",
            f"  health     {base}/healthz     API docs: {base}/docs",
            "  portals    " + "  ".join(f"http://{p.host}/" for p in portals.values()),
            f"  database   {settings.database_url}",
            f"crawling {len(sources)} simulated portals now; Ctrl-C stops.",
        ]
        console.print("\n".join(lines), soft_wrap=True)

    def done(stats: SourceStats) -> None:
        console.print(
            f"  crawled {stats.name}: {stats.new} new, {stats.seen} already stored, "
            f"{stats.not_reports} not reports, {stats.failures} failed"
        )

    try:
        await run_service(
            db=db,
            settings=settings,
            sources=sources,
            host=host,
            port=port,
            crawl_now=True,
            on_ready=ready,
            on_done=done,
        )
    except PortInUse as exc:
        _exit_on_port(exc)
    finally:
        portal_task.cancel()
        await asyncio.gather(portal_task, return_exceptions=True)


@app.command()
def serve(
    sources: SourcesOpt = None,
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    crawl_now: Annotated[
        bool, typer.Option("--crawl-now", help="crawl every source once at start-up")
    ] = False,
    api_only: Annotated[
        bool,
        typer.Option(
            "--api-only",
            help="serve the read API alone, no scheduler and no crawls (replicas beside `fazhi scheduler` and "
            "`fazhi worker`)",
        ),
    ] = False,
) -> None:
    """Run the read API and the crawl scheduler until SIGINT/SIGTERM (with --api-only: the API alone)."""
    from fazhi.net import PortInUse
    from fazhi.service import run_api, run_service

    settings = _settings()
    db = _engine(settings.database_url)
    try:
        if api_only:
            console.print(f"serving http://{host}:{port}/documents  (API only, database {_shown(db)})")
            asyncio.run(run_api(db=db, settings=settings, host=host, port=port))
            return
        loaded = _load_sources(sources, settings)
        console.print(
            f"serving http://{host}:{port}/documents  ({len(loaded)} sources, database {_shown(db)})"
        )
        asyncio.run(
            run_service(db=db, settings=settings, sources=loaded, host=host, port=port, crawl_now=crawl_now)
        )
    except PortInUse as exc:
        _exit_on_port(exc)
    except KeyboardInterrupt:
        pass


@app.command()
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

    settings = _settings()
    loaded = _demo_sources(portal_port, names) if demo else _load_sources(sources, settings, names)
    db = _engine(settings.database_url)
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


@app.command()
def index() -> None:
    """Build the full-text search index for documents that are not in it yet (jieba words)."""
    settings = _settings()
    count = _index(_engine(settings.database_url))
    console.print(f"indexed {count} documents for search")


@app.command()
def recrawl(
    names: Annotated[list[str] | None, typer.Argument(help="source names (default: every source)")] = None,
    sources: SourcesOpt = None,
) -> None:
    """Ask the running service to crawl now: the request goes into the store, the scheduler takes it in seconds."""
    from store.operator import request_recrawl

    settings = _settings()
    loaded = _load_sources(sources, settings, names)
    ids = request_recrawl(_engine(settings.database_url), [s.name for s in loaded], requested_by="cli")
    console.print(
        f"recrawl requested for {', '.join(s.name for s in loaded)} (requests {ids[0]}…{ids[-1]}); "
        "a running `fazhi serve` or `fazhi scheduler` picks them up within seconds"
    )


@app.command()
def migrate() -> None:
    """Bring the store's schema to this version (alembic; on PostgreSQL it includes the crawl queue's tables).

    Every command migrates SQLite by itself; on PostgreSQL run this once per upgrade (the compose file's
    `migrate` service does) before the API, scheduler and workers start."""
    import logging

    from store.migrate import head

    settings = _settings()
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)  # say which migrations ran
    db = _engine(settings.database_url)  # migrates
    console.print(f"schema at revision {head()} ({_shown(db)})")


@app.command()
def scheduler(
    sources: SourcesOpt = None,
    crawl_now: Annotated[
        bool, typer.Option("--crawl-now", help="queue a crawl of every source once at start-up")
    ] = False,
) -> None:
    """Distributed mode: queue a crawl job whenever a source falls due (PostgreSQL store; run one).

    Workers (`fazhi worker`, on any machine) run the jobs. Operator recrawls (`fazhi recrawl`, POST /-/recrawl)
    go through the same queue; a source is never queued twice, and jobs of dead workers are queued again."""
    from fazhi.queue import run_scheduler

    settings = _settings()
    queue_app = _queue(settings)
    loaded = _load_sources(sources, settings)
    db = _engine(settings.database_url)
    console.print(f"scheduling {len(loaded)} sources into the crawl queue of {_shown(db)}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_scheduler(db=db, settings=settings, sources=loaded, queue_app=queue_app, crawl_now=crawl_now)
        )


@app.command()
def worker(
    sources: SourcesOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="address of the worker's /metrics (with --port)")
    ] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=1,
            max=65535,
            help="serve this worker's Prometheus /metrics on HOST:PORT (default: off)",
        ),
    ] = None,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency", min=1, max=256, help="crawl jobs at once (default: $FAZHI_WORKER_CONCURRENCY, 4)"
        ),
    ] = None,
) -> None:
    """Distributed mode: run crawl jobs from the queue until SIGINT/SIGTERM (PostgreSQL store; run many).

    Never two crawls of one source at once, across all workers; per-host spacing holds across workers too.
    Give every worker the same sources file as the scheduler."""
    from fazhi.queue import run_worker

    settings = _settings()
    queue_app = _queue(settings)
    loaded = _load_sources(sources, settings)
    db = _engine(settings.database_url)
    jobs = concurrency or settings.worker_concurrency
    console.print(f"worker: up to {jobs} crawl jobs at once from the queue of {_shown(db)}")
    if port is not None:
        _serve_metrics(host, port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_worker(db=db, settings=settings, sources=loaded, concurrency=jobs, queue_app=queue_app)
        )


@app.command()
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


@app.command()
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
    settings = _settings()
    db = _engine(settings.database_url)
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


@app.command()
def portals(port: PortalPortOpt = 8801) -> None:
    """Serve the five simulated portals alone (127.0.0.11 … 127.0.0.15) until Ctrl-C."""
    from portalsim import build_portals, serve_portals
    from portalsim.server import PortalsError

    built = build_portals(port)
    for portal in built.values():
        console.print(f"  {portal.key:<11} http://{portal.host}{portal.start_paths[0]}   ({portal.platform})")
    try:
        asyncio.run(serve_portals(built, port))
    except PortalsError as exc:
        _exit_on_port(exc)
    except KeyboardInterrupt:
        pass


app.command("coverage")(coverage_command.coverage)  # on time, late, missing: fazhi/coverage_command.py


def main() -> None:
    app()
