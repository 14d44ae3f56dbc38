"""One crawlable :class:`Portal` per unseen template: a paginated report column (plain list + 下一页) and its pages.

Each portal publishes the five seed reports, its template's two non-reports and two fillers per report, newest first, six to
a list page. Pages whose URL has a query string (the county site's ``ShowArticle.asp?ArticleID=N``) are kept in
``portal.pages`` under their full ``path?query`` and answered by a handler on the bare path.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from starlette.requests import Request
from starlette.responses import Response

from portalsim.content import Item
from portalsim.portal import Handler, Portal, StaticPage, static_response
from portalsim.unseen import county, divcms, html5, jsonapp, newsrel, word
from portalsim.unseen.base import Detail, Template
from portalsim.unseen.docs import SEED_KEYS, SITES, Site, column_fillers, reports
from portalsim.unseen.nonreports import non_reports

TEMPLATES: list[Template] = [
    divcms.TEMPLATE,
    county.TEMPLATE,
    word.TEMPLATE,
    jsonapp.TEMPLATE,
    html5.TEMPLATE,
    newsrel.TEMPLATE,
]
PAGE_SIZE = 6
_ALT_TITLES = {html5.TEMPLATE.key}  # templates that publish the reports under their other titles


def home_site(index: int) -> Site:
    return SITES[SEED_KEYS[index % len(SEED_KEYS)]]


def site_for(item: Item, index: int) -> Site:
    """The site an item of template ``index`` is published on: its seed's site, fillers on the portal's own."""
    tail = item.key.rsplit("-", 1)[-1]
    return SITES[tail] if tail in SITES else home_site(index)


def column_items(index: int) -> list[Item]:
    """Reports, non-reports and fillers of template ``index``, newest first."""
    seeds = reports(alt_title=TEMPLATES[index].key in _ALT_TITLES)
    items = seeds + [item for _, item in non_reports(index, seeds)]
    for n, seed in enumerate(seeds):  # ordinary traffic around each report, on the report's own site
        for filler in column_fillers(
            SITES[seed.key].name, seed.published + timedelta(days=20), 41 + 7 * index + n
        ):
            filler.key = f"{filler.key}-{seed.key}"
            items.append(filler)
    return sorted(items, key=lambda i: i.published, reverse=True)


def _list_page(template: Template, site: Site, chunk: list[Item], n: int, count: int) -> str:
    rows = "".join(
        f'<li><a href="{i.path}" title="{escape(i.title)}">{escape(i.title)}</a><span>{i.date}</span></li>'
        for i in chunk
    )
    turn = [f"共{count}页 第{n + 1}页"]
    if n > 0:
        turn.append(f'<a href="{template.list_path(n - 1)}">上一页</a>')
    if n + 1 < count:
        turn.append(f'<a href="{template.list_path(n + 1)}">下一页</a>')
    charset = "gb2312" if template.charset == "gb18030" else "utf-8"
    return (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        f"<title>法治政府建设_{escape(site.name)}</title></head><body>"
        f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; 法治政府建设</div>'
        f'<ul class="list">{rows}</ul><div class="page">{" ".join(turn)}</div>'
        f'<div class="foot">主办单位：{escape(site.sponsor)} {site.icp}</div></body></html>'
    )


def _put(portal: Portal, template: Template, path: str, html: str, serial: int) -> None:
    portal.pages[path] = StaticPage(template.encode(html), template.content_type(serial))
    if "?" in path:
        portal.handlers[path.split("?", 1)[0]] = _query_pages(portal)


def _query_pages(portal: Portal) -> Handler:
    async def handle(request: Request) -> Response:
        page = portal.pages.get(f"{request.url.path}?{request.url.query}")
        if page is None or request.method not in ("GET", "HEAD"):
            return Response("<html><body><h1>404 Not Found</h1></body></html>", 404, media_type="text/html")
        return static_response(page, request)

    return handle


def build_portal(index: int, port: int) -> Portal:
    template = TEMPLATES[index]
    home = home_site(index)
    items = column_items(index)
    for serial, item in enumerate(items):
        item.path = template.detail_path(item, serial)
    portal = Portal(
        key=template.key,
        name=f"{home.name} 法治政府建设（{template.label}）",
        host=f"{template.host}:{port}",
        start_paths=[template.list_path(0)],
        platform=template.key,
        region=home.region,
        agency=None,
        items=items,
    )
    for serial, item in enumerate(items):
        near = (items[serial - 1] if serial else None, items[serial + 1] if serial + 1 < len(items) else None)
        detail = Detail(item, site_for(item, index), serial, item.path, prev=near[0], next=near[1])
        _put(portal, template, item.path, template.render(detail), serial)
    chunks = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    for n, chunk in enumerate(chunks):
        _put(portal, template, template.list_path(n), _list_page(template, home, chunk, n, len(chunks)), 0)
    home_page = f'<html><body><h1>{escape(home.name)}</h1><a href="{template.list_path(0)}">法治政府建设</a></body></html>'
    _put(portal, template, "/index.html", home_page, 0)
    return portal


def build_unseen_portals(port: int) -> dict[str, Portal]:
    """The six unseen-template portals, keyed by template name, on 127.0.0.41 … 127.0.0.46."""
    return {t.key: build_portal(i, port) for i, t in enumerate(TEMPLATES)}
