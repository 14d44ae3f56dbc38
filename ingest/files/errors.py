"""Errors inside the file readers. None leaves ``extract_file``: each becomes a ``failed`` FileText with its reason.

FileError
 ├── LimitError       a bound was hit (size, zip entries/total/ratio, pages, text)
 └── UnreadableError  encrypted, truncated or malformed bytes
"""


class FileError(Exception):
    """Base of file-reading errors; the message is the recorded reason."""


class LimitError(FileError):
    """The file exceeds one of the FileLimits."""


class UnreadableError(FileError):
    """The bytes cannot be read as the type they claim to be."""
