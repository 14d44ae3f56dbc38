"""The service and operator commands: ``fazhi serve``, ``recrawl``, ``migrate``, and the distributed mode's
``scheduler`` and ``worker``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, Annotated

import typer

from fazhi.commands.common import (
    HostOpt,
    PortOpt,
    SourcesOpt,
    console,
    exit_on_port,
    fail,
    load_settings,
    load_sources,
    open_engine,
    shown,
)
from fazhi.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from crawler.sources import Source


def _queue(settings: Settings):
    from fazhi.queue import NotPostgres, connect

    try:
        return connect(settings.database_url)
    except NotPostgres as exc:
        fail(f"database: {exc}")


def _serve_metrics(host: str, port: int) -> None:
    """Prometheus /metrics of this process on a thread (prometheus-client's own server)."""
    from prometheus_client import start_http_server

    from fazhi.net import PortInUse, bind_socket

    try:
        bind_socket(host, port).close()  # the usual clear message for a taken port
    except PortInUse as exc:
        exit_on_port(exc)
    start_http_server(port, addr=host)
    console.print(f"metrics on http://{host}:{port}/metrics")


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
            "`fazhi worker`, with the same sources: the recrawls it takes are of their names)",
        ),
    ] = False,
) -> None:
    """Run the read API and the crawl scheduler until SIGINT/SIGTERM (with --api-only: the API alone)."""
    from fazhi.net import PortInUse
    from fazhi.service import run_api, run_service

    settings = load_settings()
    db = open_engine(settings.database_url)
    # the API takes recrawls of these (the scheduler's, in its setup); an API-only replica given no sources file
    # takes those the store knows (a scheduler beside it may use a file this machine does not have)
    given = sources is not None or settings.sources is not None
    loaded = load_sources(sources, settings) if given or not api_only else []
    try:
        if api_only:
            console.print(f"serving http://{host}:{port}/documents  (API only, database {shown(db)})")
            names = [s.name for s in loaded] if given else None
            asyncio.run(run_api(db=db, settings=settings, host=host, port=port, sources=names))
            return
        console.print(
            f"serving http://{host}:{port}/documents  ({len(loaded)} sources, database {shown(db)})"
        )
        if not crawl_now:
            console.print(_first_crawl(loaded, settings))
        asyncio.run(
            run_service(db=db, settings=settings, sources=loaded, host=host, port=port, crawl_now=crawl_now)
        )
    except PortInUse as exc:
        exit_on_port(exc)
    except KeyboardInterrupt:
        pass


def _first_crawl(sources: list[Source], settings: Settings) -> str:
    """When the schedule first crawls (a fresh service waits for it), in the schedules' time zone."""
    from datetime import datetime

    from fazhi.service import TIMEZONE, source_trigger

    now = datetime.now().astimezone()
    times = [(source_trigger(s, settings).get_next_fire_time(None, now), s.name) for s in sources]
    due = sorted((t, name) for t, name in times if t is not None)
    if not due:
        return "no source is scheduled; --crawl-now crawls every source at start-up"
    when, name = due[0]
    return (
        f"first scheduled crawl: {name} at {when:%Y-%m-%d %H:%M} ({TIMEZONE}); "
        "pass --crawl-now to crawl every source at start-up, or `fazhi recrawl` to ask now"
    )


def recrawl(
    names: Annotated[list[str] | None, typer.Argument(help="source names (default: every source)")] = None,
    sources: SourcesOpt = None,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait/--no-wait", help="wait a few seconds to tell whether a running service took the request"
        ),
    ] = True,
) -> None:
    """Ask the running service to crawl now: the request goes into the store, for the scheduler to take.

    It says whether a `fazhi serve` or `fazhi scheduler` on this database took it; if none did, the request
    stays pending until one starts."""
    from store.operator import request_recrawl

    settings = load_settings()
    loaded = load_sources(sources, settings, names)
    db = open_engine(settings.database_url)
    ids = request_recrawl(db, [s.name for s in loaded], requested_by="cli")
    asked = f"recrawl of {', '.join(s.name for s in loaded)} requested (requests {ids[0]}…{ids[-1]})"
    if not wait:
        console.print(f"{asked}; a running `fazhi serve` or `fazhi scheduler` on {shown(db)} takes it")
        return
    seconds = 2 * settings.recrawl_poll_seconds + 1
    if _taken(db, ids, seconds):
        console.print(f"{asked} and taken by the running service: the crawl starts now")
    else:
        console.print(
            f"{asked}, but no `fazhi serve` or `fazhi scheduler` took it within {seconds:g} s: none seems to "
            f"read {shown(db)}; it stays pending and runs when one starts on this database",
            style="yellow",
        )


def _taken(db: Engine, ids: list[int], seconds: float) -> bool:
    """Whether the scheduler marked all of ``ids`` taken within ``seconds``."""
    from sqlalchemy import func, select

    from store.models import RecrawlRequest

    table = RecrawlRequest.__table__  # type: ignore[attr-defined]
    query = select(func.count()).where(table.c.id.in_(ids), table.c.state == "taken")
    deadline = time.monotonic() + seconds
    while True:
        with db.connect() as connection:
            if connection.execute(query).scalar() == len(ids):
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.25)


def migrate() -> None:
    """Bring the store's schema to this version (alembic; on PostgreSQL it includes the crawl queue's tables).

    Every command migrates SQLite by itself; on PostgreSQL run this once per upgrade (the compose file's
    `migrate` service does) before the API, scheduler and workers start."""
    import logging

    from store.migrate import head

    settings = load_settings()
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)  # say which migrations ran
    db = open_engine(settings.database_url)  # migrates
    console.print(f"schema at revision {head()} ({shown(db)})")


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

    settings = load_settings()
    queue_app = _queue(settings)
    loaded = load_sources(sources, settings)
    db = open_engine(settings.database_url)
    console.print(f"scheduling {len(loaded)} sources into the crawl queue of {shown(db)}")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_scheduler(db=db, settings=settings, sources=loaded, queue_app=queue_app, crawl_now=crawl_now)
        )


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

    settings = load_settings()
    queue_app = _queue(settings)
    loaded = load_sources(sources, settings)
    db = open_engine(settings.database_url)
    jobs = concurrency or settings.worker_concurrency
    console.print(f"worker: up to {jobs} crawl jobs at once from the queue of {shown(db)}")
    if port is not None:
        _serve_metrics(host, port)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_worker(db=db, settings=settings, sources=loaded, concurrency=jobs, queue_app=queue_app)
        )
