"""HTML where a file was linked: a report saved as HTML under a .doc name is read; a short page is an error page."""

from __future__ import annotations

import codecs
import email
import email.policy

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.decode import decode_html
from ingest.files.clean import clean_paragraphs
from ingest.files.model import FileText

_MIN_CHARS = 200  # less prose than this under a file's name: a 404, a login wall, a WAF page
# running headers and footers as LibreOffice (title=header) and Word (mso-element:header) save them
_RUNNING = (
    'div[title="header"], div[title="footer"], [style*="mso-element:header"], [style*="mso-element:footer"]'
)
_BLOCKS = "p, h1, h2, h3, h4, h5, h6, li, td, th, div, pre"


def read_mht(content: bytes) -> FileText:
    """MHTML (Word's "single file web page", often saved as .doc): the first text/html part, decoded by its charset."""
    message = email.message_from_bytes(content, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            html = part.get_content()
            got = read_html(codecs.BOM_UTF8 + html.encode("utf-8"))
            got.type = "mht"
            return got
    return FileText("mht", "failed", "MHTML without a text/html part")


def read_html(content: bytes) -> FileText:
    text, _charset = decode_html(content)
    tree = LexborHTMLParser(text)
    for node in tree.css(f"script, style, noscript, title, {_RUNNING}"):
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
