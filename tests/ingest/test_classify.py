from __future__ import annotations

import pytest

from ingest import extract_report
from ingest.classify import Verdict, classify, simplified
from ingest.sections import parts_count
from tests.ingest.titles import TITLES

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


@pytest.mark.parametrize(
    "head",
    [
        "<meta content='abc' R='M'>",
        '<META CONTENT="abc" r=M>',
        "<script>$_TS=window['$_TS'];</script>",
    ],
)
def test_ruishu_challenge_in_any_letter_case_is_blocked(head: str) -> None:
    page = f"<html><head>{head}</head><body><p>加载中</p></body></html>"
    report = extract_report(page.encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "blocked_js_challenge"


def test_a_block_message_only_in_the_markup_is_blocked() -> None:
    page = (
        "<html><head><script>var tip = '您的访问疑似攻击';</script></head><body><p>请稍候</p></body></html>"
    )
    report = extract_report(page.encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "blocked_waf"


def test_a_meta_named_like_the_challenge_words_alone_is_not_a_block() -> None:
    page = f"<html><head><meta name='color' content='red'></head><body><p>{'依法行政，' * 50}</p></body></html>"  # short enough (250 characters) for the challenge check to look at it
    assert extract_report(page.encode(), "http://127.0.0.2/a.html").kind != "blocked"


def test_maintenance_stub_is_blocked() -> None:
    report = extract_report("<html><body>临时维护</body></html>".encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "maintenance_stub"


@pytest.mark.parametrize(("title", "kind", "why"), TITLES)
def test_realistic_titles_both_ways(title: str, kind: str, why: str) -> None:
    """141 titles written from how bodies title things (tests/ingest/titles.py), with a report-like body."""
    assert _classify(title, LONG).kind == kind, why


def test_traditional_characters_read_as_simplified() -> None:
    assert simplified("某縣2023年法治政府建設年度情況報告") == "某县2023年法治政府建设年度情况报告"
    assert _classify("某縣2023年法治政府建設年度情況報告", LONG).kind == "report"


def test_every_verdict_keeps_a_reason() -> None:
    for title, _, _ in TITLES:
        assert _classify(title, LONG).reason


REPORT_BODY = "\n".join(
    [
        "2023年，我局坚持以习近平法治思想为指导，全面推进法治政府建设，现将有关情况报告如下：",
        "一、主要工作举措和成效",
        "（一）深化法治政府建设。" + "依法行政，严格执法，法治建设取得新成效。" * 20,
        "二、存在的不足和原因",
        "法治宣传的覆盖面仍需扩大。" * 10,
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "局主要负责人带头学法，听取法治工作汇报。" * 10,
        "四、下一年度推进法治政府建设的主要安排",
        "持续推进法治政府建设，提升依法行政水平。" * 10,
    ]
)


@pytest.mark.parametrize(
    ("headings", "parts"),
    [
        (
            [
                "一、主要工作举措和成效",
                "二、存在的不足和原因",
                "三、第一责任人职责履行情况",
                "四、下一年度工作安排",
            ],
            4,
        ),
        (
            [
                "一、主要做法",
                "二、存在问题",
                "三、党政主要负责人履行推进法治建设第一责任人职责情况",
                "四、下一步工作计划",
            ],
            4,
        ),
        (["一、工作开展情况", "二、存在的困难和不足", "三、2024年工作打算"], 3),
        (["一、取得的成效", "二、问题和不足", "三、明年工作思路"], 3),
        (["一、基本情况", "二、主要数据"], 0),
    ],
)
def test_required_parts_under_several_wordings(headings: list[str], parts: int) -> None:
    assert parts_count([*headings, "依法行政。" * 30]) == parts


def test_the_body_rescues_an_odd_title() -> None:
    verdict = _classify("某局2023年度有关工作的汇报材料", REPORT_BODY)
    assert verdict.kind == "report" and "required parts" in verdict.reason
    assert _classify("某局2023年度有关工作的汇报材料", LONG).kind == "not_report"


def test_the_body_vetoes_news_under_a_report_title() -> None:
    news = "近日，某区司法局在门户网站公开了2023年法治政府建设年度报告，全面总结了一年来的工作。"
    verdict = _classify("某区2023年法治政府建设年度报告", news * 8)
    assert verdict.kind == "not_report" and "news" in verdict.reason
    assert _classify("某区2023年法治政府建设年度报告", REPORT_BODY).kind == "report"


def test_waf_block_page_served_with_status_200_is_blocked() -> None:
    page = "<html><head><title>网站防火墙</title></head><body><div><h1>网站防火墙</h1><p>您的请求带有不合法参数，访问被拦截。</p></div></body></html>"
    report = extract_report(page.encode(), "http://127.0.0.2/a.html")
    assert report.kind == "blocked" and report.reason == "blocked_waf"


@pytest.mark.parametrize(
    "title",
    [
        "某某市规划和自然资源局2023年法治政府建设年度报告",
        "国家统计局某某调查总队2023年法治政府建设年度报告",
        "某某市新闻出版局关于2023年度法治政府建设情况的报告",
        "某某市人民政府研究室2023年法治政府建设年度报告",
        "关于2023年度法治政府建设情况和党政主要负责人履行推进法治建设第一责任人职责情况的报告",
    ],
)
def test_decoy_words_inside_the_agency_or_a_joint_title_do_not_count(title: str) -> None:
    assert _classify(title, LONG).kind == "report"


@pytest.mark.parametrize(
    "title",
    ["我局发布2023年度法治政府建设年度报告", "一图读懂《某某市规划和自然资源局2023年法治政府建设年度报告》"],
)
def test_a_decoy_before_the_agency_still_counts(title: str) -> None:
    assert _classify(title, LONG).kind == "not_report"


@pytest.mark.parametrize(
    "message",
    [
        "您的请求已被网站管理员设置拦截！",
        "当前访问疑似黑客攻击，已被创宇盾拦截。",
        "请求已被阻断（长亭雷池）",
        "网站正在维护中",
    ],
)
def test_block_pages_in_the_wordings_real_firewalls_use(message: str) -> None:
    page = f"<html><head><title>提示</title></head><body><div><p>{message}</p></div></body></html>"
    assert extract_report(page.encode(), "http://127.0.0.2/a.html").kind == "blocked"


def test_a_footer_credit_for_site_maintenance_is_not_a_maintenance_page() -> None:
    page = (
        "<html><head><title>某某区2023年法治政府建设年度报告</title></head><body>"
        "<h1>某某区2023年法治政府建设年度报告</h1><p>附件：<a href='/r.pdf'>某某区2023年法治政府建设年度报告.pdf</a></p>"
        "<div class=foot>主办单位：某某区人民政府办公室 网站维护：某某区大数据中心</div></body></html>"
    )
    report = extract_report(page.encode(), "http://127.0.0.2/a.html")
    assert (report.kind, report.reason) == ("report", "attachment-only report")
