"""Reading a page: the steps that run in an extraction worker (``crawler.extraction``), each under its deadline.

``read_detail`` extracts a detail page, ``keywords_and_tokens`` adds jieba's keywords and search tokens to a
report, ``read_list`` parses a list page in its dialect. All are pure: bytes or text in, plain values out.
"""

from __future__ import annotations

from crawler.discover import ListOptions, ListPage, ListRequest, parse_list
from ingest import ExtractedReport, SourceHints, extract_report
from ingest.keywords import extract_keywords
from ingest.tokens import token_text


def read_detail(content: bytes, url: str, content_type: str | None, hints: SourceHints) -> ExtractedReport:
    return extract_report(content, url, content_type=content_type, hints=hints)


def keywords_and_tokens(title: str, body: str, count: int) -> tuple[list[str], tuple[str, str]]:
    """jieba keywords and search tokens (title, body): ≈ 10–50 ms a report, seconds for a huge one."""
    return extract_keywords(body, count), (token_text(title), token_text(body))


def read_list(
    content: bytes, content_type: str | None, request: ListRequest, options: ListOptions
) -> ListPage:
    return parse_list(content, content_type, request, options)
