"""Keywords by jieba's TF-IDF, loaded lazily: jieba costs ≈ 1.2 s and 80 MB to start (STACK-NOTES 9)."""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

jieba_lock = threading.Lock()  # jieba's lazy dictionary load is not thread-safe


@cache
def jieba_module() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@cache
def _analyse() -> Any:
    jieba_module()
    import jieba.analyse

    return jieba.analyse


def extract_keywords(text: str, count: int = 8) -> list[str]:
    with jieba_lock:
        return [str(word) for word in _analyse().extract_tags(text, topK=count)]
