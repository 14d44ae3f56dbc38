"""Variant portals: the pagination and listing variants real portals have beyond the five seed families.

Each is designed from PORTALS.md and issue 17's field notes, one loopback address each:

- ``zj-widget`` (Zhejiang jpaas): the column names its API as pagination-widget attributes (``count``, ``rows``,
  ``unitUrl``, ``queryData``) plus ``jpaas-pagination.js``; the API answers page 1 whatever ``pageNo`` says
  unless the request carries ``X-Requested-With: XMLHttpRequest`` and the column page as ``Referer``. The column
  page also serves ``?pageNum=N`` deep links (as jcms columns do; inferred).
- ``gd-gkmlpt8`` (Guangdong): a gkmlpt catalogue whose API serves 8 articles a page (not 100), next to a static
  NFCMS column (1-based ``index_2.html`` pager) that lists the same reports.
- ``ah-pageindex`` (Anhui): ``Ls.pagination({… pageCount, total …})`` and pages ``?pageIndex=N``.
- ``sh-index2`` (Shanghai): 1-based ``index_2.html`` pages, announced by a six-argument
  ``createPageHTML('page-div', pages, 1, 'index', 'html', records)``; its reports are titled in traditional
  characters or without 报告.
- ``ha-pagedec`` (Henan): ``<div id="pageDec" pagesize="10" pagecount="4">`` and 1-based ``index_2.html``.
- ``hz-datalist`` (the older Huzhou platform): ``var dataList=[{"infolist":[…]}]; var pagesData={…}`` scripts,
  pages ``index_2.html`` …; the list exists only as script data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from html import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portalsim.content import Item
from portalsim.portal import Handler, Portal, StaticPage, static_response
from portalsim.variant_pages import (
    ReportSpec,
    add_details,
    detail_page,
    list_items,
    list_page,
    pages_of,
    variant_column,
)

VARIANT_HOSTS = {
    "zj-widget": "127.0.0.21",
    "gd-gkmlpt8": "127.0.0.22",
    "ah-pageindex": "127.0.0.23",
    "sh-index2": "127.0.0.24",
    "ha-pagedec": "127.0.0.25",
    "hz-datalist": "127.0.0.26",
}


def _place(items: list[Item], positions: list[int]) -> list[Item]:
    """Put the reports at these positions of the column (so that they sit on the deep pages)."""
    reports = [i for i in items if i.kind == "report"]
    rest = [i for i in items if i.kind != "report"]
    for position, report in sorted(zip(positions, reports, strict=True)):
        rest.insert(min(position, len(rest)), report)
    return rest


def _portal(
    key: str, name: str, host: str, start: list[str], platform: str, region: str, agency: str
) -> Portal:
    return Portal(
        key=key, name=name, host=host, start_paths=start, platform=platform, region=region, agency=agency
    )


def _paged(pages: list[str], param: str) -> Handler:
    """A page that serves ``?{param}=N`` itself (deep links / server-side paging)."""
    static = [StaticPage(p.encode()) for p in pages]

    async def handle(request: Request) -> Response:
        raw = request.query_params.get(param) or "1"
        number = int(raw) if raw.isdigit() else 1
        if number < 1 or number > len(static):
            return Response(_EMPTY, media_type="text/html")
        return static_response(static[number - 1], request)

    return handle


_EMPTY = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>\xe6\x97\xa0</title></head><body>'
    + b" " * 700
    + b"</body></html>"
)


# ---------------------------------------------------------------- Zhejiang jpaas, widget attributes


ZJ_COL = "/col/col1229563012/index.html"
ZJ_API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
ZJ_ROWS, ZJ_WEB, ZJ_PAGE = 8, 3185, 2208391


def zj_widget(host: str) -> Portal:
    agency = "杭州市西湖区司法局"
    reports = [
        ReportSpec(f"{agency}2023年法治政府建设年度报告", 2023, datetime(2024, 3, 12, 9, 30)),
        ReportSpec(f"{agency}关于2022年度法治政府建设情况的报告", 2022, datetime(2023, 3, 20, 10, 0)),
    ]
    items = _place(variant_column("zj-widget", agency, reports, 24, seed=21), [11, 29])
    for n, item in enumerate(items):
        d = item.published
        item.path = f"/art/{d.year}/{d.month}/{d.day}/art_1229563012_{5880000 + 17 * n}.html"
    portal = _portal(
        "zj-widget",
        "西湖区司法局 法治政府建设",
        host,
        [ZJ_COL],
        "jpaas-widget",
        "浙江省/杭州市/西湖区",
        agency,
    )
    portal.items = items
    chunks = pages_of(items, ZJ_ROWS)
    widget = (
        f'<div class="pagination" count="{len(items)}" rows="{ZJ_ROWS}" pageNo="1" unitUrl="{ZJ_API}" '
        f"queryData=\"{{'webId':{ZJ_WEB},'pageId':{ZJ_PAGE},'sourceContentType':'1'}}\"></div>"
        '<script src="/static/jpaas/jpaas-pagination.js"></script>'
    )
    pages = [
        list_page(agency, "法治政府建设", ZJ_COL, chunk, widget if n == 0 else "")
        for n, chunk in enumerate(chunks)
    ]
    portal.add_html(ZJ_COL, pages[0])  # what the handler serves without ?pageNum
    portal.handlers[ZJ_COL] = _paged(pages, "pageNum")
    portal.handlers[ZJ_API] = _zj_api(portal, chunks)
    add_details(portal, agency, "法治政府建设", ZJ_COL)
    return portal


def _zj_api(portal: Portal, chunks: list[list[Item]]) -> Handler:
    async def handle(request: Request) -> Response:
        q = request.query_params
        if q.get("webId") != str(ZJ_WEB) or q.get("pageId") != str(ZJ_PAGE):
            return JSONResponse({"success": False, "message": "参数错误"})
        raw = q.get("pageNo", "1")
        number = int(raw) if raw.isdigit() else 1
        browser = request.headers.get("x-requested-with") == "XMLHttpRequest" and request.headers.get(
            "referer", ""
        ).startswith(f"http://{portal.host}{ZJ_COL}")
        if not browser:
            number = 1  # like the real API: page 1 for clients that do not look like the browser's XHR
        html = list_items(chunks[number - 1]) if 1 <= number <= len(chunks) else ""
        return JSONResponse({"success": True, "data": {"html": html, "pageNo": number}})

    return handle


# ---------------------------------------------------------------- Guangdong gkmlpt, 8 a page


GK_COL, GK_CAT, GK_SID, GK_SIZE = "/zfxxgkml/fzzfjsndbg/", 5, "755031", 8


def gd_gkmlpt8(host: str) -> Portal:
    agency = "佛山市南海区人力资源和社会保障局"
    reports = [
        ReportSpec(f"{agency}2023年法治政府建设年度报告", 2023, datetime(2024, 2, 28, 16, 0)),
        ReportSpec(f"{agency}2022年法治政府建设年度报告", 2022, datetime(2023, 3, 1, 11, 0)),
    ]
    catalogue = _place(variant_column("gd-gkmlpt8", agency, reports, 24, seed=22), [10, 27])
    for n, item in enumerate(catalogue):
        post = 4100000 + 37 * n
        item.path = f"/gkmlpt/content/{post // 1_000_000}/{post // 1000}/post_{post}.html"
    portal = _portal(
        "gd-gkmlpt8",
        "南海区人社局 法治政府建设",
        host,
        [GK_COL, "/gkmlpt/index"],
        "nfcms-gkmlpt",
        "广东省/佛山市/南海区",
        agency,
    )
    portal.items = list(catalogue)  # the static copies join the items, not the catalogue
    add_details(portal, agency, "法治政府建设年度报告", "/gkmlpt/index")
    tree = [{"id": 1, "name": "机构职能", "children": []}, {"id": GK_CAT, "name": "法治政府建设年度报告"}]
    config = json.dumps({"SID": GK_SID, "TREE": tree}, ensure_ascii=False)
    portal.add_html(
        "/gkmlpt/index",
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开</title></head><body><div id="app">'
        f'</div><script>window._CONFIG = {config};</script><script src="/gkmlpt/js/app.js"></script></body></html>',
    )
    portal.handlers[f"/gkmlpt/api/all/{GK_CAT}"] = _gk_api(portal, catalogue)
    _gk_static_column(portal, agency, [i for i in catalogue if i.kind != "filler"])
    return portal


def _gk_api(portal: Portal, catalogue: list[Item]) -> Handler:
    async def handle(request: Request) -> Response:
        if request.query_params.get("sid") != GK_SID:
            return JSONResponse({"error": "sid"}, status_code=400)
        raw = request.query_params.get("page", "1")
        page = max(int(raw) if raw.isdigit() else 1, 1)  # page 0 answers like page 1
        chunk = catalogue[(page - 1) * GK_SIZE : page * GK_SIZE]
        articles = [
            {
                "id": int(a.path.rsplit("_", 1)[1].split(".")[0]),
                "title": a.title,
                "url": f"http://{portal.host}{a.path}",
            }
            for a in chunk
        ]
        return JSONResponse({"classify": {"id": GK_CAT, "post_count": len(catalogue)}, "articles": articles})

    return handle


def _gk_static_column(portal: Portal, agency: str, listed: list[Item]) -> None:
    """The static copy: the same bodies at ``content/post_{ID}.html``, 3 a page, 1-based pager links."""
    copies = []
    for n, item in enumerate(listed):
        copy = Item(
            **{
                **item.__dict__,
                "key": f"{item.key}-static",
                "path": f"{GK_COL}content/post_{5200000 + n}.html",
            }
        )
        copies.append(copy)
    chunks = pages_of(copies, 3)
    for n, chunk in enumerate(chunks):
        name = "index.html" if n == 0 else f"index_{n + 1}.html"
        links = " ".join(
            f'<a href="{"index.html" if i == 0 else f"index_{i + 1}.html"}">{i + 1}</a>'
            for i in range(len(chunks))
        )
        nxt = f' <a href="index_{n + 2}.html">下一页</a>' if n + 1 < len(chunks) else ""
        portal.add_html(
            GK_COL + name,
            list_page(agency, "法治政府建设年度报告", GK_COL, chunk, f'<div class="page">{links}{nxt}</div>'),
        )
    portal.items += copies
    for copy in copies:
        portal.add_html(copy.path, _detail_of(portal, copy))


def _detail_of(portal: Portal, item: Item) -> str:
    return detail_page(portal.agency or "", "法治政府建设年度报告", GK_COL, item)


# ---------------------------------------------------------------- Anhui Ls.pagination, ?pageIndex=N


AH_COL, AH_SIZE = "/public/column/6790721", 10


def ah_pageindex(host: str) -> Portal:
    agency = "合肥市蜀山区人民政府"
    reports = [
        ReportSpec(f"{agency}2023年法治政府建设年度报告", 2023, datetime(2024, 3, 25, 9, 0)),
        ReportSpec(f"{agency}2022年度法治政府建设情况报告", 2022, datetime(2023, 3, 28, 9, 0)),
    ]
    items = _place(variant_column("ah-pageindex", agency, reports, 31, seed=23), [14, 33])
    for n, item in enumerate(items):
        item.path = f"/public/6790721/{1100900 + 13 * n}.html"
    start = f"{AH_COL}?type=4&catId=7071581&action=list"
    portal = _portal(
        "ah-pageindex",
        "蜀山区政府 法治政府建设",
        host,
        [start],
        "ls-pagination",
        "安徽省/合肥市/蜀山区",
        agency,
    )
    portal.items = items
    chunks = pages_of(items, AH_SIZE)
    pages = []
    for n, chunk in enumerate(chunks):
        script = (
            '<div id="page_7071581"></div><script>Ls.pagination({id: "page_7071581", pageIndex: '
            f"{n + 1}, pageSize: {AH_SIZE}, pageCount: {len(chunks)}, total: {len(items)}}});</script>"
        )
        pages.append(list_page(agency, "法治政府建设", start, chunk, script))
    portal.handlers[AH_COL] = _paged(pages, "pageIndex")
    add_details(portal, agency, "法治政府建设", start)
    return portal


# ---------------------------------------------------------------- Shanghai, 1-based index_2.html


SH_COL, SH_SIZE = "/xxgk/fzzfjs/", 10


def sh_index2(host: str) -> Portal:
    agency = "上海市徐汇区人民政府"
    reports = [
        ReportSpec(f"{agency}2023年法治政府建設年度情況報告", 2023, datetime(2024, 3, 29, 17, 0)),
        ReportSpec(f"{agency}2022年度法治政府建设工作情况", 2022, datetime(2023, 3, 30, 17, 0)),
        ReportSpec(f"{agency}2021年法治政府建设情况", 2021, datetime(2022, 3, 31, 17, 0)),
        ReportSpec(f"{agency}2020年法治政府建设年度报告", 2020, datetime(2021, 3, 26, 17, 0)),
    ]
    items = _place(variant_column("sh-index2", agency, reports, 29, seed=24), [3, 12, 22, 35])
    for n, item in enumerate(items):
        d = item.published
        item.path = f"{SH_COL}{d:%Y%m}/t{d:%Y%m%d}_{7700000 + 31 * n}.html"
    portal = _portal(
        "sh-index2", "徐汇区政府 法治政府建设", host, [SH_COL], "trs-1-based", "上海市/徐汇区", agency
    )
    portal.items = items
    chunks = pages_of(items, SH_SIZE)
    for n, chunk in enumerate(chunks):
        script = f"<script>createPageHTML('page-div', {len(chunks)}, {n + 1}, 'index', 'html', {len(items)});</script>"
        name = "index.html" if n == 0 else f"index_{n + 1}.html"
        portal.add_html(SH_COL + name, list_page(agency, "法治政府建设", SH_COL, chunk, script))
    add_details(portal, agency, "法治政府建设", SH_COL)
    return portal


# ---------------------------------------------------------------- Henan pageDec


HA_COL, HA_SIZE = "/zwgk/fzzfjsndbg/", 10


def ha_pagedec(host: str) -> Portal:
    agency = "郑州市金水区人民政府"
    reports = [
        ReportSpec(f"{agency}2023年法治政府建设年度报告", 2023, datetime(2024, 3, 18, 10, 0)),
        ReportSpec(f"{agency}关于2022年法治政府建设工作情况的报告", 2022, datetime(2023, 3, 22, 10, 0)),
    ]
    items = _place(variant_column("ha-pagedec", agency, reports, 30, seed=25), [5, 31])
    for n, item in enumerate(items):
        d = item.published
        item.path = f"{HA_COL}{d:%Y}/{d:%m-%d}/{2900000 + 19 * n}.html"
    portal = _portal(
        "ha-pagedec", "金水区政府 法治政府建设", host, [HA_COL], "pagedec", "河南省/郑州市/金水区", agency
    )
    portal.items = items
    chunks = pages_of(items, HA_SIZE)
    for n, chunk in enumerate(chunks):
        pager = (
            f'<div id="pageDec" pagesize="{HA_SIZE}" pagecount="{len(chunks)}" currentpage="{n + 1}"></div>'
        )
        name = "index.html" if n == 0 else f"index_{n + 1}.html"
        portal.add_html(HA_COL + name, list_page(agency, "法治政府建设年度报告", HA_COL, chunk, pager))
    add_details(portal, agency, "法治政府建设年度报告", HA_COL)
    return portal


# ---------------------------------------------------------------- the older Huzhou platform: dataList scripts


DL_COL, DL_SIZE = "/col/col1229000731/", 12


def hz_datalist(host: str) -> Portal:
    agency = "湖州市吴兴区人民政府"
    reports = [
        ReportSpec(f"{agency}2023年度法治政府建设工作报告", 2023, datetime(2024, 3, 8, 15, 0)),
        ReportSpec(f"{agency}2021年法治政府建设年度报告", 2021, datetime(2022, 2, 25, 15, 0)),
    ]
    items = _place(variant_column("hz-datalist", agency, reports, 26, seed=26), [13, 30])
    for n, item in enumerate(items):
        d = item.published
        item.path = f"/art/{d.year}/{d.month}/{d.day}/art_1229000731_{3300000 + 23 * n}.html"
    portal = _portal(
        "hz-datalist", "吴兴区政府 法治政府建设", host, [DL_COL], "datalist", "浙江省/湖州市/吴兴区", agency
    )
    portal.items = items
    chunks = pages_of(items, DL_SIZE)
    for n, chunk in enumerate(chunks):
        data = json.dumps(
            [{"infolist": [{"title": i.title, "daytime": i.date, "url": i.path} for i in chunk]}],
            ensure_ascii=False,
        )
        paging = json.dumps({"curPageNo": n + 1, "pageTotal": len(chunks)})
        script = f'<div id="list"></div><script>var dataList={data};var pagesData={paging};</script>'
        name = "index.html" if n == 0 else f"index_{n + 1}.html"
        portal.add_html(DL_COL + name, list_page(agency, "法治政府建设", DL_COL, [], script))
    add_details(portal, agency, "法治政府建设", DL_COL)
    return portal


_BUILDERS: dict[str, Callable[[str], Portal]] = {
    "zj-widget": zj_widget,
    "gd-gkmlpt8": gd_gkmlpt8,
    "ah-pageindex": ah_pageindex,
    "sh-index2": sh_index2,
    "ha-pagedec": ha_pagedec,
    "hz-datalist": hz_datalist,
}


def build_variants(port: int) -> dict[str, Portal]:
    portals = {key: build(f"{VARIANT_HOSTS[key]}:{port}") for key, build in _BUILDERS.items()}
    for portal in portals.values():
        columns = "".join(
            f'<li><a href="{escape(p)}">{escape(portal.name)}</a></li>' for p in portal.start_paths
        )
        portal.add_html(
            "/index.html", f'<html><head><meta charset="utf-8"></head><body><ul>{columns}</ul></body></html>'
        )
    return portals
