"""The list-title prefilter: broad (it may not drop a title that could be a report), and still a filter."""

from __future__ import annotations

import pytest

from crawler.candidates import looks_like_report


@pytest.mark.parametrize(
    "title",
    [
        "上海市徐汇区人民政府2023年法治政府建設年度情況報告",  # traditional characters
        "某某区人民政府2022年度法治政府建设工作情况",  # no 报告
        "某某区人民政府2021年法治政府建设情况",
        "東莞市人力資源和社會保障局2020年法治政府建設年度報告",
        "河东区人民政府2023年法治政府建设情况报告",
        "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
        "市人社局2021年法治政府建设情况报告",
        "某某县2023年度依法治县工作总结",
        "某某局2015年依法行政工作情况报告",
        "某某局2023年度法治建设工作报告",
        "关于报送2023年法治政府建设年度报告的通知",  # a report's word: fetch, the classifier decides
        "某某市2023年法治政府建设年度报告（全文）",
    ],
)
def test_titles_that_could_be_reports_pass(title: str) -> None:
    assert looks_like_report(title)


@pytest.mark.parametrize(
    "title",
    [
        "关于公布2023年度第1批高技能人才培训基地名单的通知",  # no 法治 subject
        "某某局2023年政府信息公开工作年度报告",
        "2023年第2季度就业形势分析",
        "某某局法治政府建设实施方案（2024—2028年）",  # another document type, no report word
        "某某局2024年依法行政工作要点",
        "关于印发《某某市法治政府建设示范创建办法》的通知",
        "",
    ],
)
def test_titles_that_cannot_be_reports_are_dropped(title: str) -> None:
    assert not looks_like_report(title)
