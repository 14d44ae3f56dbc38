"""HTML where a file was linked: a report saved as HTML under a .doc name is read; a short page is an error page."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.decode import decode_html
from ingest.files.clean import clean_paragraphs
from ingest.files.model import FileText

_MIN_CHARS = 200  # less prose than this under a file's name: a 404, a login wall, a WAF page
_BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, td, th, div, pre"


def read_html(content: bytes) -> FileText:
    text, _charset = decode_html(content)
    tree = LexborHTMLParser(text)
    for node in tree.css("script, style, noscript, title"):
        node.decompose()
    body = tree.body
    paragraphs = _rows(body) if body is not None else []
    chars = sum(len(p) for p in paragraphs)
    if chars < _MIN_CHARS:
        title = LexborHTMLParser(text).css_first("title")
        label = title.text(strip=True) if title is not None else ""
        return FileText("html", "failed", f"an HTML page, not a file ({chars} characters; title {label!r})")
    return FileText("html", "extracted", paragraphs=clean_paragraphs(paragraphs))


def _rows(body: LexborNode) -> list[str]:
    """Leaf blocks and table rows (cells joined by tabs), in document order."""
    rows = []
    for node in body.css(f"{_BLOCKS}, tr"):
        if node.tag == "tr":
            rows.append("\t".join(c.text(strip=True) for c in node.css("td, th")))
        elif len(node.css(_BLOCKS)) == 1 and not _in_row(node):  # css() matches the node itself
            rows.append(node.text(strip=True))
    return rows


def _in_row(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == "tr":
            return True
        parent = parent.parent
    return False
