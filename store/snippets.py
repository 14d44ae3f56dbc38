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


def window_sql(dialect: str, words: tuple[str, ...], columns: tuple[str, ...], where: str) -> str:
    """``columns`` of the ``documents`` rows ``where`` with their ``snippet_start`` and ``snippet_text`` (one
    character more than a snippet: the body goes on), parameter ``:anchor``. The anchor is looked for once per
    row: the inner query is fenced off (``OFFSET 0``) so that neither database copies its expression into both
    columns, which read the body once more each (PostgreSQL decompresses it each time). The windows of the 51
    newest rows of the store of bench/api.py for 执法, median of 15 ``EXPLAIN ANALYZE``: 1.81 ms unfenced, 1.31 ms
    fenced (PostgreSQL, load 4); SQLite, the same query run 50 times: 0.48 against 0.39 ms."""
    body = "lower(documents.body)" if _LATIN.search(anchor(words)) else "documents.body"
    postgres = dialect == "postgresql"
    find, larger, fence = (
        ("strpos", "greatest", "OFFSET 0") if postgres else ("instr", "max", "LIMIT -1 OFFSET 0")
    )
    start = f"{larger}(w.fazhi_at - {BEFORE}, 1)"
    inner = ", ".join(f"documents.{c}" for c in columns)
    outer = ", ".join(f"w.{c}" for c in columns)
    window = f"{start} AS snippet_start, substr(w.fazhi_body, {start}, {LENGTH + 1}) AS snippet_text"
    found = f"documents.body AS fazhi_body, {find}({body}, :anchor) AS fazhi_at"
    # column names and the caller's conditions, its values bound as parameters
    return (
        f"SELECT {outer}, {window} FROM (SELECT {inner}, {found} FROM documents WHERE {where} {fence}) AS w"  # noqa: S608
    )


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
