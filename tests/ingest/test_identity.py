from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.identity import content_hash, normalize_body, normalize_lines, normalize_text


def test_full_width_and_spaces_normalize_to_one_form() -> None:
    assert (
        normalize_text("\u3000\u3000一、 总体情况：（一）加强领导，\xa0健全体系。 ")
        == "一、 总体情况:(一)加强领导, 健全体系。"
    )


def test_body_drops_empty_paragraphs_and_joins_with_newlines() -> None:
    assert normalize_body(["甲，乙", "  ", "丙"]) == "甲,乙\n丙"


def test_same_text_different_markup_same_id() -> None:
    a = content_hash(normalize_body(["２０２０年，我局", "报告如下："]))
    b = content_hash(normalize_body(["2020年,我局 ", "\u3000报告如下:"]))
    assert a == b == hashlib.sha256("2020年,我局\n报告如下:".encode()).hexdigest()


def has_descendant(node: LexborNode, selector: str) -> bool:
    """Whether an element *below* ``node`` matches: lexbor's ``node.css`` also matches ``node`` itself."""
    return any(found.mem_id != node.mem_id for found in node.css(selector))


def test_has_descendant_ignores_the_node_itself() -> None:
    tree = LexborHTMLParser("<div id=a><span>x</span></div><div id=b><p>y</p></div>")
    a, b = tree.css_first("#a"), tree.css_first("#b")
    assert a is not None and b is not None
    assert a.css_first("div") is not None  # lexbor matches the node itself: the trap
    assert not has_descendant(a, "div") and has_descendant(b, "p")


# Characters NFKC changes, composes or reorders (combining marks, Hangul jamo, compatibility forms), the
# full-width marks the fast path replaces, the spaces the cleaning collapses, and plain CJK and ASCII.
_MIXED = st.sampled_from(
    [
        *"法治建设，。（）：；！？％ａＡ１…①ⅡＩ℃㎡、《》“”—·Ｚ～｡e •°×かがカ ",
        *["\u0301", "\u0308", "\u00a8", "\u3000", "\t", "\xa0", "\u2002", "\u2028", "\x1c"],
        *["\u1100", "\u1161", "\u11a8", "가", "\u3099", "\n"],
    ]
)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(st.text(_MIXED, max_size=12), max_size=6))
def test_normalizing_lines_together_equals_normalizing_each(lines: list[str]) -> None:
    assert normalize_lines(lines) == [normalize_text(line) for line in lines]
