"""The older Huzhou platform: ``var dataList=[{"infolist":[{title, daytime, url}]}];
var pagesData={"curPageNo":1,"pageTotal":N}``; further pages are ``index_2.html`` … ``index_N.html`` (inferred)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin

from crawler.dialects.base import (
    Link,
    ListOptions,
    ListPage,
    ListRequest,
    capped,
    claimed,
    column_dir,
    json_after,
)

_DATALIST = re.compile(r"var\s+dataList\s*=\s*")
_PAGES_DATA = re.compile(r"pageTotal[\"']?\s*:\s*[\"']?(\w{1,16})")
_DEEP = re.compile(r"index_\d{1,6}\.html?$")


def parse(text: str, request: ListRequest, options: ListOptions) -> ListPage:
    groups = json_after(text, _DATALIST)
    page = ListPage()
    if not isinstance(groups, list):
        page.problems.append("parse_error: dataList is not a list")
        groups = []
    page.links = _links(groups, request, page)
    page.items = [link.url for link in page.links]
    total = _PAGES_DATA.search(text)
    if total:
        page.pages = claimed(total.group(1), page, "pageTotal")
    if page.pages and not _DEEP.search(request.url.split("?", 1)[0]):
        column, count = column_dir(request.url), capped(page.pages, page, "pageTotal", options)
        page.requests += [ListRequest(f"{column}index_{n}.html", "datalist") for n in range(2, count + 1)]
    return page


def _links(groups: list[Any], request: ListRequest, page: ListPage) -> list[Link]:
    links = []
    for group in groups:
        infolist = group.get("infolist") if isinstance(group, dict) else None
        if not isinstance(infolist, list):
            page.problems.append("parse_error: dataList infolist is not a list")
            continue
        for item in infolist:
            url = item.get("url") if isinstance(item, dict) else None
            if isinstance(url, str | int) and str(url):
                try:
                    links.append(Link(urljoin(request.url, str(url)), str(item.get("title", ""))[:500]))
                except ValueError:
                    page.problems.append("parse_error: dataList url is not a URL")
    return links
