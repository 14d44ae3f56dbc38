"""Snippets: the window around the first match, escaped as HTML, every query word marked (longest first)."""

from __future__ import annotations

from store.snippets import LENGTH, anchor, highlight


def test_words_are_marked_longest_first_and_the_text_is_escaped() -> None:
    text = "依法<b>行政复议</b>与行政诉讼 & 复议"
    marked = highlight(text, ("行政", "复议", "行政复议"), start=1)
    assert marked == (
        "依法&lt;b&gt;<mark>行政复议</mark>&lt;/b&gt;与<mark>行政</mark>诉讼 &amp; <mark>复议</mark>"
    )


def test_ellipses_where_the_body_goes_on_and_latin_words_in_any_case() -> None:
    window = "x" * 10 + "Law" + "y" * (LENGTH - 13) + "z"  # one character past the snippet: the body goes on
    marked = highlight(window, ("law",), start=41)
    assert marked.startswith("…" + "x" * 10 + "<mark>Law</mark>") and marked.endswith("y…")
    assert "z" not in marked
    assert highlight("短文\n第二段", ("短文",), start=1) == "<mark>短文</mark> 第二段"


def test_the_window_is_centred_on_the_longest_word() -> None:
    assert anchor(("行政", "复议", "行政复议")) == "行政复议"
    assert anchor(("法治",)) == "法治"
