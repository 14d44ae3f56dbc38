"""OFD (GB/T 33190, China's fixed-layout format) with ofdkit: a stdlib-only reader of the package and its pages."""

from __future__ import annotations

import ofdkit

from ingest.files.clean import clean_pages
from ingest.files.errors import LimitError, UnreadableError
from ingest.files.model import FileLimits, FileText
from ingest.files.office import open_zip


def read_ofd(content: bytes, limits: FileLimits) -> FileText:
    open_zip(content, limits).close()  # zip-bomb bounds before ofdkit inflates anything
    try:
        with ofdkit.open(content) as document:
            if len(document.pages) > limits.max_pages:
                raise LimitError(f"ofd: {len(document.pages)} pages > {limits.max_pages}")
            pages = [page.text().split("\n") for page in document.pages]
    except ofdkit.OFDLimitError as exc:
        raise LimitError(f"ofd: {exc}") from exc
    except ofdkit.OFDError as exc:
        raise UnreadableError(f"malformed OFD: {exc}") from exc
    if not any(line.strip() for page in pages for line in page):
        return FileText(
            "ofd", "needs_ocr", "no text objects (glyph outlines or images only)", pages=len(pages)
        )
    return FileText("ofd", "extracted", paragraphs=clean_pages(pages), pages=len(pages))
