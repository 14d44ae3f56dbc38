"""The demo commands: ``fazhi run`` (simulated portals, the API, the scheduler and a first crawl) and
``fazhi portals`` (the simulated portals alone)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from fazhi.commands.common import (
    HostOpt,
    PortalPortOpt,
    PortOpt,
    console,
    exit_on_port,
    fail,
    load_settings,
    open_engine,
)
from fazhi.settings import Settings

if TYPE_CHECKING:
    from crawler.engine import SourceStats
    from crawler.sources import Source


def demo_sources(portal_port: int, names: list[str] | None = None) -> list[Source]:
    """The shipped demo sources, pointed at ``portal_port``."""
    from crawler.errors import SourcesError
    from crawler.sources import Source, load_sources, select_sources
    from fazhi.paths import demo_sources
    from portalsim import DEFAULT_PORT

    try:
        sources = select_sources(load_sources(demo_sources()), names)
    except SourcesError as exc:
        fail(f"sources: {exc}")
    if portal_port == DEFAULT_PORT:
        return sources
    moved = [
        s.model_copy(
            update={"start_urls": [u.replace(f":{DEFAULT_PORT}/", f":{portal_port}/") for u in s.start_urls]}
        )
        for s in sources
    ]
    return [Source.model_validate(s.model_dump()) for s in moved]


def run(
    host: HostOpt = "127.0.0.1",
    port: PortOpt = 8000,
    portal_port: PortalPortOpt = 8801,
) -> None:
    """The demo: start the simulated portals, the API and the scheduler, and crawl the portals at once.

    The documents land in the database of FAZHI_DATABASE_URL (default: a SQLite file in ~/.local/share/fazhi).
    """
    settings = load_settings()
    sources = demo_sources(portal_port)
    db = open_engine(settings.database_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_run_demo(db, settings, sources, host, port, portal_port))


async def _run_demo(
    db, settings: Settings, sources: list[Source], host: str, port: int, portal_port: int
) -> None:
    from fazhi.net import PortInUse
    from fazhi.service import run_service
    from portalsim import build_portals
    from portalsim.server import PortalsError, start_portals

    portals = build_portals(portal_port)
    try:
        portal_task = await start_portals(portals, portal_port)
    except PortalsError as exc:
        exit_on_port(exc)

    def ready() -> None:
        base = f"http://{host}:{port}"
        lines = [
            "fazhi demo is up",
            f"  documents  curl {base}/documents",
            f"  one        curl {base}/documents/<id or 16-hex prefix>",
            f"  browse     {base}/     operator console: {base}/ops (with FAZHI_API_TOKEN set)",
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
        exit_on_port(exc)
    finally:
        portal_task.cancel()
        await asyncio.gather(portal_task, return_exceptions=True)


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
        exit_on_port(exc)
    except KeyboardInterrupt:
        pass
