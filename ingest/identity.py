"""A document's identity: the sha256 of its normalized clean body."""

from __future__ import annotations

import hashlib
import re
import unicodedata


def normalize_text(text: str) -> str:
    """NFKC (full-width punctuation → ASCII forms), whitespace runs → one space, trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text).split())  # runs of \s (= str.isspace) → one space


# Text made only of these is NFKC already (none has a compatibility form, none composes with another): ASCII,
# the CJK ideographs, kana and the punctuation and signs around them. Full-width forms (，（）：；！？ …) and … are replaced by
# their NFKC forms first, which neither compose nor reorder with their neighbours; any other character sends the
# text through NFKC.
_NFKC_STABLE = re.compile(
    "[^\n\x20-\x7e\u4e00-\u9fff\u3041-\u3096\u30a1-\u30fb、。〈〉《》「」『』【】〔〕〖〗〘〙〚〛‘’“”—–·•°×′⚫]"
)
_WIDE = (*((c, chr(ord(c) - 0xFEE0)) for c in "，（）：；！？％"), ("…", "..."))
_FULL_WIDTH = re.compile("[\uff01-\uff5e]")  # NFKC: the ASCII character 0xFEE0 below


def _narrow(found: re.Match[str]) -> str:
    return chr(ord(found.group()) - 0xFEE0)


def _nfkc(text: str) -> str:
    for wide, narrow in _WIDE:  # the common ones at str.replace speed
        if wide in text:
            text = text.replace(wide, narrow)
    if not _NFKC_STABLE.search(text):
        return text
    text = _FULL_WIDTH.sub(_narrow, text)
    if not _NFKC_STABLE.search(text):
        return text
    # NFKC never composes across a line break: only the lines with a character to normalize go through it
    lines = text.split("\n")
    return "\n".join(
        unicodedata.normalize("NFKC", line) if _NFKC_STABLE.search(line) else line for line in lines
    )


def normalize_lines(lines: list[str]) -> list[str]:
    """``normalize_text`` of each line, in one pass over them all (a line break is a boundary NFKC never
    composes across), NFKC skipped where the text is NFKC already (it cost 0.1 µs a character)."""
    joined = "\n".join(lines)
    if not lines or joined.count("\n") != len(lines) - 1:
        return [normalize_text(line) for line in lines]
    normalized = _nfkc(joined)
    if normalized.count("\n") != len(lines) - 1:  # not expected: no character's NFKC form holds a line break
        return [normalize_text(line) for line in lines]
    # each line's runs of white space (\s, which is str.isspace) → one space, trimmed
    return [" ".join(line.split()) for line in normalized.split("\n")]


def normalize_body(paragraphs: list[str]) -> str:
    """Normalized non-empty paragraphs joined by newlines: the text that is stored and hashed."""
    return "\n".join(p for p in map(normalize_text, paragraphs) if p)


def content_hash(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
