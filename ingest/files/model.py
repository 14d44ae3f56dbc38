"""What a file reader returns: the type found in the bytes, a status with its reason, and clean paragraphs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

FileType = Literal["pdf", "docx", "doc", "wordml", "xls", "xlsx", "ofd", "rtf", "html", "mht", "unknown"]
FileStatus = Literal["extracted", "needs_ocr", "failed", "skipped"]


@dataclass
class FileText:
    """One attachment's text. ``status`` is ``extracted`` only when ``paragraphs`` hold the file's text."""

    type: FileType
    status: FileStatus
    reason: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    pages: int | None = None

    @property
    def text_chars(self) -> int:
        return sum(len(p) for p in self.paragraphs)

    def to_dict(self) -> dict[str, object]:
        return {
            "type": self.type,
            "status": self.status,
            "reason": self.reason,
            "text_chars": self.text_chars,
            "pages": self.pages,
            "paragraphs": self.paragraphs,
        }


@dataclass(frozen=True)
class FileLimits:
    """Bounds on one file. Zip limits apply to DOCX, XLSX and OFD packages before anything is inflated."""

    max_bytes: int = 50 * 1024 * 1024  # the file itself
    max_pages: int = 2000  # PDF pages read (a report has tens)
    max_zip_entries: int = 5000
    max_zip_total: int = 200 * 1024 * 1024  # uncompressed bytes of all entries together
    max_zip_ratio: float = 200.0  # uncompressed / compressed, per entry
    max_text_chars: int = 5_000_000
    timeout_s: float = 30.0  # the child process's deadline (runner.read_bounded)
    memory_bytes: int = 1024 * 1024 * 1024  # the child's address-space limit (RLIMIT_AS)


DEFAULT_LIMITS = FileLimits()
