"""``fazhi``: one CLI. Sources come from ``--sources FILE``; servers take ``--host``/``--port``; the database from
``FAZHI_DATABASE_URL``. The commands live in ``fazhi.commands`` (one module per group) and are registered here;
heavy imports happen inside commands so that ``fazhi --help`` stays fast.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from fazhi import __version__, coverage_command
from fazhi.commands import data, demo, ops
from fazhi.commands.common import Flags, out


class _Commands(TyperGroup):
    """The command list of ``fazhi --help`` with each command's whole first sentence, wrapped, never cut off."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:  # typer's own click types
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=10_000)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


app = typer.Typer(
    cls=_Commands,
    name="fazhi",
    help="Harvest 法治政府建设年度报告 from government portals and serve them clean and structured.\n\n"
    "Start with `fazhi run` (the demo: simulated portals, the API and a first crawl).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,  # a bug's traceback stays plain text, whole lines (greppable)
    context_settings={"max_content_width": 110},  # help text as wide as the terminal allows, up to 110
)


def _version(value: bool) -> None:
    if value:
        out.print(f"fazhi {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    debug: Annotated[
        bool, typer.Option("--debug", help="show the traceback behind an error message")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="print the version and exit")
    ] = False,
) -> None:
    """Harvest 法治政府建设年度报告 from government portals and serve them clean and structured.

    Start with `fazhi run` (the demo: simulated portals, the API and a first crawl)."""
    Flags.debug = debug


app.command()(demo.run)
app.command()(ops.serve)
app.command()(data.crawl)
app.command()(data.index)
app.command()(ops.recrawl)
app.command()(ops.migrate)
app.command()(ops.scheduler)
app.command()(ops.worker)
app.command()(data.extract)
app.command()(data.export)
app.command()(demo.portals)
app.command("coverage")(coverage_command.coverage)  # on time, late, missing: fazhi/coverage_command.py


def main() -> None:
    app()
