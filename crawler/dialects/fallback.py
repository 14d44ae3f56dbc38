"""The generic fallback: list pages read without knowing their dialect.

Links come from the page and from its scripts (``<datastore>`` records, ``document.write`` lists). Pages come
from pager links (下一页 / 尾页 / numbers), child folders (year sub-columns) and, when the page links to no other
page, probes: ``index_1`` and ``index_2`` (0- and 1-based), and the common page parameters ``pageNum``,
``pageIndex``, ``page``, ``pageNo`` = 2. A probed page that answers goes on to the next number of its own form;
a 404, a stub, an empty or repeated page ends that form. Every guess counts against the source's page cap.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from crawler.dialects.base import (
    ListOptions,
    ListPage,
    ListRequest,
    anchor_links,
    as_count,
    column_dir,
    script_data_links,
    script_links,
)
from crawler.dialects.jpaas import with_param
from crawler.dialects.pagers import pager_requests
from crawler.dialects.trs import subcolumns

PAGE_PARAMS = ("pageNum", "pageIndex", "page", "pageNo")
_NUMBERED = re.compile(r"^(.*/)?(index|default|list)_(\d{1,6})\.(s?html?|jsp|php|aspx?)$", re.I)
_FIRST = re.compile(r"^(.*/)(?:(index|default|list)\.(s?html?|jsp|php|aspx?))?$", re.I)
DIALECT = "fallback"


def parse(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    page = ListPage(links=_links(html, request.url), dialect=DIALECT)
    page.requests = plan(page, request, options)
    return page


def _links(html: str, url: str) -> list:
    seen, out = set(), []
    for link in [*anchor_links(html, url), *script_links(html, url), *script_data_links(html, url)]:
        if link.url not in seen:
            seen.add(link.url)
            out.append(link)
    return out


def plan(page: ListPage, request: ListRequest, options: ListOptions) -> list[ListRequest]:
    """What the fallback follows from a page it read: its pager and sub-columns, else the next probe."""
    column = column_dir(request.url)
    requests = [ListRequest(r.url, DIALECT, column=r.url) for r in subcolumns(page, column, DIALECT)]
    pager = pager_requests(page.links, request.url, DIALECT)
    if pager:
        return requests + pager
    following = _next_probe(request.url)
    return requests + ([following] if following is not None else first_probes(request.url))


def first_probes(url: str) -> list[ListRequest]:
    """From a listing's first page: the second page in every common form (numbered files for folder and
    ``index.html`` pages; page parameters for any page)."""
    parts = urlsplit(url)
    if any(k in PAGE_PARAMS for k, _ in parse_qsl(parts.query)):
        return []
    probes = []
    match = _FIRST.match(parts.path) if not parts.query else None
    if match:
        folder, name, ext = match.group(1) or "/", match.group(2) or "index", match.group(3) or "html"
        probes += [
            ListRequest(parts._replace(path=f"{folder}{name}_{n}.{ext}").geturl(), DIALECT, probe=True)
            for n in (1, 2)
        ]
    return probes + [ListRequest(with_param(url, p, 2), DIALECT, probe=True) for p in PAGE_PARAMS]


def _next_probe(url: str) -> ListRequest | None:
    """A numbered page's successor in its own form: ``index_3`` after ``index_2``, ``pageNum=3`` after 2."""
    parts = urlsplit(url)
    for key, value in parse_qsl(parts.query):
        number = as_count(value)
        if key in PAGE_PARAMS and number is not None:
            return ListRequest(with_param(url, key, number + 1), DIALECT, probe=True)
    match = _NUMBERED.match(parts.path)
    if match:
        folder, name, number, ext = match.group(1) or "/", match.group(2), int(match.group(3)), match.group(4)
        return ListRequest(
            parts._replace(path=f"{folder}{name}_{number + 1}.{ext}").geturl(), DIALECT, probe=True
        )
    return None
