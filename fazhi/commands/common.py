"""What the commands share: the two consoles, the common options, and settings, database and sources loaded
with a one-line error instead of a traceback.

A user's mistake ends in :func:`fail`: one line on stderr saying what is wrong and what to do, exit status 2 (1
for a busy port); the global ``--debug`` adds the traceback. The consoles print text verbatim (no rich markup, no
highlighting, no hard wrapping): a ``[[sources]]`` or a cron ``[mon]`` in a message stays as it was written.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from fazhi.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from crawler.sources import Source

console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
out = Console(markup=False, highlight=False)


class Flags:
    """The global options (``fazhi --debug …``), set by the app's callback before a command runs."""

    debug = False


def fail(message: str, code: int = 2, *, hint: str | None = None) -> NoReturn:
    """One line (``message``, then ``hint``) on stderr and exit ``code``; ``--debug`` prints the traceback first."""
    if Flags.debug and sys.exc_info()[0] is not None:
        console.print(traceback.format_exc().rstrip(), style="dim")
    console.print(f"{message}{f'; {hint}' if hint else ''}", style="red")
    raise typer.Exit(code)


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
    from fazhi.settings import SettingError, read_settings

    try:
        settings = read_settings()
    except SettingError as exc:
        fail(str(exc))
    configure_logging(settings.log_level, settings.log_format, alert_webhook=settings.alert_webhook)
    return settings


def open_engine(url: str) -> Engine:
    from store import make_engine
    from store.errors import StoreError

    try:
        return make_engine(url)
    except StoreError as exc:
        fail(f"database: {exc}")


def load_sources(path: Path | None, settings: Settings, names: list[str] | None = None) -> list[Source]:
    from crawler.errors import SourcesError
    from crawler.sources import load_sources as read_sources
    from crawler.sources import select_sources
    from fazhi.paths import real_sources

    try:
        return select_sources(read_sources(path or settings.sources or real_sources()), names)
    except SourcesError as exc:
        fail(f"sources: {exc}")


def shown(db: Engine) -> str:
    return db.url.render_as_string(hide_password=True)


def exit_on_port(exc: Exception) -> NoReturn:
    fail(str(exc), 1)
