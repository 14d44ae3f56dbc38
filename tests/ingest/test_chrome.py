"""Chrome at the body's edges, inside a known container too, is trimmed; prose that mentions chrome words stays."""

from __future__ import annotations

from ingest import extract_report

TITLE = "某某区司法局2023年法治政府建设年度报告"
PROSE = [f"第{i}部分，依法行政，推进法治政府建设取得新成效，严格规范公正文明执法。" for i in range(10)]


def _body(inner: str) -> list[str]:
    page = (
        f"<html><head><meta charset='utf-8'><title>{TITLE}_某某区人民政府</title></head><body>"
        f"<h1>{TITLE}</h1><div class='TRS_Editor'>{inner}</div>"
        "<div class='foot'>版权所有 某某区人民政府 网站标识码1234</div></body></html>"
    )
    return extract_report(page.encode(), "http://127.0.0.2/a.html").paragraphs


def _p(lines: list[str]) -> str:
    return "".join(f"<p>{line}</p>" for line in lines)


def test_chrome_inside_the_container_is_trimmed_at_both_edges() -> None:
    head = ["【字体：大 中 小】", "发布时间：2024-03-07 来源：某某区司法局 浏览次数：12", TITLE]
    tail = [
        "（责任编辑：张三 审核：李四）",
        "相关文件:",
        "<a href='/1.html'>某某区2022年法治政府建设年度报告</a>",
        "<a href='/2.html'>某某区2021年法治政府建设年度报告</a>",
        "分享到：",
        "扫一扫在手机打开当前页",
        "【打印本页】【关闭窗口】",
    ]
    assert _body(_p(head + PROSE + tail)) == [p.replace("，", ",") for p in PROSE]


def test_prose_that_mentions_chrome_words_stays() -> None:
    traps = [
        "相关部门按照政府信息公开条例的要求，主动公开法治政府建设情况，接受社会监督。",
        "承办人大代表建议和政协委员提案36件，办结率100%，群众满意度持续提升。",
        "推行扫码亮证执法，当事人扫一扫即可核验执法人员身份，执法全过程记录可回溯。",
    ]
    body = _body(_p([traps[0], *PROSE, traps[1], traps[2]]))
    assert body[0].startswith("相关部门") and body[-2].startswith("承办") and body[-1].startswith("推行扫码")


def test_a_signature_block_at_the_end_stays() -> None:
    body = _body(_p([*PROSE, "某某区司法局", "2024年3月1日"]))
    assert body[-2:] == ["某某区司法局", "2024年3月1日"]
