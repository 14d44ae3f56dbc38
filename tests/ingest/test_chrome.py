"""Chrome at the body's edges, inside a known container too, is trimmed; prose that mentions chrome words stays."""

from __future__ import annotations

import re

import pytest

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


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("相关部门主动公开法治政府建设情况。", "承办人大代表建议36件，全部办结。"),
        ("截至2023年12月31日，全县共发布规范性文件12件。", "主办全省法治宣传活动3场，覆盖群众万余人。"),
        (
            "2023年3月15日，县政府常务会议审议通过《实施办法》。",
            "来源：群众来信反映的24个问题已经全部依法办结并答复。",
        ),
    ],
)
def test_prose_that_mentions_chrome_words_stays_even_at_the_edges(first: str, last: str) -> None:
    body = _body(_p([first, *PROSE, last]))
    assert body[0] == first.replace("，", ",").replace("：", ":") and body[-1] == last.replace(
        "，", ","
    ).replace("：", ":")


def test_a_signature_block_at_the_end_stays() -> None:
    body = _body(_p([*PROSE, "某某区司法局", "2024年3月1日"]))
    assert body[-2:] == ["某某区司法局", "2024年3月1日"]


def test_the_attachment_note_signature_and_colophon_of_a_gongwen_stay() -> None:
    end = [
        "附件：",
        "1.2023年行政执法统计表",
        "2.2023年行政复议案件情况",
        "某某县人民政府",
        "2024年1月20日",
        "抄送：市委依法治市办，市司法局。",
        "某某县人民政府办公室 2024年1月20日印发",
    ]
    body = _body(_p([*PROSE, *end]) + "<p>分享到：</p><p>【打印本页】【关闭窗口】</p>")
    assert body[-len(end) :] == [line.replace("：", ":").replace("，", ",") for line in end]


def test_a_table_that_ends_the_body_stays_with_its_header_cells() -> None:
    table = (
        "<table><tr><th>主办单位</th><th>活动</th><th>场次</th></tr>"
        + "".join(f"<tr><td>某某局</td><td>普法{i}</td><td>{i}</td></tr>" for i in range(8))
        + "</table>"
    )
    body = _body(_p(PROSE) + table + _p(["某某区司法局", "2024年3月1日"]))
    assert "主办单位" in body and body[-2:] == ["某某区司法局", "2024年3月1日"]


def _may_open(items: list, char: str) -> bool | None:
    """Whether a match of the parsed pattern ``items`` can start with ``char`` (``None``: it can match empty)."""
    import re._constants as c  # the parse tree's opcodes: read to check the pattern, never to match

    for op, arg in items:
        if op is c.AT:  # ^, $: no character
            continue
        if op is c.LITERAL:
            return chr(arg) == char
        if op is c.IN:
            return bool(re.match("[" + _class_source(arg) + "]", char)) if arg else False
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _, body = arg
            opens = _may_open(list(body), char)
            if opens:
                return True
            if opens is None or low == 0:
                continue  # it may match nothing: what follows may open the match
            return False
        if op is c.SUBPATTERN or op is c.ATOMIC_GROUP:
            opens = _may_open(list(arg[-1] if op is c.SUBPATTERN else arg), char)
            if opens:
                return True
            if opens is None:
                continue
            return False
        if op is c.BRANCH:
            results = [_may_open(list(branch), char) for branch in arg[1]]
            if any(results):
                return True
            if None not in results:
                return False
            continue
        return True  # anything else (., a category, a negated class): assume it may
    return None


def _class_source(items: list) -> str:
    import re._constants as c

    out = []
    for op, arg in items:
        if op is c.LITERAL:
            out.append(re.escape(chr(arg)))
        elif op is c.RANGE:
            out.append(f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}")
        elif op is c.CATEGORY:
            out.append({c.CATEGORY_DIGIT: r"\d", c.CATEGORY_SPACE: r"\s", c.CATEGORY_WORD: r"\w"}[arg])
        else:  # a negated class: anything may open it
            return r"\s\S"
    return "".join(out)


def test_each_first_character_gets_every_chrome_alternative_it_may_open() -> None:
    """``is_chrome_line`` tries, for a line's first character, only the alternatives whose source holds it (all of
    them for a digit, a space or a tab): an alternative that such a character could open but whose source lacks
    it (a class range, ``.``, ``\\d`` on a full-width digit) would be skipped. Checked on the parse of each."""
    import re._parser as parser

    from ingest import chrome

    for alternative in chrome._ALTERNATIVES:
        parsed = list(parser.parse(alternative))
        for char in chrome._FIRST:
            if char in "0123456789 \t" or char in alternative:
                continue
            assert not _may_open(parsed, char), (char, alternative)
