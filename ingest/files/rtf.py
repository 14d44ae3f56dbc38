"""RTF with striprtf (handles \\uN and \\'hh escapes under \\ansicpg); its table rows (cells ended by |) become tab rows."""

from __future__ import annotations

import re

from striprtf.striprtf import rtf_to_text

from ingest.files.clean import clean_paragraphs
from ingest.files.errors import UnreadableError
from ingest.files.model import FileText

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


def read_rtf(content: bytes) -> FileText:
    match = _CODEPAGE.search(content[:4096])
    codepage = f"cp{match.group(1).decode()}" if match else "cp1252"
    try:
        text = rtf_to_text(content.decode("ascii", errors="replace"), encoding=codepage, errors="replace")
    except (LookupError, ValueError, IndexError) as exc:
        raise UnreadableError(f"malformed RTF: {exc}") from exc
    lines = [_row(line) for line in text.split("\n")]
    return FileText("rtf", "extracted", paragraphs=clean_paragraphs(lines))


def _row(line: str) -> str:
    return "\t".join(c.strip() for c in line.rstrip("|").split("|")) if line.endswith("|") else line
