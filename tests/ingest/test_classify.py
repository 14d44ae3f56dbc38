from __future__ import annotations

import pytest

from ingest import extract_report
from ingest.classify import classify

LONG = "2020年,我局法治政府建设工作情况报告如下:" + "依法行政,法治建设。" * 60


@pytest.mark.parametrize(
    "title",
    [
        "东莞市人力资源和社会保障局2020年法治政府建设年度报告",
        "河东区人民政府2023年法治政府建设情况报告",
        "江海区政务服务和数据管理局关于2025年度法治政府建设情况的报告",
        "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
        "市人社局2021年法治政府建设情况报告",
    ],
)
def test_report_titles(title: str) -> None:
    assert classify(title, LONG, 800, 200)[0] == "report"


@pytest.mark.parametrize(
    "title",
    [
        "某某局2023年政府信息公开工作年度报告",
        "某某局2024年依法行政工作要点",
        "某某局法治政府建设实施方案(2021—2025年)",
        "关于开展法治政府建设示范创建活动的通知",
        "图文解读:《某某局2023年法治政府建设年度报告》",
    ],
)
def test_decoy_titles(title: str) -> None:
    assert classify(title, LONG, 800, 200)[0] == "not_report"


def test_title_only_page_is_not_a_report() -> None:
    kind, reason = classify("某局2020年法治政府建设年度报告", "", 800, 200)
    assert kind == "not_report" and "too short" in reason


def test_ruishu_challenge_is_blocked() -> None:
    page = b'<html><head><meta content="abc" r="m"><script>$_ts=window["$_ts"];</script></head><body></body></html>'
    report = extract_report(page, "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "blocked_js_challenge"


def test_maintenance_stub_is_blocked() -> None:
    report = extract_report("<html><body>临时维护</body></html>".encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "maintenance_stub"
