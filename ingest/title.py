"""The title cascade: ArticleTitle / og:title meta that a visible line or the ``<title>`` confirms → the info
table's 名称 → the title-like line nearest above the body (never a breadcrumb) → the longest heading → the
``<title>`` without the site name. Each answer keeps its provenance."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from ingest.blocks import Layout, Line, clean_line
from ingest.chrome import is_attachment_line, is_breadcrumb, is_chrome_line, is_meta_line
from ingest.fields import PageSignals, value_or_none

_TITLE_CHARS = 300
_TITLE_SPLIT = re.compile(r"\s*(?:_|\||--|—|(?<!\d)-(?!\d))\s*")  # not the hyphen of 1-10月


def _title_tag(tree: LexborHTMLParser) -> str:
    """The ``<title>`` text, whitespace collapsed and cut to a title's length (it is matched against patterns)."""
    node = tree.css_first("title")
    return clean_line((node.text() or "")[:_TITLE_CHARS]) if node is not None else ""


def html_title(tree: LexborHTMLParser) -> str | None:
    parts = [p for p in _TITLE_SPLIT.split(_title_tag(tree)) if p.strip()]
    return value_or_none(max(parts, key=len)) if parts else None


def _confirmed(value: str, others: list[str]) -> bool:
    return any(value in other or (len(other) >= 6 and other in value) for other in others if other)


_HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4"])
_TITLE_CLASS = re.compile(r"(^|[\s_-])(title|tit|headline|bt|biaoti|article-title|art-title)([\s_-]|$)|title")
_CRUMB_SIGNS = re.compile(r">|»|›|→|首页\s*[/|]")
_PLAIN_TITLE_CHARS = 10
_BARE_DATE = re.compile(r"^\s*(19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?[\s\d:]*$")
_TITLE_META = ("articletitle", "og:title", "twitter:title", "title")


def _title_like(line: Line) -> bool:
    text = line.text
    return (
        6 <= len(text) <= 120
        and line.link_chars * 2 <= len(text)
        and not text.endswith(("。", "；"))
        and not is_chrome_line(text)
        and not is_meta_line(text)
        and not _CRUMB_SIGNS.search(text)
        and not _BARE_DATE.match(text)
    )


def nearest_heading(page: Layout, first: int | None, tag_text: str) -> str | None:
    """The title-like line nearest above the body (or at its top) that the ``<title>`` confirms, else the
    nearest one set as a heading (``h1``–``h4`` or a ``title`` class). Never a breadcrumb."""
    if first is None or not page.lines:
        return None
    order = [*range(first - 1, max(first - 16, -1), -1), *range(first, min(first + 3, len(page.lines)))]
    headings: list[str] = []
    plain: list[str] = []
    above = True  # still walking up over nothing but meta and chrome lines from the body's top
    for index in order:
        line = page.lines[index]
        if not _title_like(line):
            above = above and index < first and (is_meta_line(line.text) or is_chrome_line(line.text))
            continue
        if _confirmed(line.text, [tag_text]):
            return line.text
        block = line.block
        if block >= 0 and (page.tags[block] in _HEADING_TAGS or _TITLE_CLASS.search(page.attrs[block])):
            headings.append(line.text)
        elif above and index < first and len(line.text) >= _PLAIN_TITLE_CHARS:
            plain.append(
                line.text
            )  # a plain line right above the body (and its 作者/点击数 line): a styled title
        above = False
    return headings[0] if headings else (plain[0] if plain else None)


def _meta_title(meta: dict[str, str]) -> str | None:
    for name in _TITLE_META:
        value = meta.get(name)
        if value:
            parts = [p for p in _TITLE_SPLIT.split(value) if p.strip()]
            return max(parts, key=len) if parts else value
    return None


def pick_title(
    signals: PageSignals, tree: LexborHTMLParser, page: Layout | None = None, first: int | None = None
) -> tuple[str | None, str]:
    """The meta title when a visible line or the ``<title>`` confirms it (meta values can be copy-paste errors),
    else the info table's 名称, else the heading nearest the body, else the longest heading the ``<title>``
    confirms, else the ``<title>`` without the site name."""
    meta, info = _meta_title(signals.meta), signals.labels.get("title")
    tag_text = _title_tag(tree)
    headings = [
        h for h in signals.headings if len(h) >= 6 and not _CRUMB_SIGNS.search(h) and not is_breadcrumb(h)
    ]
    if meta and _confirmed(meta, [*headings, tag_text, info or ""]):
        return meta, "meta"
    if info and len(info) >= 4 and not is_attachment_line(info):  # 「名称：统计表.docx」 names a file
        return info, "info_table"
    near = nearest_heading(page, first, tag_text) if page is not None else None
    if near:
        return near, "line"
    for heading in sorted(headings, key=len, reverse=True):
        if heading in tag_text:
            return heading, "line"
    if headings:
        return max(headings, key=len), "line"
    tag = html_title(tree)
    if tag and len(tag) >= 4:
        return tag, "title_tag"
    return (meta, "meta") if meta else (None, "")
