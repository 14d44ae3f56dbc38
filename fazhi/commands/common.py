"""What the commands share: the two consoles, the common options, and settings, database and sources loaded
with a one-line error instead of a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from fazhi.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from crawler.sources import Source

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


def load_settings() -> Settings:
    from fazhi.logs import configure_logging

    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        console.print(f"[red]invalid FAZHI_ setting:[/red] {exc}")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level, settings.log_format)
    return settings


def open_engine(url: str):
    from store import make_engine
    from store.errors import StoreError

    try:
        return make_engine(url)
    except StoreError as exc:
        console.print(f"[red]database:[/red] {exc}")
        raise typer.Exit(2) from exc


def load_sources(path: Path | None, settings: Settings, names: list[str] | None = None) -> list[Source]:
    from crawler.errors import SourcesError
    from crawler.sources import load_sources as read_sources
    from crawler.sources import select_sources
    from fazhi.paths import real_sources

    try:
        return select_sources(read_sources(path or settings.sources or real_sources()), names)
    except SourcesError as exc:
        console.print(f"[red]sources:[/red] {exc}")
        raise typer.Exit(2) from exc


def shown(db: Engine) -> str:
    return db.url.render_as_string(hide_password=True)


def exit_on_port(exc: Exception) -> None:
    console.print(f"[red]{exc}[/red]")
    raise typer.Exit(1) from exc
