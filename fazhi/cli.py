"""``fazhi``: one CLI. Sources come from ``--sources FILE``; servers take ``--host``/``--port``; the database from
``FAZHI_DATABASE_URL``. The commands live in ``fazhi.commands`` (one module per group) and are registered here;
heavy imports happen inside commands so that ``fazhi --help`` stays fast.
"""

from __future__ import annotations

import typer

from fazhi.commands import data, demo, ops

app = typer.Typer(
    name="fazhi",
    help="Harvest 法治政府建设年度报告 from government portals and serve them clean and structured.\n\n"
    "Start with `fazhi run` (the demo: simulated portals, the API and a first crawl).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

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


def main() -> None:
    app()
