"""The coverage matrix's layout (unit)."""

from __future__ import annotations

from typing import Any

from api.web.coverage import matrix, totals


def _row(agency: str, year: int, status: str, province: str = "广东省") -> dict[str, Any]:
    return {
        "agency": agency,
        "report_year": year,
        "status": status,
        "province": province,
        "city": None,
        "source_name": "s",
    }


def test_one_line_per_publisher_one_column_per_year() -> None:
    rows = [_row("乙局", 2023, "late"), _row("甲局", 2023, "on_time"), _row("甲局", 2022, "missing")]
    years, lines = matrix(rows)
    assert years == [2023, 2022]
    assert [line["agency"] for line in lines] == [
        "乙局",
        "甲局",
    ]  # by province, city, then agency (code point)
    cells = {line["agency"]: {y: c["status"] for y, c in line["cells"].items()} for line in lines}
    assert cells == {"甲局": {2023: "on_time", 2022: "missing"}, "乙局": {2023: "late"}}
    assert totals(rows) == {"on_time": 1, "late": 1, "missing": 1}
