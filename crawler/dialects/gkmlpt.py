"""Guangdong gkmlpt 公开目录: ``/gkmlpt/index`` holds ``window._CONFIG = {SID, TREE}``; each category's list is the
JSON API ``/gkmlpt/api/all/{category}?page=N&sid=SID`` (pages 0 and 1 are the same: start at 1).

The page size is what the API returns, never a constant: the next page is asked while ``page × size`` is below
``post_count`` and the page was full. Answers of the wrong shape are recorded reasons, never exceptions."""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

from crawler.dialects.base import (
    Link,
    ListOptions,
    ListPage,
    ListRequest,
    as_count,
    capped,
    claimed,
    json_after,
    load_json,
    page_cap,
)

_CONFIG = re.compile(r"window\._CONFIG\s*=\s*")
_SID = re.compile(r"SID[\"']?\s*[:=]\s*[\"']?(\w{1,40})")
_TREE_NODE = re.compile(
    r"[\"']?id[\"']?\s*:\s*[\"']?(\d{1,12})[\"']?\s*,\s*[\"']?name[\"']?\s*:\s*[\"']([^\"'<>]{1,80})"
)
MAX_CATEGORIES = 20


def parse(text: str, request: ListRequest, options: ListOptions) -> ListPage:
    if "/gkmlpt/api/" in request.url:
        return _api(text, request, options)
    sid = _SID.search(text)
    if not sid:
        return ListPage(problems=["parse_error: gkmlpt page without SID"])
    parts = urlsplit(request.url)
    root = f"{parts.scheme}://{parts.netloc}"
    requests = []
    for category in _categories(text):
        url = f"{root}/gkmlpt/api/all/{category}?page=1&sid={sid.group(1)}"
        requests.append(ListRequest(url, "gkmlpt", xhr=True, column=url))
    return ListPage(requests=requests)


def _categories(text: str) -> list[int]:
    config = json_after(text, _CONFIG)
    if isinstance(config, dict):
        tree: Any = config.get("TREE", [])
    else:  # a JS object literal, not JSON: read the id/name pairs of the first script
        match = _CONFIG.search(text)
        end = text.find("</script>", match.end()) if match else -1
        literal = text[match.end() : end if end != -1 else len(text)] if match else ""
        tree = [{"id": i, "name": n} for i, n in _TREE_NODE.findall(literal)]
    nodes = _walk_tree(tree)
    ids = [(as_count(node.get("id")), str(node.get("name", ""))) for node in nodes]
    wanted = [i for i, name in ids if i is not None and "法治" in name]
    return (wanted or [i for i, _ in ids if i is not None])[:MAX_CATEGORIES]


def _walk_tree(nodes: Any) -> list[dict[str, Any]]:
    """Tree nodes, breadth first, iteratively (a hostile TREE may nest deeply)."""
    out: list[dict[str, Any]] = []
    queue = deque(nodes if isinstance(nodes, list) else [])
    while queue and len(out) < 10_000:
        node = queue.popleft()
        if isinstance(node, dict):
            out.append(node)
            children = node.get("children")
            queue += children if isinstance(children, list) else []
    return out


def _api(text: str, request: ListRequest, options: ListOptions) -> ListPage:
    data, problem = load_json(text)
    if problem:
        return ListPage(problems=[problem])
    if not isinstance(data, dict):
        return ListPage(problems=[f"parse_error: gkmlpt answer is a {type(data).__name__}, not an object"])
    page = ListPage()
    articles = data.get("articles")
    if not isinstance(articles, list):
        articles = []
        page.problems.append("parse_error: gkmlpt articles is not a list")
    page.links = _article_links(articles, request, page)
    page.items = [link.url for link in page.links]
    classify = data.get("classify")
    total = claimed(classify.get("post_count", 0) if isinstance(classify, dict) else 0, page, "post_count")
    page.expected = total
    current = as_count(dict(parse_qsl(urlsplit(request.url).query)).get("page", "1")) or 1
    size = len(articles)
    if size:
        page.pages = -(-total // size)
        capped(page.pages, page, "post_count", options)
    if size and current * size < total and current < page_cap(options):
        page.requests.append(ListRequest(_with_page(request.url, current + 1), "gkmlpt", xhr=True))
    return page


def _article_links(articles: list[Any], request: ListRequest, page: ListPage) -> list[Link]:
    links, odd = [], 0
    for article in articles:
        url = article.get("url") if isinstance(article, dict) else None
        if not isinstance(url, str) or not url:
            odd += 1
            continue
        try:
            links.append(Link(urljoin(request.url, url), str(article.get("title", ""))[:500]))
        except ValueError:
            odd += 1
    if odd:
        page.problems.append(f"parse_error: {odd} gkmlpt articles without a usable url")
    return links


def _with_page(url: str, number: int) -> str:
    return re.sub(r"([?&])page=\d*", rf"\g<1>page={number}", url, count=1)
