"""大汉 Hanweb jcms lists: the column page's ``<datastore>`` (``<nextgroup>`` + CDATA ``<record>``s) and
``jpage({totalRecord:N,perPage:M})``; further pages are POSTs to ``dataproxy.jsp?startrecord=&endrecord=&perpage=``.
The proxy must be on the column's own host: a ``<nextgroup>`` pointing elsewhere is refused with a reason."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.dialects.base import (
    ListOptions,
    ListPage,
    ListRequest,
    anchor_links,
    capped,
    claimed,
    page_cap,
    sections,
)

_JPAGE = re.compile(r"totalRecord\s*:\s*['\"]?(\w{1,16})['\"]?\s*,\s*perPage\s*:\s*['\"]?(\w{1,16})")
_TOTAL = re.compile(r"<totalrecord>\s*(\w{1,16})\s*</totalrecord>")
_HREF = re.compile(r"href=[\"']([^\"'<>]{1,2000})")


def parse(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    records = list(sections(html, "<record>"))
    links = [link for record in records for link in anchor_links(record, request.url)]
    page = ListPage(links=links, items=[link.url for link in links])
    if request.method == "POST":  # a dataproxy page: its successors were planned from the column page
        stated = _TOTAL.search(html)
        if stated:
            page.expected = claimed(stated.group(1), page, "totalrecord")
        return page
    jpage = _JPAGE.search(html)
    nextgroup = next(sections(html, "<nextgroup>"), None)
    if jpage:
        page.expected = claimed(jpage.group(1), page, "totalRecord")
    if nextgroup is not None and jpage:
        _plan(page, request, options, nextgroup, len(records), claimed(jpage.group(2), page, "perPage"))
    return page


def _plan(
    page: ListPage, request: ListRequest, options: ListOptions, nextgroup: str, first: int, per_page: int
) -> None:
    if per_page == 0:
        page.problems.append("parse_error: perPage is 0")
        return
    proxy = _proxy(nextgroup, request, page)
    if proxy is None:
        return
    total = page.expected or 0
    needed = -(-max(total - first, 0) // per_page)
    capped(needed, page, "totalRecord/perPage", options)
    page.requests += _posts(proxy, first, total, per_page, options)
    page.pages = 1 + needed


def _proxy(
    nextgroup: str, request: ListRequest, page: ListPage
) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    href = _HREF.search(nextgroup)
    if not href:
        return None
    try:
        proxy = urlsplit(urljoin(request.url, href.group(1).replace("&amp;", "&")))
    except ValueError:
        page.problems.append("parse_error: <nextgroup> href is not a URL")
        return None
    if proxy.scheme not in ("http", "https") or proxy.netloc != urlsplit(request.url).netloc:
        page.problems.append(f"refused: <nextgroup> points to another host ({proxy.netloc[:80]})")
        return None
    form = (("col", "1"), *((k, v) for k, v in parse_qsl(proxy.query) if k != "page"))
    return f"{proxy.scheme}://{proxy.netloc}{proxy.path}", form


def _posts(
    proxy: tuple[str, tuple[tuple[str, str], ...]],
    first: int,
    total: int,
    per_page: int,
    options: ListOptions,
) -> list[ListRequest]:
    base, form = proxy
    out: list[ListRequest] = []
    for start in range(first + 1, total + 1, per_page):
        if len(out) >= page_cap(options):
            break
        end = min(start + per_page - 1, total)
        url = f"{base}?startrecord={start}&endrecord={end}&perpage={per_page}"
        out.append(ListRequest(url, "hanweb", "POST", form, xhr=True))
    return out
