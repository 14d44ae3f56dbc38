"""Keywords by jieba's TF-IDF, loaded lazily: jieba costs ≈ 1.2 s and 80 MB to start (STACK-NOTES 9)."""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

_lock = threading.Lock()


@cache
def _analyse() -> Any:
    import jieba
    import jieba.analyse

    jieba.setLogLevel(logging.WARNING)
    return jieba.analyse


def extract_keywords(text: str, count: int = 8) -> list[str]:
    with _lock:  # jieba's lazy dictionary load is not thread-safe
        analyse = _analyse()
        return [str(word) for word in analyse.extract_tags(text, topK=count)]
