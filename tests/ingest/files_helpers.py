"""Readers for the runner tests: module-level so that a spawned child can import them."""

from __future__ import annotations

import time

from ingest.files import FileLimits, FileText


def hang(content: bytes, name: str, limits: FileLimits) -> FileText:
    time.sleep(3600)
    raise AssertionError("unreachable")


def hog(content: bytes, name: str, limits: FileLimits) -> FileText:
    blocks = [bytearray(64 * 1024 * 1024) for _ in range(64)]  # 4 GiB, far past the test's limit
    return FileText("unknown", "extracted", paragraphs=[str(len(blocks))])


def crash(content: bytes, name: str, limits: FileLimits) -> FileText:
    import os

    os._exit(3)
