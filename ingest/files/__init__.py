"""Attachments: the report's own text when it is published as a file (PDF, DOCX, DOC/WPS, OFD, RTF, XLS/XLSX,
HTML saved as .doc). Pure like the rest of ``ingest``: bytes in, :class:`FileText` out.

``extract_file`` sniffs the type from the bytes (``sniff``), runs its reader (``pdf``, ``office``, ``ole``,
``ofd``, ``rtf``, ``html``) inside the bounds of ``FileLimits`` (``limits``: size, pages, zip bombs) and cleans the
text into paragraphs (``clean``). ``read_bounded`` (``runner``) does the same in a child process with a deadline
and a memory limit: the way to read a file from the network.
"""

from ingest.files.extract import extract_file
from ingest.files.model import DEFAULT_LIMITS, FileLimits, FileText
from ingest.files.runner import BoundedResult, read_bounded
from ingest.files.sniff import sniff

__all__ = [
    "DEFAULT_LIMITS",
    "BoundedResult",
    "FileLimits",
    "FileText",
    "extract_file",
    "read_bounded",
    "sniff",
]
