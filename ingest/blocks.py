"""HTML nodes → visual lines, the way a browser breaks them: one line per block element or ``<br>``.

One iterative walk (no recursion: a page of 10,000 unclosed ``<font>`` tags is as deep as it is long) gives, for a
subtree, its lines and the block elements they sit in: :class:`Layout`, which the body finder scores.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

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


def clean_line(text: str) -> str:
    return _HTML_SPACE.sub(" ", text).strip()


@dataclass(slots=True)
class Block:
    """A block element of the walked subtree; ``parent`` is the index of the enclosing block (-1: none)."""

    tag: str
    parent: int
    mem_id: int
    attrs: str  # id and class, lower-cased, for the chrome vocabulary of class names


@dataclass(slots=True)
class Line:
    text: str
    link_chars: int  # characters of the line that sit inside <a>
    block: int  # index of the innermost block element that holds the line
    links: tuple[str, ...] = ()  # the text of each link on the line


@dataclass
class Layout:
    blocks: list[Block] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


class _Builder:
    def __init__(self) -> None:
        self.layout = Layout()
        self.open: list[int] = [-1]
        self.parts: list[str] = []
        self.links: list[list[str]] = []

    def flush(self) -> None:
        if not self.parts:
            self.links = []
            return
        text = clean_line("".join(self.parts))
        if text and self.links:
            links = tuple(t for t in (clean_line("".join(p)) for p in self.links) if t)
            chars = sum(len(t) - t.count(" ") for t in links)
            self.layout.lines.append(Line(text, chars, self.open[-1], links))
        elif text:
            self.layout.lines.append(Line(text, 0, self.open[-1]))
        self.parts, self.links = [], []

    def enter(self, node: LexborNode, tag: str) -> None:
        if self.parts or self.links:
            self.flush()
        names = f"{node.id or ''} {node.attrs.get('class') or ''}".lower()
        self.layout.blocks.append(Block(tag, self.open[-1], node.mem_id, names))
        self.open.append(len(self.layout.blocks) - 1)

    def leave(self) -> None:
        if self.parts or self.links:
            self.flush()
        self.open.pop()


_LEAVE_BLOCK, _LEAVE_LINK = 1, 2


def layout(root: LexborNode) -> Layout:
    """Lines of ``root`` in document order, each with the block element that holds it."""
    builder = _Builder()
    parts = builder.parts
    links = 0
    stack: list[LexborNode | int] = [root]  # an int is the marker for leaving an element (_LEAVE_*)
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if isinstance(node, int):
            if node & _LEAVE_LINK:
                links -= 1
            if node & _LEAVE_BLOCK:
                builder.leave()
                parts = builder.parts
            continue
        tag = node.tag or ""
        if tag == "-text":
            text = node.text_content or ""
            parts.append(text)
            if links:
                if not builder.links:
                    builder.links.append([])
                builder.links[-1].append(text)
            continue
        if tag[0] == "-" or tag in SKIP_TAGS:
            continue
        if tag == "br":
            builder.flush()
            parts = builder.parts
            continue
        marker = 0
        if tag in BLOCK_TAGS:
            builder.enter(node, tag)
            parts = builder.parts
            marker = _LEAVE_BLOCK
        elif tag == "a":
            links += 1
            builder.links.append([])
            marker = _LEAVE_LINK
        if marker:
            push(marker)
        children = list(node.iter(include_text=True))
        children.reverse()
        extend(children)
    builder.flush()
    return builder.layout


def node_lines(node: LexborNode) -> list[str]:
    """Non-empty visual lines of ``node``, HTML whitespace collapsed."""
    return [line.text for line in layout(node).lines]


def has_descendant(node: LexborNode, selector: str) -> bool:
    """Whether an element *below* ``node`` matches: lexbor's ``node.css`` also matches ``node`` itself."""
    return any(found.mem_id != node.mem_id for found in node.css(selector))


def node_text(node: LexborNode) -> str:
    """All text of ``node`` (scripts and styles excluded) on one line."""
    return " ".join(node_lines(node))
