"""OLE2 files: Word 97 .doc (and Kingsoft .wps, the same bytes) with legacy-doc's container and piece table, XLS
with xlrd.

legacy-doc reads every story of a .doc in one string: body, footnotes, then the running headers and footers. The
FIB's character counts (ccpText, ccpFtn, ccpHdd) split them, so only the body is kept; table cells (\\x07) become
tabs and rows, field codes (\\x13 code \\x14 result \\x15) keep their result.
"""

from __future__ import annotations

import re
import struct

import xlrd
from legacy_doc import word as legacy_word
from legacy_doc.exceptions import LegacyDocError
from legacy_doc.ole import OleReader
from legacy_doc.types import ExtractionOptions

from ingest.files.clean import clean_paragraphs
from ingest.files.errors import UnreadableError
from ingest.files.model import FileLimits, FileText

_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x14\x15]*)\x15|\x13[^\x13\x14\x15]*\x15")


def read_doc(content: bytes, limits: FileLimits) -> FileText:
    options = ExtractionOptions(max_file_bytes=limits.max_bytes, max_text_bytes=limits.max_text_chars * 4)
    try:
        raw = _raw_text(content, options)
    except (LegacyDocError, struct.error, IndexError, ValueError) as exc:
        raise UnreadableError(f"malformed .doc: {exc}") from exc
    return FileText("doc", "extracted", paragraphs=clean_paragraphs(_paragraphs(raw)))


def _raw_text(content: bytes, options: ExtractionOptions) -> str:
    """The body story of a Word 97 document, control characters still in."""
    ole = OleReader(content, options=options)
    if ole.has_stream("EncryptedPackage"):
        raise LegacyDocError("encrypted: a password is needed to open it")
    document = ole.read_stream("WordDocument")
    flags = struct.unpack_from("<H", document, 0x0A)[0]
    if flags & 0x0100:
        raise LegacyDocError("encrypted: a password is needed to open it")
    table = ole.read_stream("1Table" if flags & 0x0200 else "0Table")
    fc_min, fc_mac = struct.unpack_from("<II", document, 0x18)
    clx = legacy_word._find_clx(table)
    text = legacy_word._extract_text_from_piece_table(document, clx, fc_min, fc_mac)
    body_chars = struct.unpack_from("<I", document, 0x4C)[0]  # FibRgLw97.ccpText
    return text[:body_chars] if 0 < body_chars <= len(text) else text


def _paragraphs(raw: str) -> list[str]:
    while _FIELD.search(raw):  # fields nest: resolve the innermost first
        raw = _FIELD.sub(lambda m: m.group(1) or "", raw)
    raw = raw.replace("\x07\x07", "\r").replace("\r\x07", "\r").replace("\x07", "\t")
    raw = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", lambda m: "\n" if m.group() in "\x0b\x0c" else "", raw)
    return [p.strip("\t ") for p in re.split(r"[\r\n]", raw)]


def read_xls(content: bytes, limits: FileLimits) -> FileText:
    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except (xlrd.XLRDError, struct.error, IndexError, ValueError, AssertionError) as exc:
        raise UnreadableError(f"malformed .xls: {exc}") from exc
    rows = []
    for sheet in book.sheets():
        for r in range(sheet.nrows):
            cells = [_cell(v) for v in sheet.row_values(r)]
            if any(cells):
                rows.append("\t".join(cells))
    return FileText("xls", "extracted", paragraphs=clean_paragraphs(rows))


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
