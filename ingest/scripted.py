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

_MARKUP = re.compile(r"<\s*(p|br|div|span|section|table)\b", re.I)
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_TAGS = re.compile(r"<[^<>]{0,500}>")


def string_literals(script: str, min_chars: int) -> Iterator[str]:
    """The raw (still escaped) contents of double-quoted literals at least ``min_chars`` long."""
    position = 0
    while True:
        start = script.find('"', position)
        if start < 0:
            return
        close = _closing_quote(script, start)
        if close < 0:
            return
        if close - start - 1 >= min_chars:
            yield script[start + 1 : close]
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


def scripted_html(scripts: list[str], min_chars: int) -> str | None:
    """The HTML (or text) of the longest prose literal in the page's scripts, if any holds ``min_chars`` of
    Chinese text."""
    best, best_chars = None, 0
    for script in scripts:
        for raw in string_literals(script, min_chars):
            text = _decoded(raw)
            if text is None:
                continue
            chinese = len(_CHINESE.findall(_TAGS.sub("", text)))
            if chinese > best_chars and (chinese >= min_chars and (_MARKUP.search(text) or "\n" in text)):
                best, best_chars = text, chinese
    if best is not None and not _MARKUP.search(best):
        best = "".join(f"<p>{line}</p>" for line in best.split("\n"))
    return best
