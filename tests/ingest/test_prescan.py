"""The style cut before the parse (``ingest.prescan``): the parsed tree is the same as without the cut, style text
aside, on hostile markup (``</style>`` in comments, strings and attributes, uppercase and look-alike tags,
unclosed tags, escaped scripts, raw-text elements, foreign content, GB18030 text), and a style sheet is cut where
the parser would read it as one."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import SupportsIndex

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from ingest import extract_report, prescan
from ingest.prescan import without_style_text

_STYLE_TEXT = re.compile(r'(<style(?:\s[^\s=>]+(?:="[^"]*")?)*>).*?(</style>)', re.S)


def tree(markup: str | bytes) -> str:
    """The parsed tree, serialized, with the text of its style elements left out (the serializer writes that
    text raw, and it cannot hold "</style>")."""
    return _STYLE_TEXT.sub(r"\1\2", LexborHTMLParser(markup).html or "")


@pytest.fixture
def cut_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every style the scanner can prove is one is cut, however small, to the last one."""
    monkeypatch.setattr(prescan, "_MIN_GAIN", -1)
    monkeypatch.setattr(prescan, "_SCAN_COST", 0)


def same_tree(markup: str) -> str:
    cut = without_style_text(markup)
    assert tree(cut) == tree(markup)
    assert tree(without_style_text(markup.encode("utf-8"))) == tree(markup)  # the UTF-8 bytes path
    return cut


CSS = "p{color:red} a::after{content:'x'}"
CUT = [  # (markup, what the scanner must make of it)
    (f"<style>{CSS}</style><p>a</p>", "<style></style><p>a</p>"),
    (f"<STYLE TYPE=text/css>{CSS}</STYLE ><p>a", "<STYLE TYPE=text/css></STYLE ><p>a"),
    (f"<style\n>{CSS}</sTyle\t>", "<style\n></sTyle\t>"),
    (f"<Style>{CSS}</Style>", "unchanged"),  # a spelling not looked for: left alone
    # the first </style> ends the element, in a CSS comment or string too: what follows is markup
    (f"<style>/* </style> */ {CSS}</style>", "<style></style> */ {CSS}</style>".replace("{CSS}", CSS)),
    (f"<style>{CSS}</styles>x</style/>", "<style></style/>"),
    (f"<style/>{CSS}</style>", "<style/></style>"),  # self-closing is ignored on <style>
    (f'<div title="<style>" data-x=\'a>b\'><style media="a>b">{CSS}</style>', None),
    (f"<script>var s = '<style>{CSS}</style>';</script><p>", "unchanged"),
    (f"<!-- <style>{CSS}</style> --><p>", "unchanged"),
    (f"<!--><style>{CSS}</style>", "<!--><style></style>"),  # an empty comment, closed at once
    (f"<!---><style>{CSS}</style>", "<!---><style></style>"),
    (f"<!-- a --!><style>{CSS}</style>", "<!-- a --!><style></style>"),
    (f"<!-- a -- ><style>{CSS}</style> -->", "unchanged"),  # "-- >" does not close a comment
    (f"<textarea><style>{CSS}</style></textarea>", "unchanged"),
    (f"<title><style>{CSS}</title><style>{CSS}</style>", f"<title><style>{CSS}</title><style></style>"),
    (f"<textarea><style>x</textarea><style>{CSS}</style>", "<textarea><style>x</textarea><style></style>"),
    (f"<xmp><style>{CSS}</xmp>", "unchanged"),
    (f"<iframe><style>{CSS}</style></iframe>", "unchanged"),
    (f"<noframes><style>{CSS}</noframes>", "unchanged"),
    (f"<noscript><style>{CSS}</style></noscript>", "<noscript><style></style></noscript>"),  # scripting off
    (f"<svg><style>{CSS}</style></svg><style>{CSS}</style>", "unchanged"),  # foreign content: stop
    (f"<math><style>{CSS}</style></math>", "unchanged"),
    (f"<select><option><style>{CSS}</style></select>", "unchanged"),  # in select, <style> is ignored
    (f"<plaintext><style>{CSS}</style>", "unchanged"),
    (f"<style>{CSS}", "unchanged"),  # raw text to the end of the page
    ("<div class='x<style>p{margin:0}</style>", "unchanged"),  # a tag that never closes
    ("<div a='x><style>p{margin:0}</style>", "unchanged"),  # its value runs to the end of the page
    ("<div a='x'><style>p{margin:0}</style>", "<div a='x'><style></style>"),
    (f"<a <style>{CSS}</style>", f"<a <style>{CSS}</style>"),  # "<style" is an attribute name there
    (f"<a=b><style>{CSS}</style>", "<a=b><style></style>"),
    (f'<a b"c><style>{CSS}</style>', '<a b"c><style></style>'),  # a quote inside a name opens nothing
    (f'<a ="x><style>{CSS}</style>">', '<a ="x><style></style>">'),  # "=" opening a name: no value
    (f"<ſtyle>{CSS}</ſtyle>", "unchanged"),  # no Unicode case folding
    (f"<style>{CSS}</ſtyle></style>", "<style></style>"),
    (f"<styles>{CSS}</styles>", "unchanged"),
    (f"<?php <style> ?><style>{CSS}</style>", "<?php <style> ?><style></style>"),
    (f"</ x<style>><style>{CSS}</style>", "</ x<style>><style></style>"),  # a bogus comment to the first ">"
    (f"<!doctype x '<style>'><style>{CSS}</style>", "<!doctype x '<style>'><style></style>"),
    (f"<style>中文{CSS}一二三</style>中文", "<style></style>中文"),
    # scripts: the escape (<!--) and the double escape (<script> inside it), where </script> is text
    (f"<script><!--<script></script><style>{CSS}</style></script><p>", "unchanged"),
    (f"<script><!--<script></script>--></script><style>{CSS}</style>", None),
    (f"<script><!--<script></script><script></script><style>{CSS}</style></script>", "unchanged"),
    (f"<script><!-- </script><style>{CSS}</style>", None),
    (f"<script><!--> </script><style>{CSS}</style>", None),
    (f"<script><!--><script></script><style>{CSS}</style>", None),  # "<!-->" leaves the escape at once
    (f"<script><!--<scripts></script><style>{CSS}</style>", None),
    (f"<script>a<!--b--></script ><style>{CSS}</style>", None),
]


