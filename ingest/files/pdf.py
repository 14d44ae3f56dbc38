"""PDF → pages of lines with pypdfium2 (PDFium): the only non-AGPL reader that decodes GBK-under-WinAnsi 公文 PDFs."""

from __future__ import annotations

import pypdfium2 as pdfium

from ingest.files.clean import clean_pages
from ingest.files.errors import LimitError, UnreadableError
from ingest.files.model import FileLimits, FileText

_NEEDS_OCR_CHARS = 20  # fewer text-layer characters per page than this: a scan
_ERRORS = {
    "password": "encrypted: a password is needed to open it",
    "format": "malformed: not a readable PDF",
    "file": "malformed: not a readable PDF",
}


def read_pdf(content: bytes, limits: FileLimits) -> FileText:
    if b"%%EOF" not in content[-4096:]:
        raise UnreadableError("truncated: the file ends before %%EOF")
    try:
        document = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise UnreadableError(_reason(exc)) from exc
    try:
        pages = _pages(document, limits)
    finally:
        document.close()
    chars = sum(len(line.strip()) for page in pages for line in page)
    if chars < _NEEDS_OCR_CHARS * len(pages):
        return FileText(
            "pdf", "needs_ocr", f"no text layer: {chars} characters on {len(pages)} pages", pages=len(pages)
        )
    return FileText("pdf", "extracted", paragraphs=clean_pages(pages), pages=len(pages))


def _pages(document: pdfium.PdfDocument, limits: FileLimits) -> list[list[str]]:
    count = len(document)
    if count > limits.max_pages:
        raise LimitError(f"pdf: {count} pages > {limits.max_pages}")
    pages, chars = [], 0
    for index in range(count):
        page = document[index]
        textpage = page.get_textpage()
        text = textpage.get_text_bounded()
        textpage.close()
        page.close()
        chars += len(text)
        if chars > limits.max_text_chars:
            raise LimitError(f"pdf: more than {limits.max_text_chars} characters of text")
        pages.append(text.replace("\r\n", "\n").split("\n"))
    return pages


def _reason(exc: Exception) -> str:
    message = str(exc).lower()
    return next((reason for key, reason in _ERRORS.items() if key in message), f"malformed: {exc}")
