"""DOCX, Word 2003 XML (WordML, which WPS and Word save under .doc names) and XLSX with the standard library:
zipfile + ElementTree over the package parts (tables included).

python-docx's ``Document.paragraphs`` skips tables; this walk reads body paragraphs and table rows in document
order (``w:p`` → one paragraph, ``w:tr`` → its cells joined by tabs). Running headers and footers live in their own
parts (``header*.xml``, ``footer*.xml``) and are not read: they are page chrome.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from ingest.files.clean import clean_paragraphs
from ingest.files.errors import LimitError, UnreadableError
from ingest.files.limits import check_zip, read_entry
from ingest.files.model import FileLimits, FileText, FileType

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W2003 = "{http://schemas.microsoft.com/office/word/2003/wordml}"
_NOT_BODY = ("sectPr", "hdr", "ftr", "pPr", "rPr", "tblPr", "docPr", "fonts", "styles", "lists")
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def open_zip(content: bytes, limits: FileLimits) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise UnreadableError(f"malformed zip: {exc}") from exc
    check_zip(archive, limits)
    return archive


def parse_xml(data: bytes, name: str) -> ET.Element:
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise UnreadableError(f"{name}: a DTD in a package part (entity expansion refused)")
    try:
        return ET.fromstring(data)  # noqa: S314 - no DTD (checked above), so no entity to expand
    except ET.ParseError as exc:
        raise UnreadableError(f"malformed: {name}: {exc}") from exc


def read_docx(content: bytes, limits: FileLimits) -> FileText:
    with open_zip(content, limits) as archive:
        root = parse_xml(read_entry(archive, "word/document.xml", limits), "word/document.xml")
    return _word_text(root, W, "docx")


def read_wordml(content: bytes, limits: FileLimits) -> FileText:
    """Word 2003 XML: one file, the same paragraph and table model as DOCX under its own namespace."""
    if len(content) > limits.max_zip_total:
        raise LimitError(f"wordml: {len(content)} bytes > {limits.max_zip_total}")
    return _word_text(parse_xml(content, "Word 2003 XML"), W2003, "wordml")


def _word_text(root: ET.Element, ns: str, kind: FileType) -> FileText:
    body = root.find(f"{ns}body")
    paragraphs = list(_blocks(body, ns)) if body is not None else []
    return FileText(kind, "extracted", paragraphs=clean_paragraphs(paragraphs))


def _blocks(element: ET.Element, ns: str) -> Iterator[str]:
    """Paragraphs and table rows in document order, through any container (sections, content controls).
    Iterative: a file nesting 10,000 content controls is as deep as it is long."""
    stack: list[Iterator[ET.Element]] = [iter(element)]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        elif child.tag == f"{ns}p":
            yield _runs(child, ns)
        elif child.tag == f"{ns}tbl":
            for row in child.iter(f"{ns}tr"):
                yield "\t".join(_cell(cell, ns) for cell in row.iter(f"{ns}tc"))
        elif child.tag.rsplit("}", 1)[-1] not in _NOT_BODY:
            stack.append(iter(child))


def _cell(cell: ET.Element, ns: str) -> str:
    return " ".join(t for t in (_runs(p, ns) for p in cell.iter(f"{ns}p")) if t)


def _runs(paragraph: ET.Element, ns: str) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{ns}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{ns}tab":
            parts.append(" ")
        elif node.tag in (f"{ns}br", f"{ns}cr"):
            parts.append("\n")
    return "".join(parts)


def read_xlsx(content: bytes, limits: FileLimits) -> FileText:
    """Every sheet's rows as tab-joined text rows; shared strings and inline strings resolved."""
    rows: list[str] = []
    with open_zip(content, limits) as archive:
        names = set(archive.namelist())
        shared = _shared_strings(archive, limits) if "xl/sharedStrings.xml" in names else []
        sheets = sorted(
            (n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n)), key=_sheet_number
        )
        for name in sheets:
            rows += _sheet_rows(parse_xml(read_entry(archive, name, limits), name), shared)
    return FileText("xlsx", "extracted", paragraphs=clean_paragraphs(rows))


def _sheet_number(name: str) -> int:
    return int(re.sub(r"\D", "", name))


def _shared_strings(archive: zipfile.ZipFile, limits: FileLimits) -> list[str]:
    root = parse_xml(read_entry(archive, "xl/sharedStrings.xml", limits), "xl/sharedStrings.xml")
    return ["".join(t.text or "" for t in si.iter(f"{S}t")) for si in root.iter(f"{S}si")]


def _sheet_rows(root: ET.Element, shared: list[str]) -> list[str]:
    rows = []
    for row in root.iter(f"{S}row"):
        cells = [_cell_value(c, shared) for c in row.iter(f"{S}c")]
        if any(cells):
            rows.append("\t".join(cells))
    return rows


def _cell_value(cell: ET.Element, shared: list[str]) -> str:
    kind, value = cell.get("t"), cell.find(f"{S}v")
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(f"{S}t"))
    text = value.text if value is not None and value.text else ""
    if kind == "s" and text.isdigit() and int(text) < len(shared):
        return shared[int(text)]
    return _number(text)


def _number(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text
