"""HTML nodes → visual lines, the way a browser breaks them: one line per block element or ``<br>``.

One iterative walk (no recursion: a page of 10,000 unclosed ``<font>`` tags is as deep as it is long) gives, for a
subtree, its lines and the block elements they sit in: :class:`Layout`, which the body finder scores.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import sub
from typing import NamedTuple

from selectolax.lexbor import LexborHTMLParser, LexborNode, create_tag

from ingest import fastwalk

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


# The characters of _HTML_SPACE that str.isspace also counts (the other two, U+200B and U+FEFF, it does not).
_BOTH_SPACES = " \t\r\n\f\v\xa0\u3000"
_NOT_ISSPACE = ("\u200b", "\ufeff")


def clean_lines(texts: list[str]) -> list[str]:
    """``clean_line`` of each text, in one pass over them all (a pass per short line costs its call). Where the
    texts' white space is ``_BOTH_SPACES`` alone, as on nearly every page, ``str.split`` (C, a table look-up a
    character) finds the same runs as ``_HTML_SPACE`` (a regex, several times slower a character) once U+200B
    and U+FEFF are spaces, when the texts hold as many ``str.isspace`` characters as ``_BOTH_SPACES`` ones."""
    joined = _SEPARATOR.join(texts)
    if not texts or joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator: line by line
        return [clean_line(text) for text in texts]
    for blank in _NOT_ISSPACE:  # white space to _HTML_SPACE, not to str.split: a space is the same to both
        if blank in joined:
            joined = joined.replace(blank, " ")
    words = joined.split()
    if len(joined) - sum(map(len, words)) != sum(map(joined.count, _BOTH_SPACES)):  # U+2003 and the like
        return [text.strip() for text in _HTML_SPACE.sub(" ", joined).split(_SEPARATOR)]
    # one space between words; where a line ends or starts, the space beside the separator goes
    spaced = " ".join(words).replace(" " + _SEPARATOR, _SEPARATOR).replace(_SEPARATOR + " ", _SEPARATOR)
    return spaced.split(_SEPARATOR)


class Line(NamedTuple):
    """A visual line. A tuple: the walk builds hundreds a page, each with one C call (``_new_line``)."""

    text: str
    link_chars: int  # characters of the line that sit inside <a>
    block: int  # index of the innermost block element that holds the line
    links: tuple[str, ...] = ()  # the text of each link on the line
    size: int = 0  # characters other than spaces


_new_line = tuple.__new__  # Line(...) without the Python-level __new__ NamedTuple generates


@dataclass
class Layout:
    """The walked subtree's block elements (one entry per element in each list, in document order) and lines."""

    tags: list[str] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)  # index of the enclosing block (-1: none)
    mem_ids: list[int] = field(default_factory=list)
    attrs: list[str] = field(default_factory=list)  # id and class, lower-cased (the class-name vocabulary)
    lines: list[Line] = field(default_factory=list)
    anchors: list[LexborNode] = field(default_factory=list)  # every <a> but inside <noscript> …
    metas: list[LexborNode] = field(default_factory=list)  # … every <meta> the same way …
    stripped: list[LexborNode] = field(default_factory=list)  # … and scripts, styles, noscripts, templates
    hrefs: list[str | None] | None = None  # the C walk: each anchor's ``attrs["href"]`` (None: it has none)


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
_SKIPPED = -2  # the innermost block of the nodes in a skipped subtree …
_HIDDEN = -3  # … and inside a <noscript>, which the page is read without (its links and metas too)
_STRIPPED_IDS = frozenset(create_tag(name).tag_id for name in ("script", "style", "noscript", "template"))
_NOSCRIPT, _META = create_tag("noscript").tag_id, create_tag("meta").tag_id
# What the walk does with an element, by tag id (an inline element, the default, is only descended into).
_INLINE, _LEAF, _META_LEAF, _SKIP, _STRIP, _BLOCK, _BREAK, _ANCHOR = range(8)
# Every standard tag id (lexbor numbers them below 256) has an entry, so the walk subscripts the table; a
# custom element's id is a pointer, the one look-up that misses.
_KINDS = {
    **dict.fromkeys(range(256), _INLINE),
    **{kind: _BLOCK for kind in _BLOCK_IDS},
    **{kind: _SKIP for kind in _SKIP_IDS},
    **{kind: _STRIP for kind in _STRIPPED_IDS},
    **{kind: _LEAF for kind in _LEAF_IDS},
    _META: _META_LEAF,
    _BR: _BREAK,
    _A: _ANCHOR,
}


def layout(root: LexborNode) -> Layout:
    """Lines of ``root`` in document order, each with the block element that holds it: the C walk's
    (``ingest/_walk.c``, behind ``ingest.fastwalk``'s gate) or, where it is off or declines, the Python walk's
    (``_layout_py``, the reference: the same result)."""
    if _c_walk is not None:
        found = _from_c(_c_walk, root)
        if found is not None:
            return found
    return _layout_py(root)


def _from_c(walk: Callable[[LexborNode], tuple | None], root: LexborNode) -> Layout | None:
    found = walk(
        root
    )  # tags, parents, mem_ids, attrs, lines, anchors, metas, stripped, hrefs (None: not modelled)
    return None if found is None else Layout(*found)


