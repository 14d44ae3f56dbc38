"""The type of a file from its first bytes and container contents, never from its name (files lie)."""

from __future__ import annotations

import io
import re
import zipfile

from ingest.files.model import FileType

_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<title|<\?xml[^>]*>\s*<html)", re.I)
_MIME = re.compile(
    rb"^(?:(?:[\x21-\x39\x3b-\x7e]+:|[ \t])[^\n]*\n)*?mime-version:", re.I
)  # MHTML's header block
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(content: bytes) -> FileType:
    """``pdf``, ``docx``, ``xlsx``, ``ofd``, ``doc`` (also Kingsoft .wps), ``xls``, ``rtf``, ``wordml`` (Word 2003
    XML), ``mht`` (Word's single-file web page), ``html`` or ``unknown``."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf")
    if b"%PDF-" in content[:1024]:  # the spec allows junk before the header within the first 1 KB
        return "pdf"
    if head.startswith(_OLE):
        return _ole_type(content)
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if b"<w:wordDocument" in content[:4096] or b'progid="Word.Document"' in head:
        return "wordml"
    if _MIME.match(head):
        return "mht"
    if _HTML.match(head) or b"<html" in head.lower():
        return "html"
    return "unknown"


def _zip_type(content: bytes) -> FileType:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return "unknown"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names or any(n.lower() == "ofd.xml" for n in names):
        return "ofd"
    return "unknown"


def _ole_type(content: bytes) -> FileType:
    """OLE2 directory entries hold UTF-16 stream names: WordDocument → Word 97 (and .wps), Workbook → Excel."""
    if "WordDocument".encode("utf-16le") in content:
        return "doc"
    if "Workbook".encode("utf-16le") in content or "Book".encode("utf-16le") in content:
        return "xls"
    return "unknown"
