"""No page breaks extraction: deep nesting, attribute floods, unclosed tags and quotes, broken JSON and binary
garbage each give a result (never an exception) in time linear in the page. Bounds are generous (a loaded CI
machine), and still far below what the quadratic code took (36k nested <b>: 6 s; 50,000 attributes: 7 s)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest import extract_report
from ingest.identity import normalize_text

SECONDS_PER_MB = 4.0  # measured ≈ 0.6 s/MB on the worst of these; quadratic code is 100× more


def _bounded(page: bytes) -> float:
    """The CPU seconds of one extraction (this thread's: other processes on a loaded machine do not count)."""
    started = time.thread_time()
    report = extract_report(page, "http://127.0.0.2/a.html")
    elapsed = time.thread_time() - started
    assert report.kind in ("report", "not_report", "blocked")
    return elapsed


TITLE = "<html><head><title>某局2023年法治政府建设年度报告</title></head><body>"
HOSTILE = {
    "10,000 unclosed <font>": TITLE + "<div class=TRS_Editor>" + "<font>" * 10000 + "依法行政。" * 200,
    "36,000 nested <b>": TITLE + "<div>" + "<b>依法行政，" * 36000 + "</div>",
    "10,000 nested div.title with a breadcrumb": TITLE
    + "<div class=title>" * 10000
    + "当前位置：首页 > 法治 "
    + "文字，。" * 100,
    "20,000 info-table rows": TITLE + "<table>" + "<tr><td>索引号：</td><td>x</td></tr>" * 20000 + "</table>",
    "50,000 attributes on one tag": TITLE
    + "<div "
    + " ".join(f"a{i}=1" for i in range(50000))
    + ">法治，。</div>",
    "50,000 attributes, tag never closed": TITLE
    + "<div "
    + " ".join(f"a{i}=1" for i in range(50000))
    + "<p>法治",
    "100,000 unclosed quotes in a script": TITLE
    + "<script>"
    + 'var a = "' * 100000
    + "</script><div id=app></div>",
    "a script of escaped quotes": TITLE + "<script>" + '"\\"' * 100000 + "</script>",
    "100,000 '<a ' openers without '>'": TITLE + "<a " * 100000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_page_is_read_in_linear_time(name: str) -> None:
    page = HOSTILE[name].encode()
    assert _bounded(page) < 1.0 + SECONDS_PER_MB * len(page) / 1e6


FRAGMENTS = st.sampled_from(
    [
        "<div>",
        "</div>",
        "<p>",
        "<td>",
        "<table>",
        "<br>",
        "<font color=red>",
        "<a href='/x.pdf'>",
        "</a>",
        '<script>var d = {"content": "<p>',
        '"}</script>',
        "<span class=title>",
        "<!--",
        "-->",
        "<![if !supportLists]>",
        "<o:p>",
        "<?php echo $x; ?>",
        "索引号：",
        "发布时间：2024-03-07 ",
        "来源：",
        "当前位置：首页 > ",
        "法治政府建设年度报告",
        "依法行政，严格执法。",
        "一、主要工作举措和成效",
        '"',
        "'",
        "<",
        ">",
        "&nbsp;",
        "\\u003cp\\u003e",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(parts=st.lists(FRAGMENTS, max_size=400), garbage=st.binary(max_size=200))
def test_fuzzed_markup_never_raises(parts: list[str], garbage: bytes) -> None:
    page = "".join(parts).encode() + garbage
    assert _bounded(page) < 1.0 + SECONDS_PER_MB * len(page) / 1e6


@settings(max_examples=60, deadline=None)
@given(
    depth=st.integers(min_value=1, max_value=5000),
    tag=st.sampled_from(["div", "font", "span", "td", "b", "li"]),
)
def test_any_nesting_depth(depth: int, tag: str) -> None:
    page = (TITLE + f"<{tag}>" * depth + "依法行政，推进法治政府建设。" * 30 + f"</{tag}>" * depth).encode()
    assert _bounded(page) < 1.0 + SECONDS_PER_MB * len(page) / 1e6


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>" + "1" * 20000 + "</title></head><body><p>法治，。</p></body></html>",
        "<html><head><title>" + " " * 20000 + "x-y</title></head><body><p>法治，。</p></body></html>",
        "<html><body><h1>" + "1" * 20000 + "</h1><p>法治，。</p></body></html>",
        "<html><head>" + "<meta " * 4000 + "</head><body></body></html>",
    ],
    ids=["digit title", "blank title", "digit heading", "meta openers"],
)
def test_pathological_titles_and_heads(page: str) -> None:
    raw = page.encode()
    assert _bounded(raw) < 1.0 + SECONDS_PER_MB * len(raw) / 1e6


def test_a_processing_instruction_in_the_body_is_skipped() -> None:
    """``<?php … ?>`` left in a template is a node without a tag name to the parser: it raised IndexError; now
    it is skipped like a comment, and the text around it stays one paragraph."""
    para = "依法行政，推进法治政府建设。" * 20
    page = (TITLE + f"<div><p>{para}<?php echo $x; ?>{para}</p></div></body></html>").encode()
    report = extract_report(page, "http://127.0.0.2/a.html")
    assert report.paragraphs == [normalize_text(para + para)]


def test_text_inside_svg_stays_hidden_under_an_element_named_like_a_void_one() -> None:
    """In ``<svg>`` or ``<math>`` an ``<input>``, ``<link>`` or ``<source>`` is a foreign element that can hold
    text; the walk took it for the void HTML element and read its text as a line of the page."""
    from selectolax.lexbor import LexborHTMLParser

    from ingest.blocks import layout

    tree = LexborHTMLParser(
        "<body><p>前文</p><svg><input>图标文字</input><link>二</link></svg>"
        "<math><source>三</source></math><p>后文</p></body>"
    )
    assert tree.body is not None
    assert [line.text for line in layout(tree.body).lines] == ["前文", "后文"]
