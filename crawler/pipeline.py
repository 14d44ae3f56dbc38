"""Reading a page: the steps that run in an extraction worker (``crawler.extraction``), each under its deadline.

``read_detail`` extracts a detail page, ``read_list`` parses a list page in its dialect. Both are pure: bytes in,
plain values out (jieba runs later, in the indexing step: ``crawler.indexer``). ``with_sketch`` runs a detail reader
and adds the report body's LSH band keys and MinHash (``store.grams.sketch``), so the commit, which runs on the crawl's
own process, does not compute them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ingest
from crawler.discover import ListOptions, ListPage, ListRequest, parse_list
from ingest import ExtractedReport, SourceHints
from store.grams import Sketch, sketch


@dataclass(frozen=True)
class Extracted:
    """A report read from a page, as :func:`crawler.warc.archive_page` takes it."""

    report: ExtractedReport


def read_detail(content: bytes, url: str, content_type: str | None, hints: SourceHints) -> ExtractedReport:
    # (the cascade imported on first use: the crawl's own process names these steps, its workers run them)
    return ingest.extract_report(content, url, content_type=content_type, hints=hints)


def read_list(
    content: bytes, content_type: str | None, request: ListRequest, options: ListOptions
) -> ListPage:
    return parse_list(content, content_type, request, options)


def with_sketch(reader: Callable[..., ExtractedReport], *args: Any) -> tuple[ExtractedReport, Sketch | None]:
    """``reader(*args)`` and, for a report, its body's sketch (None for a page that is not one)."""
    report = reader(*args)
    return report, sketch(report.body) if report.is_report else None
