"""The coverage matrix: ``/charts/coverage``, each expected agency × each due report year, on time / late / missing
(``store.coverage``), filtered by province and city, with the same rows as CSV at ``/coverage.csv``.

The rows of every publisher are remembered as the search form's facets are (``api.web.memo``): on 20k documents
they cost ~0.6 s of CPU, and the page shows :data:`PAGE` publishers at a time (20k lines are 5 MB of HTML)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from api.web import nav
from api.web.memo import remembered
from api.web.templating import render
from store.coverage import coverage_rows, declared

router = APIRouter(include_in_schema=False)
STATUS = {"on_time": "按期", "late": "逾期", "missing": "缺失"}
PAGE = 200  # publishers (lines) per page
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


def every_line(connection: Connection) -> tuple[date, list[dict[str, Any]]]:
    """Today, and the matrix's line of every publisher as of today, each with the ``totals`` of its cells."""
    today = datetime.now(UTC).date()
    lines = matrix(coverage_rows(connection, declared(connection), today=today))[1]
    for line in lines:
        line["totals"] = totals(list(line["cells"].values()))
    return today, lines


def _link(form: dict[str, str], page: int) -> str:
    return "/charts/coverage?" + urlencode({**form, "page": page})


@router.get("/charts/coverage", response_class=HTMLResponse)
async def coverage_page(request: Request) -> Response:
    form = _form(request)
    today, every = await remembered(request, every_line)
    province, city = form.get("province"), form.get("city")
    lines = [
        line
        for line in every
        if (province is None or line["province"] == province) and (city is None or line["city"] == city)
    ]  # a row's province and city are its line's: these are the lines of the rows the filter keeps
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
        csv_url="/coverage.csv" + ("?" + urlencode(form) if form else ""),
    )
