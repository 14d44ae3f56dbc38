"""The coverage matrix: ``/charts/coverage``, each expected agency × each due report year, on time / late / missing
(``store.coverage``), filtered by province and city, with the same rows as CSV at ``/charts/coverage.csv`` (as
the API's ``/coverage.csv`` has them).

The lines of every publisher are remembered as the search form's facets are (``api.web.memo``): on 20k documents
their rows cost ~0.5 s of CPU (and their CSV 0.25 s more, kept with them per place); the page shows :data:`PAGE`
publishers at a time (20k lines are 5 MB of HTML)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection
from starlette.concurrency import run_in_threadpool

from api.responses import cached
from api.web import nav
from api.web.memo import remembered
from api.web.templating import render
from store.coverage import coverage_csv, coverage_rows, declared

router = APIRouter(include_in_schema=False)
STATUS = {"on_time": "按期", "late": "逾期", "missing": "缺失"}
PAGE = 200  # publishers (lines) per page
CSV_KEPT = 8  # places whose CSV is kept with the lines
nav.register("/charts/coverage", "覆盖情况")


def matrix(rows: list[dict[str, Any]]) -> tuple[list[int], list[dict[str, Any]]]:
    """The years (newest first) and one line per publisher with its cell of each year (``None``: not due)."""
    years = sorted({r["report_year"] for r in rows}, reverse=True)
    lines: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        key = (row["province"] or "", row["city"] or "", row["agency"], row["source_name"] or "")
        line = lines.setdefault(
            key,
            {
                "agency": row["agency"],
                "province": row["province"],
                "city": row["city"],
                "source_name": row["source_name"],
                "cells": {},
            },
        )
        line["cells"][row["report_year"]] = row
    return years, [lines[k] for k in sorted(lines)]


def totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row["status"]] += 1
    return {status: counts[status] for status in STATUS}


def _form(request: Request) -> dict[str, str]:
    return {
        k: v.strip()[:32] for k, v in request.query_params.items() if k in ("province", "city") and v.strip()
    }


def _page_number(request: Request) -> int:
    given = request.query_params.get("page", "")
    return int(given) if given.isdigit() and 0 < int(given) < 100_000 else 1


@dataclass
class Coverage:
    """Today, the matrix's line of every publisher as of today (each with the ``totals`` of its cells), and the
    CSV of the places asked for since (at most :data:`CSV_KEPT`)."""

    today: date
    lines: list[dict[str, Any]]
    csv: dict[tuple[str | None, str | None], bytes] = field(default_factory=dict)

    def chosen(self, province: str | None, city: str | None) -> list[dict[str, Any]]:
        """The lines of the rows a province and city filter keeps (a row's province and city are its line's)."""
        return [
            line
            for line in self.lines
            if (province is None or line["province"] == province) and (city is None or line["city"] == city)
        ]


def every_line(connection: Connection) -> Coverage:
    today = datetime.now(UTC).date()
    lines = matrix(coverage_rows(connection, declared(connection), today=today))[1]
    for line in lines:
        line["totals"] = totals(list(line["cells"].values()))
    return Coverage(today, lines)


def _link(form: dict[str, str], page: int) -> str:
    return "/charts/coverage?" + urlencode({**form, "page": page})


@router.get("/charts/coverage", response_class=HTMLResponse)
async def coverage_page(request: Request) -> Response:
    form = _form(request)
    coverage = await remembered(request, every_line)
    every, today = coverage.lines, coverage.today
    lines = coverage.chosen(form.get("province"), form.get("city"))
    pages = max(1, -(-len(lines) // PAGE))
    page = min(_page_number(request), pages)
    return render(
        "coverage.html",
        form=form,
        provinces=sorted({line["province"] for line in every if line["province"]}),
        years=sorted({year for line in lines for year in line["cells"]}, reverse=True),
        lines=lines[(page - 1) * PAGE : page * PAGE],
        first=(page - 1) * PAGE + 1,
        publishers=len(lines),
        previous_url=_link(form, page - 1) if page > 1 else None,
        next_url=_link(form, page + 1) if page < pages else None,
        totals={status: sum(line["totals"][status] for line in lines) for status in STATUS},
        labels=STATUS,
        today=today,
        csv_url="/charts/coverage.csv" + ("?" + urlencode(form) if form else ""),
    )


@router.get("/charts/coverage.csv")
async def coverage_download(request: Request) -> Response:
    """The matrix's rows as ``/coverage.csv`` has them for the same province and city, from the lines kept."""
    form = _form(request)
    coverage = await remembered(request, every_line)
    place = (form.get("province"), form.get("city"))
    body = coverage.csv.get(place)
    if body is None:
        rows = [line["cells"][year] for line in coverage.chosen(*place) for year in sorted(line["cells"])]
        body = (await run_in_threadpool(coverage_csv, rows)).encode("utf-8")
        if len(coverage.csv) >= CSV_KEPT:
            coverage.csv.pop(next(iter(coverage.csv)))
        coverage.csv[place] = body
    return cached(request, body, media_type="text/csv; charset=utf-8")
