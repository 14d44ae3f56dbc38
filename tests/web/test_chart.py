"""The deadline chart: offsets from 1 April of the following year, bins, the SVG (unit)."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

from api.web.chart import deadline, deadline_svg, offset_days, year_rows


def test_offsets_count_from_the_first_of_april_of_the_next_year() -> None:
    assert deadline(2023) == date(2024, 4, 1)
    assert offset_days(2023, date(2024, 4, 1)) == 0
    assert offset_days(2023, date(2024, 3, 31)) == -1
    assert offset_days(2023, date(2024, 4, 11)) == 10


def test_year_rows_count_on_time_and_late_reports() -> None:
    rows = [
        (2023, date(2024, 3, 1), None, 3),
        (2023, date(2024, 4, 1), None, 1),
        (2023, date(2024, 5, 1), None, 2),
        (2022, date(2023, 1, 5), None, 1),
    ]
    years = year_rows(rows)
    assert [y.year for y in years] == [2023, 2022]
    y2023 = years[0]
    assert (y2023.documents, y2023.on_time) == (6, 4)
    assert y2023.median_offset == -31  # the lower middle: an actual report's offset
    assert sum(n for _, _, n in y2023.bins) == 6


def test_a_sources_own_deadline_counts_instead_of_the_first_of_april() -> None:
    assert offset_days(2023, date(2024, 4, 10), date(2024, 3, 31)) == 10
    years = year_rows([(2023, date(2024, 4, 10), date(2024, 3, 31), 1), (2023, date(2024, 4, 10), None, 1)])
    assert years[0].on_time == 0 and years[0].median_offset == 9


def test_far_dates_land_in_the_edge_bins() -> None:
    years = year_rows([(2020, date(2019, 1, 1), None, 1), (2020, date(2024, 1, 1), None, 1)])
    xs = [x for x, _, _ in years[0].bins]
    assert len(xs) == 2 and xs[0] < xs[1]


def test_the_svg_is_well_formed_with_one_bar_per_bin() -> None:
    svg = deadline_svg([(2023, date(2024, 3, 1), None, 3), (2023, date(2024, 6, 1), None, 1)])
    root = ElementTree.fromstring(svg)
    rects = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert [r.get("class") for r in rects] == ["ok", "late"]
    assert "2023 年度" in svg and "4月1日" in svg
    assert not re.search(r"(?:href|src)=\"https?:", svg)


def test_the_svg_of_no_dates_says_so() -> None:
    svg = deadline_svg([])
    ElementTree.fromstring(svg)
    assert "尚无带公开日期的报告" in svg
