"""HTML nodes → visual lines, the way a browser breaks them: one line per block element or ``<br>``."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
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
    ]
)
_HTML_SPACE = re.compile(r"[ \t\r\n\f\v\xa0]+")


def clean_line(text: str) -> str:
    return _HTML_SPACE.sub(" ", text).strip()


def _walk(node: LexborNode, lines: list[list[str]]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag or ""
        if tag == "-text":
            lines[-1].append(child.text_content or "")
        elif tag.startswith("-") or tag in SKIP_TAGS:
            continue
        elif tag == "br":
            lines.append([])
        elif tag in BLOCK_TAGS:
            lines.append([])
            _walk(child, lines)
            lines.append([])
        else:
            _walk(child, lines)


def node_lines(node: LexborNode) -> list[str]:
    """Non-empty visual lines of ``node``, HTML whitespace collapsed."""
    parts: list[list[str]] = [[]]
    _walk(node, parts)
    return [line for line in (clean_line("".join(p)) for p in parts) if line]


def has_descendant(node: LexborNode, selector: str) -> bool:
    """Whether an element *below* ``node`` matches: lexbor's ``node.css`` also matches ``node`` itself."""
    return any(found.mem_id != node.mem_id for found in node.css(selector))


def node_text(node: LexborNode) -> str:
    """All text of ``node`` (scripts and styles excluded) on one line."""
    return " ".join(node_lines(node))
