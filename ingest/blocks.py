"""HTML nodes → visual lines, the way a browser breaks them: one line per block element or ``<br>``.

One iterative walk (no recursion: a page of 10,000 unclosed ``<font>`` tags is as deep as it is long) gives, for a
subtree, its lines and the block elements they sit in: :class:`Layout`, which the body finder scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode, create_tag

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "td",
        "th",
        "ul",
    ]
)
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "canvas",
        "svg",
        "select",
        "option",
        "button",
        "head",
        "title",
        "object",
        "textarea",
        "input",
    ]
)
_HTML_SPACE = re.compile(r"[ \t\r\n\f\v\xa0\u3000\u200b\ufeff]+")
_BLANK = " \t\r\n\f\v\xa0\u3000\u200b\ufeff"  # the same characters, for str.strip
_SEPARATOR = (
    "\x00"  # joins a page's raw lines for one cleaning pass: the parser never leaves it in a text node
)


def clean_line(text: str) -> str:
    return _HTML_SPACE.sub(" ", text).strip()


def clean_lines(texts: list[str]) -> list[str]:
    """``clean_line`` of each text, in one regex pass over them all (a pass per short line costs its call)."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator: line by line
        return [clean_line(text) for text in texts]
    return [text.strip() for text in _HTML_SPACE.sub(" ", joined).split(_SEPARATOR)] if texts else []


@dataclass(slots=True)
class Line:
    text: str
    link_chars: int  # characters of the line that sit inside <a>
    block: int  # index of the innermost block element that holds the line
    links: tuple[str, ...] = ()  # the text of each link on the line
    size: int = 0  # characters other than spaces


@dataclass
class Layout:
    """The walked subtree's block elements (one entry per element in each list, in document order) and lines."""

    tags: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)  # index of the enclosing block (-1: none)
    mem_ids: list[int] = field(default_factory=list)
    attrs: list[str] = field(
        default_factory=list
    )  # id and class, lower-cased, for the vocabulary of class names
    lines: list[Line] = field(default_factory=list)
    anchors: list[LexborNode] = field(
        default_factory=list
    )  # every <a> in the subtree but inside <noscript> …
    metas: list[LexborNode] = field(default_factory=list)  # … every <meta> the same way …
    stripped: list[LexborNode] = field(
        default_factory=list
    )  # … and every script, style, noscript and template


# lexbor's tag ids (ints, the same in every document for the standard tags, read here from lexbor itself): text
# and comment nodes have their own; a node of no kind it names (a processing instruction, <?php … ?>) has 0.
def _probe() -> tuple[int, int, int]:
    """The tag ids of a text node, a comment and a processing instruction, as this lexbor numbers them."""
    body = LexborHTMLParser("<p>t<!--c--><?p?></p>").body
    if body is None:
        raise RuntimeError("lexbor built no <body> for a probe page")
    text, comment, undefined = [node.tag_id for node in body.traverse(include_text=True)][-3:]
    return text, comment, undefined


_TEXT, _COMMENT, _UNDEFINED = _probe()
_BLOCK_IDS = {create_tag(name).tag_id: name for name in BLOCK_TAGS}
_SKIP_IDS = frozenset([*(create_tag(name).tag_id for name in SKIP_TAGS), _COMMENT])
_A, _BR = create_tag("a").tag_id, create_tag("br").tag_id
# Nodes that never have children and hold no text of the page: comments and void elements (``<br>`` ends a
# line and ``<hr>`` is a block, so neither is here). Passed over before their parent is looked up.
_LEAF_IDS = frozenset(
    [
        _COMMENT,
        *(create_tag(name).tag_id for name in ("img", "input", "meta", "link", "wbr", "source", "area")),
    ]
    + [create_tag(name).tag_id for name in ("embed", "param", "track", "col", "base", "keygen")]
)
_SKIPPED = (-2, 0)  # the context of an element whose subtree is skipped …
_HIDDEN = (-3, 0)  # … and inside a <noscript>, which the page is read without (its links and metas too)
_STRIPPED_IDS = frozenset(create_tag(name).tag_id for name in ("script", "style", "noscript", "template"))
_NOSCRIPT, _META = create_tag("noscript").tag_id, create_tag("meta").tag_id
_TOP = (-1, 0)  # (innermost block, link depth) above the walked root


