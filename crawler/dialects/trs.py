"""TRS WCM lists: ``createPageHTML(pages, current, "index", "html"[, …, records])`` / ``createPage(…)`` or
``var countPage = N``; pages ``index_1.html`` … (0-based); year sub-columns are child folders of the column."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from crawler.dialects.base import (
    ListOptions,
    ListPage,
    ListRequest,
    anchor_links,
    capped,
    claimed,
    column_dir,
)

_CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\s*\(\s*(?:[\"'][\w-]{0,40}[\"']\s*,\s*)?(\d{1,12})\s*,\s*(\d{1,12})\s*,"
    r"\s*[\"']([\w-]{1,40})[\"']\s*,\s*[\"'](\w{1,10})[\"']\s*(?:,\s*(\d{1,12}))?"
)
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d{1,12})")
_NUMBERED = re.compile(r"_\d{1,6}\.\w{1,10}$")
_CHILD = re.compile(r"[\w-]{1,80}/(index\.s?html?)?")


def parse(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    page = ListPage(links=anchor_links(html, request.url))
    column = column_dir(request.url)
    count, first, prefix, ext = _page_count(html, page)
    page.pages = count or None
    count = capped(count, page, "createPageHTML", options)
    if not _NUMBERED.search(request.url.split("?", 1)[0]):  # the first page plans the others
        pages = range(first, first + count - 1)
        page.requests += [ListRequest(f"{column}{prefix}_{i}.{ext}", "trs") for i in pages]
    page.requests += subcolumns(page, column, "trs")
    return page


def _page_count(html: str, page: ListPage) -> tuple[int, int, str, str]:
    """``(pages, number of the second page, prefix, extension)``: the first page's own index says the base
    (``0`` on ``index.html`` → ``index_1`` is the second page; ``1`` → 1-based, ``index_2``)."""
    match = _CREATE_PAGE.search(html)
    if match:
        if match.group(5):
            page.expected = claimed(match.group(5), page, "createPageHTML records")
        first = 2 if match.group(2) == "1" else 1
        return claimed(match.group(1), page, "createPageHTML pages"), first, match.group(3), match.group(4)
    counted = _COUNT_PAGE.search(html)
    count = claimed(counted.group(1), page, "countPage") if counted else 0
    return count, 1, "index", "html"


def subcolumns(page: ListPage, column: str, dialect: str) -> list[ListRequest]:
    """Child folders of this column linked from it (year sub-columns ``fzzf2023/``): listings of their own."""
    out: dict[str, ListRequest] = {}
    for link in page.links:
        rest = link.url[len(column) :] if link.url.startswith(column) else ""
        if _CHILD.fullmatch(rest):
            url = urljoin(link.url, "index.html")
            out[url] = ListRequest(url, dialect, column=url)
    return list(out.values())
