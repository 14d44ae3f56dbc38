"""A document's identity: the sha256 of its normalized clean body."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalize_text(text: str) -> str:
    """NFKC (full-width punctuation → ASCII forms), whitespace runs → one space, trimmed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def normalize_body(paragraphs: list[str]) -> str:
    """Normalized non-empty paragraphs joined by newlines: the text that is stored and hashed."""
    return "\n".join(p for p in map(normalize_text, paragraphs) if p)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