@pytest.mark.usefixtures("cut_everything")
@pytest.mark.parametrize(("markup", "expected"), CUT)
def test_the_cut_leaves_the_tree_as_it_was(markup: str, expected: str | None) -> None:
    cut = same_tree(markup)
    if expected == "unchanged":
        assert cut is markup
    elif expected is not None:
        assert cut == expected
    else:
        assert CSS not in cut.rsplit("<style>", 1)[-1]  # the last style, after the script, is cut


FRAGMENTS = [
    *(markup for markup, _ in CUT),
    *["<", ">", '"', "'", "=", "/", "-", "!", "?"],
    "<style>",
    "</style>",
    "</style",
    "<!--",
    "-->",
    "--!>",
    "<script>",
    "</script>",
    "<!--<script>",
    "<textarea>",
    "</textarea>",
    "<title>",
    "</title>",
    "<svg>",
    "</svg>",
    "<select>",
    "</select>",
    "<template>",
    "</template>",
    "<table><td>",
    "<p title=",
    "<![CDATA[",
    "]]>",
    "\r\n",
    "\x00",
    "中文",
    " x ",
]


@pytest.mark.usefixtures("cut_everything")
@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30))
def test_any_mix_of_hostile_pieces_parses_the_same(pieces: list[str]) -> None:
    same_tree("".join(pieces))


def test_a_little_style_is_not_worth_a_scan() -> None:
    page = f"<html><head><style>{CSS}</style></head><body>{'<p>文字。</p>' * 5000}</body></html>"
    assert without_style_text(page) is page


def test_many_small_styles_in_much_markup_are_given_up_early(monkeypatch: pytest.MonkeyPatch) -> None:
    """Styles of a few bytes each, a kilobyte of markup apart: once even a page of style text from there on could
    not make the cut pay, the rest are not looked at (each used to be, to its end tag)."""
    styles = 400
    page = "<html><head></head><body>" + "".join(
        f"<style>.c{i}{{}}</style>" + "<div class='x'>正文，正文。</div>" * 40 for i in range(styles)
    )
    page += "</body></html>"
    ends: list[int] = []
    real = prescan._raw_end

    def counted(*args: object) -> int:
        ends.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(prescan, "_raw_end", counted)
    assert without_style_text(page) is page
    assert len(ends) < styles // 2


SHEET = "".join(f".c{i}{{margin:{i}px}}\n" for i in range(4000))
BIG = f"<html><head><title>标题</title><style>{SHEET}</style></head><body><p>正文。</p></body></html>"


def test_a_big_head_style_sheet_is_cut_on_text() -> None:
    cut = without_style_text(BIG)
    assert len(cut) == len(BIG) - len(SHEET)
    assert tree(cut) == tree(BIG)


def test_a_big_head_style_sheet_is_cut_on_utf8_bytes() -> None:
    data = BIG.encode("utf-8")
    cut = without_style_text(data)
    assert len(cut) == len(data) - len(SHEET)
    assert tree(cut) == tree(data)


