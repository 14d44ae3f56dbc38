"""The coverage matrix: ``/charts/coverage``, each expected agency × each due report year, on time / late / missing
(``store.coverage``), filtered by province and city, with the same rows as CSV at ``/coverage.csv``."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from api.deps import read
from api.web import nav
from api.web.templating import render
from store.coverage import CoverageFilters, coverage_rows, declared

router = APIRouter(include_in_schema=False)
STATUS = {"on_time": "按期", "late": "逾期", "missing": "缺失"}
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


@router.get("/charts/coverage", response_class=HTMLResponse)
async def coverage_page(request: Request) -> Response:
    form = _form(request)
    today = datetime.now(UTC).date()

    def work(connection: Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        expected = declared(connection)
        every = coverage_rows(connection, expected, today=today)
        chosen = CoverageFilters(province=form.get("province"), city=form.get("city"))
        return every, [r for r in every if chosen.keep(r)]

    every, rows = await read(request, work, slow=True)
    years, lines = matrix(rows)
    return render(
        "coverage.html",
        form=form,
        provinces=sorted({r["province"] for r in every if r["province"]}),
        years=years,
        lines=lines,
        totals=totals(rows),
        labels=STATUS,
        today=today,
        csv_url="/coverage.csv" + ("?" + urlencode(form) if form else ""),
    )
