"""Attribute- and script-driven pagers that say how many pages there are:

- Henan ``<div id="pageDec" pagesize="24" pagecount="51">``: pages ``index_2.html`` … (1-based; a missing page
  leaves a shortfall, and the fallback tries the 0-based form);
- Anhui ``Ls.pagination({… pageCount: N, total: M …})``: pages ``?pageIndex=2`` …;
- plain pagers: 下一页 / numbered links to pages of the same column (``pager``).
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from crawler.dialects.base import (
    Link,
    ListOptions,
    ListPage,
    ListRequest,
    anchor_links,
    capped,
    claimed,
    column_dir,
)
from crawler.dialects.jpaas import with_param

_LS = re.compile(r"Ls\.pagination\s*\(")
_LS_FIELD = re.compile(r"\b(pageCount|total|pageSize|pageIndex)\b[\"']?\s*:\s*[\"']?(\w{1,16})")
PAGER_TITLE = re.compile(r"下一页|下页|下一頁|尾页|末页|尾頁|\d{1,4}|next|>|»", re.I)


def page_dec(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    page = ListPage(links=anchor_links(html, request.url))
    node = LexborHTMLParser(html).css_first("#pageDec")
    attrs = {k.lower(): (v or "") for k, v in node.attributes.items()} if node is not None else {}
    count = claimed(attrs.get("pagecount", "0"), page, "pageDec pagecount")
    if "recordcount" in attrs:
        page.expected = claimed(attrs["recordcount"], page, "pageDec recordcount")
    page.pages = count or None
    count = capped(count, page, "pageDec pagecount", options)
    column = column_dir(request.url)
    page.requests += [ListRequest(f"{column}index_{n}.html", "pagedec") for n in range(2, count + 1)]
    return page


def ls_pagination(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    page = ListPage(links=anchor_links(html, request.url))
    match = _LS.search(html)
    end = html.find(")", match.end()) if match else -1
    fields = (
        dict(_LS_FIELD.findall(html[match.end() : end if end != -1 else match.end() + 2000])) if match else {}
    )
    count = claimed(fields.get("pageCount", "0"), page, "Ls.pagination pageCount")
    if "total" in fields:
        page.expected = claimed(fields["total"], page, "Ls.pagination total")
    page.pages = count or None
    count = capped(count, page, "Ls.pagination pageCount", options)
    if "pageIndex=" not in request.url:  # the first page plans the others
        page.requests += [
            ListRequest(with_param(request.url, "pageIndex", n), "ls") for n in range(2, count + 1)
        ]
    return page


def pager(html: str, request: ListRequest, options: ListOptions) -> ListPage:
    page = ListPage(links=anchor_links(html, request.url))
    page.requests += pager_requests(page.links, request.url, "pager")
    return page


def pager_requests(links: list[Link], url: str, dialect: str) -> list[ListRequest]:
    """Pager links (下一页, 尾页, page numbers) to pages of the same column."""
    column, path = column_dir(url), url.split("?", 1)[0]
    out: dict[str, ListRequest] = {}
    for link in links:
        same = link.url.startswith(column) or link.url.split("?", 1)[0] == path
        if same and PAGER_TITLE.fullmatch(link.title.strip()) and link.url != url:
            out.setdefault(link.url, ListRequest(link.url, dialect))
    return list(out.values())
