"""Finding report links among list pages and their pagination, in each portal family's dialect (PORTALS.md).

A list response is parsed by its dialect into links (URL + the list's title for it) and further list requests.
Dialects: ``trs`` (createPageHTML/createPage scripts, year sub-columns), ``hanweb`` (``<datastore>`` + dataproxy.jsp),
``gkmlpt`` (``window._CONFIG`` + the JSON API), ``pager`` (下一页 / numbered links), ``generic`` (links only).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from ingest.decode import decode_html


@dataclass(frozen=True)
class ListRequest:
    url: str
    dialect: str
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.method} {self.url} {self.data}"


@dataclass(frozen=True)
class Link:
    url: str
    title: str


@dataclass
class ListPage:
    links: list[Link] = field(default_factory=list)
    requests: list[ListRequest] = field(default_factory=list)

    def fingerprint(self) -> str:
        """Same links, same page: a pager that ignores its page number repeats its fingerprint."""
        return hashlib.sha256("\n".join(sorted({link.url for link in self.links})).encode()).hexdigest()


def detect_dialect(html: str) -> str:
    if "window._CONFIG" in html and "SID" in html:
        return "gkmlpt"
    if "jpaas-publish-server" in html:
        return "jpaas"
    if re.search(r"var\s+dataList\s*=", html):
        return "datalist"
    if "<datastore>" in html:
        return "hanweb"
    if re.search(r"createPage(HTML)?\s*\(|var\s+countPage\s*=", html):
        return "trs"
    if re.search(r">\s*(下一页|下页)\s*<", html):
        return "pager"
    return "generic"


def parse_list(content: bytes, content_type: str | None, request: ListRequest) -> ListPage:
    text, _ = decode_html(content, content_type)
    dialect = detect_dialect(text) if request.dialect == "auto" else request.dialect
    parser = _PARSERS.get(dialect, _generic)
    return parser(text, request)


# ---------------------------------------------------------------- links


def anchor_links(html: str, base_url: str) -> list[Link]:
    """Every ``<a href>`` with its best title: the ``title`` attribute (list text is often truncated), else text."""
    tree = LexborHTMLParser(html)
    links = []
    for a in tree.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        title = (a.attributes.get("title") or "").strip() or (a.text() or "").strip()
        links.append(Link(urljoin(base_url, href), re.sub(r"\s+", " ", title)))
    return links


def _generic(html: str, request: ListRequest) -> ListPage:
    return ListPage(links=anchor_links(html, request.url))


def _pager(html: str, request: ListRequest) -> ListPage:
    page = _generic(html, request)
    column = request.url.rsplit("/", 1)[0] + "/"
    for link in page.links:
        if re.fullmatch(r"下一页|下页|\d{1,4}", link.title) and link.url.startswith(column):
            page.requests.append(ListRequest(link.url, "pager"))
    return page


# ---------------------------------------------------------------- TRS


_CREATE_PAGE = re.compile(
    r"createPage(?:HTML)?\s*\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](\w+)[\"']"
)
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")


def _trs(html: str, request: ListRequest) -> ListPage:
    page = _generic(html, request)
    column = request.url.rsplit("/", 1)[0] + "/"
    match = _CREATE_PAGE.search(html)
    count, prefix, ext = (
        (int(match.group(1)), match.group(3), match.group(4)) if match else (0, "index", "html")
    )
    if not match and (counted := _COUNT_PAGE.search(html)):
        count = int(counted.group(1))
    page.requests += [ListRequest(f"{column}{prefix}_{i}.{ext}", "trs") for i in range(1, count)]
    for link in page.links:  # year sub-columns: child folders of this column
        rest = link.url[len(column) :] if link.url.startswith(column) else ""
        if re.fullmatch(r"[\w-]+/(index\.s?html?)?", rest):
            page.requests.append(ListRequest(urljoin(link.url, "index.html"), "trs"))
    return page


# ---------------------------------------------------------------- Hanweb jcms


_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S)
_JPAGE = re.compile(r"totalRecord\s*:\s*(\d+)\s*,\s*perPage\s*:\s*(\d+)")
_TOTAL = re.compile(r"<totalrecord>(\d+)</totalrecord>")


def _hanweb(html: str, request: ListRequest) -> ListPage:
    records = _RECORD.findall(html)
    page = ListPage(links=[link for r in records for link in anchor_links(r, request.url)])
    if request.method == "POST":  # a dataproxy page: its successors were planned from the column page
        return page
    nextgroup, jpage = _NEXTGROUP.search(html), _JPAGE.search(html)
    if not (nextgroup and jpage):
        return page
    href = re.search(r"href=[\"']([^\"']+)", nextgroup.group(1))
    if not href:
        return page
    proxy = urlsplit(urljoin(request.url, href.group(1).replace("&amp;", "&")))
    form = tuple((k, v) for k, v in parse_qsl(proxy.query) if k != "page")
    form = (("col", "1"), *form)
    total, per_page = int(jpage.group(1)), int(jpage.group(2))
    base = f"{proxy.scheme}://{proxy.netloc}{proxy.path}"
    for start in range(len(records) + 1, total + 1, per_page):
        end = min(start + per_page - 1, total)
        url = f"{base}?startrecord={start}&endrecord={end}&perpage={per_page}"
        page.requests.append(ListRequest(url, "hanweb", "POST", form))
    return page


# ---------------------------------------------------------------- Guangdong gkmlpt


_CONFIG = re.compile(r"window\._CONFIG\s*=\s*(\{.*?\})\s*;?\s*</script>", re.S)
_SID = re.compile(r"SID[\"']?\s*[:=]\s*[\"']?(\w+)")
_TREE_NODE = re.compile(r"[\"']?id[\"']?\s*:\s*[\"']?(\d+)[\"']?\s*,\s*[\"']?name[\"']?\s*:\s*[\"']([^\"']+)")
GKMLPT_PAGE_SIZE = 100


def _gkmlpt(html: str, request: ListRequest) -> ListPage:
    if "/gkmlpt/api/" in request.url:
        return _gkmlpt_api(html, request)
    sid_match = _SID.search(html)
    if not sid_match:
        return ListPage()
    categories = _gkmlpt_categories(html)
    root = f"{urlsplit(request.url).scheme}://{urlsplit(request.url).netloc}"
    # page 0 and page 1 return the same data: start at 1
    requests = [
        ListRequest(f"{root}/gkmlpt/api/all/{cat}?page=1&sid={sid_match.group(1)}", "gkmlpt")
        for cat in categories
    ]
    return ListPage(requests=requests)


def _gkmlpt_categories(html: str) -> list[int]:
    match = _CONFIG.search(html)
    try:
        tree = json.loads(match.group(1)).get("TREE", []) if match else []
    except json.JSONDecodeError:  # a JS object literal, not JSON: read the id/name pairs
        tree = [{"id": i, "name": n} for i, n in _TREE_NODE.findall(match.group(1) if match else "")]
    wanted = [int(node["id"]) for node in _walk_tree(tree) if "法治" in str(node.get("name", ""))]
    return wanted or [int(node["id"]) for node in _walk_tree(tree) if "id" in node][:20]


def _walk_tree(nodes: list[dict]) -> list[dict]:
    out = []
    for node in nodes if isinstance(nodes, list) else []:
        if isinstance(node, dict):
            out.append(node)
            out += _walk_tree(node.get("children", []))
    return out


def _gkmlpt_api(text: str, request: ListRequest) -> ListPage:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return ListPage()
    articles = data.get("articles") or []
    links = [Link(urljoin(request.url, a["url"]), str(a.get("title", ""))) for a in articles if a.get("url")]
    page = ListPage(links=links)
    total = int((data.get("classify") or {}).get("post_count") or 0)
    current = int(dict(parse_qsl(urlsplit(request.url).query)).get("page", "1"))
    if articles and current * GKMLPT_PAGE_SIZE < total:
        page.requests.append(ListRequest(re.sub(r"page=\d+", f"page={current + 1}", request.url), "gkmlpt"))
    return page


# ---------------------------------------------------------------- Zhejiang jpaas


_JPAAS_URL = re.compile(r"[\"'](/api-gateway/jpaas-publish-server/front/page/build/unit\?[^\"']+)[\"']")


def _jpaas(text: str, request: ListRequest) -> ListPage:
    """Column pages name the API in a script; the API answers ``{"success": true, "data": {"html": "<li…>"}}``
    and some deployments ignore ``pageNo`` (always page 1): the crawl stops at the repeated page."""
    if "/jpaas-publish-server/front/page/build/unit" in request.url:
        try:
            html = (json.loads(text).get("data") or {}).get("html") or ""
        except (json.JSONDecodeError, AttributeError):
            return ListPage()
        page = ListPage(links=anchor_links(html, request.url))
        if page.links:
            number = int(dict(parse_qsl(urlsplit(request.url).query)).get("pageNo", "1") or 1)
            page.requests.append(ListRequest(_with_page_no(request.url, number + 1), "jpaas"))
        return page
    page = _generic(text, request)
    match = _JPAAS_URL.search(text)
    if match:
        api = urljoin(request.url, match.group(1).replace("&amp;", "&"))
        page.requests.append(ListRequest(_with_page_no(api, 1), "jpaas"))
    return page


def _with_page_no(url: str, number: int) -> str:
    if re.search(r"[?&]pageNo=\d*", url):
        return re.sub(r"([?&]pageNo=)\d*", rf"\g<1>{number}", url)
    return f"{url}{'&' if '?' in url else '?'}pageNo={number}"


# ---------------------------------------------------------------- Huzhou dataList scripts


_DATALIST = re.compile(r"var\s+dataList\s*=\s*(\[.*?\])\s*;", re.S)
_PAGES_DATA = re.compile(r"pageTotal[\"']?\s*:\s*(\d+)")


def _datalist(text: str, request: ListRequest) -> ListPage:
    """``var dataList=[{"infolist":[{title, daytime, url}]}]; var pagesData={"curPageNo":1,"pageTotal":N}``.
    Further pages are ``index_2.html`` … ``index_N.html`` beside the first (inferred from the older platform)."""
    match = _DATALIST.search(text)
    try:
        groups = json.loads(match.group(1)) if match else []
    except json.JSONDecodeError:
        groups = []
    links = [
        Link(urljoin(request.url, str(item["url"])), str(item.get("title", "")))
        for group in groups
        if isinstance(group, dict)
        for item in group.get("infolist", [])
        if isinstance(item, dict) and item.get("url")
    ]
    page = ListPage(links=links)
    total = _PAGES_DATA.search(text)
    if total and not re.search(r"index_\d+\.html?$", request.url):
        column = request.url.rsplit("/", 1)[0] + "/"
        page.requests += [
            ListRequest(f"{column}index_{n}.html", "datalist") for n in range(2, int(total.group(1)) + 1)
        ]
    return page


_PARSERS = {
    "trs": _trs,
    "hanweb": _hanweb,
    "gkmlpt": _gkmlpt,
    "jpaas": _jpaas,
    "datalist": _datalist,
    "pager": _pager,
    "generic": _generic,
}
