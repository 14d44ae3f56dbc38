"""Search snippets: the matched words in context, cut from the stored body by the database and marked here.

The database returns a window of the body around the first occurrence of the query's longest word (its start
and text), so a page of hits never moves whole bodies; :func:`highlight` escapes the window as
HTML and wraps every query word in ``<mark>``. The same on both backends (``instr``/``strpos`` and ``substr``
count characters on both).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Any

BEFORE = 40  # characters of context before the first match
LENGTH = 160  # characters in a snippet
_LATIN = re.compile(r"[A-Za-z]")
_ESCAPED = re.compile("[&<>\"']")  # what html.escape replaces


def anchor(words: tuple[str, ...]) -> str:
    """The word the window is centred on: the longest (the most specific of jieba's search-mode words)."""
    return max(words, key=len)


def window_sql(dialect: str, words: tuple[str, ...]) -> str:
    """Columns ``snippet_start`` and ``snippet_text`` (one character more than a snippet: the body goes on) of
    ``documents`` (parameter ``:anchor``)."""
    body = "lower(documents.body)" if _LATIN.search(anchor(words)) else "documents.body"
    find = "strpos" if dialect == "postgresql" else "instr"
    start = f"{'greatest' if dialect == 'postgresql' else 'max'}({find}({body}, :anchor) - {BEFORE}, 1)"
    return f"{start} AS snippet_start, substr(documents.body, {start}, {LENGTH + 1}) AS snippet_text"


def window_params(words: tuple[str, ...]) -> dict[str, Any]:
    return {"anchor": anchor(words)}


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern per search (a page marks up to 201 windows with it)."""
    longest_first = sorted(set(words), key=len, reverse=True)  # 行政复议 before 行政
    return re.compile("|".join(re.escape(w) for w in longest_first), re.IGNORECASE)


def highlight(text: str, words: tuple[str, ...], *, start: int) -> str:
    """``text`` (a window starting at character ``start``, 1-based; a character past ``LENGTH`` when the body
    goes on) as HTML: escaped, each word in ``<mark>``, ``…`` where the body goes on."""
    more = len(text) > LENGTH
    text = text[:LENGTH]
    if _ESCAPED.search(text) is None:  # nothing to escape (most windows of Chinese text): one substitution
        marked = _pattern(words).sub(r"<mark>\g<0></mark>", text)
    else:
        out, at = [], 0
        for found in _pattern(words).finditer(text):
            out += [html.escape(text[at : found.start()]), "<mark>", html.escape(found.group()), "</mark>"]
            at = found.end()
        out.append(html.escape(text[at:]))
        marked = "".join(out)
    return ("…" if start > 1 else "") + marked.replace("\n", " ") + ("…" if more else "")


def take_snippet(row: dict[str, Any], words: tuple[str, ...]) -> str:
    """Pop the window columns of ``row`` and return its snippet."""
    start, text = row.pop("snippet_start"), row.pop("snippet_text")
    return highlight(text or "", words, start=int(start))