def test_an_uppercase_page_has_its_uppercase_style_cut() -> None:
    sheet = "P { MARGIN: 0 }\n" * 4000
    page = f"<HTML><HEAD><STYLE TYPE='text/css'>{sheet}</STYLE></HEAD><BODY><P>正文。</P></BODY></HTML>"
    cut = without_style_text(page)
    assert "MARGIN" not in cut
    assert tree(cut) == tree(page)


def test_the_report_is_the_same_with_and_without_the_style_text() -> None:
    sheet = "".join(f".c{i}{{margin:{i}px}} /* </styles> <p>不是正文</p> */\n" for i in range(3000))
    body = "<div class=TRS_Editor>" + "<p>一、主要举措和成效。依法行政，建设法治政府。</p>" * 20 + "</div>"
    head = "<html><head><title>某局2023年法治政府建设年度报告</title>"
    page = f"{head}<style>{sheet}</style></head><body>{body}</body></html>"
    bare = f"{head}<style></style></head><body>{body}</body></html>"
    assert without_style_text(page) == bare
    for data, content_type in (
        (page.encode("utf-8"), None),
        (page.encode("gb18030"), "text/html; charset=gbk"),
    ):
        got = extract_report(data, "http://127.0.0.1/a.html", content_type=content_type).to_dict()
        want = extract_report(bare.encode("utf-8"), "http://127.0.0.1/a.html").to_dict()
        assert got.pop("charset") in ("utf-8", "gb18030")
        want.pop("charset")
        assert got == want
        assert "不是正文" not in str(got)


class _Counted(str):
    """The page, adding to ``work`` the characters each ``find`` looks at (to the match, or to the end) and each
    slice copies."""

    work: list[int]

    def __getitem__(self, key: SupportsIndex | slice) -> str:
        piece = str.__getitem__(self, key)
        self.work[0] += max(len(piece), 1)
        return piece

    def find(self, sub: str, start: SupportsIndex | None = None, end: SupportsIndex | None = None) -> int:
        begin = 0 if start is None else int(start)
        stop = len(self) if end is None else min(int(end), len(self))
        found = str.find(self, sub, begin, stop)
        self.work[0] += max((found + len(sub) if found >= 0 else stop) - begin, 1)
        return found


class _CountedPattern:
    """A scanner regex, adding to ``work`` the characters each call covers: a match's span, a search's way to
    its match or to the end (a failed match counts one)."""

    def __init__(self, pattern: re.Pattern[str], work: list[int]) -> None:
        self.pattern, self.work = pattern, work

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        found = self.pattern.match(text, pos, endpos)
        self.work[0] += max(found.end() - pos, 1) if found else 1
        return found

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        found = self.pattern.search(text, pos, endpos)
        self.work[0] += max((found.end() if found else min(len(text), endpos)) - pos, 1)
        return found


def scan_work(page: str, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many characters the scan hands to C (``find`` and the regexes) over ``page``: every step of its
    loops counts one at least, so both a loop that steps too often and one that looks at the same text again
    add up. Deterministic: the same page gives the same count on any machine, however loaded."""
    expected, work = without_style_text(page), [0]
    for name in ("run", "start", "script", "escaped", "double"):
        monkeypatch.setattr(prescan._STR, name, _CountedPattern(getattr(prescan._STR, name), work))
    counted = _Counted(page)
    counted.work = work
    assert without_style_text(counted) == expected
    for name in ("run", "start", "script", "escaped", "double"):
        monkeypatch.setattr(prescan._STR, name, getattr(prescan._STR, name).pattern)
    return work[0]


@pytest.mark.parametrize(
    "hostile",
    [
        lambda n: "<div " + " ".join(f'a{i}="<style>"' for i in range(n)) + ">",
        lambda n: "<!--" + "<style>" * n,
        lambda n: "<script><!--" + "<script><style>" * n,  # a style in every step: the scan must reach them
        lambda n: "<a b='" + "<style>" * n,
        lambda n: "<style>" + "</sty" * 2 * n,
    ],
    ids=["attributes", "comment", "script-escape", "open-quote", "end-tag-prefixes"],
)
def test_hostile_markup_is_scanned_in_linear_time(
    hostile: Callable[[int], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twice the hostile markup costs the scan twice the work, not four times: linear, counted (not timed)."""

    monkeypatch.setattr(prescan, "_MIN_GAIN", -1)
    monkeypatch.setattr(prescan, "_SCAN_COST", 0)

    def page(n: int) -> str:
        return hostile(n) + "<style>" + CSS * (n // 10) + "</style>"

    small, large = scan_work(page(4000), monkeypatch), scan_work(page(8000), monkeypatch)
    assert small >= len(page(4000))  # the scan does go over the hostile markup …
    assert large <= 2.1 * small  # … and in proportion to it (a quadratic scan: ≈ 4 ×)
