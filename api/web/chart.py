"""The deadline chart: for each report year, when its reports were published relative to 1 April of the next
year (the date by which the yearly 法治政府建设 report is to be made public). Server-rendered SVG, no script.

Pure: ``(report_year, publish_date, deadline, reports)`` rows in (``deadline`` ``None``: 1 April), SVG text out. One row per year; each bar counts the
reports published in a 7-day bin; dates more than ``SPAN`` days from the deadline go to the edge bins.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import median_low

from api.web.templating import render_text

BIN_DAYS = 7
SPAN = (-182, 273)  # six months before to nine months after the deadline
WIDTH, LEFT, RIGHT, ROW, TOP = 880, 150, 16, 44, 34


def deadline(report_year: int) -> date:
    return date(report_year + 1, 4, 1)


def offset_days(report_year: int, published: date, due: date | None = None) -> int:
    """Days after the deadline (``due``, or 1 April of the next year; negative: before it)."""
    return (published - (due or deadline(report_year))).days


@dataclass(frozen=True)
class YearRow:
    year: int
    documents: int
    on_time: int
    median_offset: int
    bins: list[tuple[float, float, int]]  # (x, height, documents) per non-empty bin


def _x(days: int) -> float:
    low, high = SPAN
    return LEFT + (min(max(days, low), high) - low) / (high - low) * (WIDTH - LEFT - RIGHT)


Row = tuple[int, date, date | None, int]


def year_rows(rows: list[Row]) -> list[YearRow]:
    offsets: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for year, published, due, n in rows:
        offsets[year].append((offset_days(year, published, due), n))
    out = []
    for year in sorted(offsets, reverse=True):
        counts: dict[int, int] = defaultdict(int)
        for days, n in offsets[year]:
            counts[(min(max(days, SPAN[0]), SPAN[1] - 1) - SPAN[0]) // BIN_DAYS] += n
        peak = max(counts.values())
        bins = [(_x(SPAN[0] + b * BIN_DAYS), (ROW - 12) * n / peak, n) for b, n in sorted(counts.items())]
        expanded = [days for days, n in offsets[year] for _ in range(n)]
        out.append(
            YearRow(
                year=year,
                documents=len(expanded),
                on_time=sum(1 for days in expanded if days <= 0),
                median_offset=median_low(expanded),
                bins=bins,
            )
        )
    return out


def deadline_svg(rows: list[Row]) -> str:
    years = year_rows(rows)
    ticks = [
        (_x(d), label)
        for d, label in (
            (-182, "−6 月"),
            (-91, "−3 月"),
            (0, "4月1日"),
            (91, "+3 月"),
            (182, "+6 月"),
            (273, "+9 月"),
        )
    ]
    bar = (WIDTH - LEFT - RIGHT) * BIN_DAYS / (SPAN[1] - SPAN[0]) - 1
    return render_text(
        "chart.svg",
        years=years,
        ticks=ticks,
        bar=bar,
        width=WIDTH,
        left=LEFT,
        right=RIGHT,
        row=ROW,
        top=TOP,
        height=TOP + ROW * max(len(years), 1) + 24,
        zero=_x(0),
    )