def layout(root: LexborNode) -> Layout:
    """Lines of ``root`` in document order, each with the block element that holds it.

    One pre-order pass over lexbor's child iterators (in C), with a stack of (iterator, context): an element's
    context, the innermost block that holds it and how many links it sits in, is its parent's, held by the frame
    that yields it, so no node looks its parent up. A line ends where a block starts, at a ``<br>``, or where the
    next text belongs to another block (its block has ended). Linear however deep the nesting (the stack is a
    list, not recursion); an element to skip (``SKIP_TAGS``, comments, processing instructions) hides its
    subtree, and void elements and comments are never descended into (a foreign ``<svg><input>`` can hold text:
    it stays hidden with its ``<svg>``). Blank text before a line's first words is dropped unread (the cleaning
    would strip it). On the way it collects what later stages would otherwise find with a pass over the tree of
    their own: the anchors, the metas and the scripts, styles, ``<noscript>`` and templates to strip (what a
    ``<noscript>`` holds is neither an anchor nor a meta of the page)."""
    page = Layout()
    tags, parents, mem_ids, attrs, anchors = page.tags, page.parents, page.mem_ids, page.attrs, page.anchors
    metas, stripped = page.metas, page.stripped
    raw: list[str] = []  # each line's text as found, cleaned at the end …
    owners: list[int] = []  # … its block …
    counts: list[int] = []  # … and how many links it has, whose texts are in link_texts, line after line
    link_texts: list[str] = []
    parts: list[str] = []
    links: list[list[str]] = []  # the text of each link of the current line, one list per <a>
    current = -1  # the block of the current line

    def flush() -> None:
        if parts:
            raw.append("".join(parts))
            owners.append(current)
            if links:
                counts.append(len(links))
                link_texts.extend(map("".join, links))
            else:
                counts.append(0)
            parts.clear()
        links.clear()

    frames: list[tuple[Iterator[LexborNode], tuple[int, int]]] = []  # the ancestors' iterators and contexts
    push, pop = frames.append, frames.pop
    children: Iterator[LexborNode] = iter((root,))
    context = _TOP  # (innermost block, link depth) of the nodes ``children`` yields
    while True:
        for node in children:
            kind = node.tag_id  # an int: no tag name decoded per node
            if kind == _TEXT:
                block, depth = context
                if block < -1 or (not parts and node.is_empty_text_node):  # skipped, hidden, or blank (in C)
                    continue
                text = node.text_content or ""
                if not parts and not text.strip(_BLANK):
                    continue
                if block != current:
                    flush()
                    current = block
                    if not text.strip(_BLANK):
                        continue
                parts.append(text)
                if depth:
                    if not links:
                        links.append([])
                    links[-1].append(text)
                continue
            if kind in _LEAF_IDS:  # a comment or a void element: no text, nothing to descend into
                if kind == _META and context is not _HIDDEN:
                    metas.append(node)
                continue
            if context[0] < -1 or kind in _SKIP_IDS or (kind == _UNDEFINED and node.tag is None):
                hidden = context is _HIDDEN or kind == _NOSCRIPT
                inner = _HIDDEN if hidden else _SKIPPED
                if kind in _STRIPPED_IDS:
                    stripped.append(node)
                elif kind == _A and not hidden:
                    anchors.append(node)
            elif kind in _BLOCK_IDS:
                if parts or links:
                    flush()
                found = node.attributes
                current = len(tags)
                tags.append(_BLOCK_IDS[kind])
                parents.append(context[0])
                mem_ids.append(node.mem_id)
                attrs.append(f"{found.get('id') or ''} {found.get('class') or ''}".lower() if found else " ")
                inner = (current, context[1])
            elif kind == _BR:
                if parts or links:
                    flush()
                continue
            elif kind == _A:
                anchors.append(node)
                links.append([])
                inner = (context[0], context[1] + 1)
            else:
                inner = context
            push((children, context))
            children, context = node.iter(include_text=True), inner
            break
        else:  # the children are done: back to their parent's siblings
            if not frames:
                break
            children, context = pop()
    flush()
    _add_lines(page, raw, owners, counts, link_texts)
    return page


def _add_lines(
    page: Layout, raw: list[str], owners: list[int], counts: list[int], link_texts: list[str]
) -> None:
    cleaned = clean_lines(link_texts)
    lines, start = page.lines, 0
    for text, block, count in zip(clean_lines(raw), owners, counts, strict=True):
        if not count:
            if text:
                lines.append(Line(text, 0, block, (), len(text) - text.count(" ")))
            continue
        end = start + count
        if text:
            texts = tuple(filter(None, cleaned[start:end]))
            joined = "".join(texts)
            lines.append(
                Line(text, len(joined) - joined.count(" "), block, texts, len(text) - text.count(" "))
            )
        start = end


def node_lines(node: LexborNode) -> list[str]:
    """Non-empty visual lines of ``node``, HTML whitespace collapsed."""
    return [line.text for line in layout(node).lines]


def node_text(node: LexborNode) -> str:
    """All text of ``node`` (scripts and styles excluded) on one line."""
    return " ".join(node_lines(node))
