"""Zhejiang jpaas lists: the column page names the API ``/api-gateway/jpaas-publish-server/front/page/build/unit``
either in an inline script (a full URL) or the way the jcms pagination widget does, as attributes:
``<div class="pagination" count="37" rows="12" unitUrl="/api-gateway/…/unit" queryData="{'webId':1,'pageId':2}">``.

The API answers ``{"success": true, "data": {"html": "<li…>"}}``; some deployments answer page 1 whatever
``pageNo`` says unless the request looks like the browser's XHR, so every API request is marked ``xhr``."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from crawler.dialects.base import (
    ListOptions,
    ListPage,
    ListRequest,
    anchor_links,
    as_count,
    capped,
    claimed,
    load_json,
    page_cap,
)

API_PATH = "/jpaas-publish-server/front/page/build/unit"
_SCRIPT_URL = re.compile(
    r"[\"'](/api-gateway/jpaas-publish-server/front/page/build/unit\?[^\"'<>]{1,2000})[\"']"
)
_PAIR = re.compile(r"[\"']?(\w{1,40})[\"']?\s*:\s*[\"']?([^\"',{}]{0,200}?)[\"']?\s*(?:,|\}|$)")


def parse(text: str, request: ListRequest, options: ListOptions) -> ListPage:
    if API_PATH in urlsplit(request.url).path:
        return _api(text, request, options)
    page = ListPage(links=anchor_links(text, request.url))
    widget = _widget(text, request, page, options)
    if widget:
        return page
    match = _SCRIPT_URL.search(text)
    if match:
        api = urljoin(request.url, match.group(1).replace("&amp;", "&"))
        page.requests.append(ListRequest(with_param(api, "pageNo", 1), "jpaas", xhr=True))
    return page


def _widget(text: str, request: ListRequest, page: ListPage, options: ListOptions) -> bool:
    """The pagination widget's attributes: pages 2… of ``count``/``rows`` from ``unitUrl`` + ``queryData``."""
    tree = LexborHTMLParser(text)
    node = tree.css_first("[unitUrl]")
    if node is None:
        return False
    attrs = {k.lower(): (v or "") for k, v in node.attributes.items()}
    unit = attrs.get("uniturl", "").strip()
    try:
        api = urljoin(request.url, unit)
    except ValueError:
        page.problems.append("parse_error: unitUrl is not a URL")
        return True
    if urlsplit(api).netloc != urlsplit(request.url).netloc:
        page.problems.append("refused: unitUrl points to another host")
        return True
    count = claimed(attrs.get("count", "0"), page, "pagination count")
    rows = claimed(attrs.get("rows", "0"), page, "pagination rows")
    page.expected = count
    if rows == 0:
        page.problems.append("parse_error: pagination rows is 0")
        return True
    page.pages = -(-count // rows)
    last = capped(page.pages, page, "pagination count/rows", options)
    first = (as_count(attrs.get("pageno", "1")) or 1) + 1
    query = [(k, v.strip()) for k, v in _PAIR.findall(attrs.get("querydata", ""))]
    for number in range(first, last + 1):
        url = with_param(_with_query(api, query), "pageNo", number)
        page.requests.append(ListRequest(url, "jpaas", xhr=True))
    return True


def _api(text: str, request: ListRequest, options: ListOptions) -> ListPage:
    data, problem = load_json(text)
    if problem:
        return ListPage(problems=[problem])
    body = data.get("data") if isinstance(data, dict) else None
    html = body.get("html") if isinstance(body, dict) else None
    if not isinstance(html, str):
        return ListPage(problems=["parse_error: jpaas answer without data.html"])
    page = ListPage(links=anchor_links(html, request.url))
    page.items = [link.url for link in page.links]
    number = as_count(dict(parse_qsl(urlsplit(request.url).query)).get("pageNo", "1")) or 1
    if page.links and number < page_cap(options):  # the next page; a repeat or an empty page ends the chain
        page.requests.append(ListRequest(with_param(request.url, "pageNo", number + 1), "jpaas", xhr=True))
    return page


def _with_query(url: str, pairs: list[tuple[str, str]]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query), *((k, v) for k, v in pairs if k != "pageNo")]
    return parts._replace(query=urlencode(query)).geturl()


def with_param(url: str, name: str, number: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    return parts._replace(query=urlencode([*query, (name, str(number))])).geturl()
