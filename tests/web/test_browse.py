"""What a result row says about itself (unit)."""

from __future__ import annotations

from datetime import date

from api.web.browse import badges
from api.web.report import fields, timeliness


def test_a_report_published_after_the_first_of_april_is_late() -> None:
    assert badges({"report_year": 2023, "publish_date": date(2024, 4, 11)}) == [("late", "逾期 10 天")]
    assert badges({"report_year": 2023, "publish_date": date(2024, 4, 1)}) == []
    assert badges({"report_year": 2023, "publish_date": None}) == [("undated", "未注明日期")]
    assert badges({"report_year": None, "publish_date": date(2024, 5, 1)}) == []


def test_timeliness_names_the_deadline() -> None:
    assert (
        timeliness({"report_year": 2023, "publish_date": date(2024, 4, 3)}) == "逾期 2 天（期限 2024-04-01）"
    )
    assert (
        timeliness({"report_year": 2023, "publish_date": date(2024, 3, 30)})
        == "按期公开（期限 2024-04-01，提前 2 天）"
    )
    assert timeliness({"report_year": None, "publish_date": date(2024, 3, 30)}) is None


def test_fields_carry_their_provenance_and_skip_empty_ones() -> None:
    document = {"title": "某某报告", "agency": "", "report_year": 2023, "provenance": {"title": "meta"}}
    assert fields(document) == [
        {"name": "title", "label": "标题", "value": "某某报告", "provenance": "meta"},
        {"name": "report_year", "label": "报告年度", "value": 2023, "provenance": None},
    ]


def test_stored_timeliness_parts_and_versions_make_badges() -> None:
    row = {"report_year": 2023, "publish_date": date(2024, 4, 11), "late": True, "days_late": 3}
    assert badges(row) == [("late", "逾期 3 天")]  # the source's own deadline, as store.reports judged
    assert badges({**row, "late": False, "days_late": 0}) == []
    row = {"report_year": 2023, "publish_date": date(2024, 3, 1), "missing_parts": "shortcomings,next_year"}
    assert badges(row) == [("missing", "缺少：存在的不足、下一年度安排")]
    assert badges({"report_year": 2023, "publish_date": date(2024, 3, 1), "version": 2}) == [
        ("version", "第 2 版")
    ]
    assert ("late", "日期早于首次发现") in badges(
        {"report_year": 2023, "publish_date": date(2024, 3, 1), "backdated": True}
    )