def _layout_py(root: LexborNode) -> Layout:
    """The Python walk: the reference the C walk must equal, and the fallback.

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

    frames: list[tuple[Iterator[LexborNode], int, int]] = []  # the ancestors' iterators and contexts
    push, pop = frames.append, frames.pop
    children: Iterator[LexborNode] = iter((root,))
    block, depth = -1, 0  # the context of the nodes ``children`` yields: innermost block, link depth
    kinds = _KINDS
    while True:
        for node in children:
            kind = node.tag_id  # an int: no tag name decoded per node
            if kind == _TEXT:
                if block < -1:  # skipped or hidden
                    continue
                if not parts:
                    if node.is_empty_text_node:  # blank before the line's first words (in C)
                        continue
                    text = node.text_content or ""
                    if not text.strip(_BLANK):
                        continue
                    if block != current:
                        flush()
                        current = block
                else:
                    text = node.text_content or ""
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
            try:
                action = kinds[kind]
            except KeyError:  # a custom element
                action = _INLINE
            if action == _LEAF:  # a comment or a void element: no text, nothing to descend into
                continue
            if action == _META_LEAF:
                if block != _HIDDEN:
                    metas.append(node)
                continue
            if block < -1:  # inside a skipped subtree: only what other stages collect, and deeper
                if action == _STRIP:
                    stripped.append(node)
                    inner = _HIDDEN if block == _HIDDEN or kind == _NOSCRIPT else _SKIPPED
                elif action == _ANCHOR:
                    if block != _HIDDEN:
                        anchors.append(node)
                    inner = block
                else:
                    inner = block
                push((children, block, depth))
                children, block = node.iter(True), inner
                break
            if action == _BLOCK:
                if parts or links:
                    flush()
                found = node.attributes
                current = len(tags)
                tags.append(_BLOCK_IDS[kind])
                parents.append(block)
                mem_ids.append(node.mem_id)
                attrs.append(f"{found.get('id') or ''} {found.get('class') or ''}".lower() if found else " ")
                push((children, block, depth))
                children, block = node.iter(True), current
                break
            if action == _ANCHOR:
                anchors.append(node)
                links.append([])
                push((children, block, depth))
                children, depth = node.iter(True), depth + 1
                break
            if action == _BREAK:
                if parts or links:
                    flush()
                continue
            if action == _INLINE:
                if kind == _UNDEFINED and node.tag is None:  # a processing instruction
                    inner = _SKIPPED
                else:
                    push((children, block, depth))
                    children = node.iter(True)
                    break
            elif action == _STRIP:
                stripped.append(node)
                inner = _HIDDEN if kind == _NOSCRIPT else _SKIPPED
            else:  # _SKIP
                inner = _SKIPPED
            push((children, block, depth))
            children, block = node.iter(True), inner
            break
        else:  # the children are done: back to their parent's siblings
            if not frames:
                break
            children, block, depth = pop()
    flush()
    _add_lines(page, raw, owners, counts, link_texts)
    return page


def _add_lines(
    page: Layout, raw: list[str], owners: list[int], counts: list[int], link_texts: list[str]
) -> None:
    """The lines, built column by column by C-level maps (a Python step only for each line with links), the
    lines whose text cleans to nothing left out."""
    texts = clean_lines(raw)
    sizes = list(map(sub, map(len, texts), map(str.count, texts, repeat(" "))))
    chars = [0] * len(texts)
    links: list[tuple[str, ...]] = [()] * len(texts)
    if link_texts:
        cleaned, ends = clean_lines(link_texts), list(accumulate(counts))
        for index in compress(range(len(texts)), counts):
            count, end = counts[index], ends[index]
            if count == 1:  # most lines with a link have one
                joined = cleaned[end - 1]
                found: tuple[str, ...] = (joined,) if joined else ()
            else:
                found = tuple(filter(None, cleaned[end - count : end]))
                joined = "".join(found)
            chars[index], links[index] = len(joined) - joined.count(" "), found
    built = map(_new_line, repeat(Line), zip(texts, chars, owners, links, sizes, strict=True))
    page.lines.extend(compress(built, texts))


def node_lines(node: LexborNode) -> list[str]:
    """Non-empty visual lines of ``node``, HTML whitespace collapsed."""
    return [line.text for line in layout(node).lines]


def node_text(node: LexborNode) -> str:
    """All text of ``node`` (scripts and styles excluded) on one line."""
    return " ".join(node_lines(node))


def walk_in_use() -> str:
    """``"c"`` when ``layout`` runs the C walk (``ingest.fastwalk``'s gate passed), else ``"python"``."""
    return "python" if _c_walk is None else "c"


def use_c_walk(enabled: bool) -> bool:
    """Turn the C walk off (or back on, where the gate passed); returns whether it was on. For tests."""
    global _c_walk
    was = _c_walk is not None
    _c_walk = _c_loaded if enabled else None
    return was


_c_loaded = fastwalk.load(_KINDS, _BLOCK_IDS, (_TEXT, _NOSCRIPT, _UNDEFINED), Line, _from_c, _layout_py)
_c_walk = _c_loaded
