"""One entry point: bytes + file name → :class:`FileText`. Routes by content; every failure is a recorded reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from ingest.errors import IngestError
from ingest.files.errors import FileError
from ingest.files.html import read_html, read_mht
from ingest.files.model import DEFAULT_LIMITS, FileLimits, FileText, FileType
from ingest.files.ofd import read_ofd
from ingest.files.office import read_docx, read_wordml, read_xlsx
from ingest.files.ole import read_doc, read_xls
from ingest.files.pdf import read_pdf
from ingest.files.rtf import read_rtf
from ingest.files.sniff import sniff

Reader = Callable[[bytes, FileLimits], FileText]
READERS: dict[str, Reader] = {
    "pdf": read_pdf,
    "docx": read_docx,
    "xlsx": read_xlsx,
    "ofd": read_ofd,
    "doc": read_doc,
    "xls": read_xls,
    "rtf": lambda content, _limits: read_rtf(content),
    "html": lambda content, _limits: read_html(content),
    "mht": lambda content, _limits: read_mht(content),
    "wordml": read_wordml,
}


def extract_file(content: bytes, name: str = "", limits: FileLimits = DEFAULT_LIMITS) -> FileText:
    """Read one attachment in this process. ``name`` is only reported (the bytes decide the type).

    Never raises for bad input: encrypted, truncated, malformed or oversized files come back ``failed`` with a
    reason, unknown types ``skipped``, PDFs without a text layer ``needs_ocr``. For files from the network use
    :func:`ingest.files.runner.read_bounded`, which adds a deadline and a memory limit.
    """
    kind = sniff(content)
    if len(content) > limits.max_bytes:
        return FileText(kind, "failed", f"too large: {len(content)} bytes > {limits.max_bytes}")
    reader = READERS.get(kind)
    if reader is None:
        suffix = PurePosixPath(name).suffix.lower() or "no extension"
        return FileText("unknown", "skipped", f"not a document type we read (name says {suffix})")
    try:
        result = reader(content, limits)
    except (FileError, IngestError) as exc:
        return FileText(kind, "failed", str(exc))
    except (MemoryError, RecursionError) as exc:
        return FileText(kind, "failed", f"reader gave up: {type(exc).__name__}")
    except Exception as exc:  # third-party parsers on hostile bytes raise anything: a reason, never a crash
        return FileText(kind, "failed", f"malformed: {type(exc).__name__}: {exc}"[:300])
    return _checked(result, kind)


def _checked(result: FileText, kind: FileType) -> FileText:
    if result.status == "extracted" and not result.paragraphs:
        return FileText(
            kind, "failed", "no text but page chrome (running headers, page numbers)", pages=result.pages
        )
    return result
