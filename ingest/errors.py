"""Errors raised by extraction.

IngestError
 └── UndecodableError   the bytes are not text in any charset we try
"""


class IngestError(Exception):
    """Base of extraction errors."""


class UndecodableError(IngestError):
    """The page bytes could not be decoded as text."""
