"""Finding report links among list pages and their pagination, in each portal family's dialect (PORTALS.md).

A list response is parsed by its dialect into links (URL + the list's title for it), further list requests, and
what the listing says about itself (entries and pages it claims). Dialects live in ``crawler.dialects``: ``trs``,
``hanweb``, ``gkmlpt``, ``jpaas`` (script URL or pagination-widget attributes), ``datalist``, ``pagedec``
(Henan), ``ls`` (Anhui ``Ls.pagination``), ``pager``; anything else, or a dialect switched off, is read by the
generic ``fallback``. Every page also carries what the fallback would follow from it, for listings that come up
short. No page raises: a parser's exception becomes the page's ``parse_error`` reason.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from crawler.dialects import datalist, fallback, gkmlpt, hanweb, jpaas, pagers, trs
from crawler.dialects.base import ALL, Link, ListOptions, ListPage, ListRequest, anchor_links

__all__ = ["ALL", "DIALECTS", "Link", "ListOptions", "ListPage", "ListRequest", "anchor_links", "parse_list"]

log = logging.getLogger("fazhi.crawler")
Parser = Callable[[str, ListRequest, ListOptions], ListPage]
_PARSERS: dict[str, Parser] = {
    "trs": trs.parse,
    "hanweb": hanweb.parse,
    "gkmlpt": gkmlpt.parse,
    "jpaas": jpaas.parse,
    "datalist": datalist.parse,
    "pagedec": pagers.page_dec,
    "ls": pagers.ls_pagination,
    "pager": pagers.pager,
    "fallback": fallback.parse,
}
DIALECTS = tuple(d for d in _PARSERS if d != "fallback")
_DETECT: list[tuple[str, Callable[[str], bool]]] = [
    ("gkmlpt", lambda h: "window._CONFIG" in h and "SID" in h),
    ("jpaas", lambda h: "jpaas-publish-server" in h or re.search(r"\bunitUrl\s*=", h, re.I) is not None),
    ("datalist", lambda h: re.search(r"var\s+dataList\s*=", h) is not None),
    ("hanweb", lambda h: "<datastore>" in h),
    ("trs", lambda h: re.search(r"createPage(HTML)?\s*\(|var\s+countPage\s*=", h) is not None),
    ("pagedec", lambda h: re.search(r"id\s*=\s*[\"']?pageDec\b", h) is not None),
    ("ls", lambda h: re.search(r"Ls\.pagination\s*\(", h) is not None),
    ("pager", lambda h: re.search(r">\s*(下一页|下页)\s*<", h) is not None),
]


def detect_dialect(html: str) -> str:
    return next((name for name, test in _DETECT if test(html)), "generic")


def parse_list(
    content: bytes, content_type: str | None, request: ListRequest, options: ListOptions | None = None
) -> ListPage:
    """Parse one list response; never raises (a parser's error is the page's ``parse_error`` problem)."""
    from ingest.decode import decode_html

    options = options or ListOptions()
    text, _ = decode_html(content, content_type)
    dialect = detect_dialect(text) if request.dialect in ("auto", "generic") else request.dialect
    if dialect not in _PARSERS or not options.allows(dialect):
        dialect = "fallback"
    try:
        page = _PARSERS[dialect](text, request, options)
    except Exception as exc:
        log.warning("list page not parsed: %s", exc, extra={"url": request.url, "dialect": dialect})
        return ListPage(problems=[f"parse_error: {dialect} raised {type(exc).__name__}"], dialect=dialect)
    page.dialect = dialect
    if dialect != "fallback":
        page.fallback = fallback.plan(page, request, options)
    return page
