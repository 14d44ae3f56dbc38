from __future__ import annotations

import pytest

from ingest import extract_report
from ingest.classify import Verdict, classify

LONG = "2020年,我局法治政府建设工作情况报告如下:" + "依法行政,法治建设。" * 60


def _classify(title: str | None, body: str, *, link_ratio: float = 0.0, attachments: bool = False) -> Verdict:
    return classify(
        title,
        body,
        link_ratio=link_ratio,
        has_attachments=attachments,
        min_untitled_chars=800,
        min_report_chars=200,
        max_link_ratio=0.5,
    )


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
    assert _classify(title, LONG).kind == "report"


@pytest.mark.parametrize(
    "title",
    [
        "某某局2023年政府信息公开工作年度报告",
        "某某局2024年依法行政工作要点",
        "某某局法治政府建设实施方案(2021—2025年)",
        "关于开展法治政府建设示范创建活动的通知",
        "图文解读:《某某局2023年法治政府建设年度报告》",
        "区司法局召开2023年度法治政府建设年度报告专题会议",
    ],
)
def test_decoy_titles(title: str) -> None:
    assert _classify(title, LONG).kind == "not_report"


def test_title_only_page_is_not_a_report() -> None:
    verdict = _classify("某局2020年法治政府建设年度报告", "")
    assert verdict.kind == "not_report" and "too short" in verdict.reason


def test_attachment_only_report_is_a_report() -> None:
    assert (
        _classify("某局2020年法治政府建设年度报告", "", attachments=True).reason == "attachment-only report"
    )


def test_link_heavy_page_is_a_list_page() -> None:
    verdict = _classify("法治政府建设年度报告", LONG, link_ratio=0.8)
    assert verdict.kind == "not_report" and "list page" in verdict.reason


def test_untitled_report_body_is_a_report() -> None:
    assert _classify(None, LONG * 2).kind == "report"
    assert _classify(None, "依法行政。" * 300).kind == "not_report"


def test_ruishu_challenge_is_blocked() -> None:
    page = b'<html><head><meta content="abc" r="m"><script>$_ts=window["$_ts"];</script></head><body></body></html>'
    report = extract_report(page, "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "blocked_js_challenge"


def test_maintenance_stub_is_blocked() -> None:
    report = extract_report("<html><body>临时维护</body></html>".encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "maintenance_stub"
