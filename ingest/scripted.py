"""Bodies that arrive in a script: ``var articleData = {"title": …, "content": "<p>…</p>"}`` over an empty
``<div id="app">``. Used only when the page's own markup holds no body.

String literals are read with a linear scan (``str.find`` from quote to quote, never a backtracking regex), decoded
as JSON strings, and the literal whose text is the longest run of Chinese prose wins; its HTML goes through the same
body finder as a page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

_MARKUP = re.compile(r"<\s*(p|br|div|span|section|table)\b", re.I)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^<>]{0,500}>")
# "key": "value" pairs beside the article's content; bounded, unambiguous classes: linear on any text.
_PAIR = re.compile(r'"([A-Za-z_]{2,24})"\s*:\s*"((?:[^"\\]|\\.){1,300})"')
_KEYS = {
    "title": "title",
    "articletitle": "title",
    "headline": "title",
    "publishtime": "date",
    "publish_time": "date",
    "pubdate": "date",
    "pubtime": "date",
    "publishdate": "date",
    "releasetime": "date",
    "datepublished": "date",
    "createtime": "date",
    "source": "source",
    "sourcename": "source",
}


def string_literals(script: str, min_chars: int) -> Iterator[tuple[int, str]]:
    """``(offset, raw contents)`` of the double-quoted literals at least ``min_chars`` long (still escaped)."""
    position = 0
    while True:
        start = script.find('"', position)
        if start < 0:
            return
        close = _closing_quote(script, start)
        if close < 0:
            return
        if close - start - 1 >= min_chars:
            yield start, script[start + 1 : close]
        position = close + 1


def _closing_quote(script: str, start: int) -> int:
    search = start + 1
    while True:
        close = script.find('"', search)
        if close < 0:
            return -1
        backslashes = 0
        while close - 1 - backslashes > start and script[close - 1 - backslashes] == "\\":
            backslashes += 1
        if backslashes % 2 == 0:
            return close
        search = close + 1


def _decoded(raw: str) -> str | None:
    try:
        value = json.loads(f'"{raw}"', strict=False)
    except ValueError:
        return None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Scripted:
    html: str
    script: str  # the script that holds it …
    offset: int  # … and where in it the literal starts


def scripted_html(scripts: list[str], min_chars: int) -> Scripted | None:
    """The HTML (or text) of the longest prose literal in the page's scripts, if any holds ``min_chars`` of
    Chinese text."""
    best, best_chars = None, 0
    for script in scripts:
        for offset, raw in string_literals(script, min_chars):
            text = _decoded(raw)
            if text is None:
                continue
            chinese = len(_CHINESE.findall(_TAGS.sub("", text)))
            if chinese > best_chars and chinese >= min_chars and (_MARKUP.search(text) or "\n" in text):
                best, best_chars = Scripted(text, script, offset), chinese
    if best is not None and not _MARKUP.search(best.html):
        best = Scripted("".join(f"<p>{line}</p>" for line in best.html.split("\n")), best.script, best.offset)
    return best


def script_fields(found: Scripted, reach: int = 4000) -> dict[str, str]:
    """Title (with Chinese in it), date and source given as string pairs next to the article's literal: the
    nearest before it, else the nearest after it (the same object, not a sidebar's list)."""
    before = found.script[max(found.offset - reach, 0) : found.offset]
    after = found.script[found.offset : found.offset + len(found.html) + reach]
    out: dict[str, str] = {}
    for text, nearest_last in ((before, True), (after, False)):
        pairs = list(_PAIR.finditer(text))
        for match in reversed(pairs) if nearest_last else pairs:
            key = _KEYS.get(match.group(1).lower())
            value = (_decoded(match.group(2)) or "").strip()
            if key and key not in out and value and (key != "title" or len(_CHINESE.findall(value)) >= 4):
                out[key] = value
    return out
