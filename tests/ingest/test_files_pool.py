"""Warm bounded readers (ingest.files.pool): the same bounds as read_bounded, one child for many files."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from ingest.files import DEFAULT_LIMITS
from ingest.files.pool import ReaderPool
from tests.ingest import files_helpers
from tests.ingest.test_files import FILES, MB

LIMITS = replace(DEFAULT_LIMITS, timeout_s=60, memory_bytes=768 * MB)


@pytest.fixture
def pool() -> Iterator[ReaderPool]:
    readers = ReaderPool(1, reader=files_helpers.by_content)
    yield readers
    readers.close()


def _pids(pool: ReaderPool) -> set[int]:
    return {child.process.pid or 0 for child in pool._all}


def test_one_child_reads_file_after_file(pool: ReaderPool) -> None:
    statuses = [
        pool.read((FILES / n).read_bytes(), n, LIMITS).text.status for n in ("report.pdf", "report.docx")
    ]
    first = _pids(pool)
    again = pool.read((FILES / "report.ofd").read_bytes(), "report.ofd", LIMITS)
    assert statuses == ["extracted", "extracted"] and again.text.status == "extracted"
    assert len(first) == 1 and _pids(pool) == first


def test_each_read_reports_its_own_peak(pool: ReaderPool) -> None:
    pool.read((FILES / "long.pdf").read_bytes(), "long.pdf", LIMITS)
    small = pool.read((FILES / "report.docx").read_bytes(), "report.docx", LIMITS)
    assert small.peak_rss_bytes is not None and small.peak_rss_bytes < 200 * MB


def test_a_hang_is_killed_and_the_next_file_gets_a_new_child(pool: ReaderPool) -> None:
    pool.read((FILES / "report.docx").read_bytes(), "report.docx", LIMITS)
    before = _pids(pool)
    start = time.monotonic()
    hung = pool.read(b"hang", "x.pdf", replace(LIMITS, timeout_s=2))
    assert hung.text.status == "failed" and (hung.text.reason or "").startswith("timeout")
    assert time.monotonic() - start < 30
    after = pool.read((FILES / "report.docx").read_bytes(), "report.docx", LIMITS)
    assert after.text.status == "extracted" and _pids(pool).isdisjoint(before)


def test_the_memory_limit_holds_and_the_child_is_replaced(pool: ReaderPool) -> None:
    bloated = pool.read(b"hog", "x", LIMITS)
    assert bloated.text.status == "failed" and "memory limit" in (bloated.text.reason or "")
    assert pool.read((FILES / "report.pdf").read_bytes(), "report.pdf", LIMITS).text.status == "extracted"


def test_a_crash_is_a_reason_and_not_the_next_files(pool: ReaderPool) -> None:
    crashed = pool.read(b"crash", "x", LIMITS)
    assert crashed.text.reason == "reader crashed (exit code 3)"
    assert pool.read((FILES / "report.pdf").read_bytes(), "report.pdf", LIMITS).text.status == "extracted"
