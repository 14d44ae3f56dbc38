"""Search tokens: jieba's search-mode segmentation, words joined by spaces (loaded lazily, like keywords)."""

from __future__ import annotations

import re

from ingest.keywords import jieba_lock, jieba_module

_WORD = re.compile(r"\w", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """Words of ``text`` for indexing and for queries (punctuation and spaces dropped, latin lower-cased)."""
    with jieba_lock:
        words = jieba_module().lcut_for_search(text)
    return [w.lower() for w in words if _WORD.search(w)]


def token_text(text: str) -> str:
    return " ".join(tokenize(text))
