"""TRS WCM static sites: Chongqing (两江新区) and Tianjin (河东区).

Lists are ``index.html``, ``index_1.html`` … written by ``createPage``/``createPageHTML`` scripts; details are
``./YYYYMM/tYYYYMMDD_ID.html`` inside year sub-columns; attachments are ``P0…`` files beside them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from html import escape

from portalsim import chrome
from portalsim.content import Attachment, Item, column, seed_paragraphs
from portalsim.portal import Portal, StaticPage

PAGE_SIZE = 6


def _detail_path(col: str, sub: str, item: Item, serial: int) -> str:
    d = item.published
    return f"{col}{sub}/{d:%Y%m}/t{d:%Y%m%d}_{serial}.html"


def _assign_paths(items: list[Item], col: str, sub_of_year, base_id: int) -> None:
    for n, item in enumerate(items):
        item.path = _detail_path(col, sub_of_year(item.published.year), item, base_id + 7919 * n)


def _list_items_html(items: list[Item], col: str) -> str:
    lines = []
    for item in items:
        href = "./" + item.path[len(col) :]
        shown = item.title if len(item.title) <= 30 else item.title[:28] + "…"
        lines.append(
            f'<li><a href="{href}" target="_blank" title="{escape(item.title)}">{escape(shown)}</a>'
            f"<span>{item.date}</span></li>"
        )
    return "\n".join(lines)


def _add_lists(
    portal: Portal, col: str, items: list[Item], render: Callable[[list[Item], int, int], str]
) -> None:
    """``index.html``, ``index_1.html`` … (0-based), PAGE_SIZE items each."""
    pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    for index, chunk in enumerate(pages):
        name = "index.html" if index == 0 else f"index_{index}.html"
        portal.add_html(col + name, render(chunk, index, len(pages)))


# ---------------------------------------------------------------- Chongqing 两江新区 (createPage, zwxl-article)

CQ_COL = "/zwgk_199/zfxxgkml/fzzfjsndbg/"
CQ_CRUMB = [
    ("首页", "/"),
    ("政务公开", "/zwgk_199/"),
    ("政府信息公开目录", "/zwgk_199/zfxxgkml/"),
    ("法治政府建设年度报告", CQ_COL),
]


def _cq_crumb(extra: str | None) -> str:
    crumbs = [*CQ_CRUMB] + ([(extra, "./")] if extra else [])
    links = "&gt; ".join(f'<a href="{href}" class="CurrChnlCls">{escape(text)}</a>' for text, href in crumbs)
    return f'<div class="position">您当前的位置: {links}</div>'


def _cq_head(title: str, meta: list[tuple[str, str]]) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{chrome.meta_tags(meta)}'
        f"<title>{escape(title)}</title></head><body>{chrome.OLD_BROWSER_OVERLAY}"
        '<div class="header"><a href="/">首页</a> <a href="/zwgk_199/">政务公开</a> <a>政务服务</a> <a>互动交流</a></div>'
    )


_CQ_FOOT = chrome.footer(
    sponsor="重庆两江新区管理委员会",
    site_code="5000000060",
    icp="渝ICP备16003925号",
    police="渝公网安备 50019002500412号",
    phone="023-67579999",
)


def _cq_list(items: list[Item], index: int, count: int) -> str:
    nav = "".join(f'<a href="./fzzf{y}/">{y}年度</a>' for y in (2023, 2022, 2021, 2020))
    return (
        _cq_head(
            "法治政府建设年度报告_重庆两江新区",
            [("SiteName", "重庆两江新区"), ("ColumnName", "法治政府建设年度报告")],
        )
        + _cq_crumb(None)
        + f'<div class="sub-nav">{nav}</div><div class="zwgk-list"><ul class="list">{_list_items_html(items, CQ_COL)}</ul>'
        + f'<div class="page"><script>createPage({count}, {index}, "index", "html");</script></div></div>'
        + _CQ_FOOT
        + "</body></html>"
    )


def _cq_detail(item: Item, siblings: list[Item]) -> str:
    year_col = item.path[len(CQ_COL) :].split("/")[0]
    meta = [
        ("SiteName", "重庆两江新区"),
        ("SiteDomain", "ljxq.cq.gov.cn"),
        ("SiteIDCode", "5000000060"),
        ("ColumnName", f"{item.published.year - 1}年度"),
        ("ArticleTitle", item.title),
        ("PubDate", item.published.strftime("%Y-%m-%d %H:%M")),
        ("ContentSource", item.agency),
        ("Url", f"http://ljxq.cq.gov.cn{item.path}"),
    ]
    table = (
        '<table class="zwxl-table">'
        f'<tr><td class="t1">索引号：</td><td class="t2">{item.index_no}</td>'
        f'<td class="t1">发文字号：</td><td class="t2">{item.doc_number}</td></tr>'
        '<tr><td class="t1">主题分类：</td><td class="t2">综合政务</td>'
        f'<td class="t1">发布机构：</td><td class="t2">{escape(item.agency)}</td></tr>'
        f'<tr><td class="t1">成文日期：</td><td class="t2">{item.date}</td>'
        f'<td class="t1">发布日期：</td><td class="t2">{item.date}</td></tr>'
        f'<tr><td class="t1">名称：</td><td class="t2" colspan="3">{escape(item.title)}</td></tr></table>'
    )
    tools = f'<div class="zwxl-tool">{chrome.FONT_WIDGET}{chrome.PRINT_CLOSE}</div>'
    files = "".join(
        f'<p>附件：<a href="{a.path}" target="_blank">{escape(a.name)}</a></p>' for a in item.attachments
    )
    article = (
        f'<div class="zwxl-article">{chrome.paragraphs_html(item.html_paragraphs())}{files}{chrome.QR}</div>'
    )
    rel = chrome.related("相关信息", [(s.path, s.title) for s in siblings[:3]])
    return (
        _cq_head(f"{item.title}_重庆两江新区", meta)
        + _cq_crumb(f"{int(year_col[4:])}年度" if year_col.startswith("fzzf") else None)
        + table
        + f'<div class="zwxl-title"><h1>{escape(item.title)}</h1><div class="zwxl-info">发布时间：'
        + f"{item.published:%Y-%m-%d %H:%M}</div></div>{tools}{article}{chrome.BSHARE}{rel}{_CQ_FOOT}</body></html>"
    )


def chongqing(host: str) -> Portal:
    report = Item(
        key="liangjiang",
        kind="report",
        title="两江新区劳动保障监察大队2020年度法治政府建设工作情况报告",
        published=datetime(2021, 3, 12, 9, 30),
        agency="两江新区劳动保障监察大队",
        paragraphs=seed_paragraphs()["liangjiang"],
        index_no="11500000MB1K26651G/2021-00031",
        report_year=2020,
    )
    items = column(report, "两江新区社会保障局", 2020, filler_count=9, seed=11)
    _assign_paths(items, CQ_COL, lambda year: f"fzzf{year - 1}", 8969345)
    report.attachments = [
        Attachment(
            name="两江新区劳动保障监察大队2020年度执法数据统计表.xlsx",
            path=report.path.rsplit("/", 1)[0] + "/P020210312391726551248.xlsx",
        )
    ]
    portal = Portal(
        key="liangjiang",
        name="重庆两江新区 法治政府建设年度报告",
        host=host,
        start_paths=[CQ_COL],
        platform="trs-chongqing",
        region="重庆市/两江新区",
        agency=None,
        items=items,
    )
    _add_lists(portal, CQ_COL, items, _cq_list)
    for year in (2023, 2022, 2021, 2020):
        sub = [i for i in items if i.path.startswith(f"{CQ_COL}fzzf{year}/")]
        portal.add_html(
            f"{CQ_COL}fzzf{year}/index.html", _cq_list(sub, 0, 1).replace('href="./fzzf', 'href="../fzzf')
        )
    for item in items:
        portal.add_html(item.path, _cq_detail(item, [s for s in items if s is not item]))
        for a in item.attachments:
            portal.pages[a.path] = StaticPage(a.payload, content_type="application/vnd.ms-excel")
    return portal


# ---------------------------------------------------------------- Tianjin 河东区 (createPageHTML, TRS_Editor)

TJ_COL = "/zwgk/fzzfjs/fzzfjsbgqk/"

_TJ_FOOT = chrome.footer(
    sponsor="天津市河东区人民政府办公室",
    site_code="1201020001",
    icp="津ICP备05004416号-1",
    police="津公网安备 12010202000021号",
    phone="022-24128899",
)


def _tj_head(title: str, meta: list[tuple[str, str]]) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f"{chrome.meta_tags(meta)}<title>{escape(title)}</title></head><body>{chrome.IE_WARNING}"
        f'<div class="top">{chrome.VIEW_WIDGETS}</div>'
        '<div class="location">当前位置：<a href="/" class="CurrChnlCls">首页</a> -&gt; '
        '<a href="/zwgk/" class="CurrChnlCls">政务公开</a> -&gt; '
        '<a href="/zwgk/fzzfjs/" class="CurrChnlCls">法治政府建设</a> -&gt; '
        f'<a href="{TJ_COL}" class="CurrChnlCls">法治政府建设报告情况</a></div>'
    )


def _tj_list(items: list[Item], index: int, count: int) -> str:
    return (
        _tj_head("法治政府建设报告情况-天津市河东区人民政府", [("SiteName", "天津市河东区人民政府")])
        + f'<div class="list_box"><ul>{_list_items_html(items, TJ_COL)}</ul></div>'
        + f'<div class="pages"><script type="text/javascript">createPageHTML({count}, {index}, "index", "html");'
        + "</script></div>"
        + _TJ_FOOT
        + "</body></html>"
    )


def _tj_detail(item: Item) -> str:
    meta = [
        ("SiteName", "天津市河东区人民政府"),
        ("SiteDomain", "www.tjhd.gov.cn"),
        ("SiteIDCode", "1201020001"),
        ("ColumnName", "法治政府建设报告情况"),
        ("ArticleTitle", item.title),
        ("PubDate", item.published.strftime("%Y-%m-%d %H:%M")),
        ("ContentSource", "河东区人社局"),
    ]
    info = (
        '<div class="xxgk_info"><ul>'
        f"<li><span>名    称 :</span>{escape(item.title)}</li>"
        f"<li><span>索   引  号 :</span>{item.index_no}</li>"
        f"<li><span>发 布 机 构 :</span>{escape(item.agency)}</li>"
        "<li><span>成 文 日 期 :</span></li>"
        "<!--<li><span>成 文 日 期 :</span>2020年08月02日</li>-->"
        f"<li><span>发 布 日 期 :</span>{item.published:%Y年%m月%d日}</li>"
        "</ul></div>"
    )
    attachments = "".join(
        f'<p>附件：<a href="./{a.path.rsplit("/", 1)[-1]}" target="_blank">{escape(a.name)}</a></p>'
        for a in item.attachments
    )
    body = (
        '<div class="TRS_Editor"><div class="Custom_UnionStyle">'
        + chrome.paragraphs_html(item.html_paragraphs())
        + f"</div>{attachments}{chrome.JIATHIS}</div>"
    )
    return (
        _tj_head(item.title, meta)
        + info
        + f'<div class="article"><h2 class="title">{escape(item.title)}</h2>'
        + f'<div class="info">发布时间：{item.published:%Y-%m-%d %H:%M} 来源：河东区人社局 '
        + f"{chrome.FONT_WIDGET}</div>{body}"
        + f'<div class="btns">{chrome.PRINT_CLOSE}</div>{chrome.QR}'
        + chrome.related("相关文件", [("/zwgk/fzzfjs/", "法治政府建设"), (TJ_COL, "法治政府建设报告情况")])
        + f"</div>{_TJ_FOOT}</body></html>"
    )


def tianjin(host: str) -> Portal:
    report = Item(
        key="hedong",
        kind="report",
        title="天津市河东区人力资源和社会保障局关于2023年度法治政府建设情况的报告",
        published=datetime(2024, 3, 7, 17, 15),
        agency="天津市河东区人力资源和社会保障局",
        paragraphs=seed_paragraphs()["hedong"],
        index_no="11120102000144717R/2024-00004",
        report_year=2023,
    )
    items = column(report, "天津市河东区人力资源和社会保障局", 2023, filler_count=10, seed=12)
    _assign_paths(items, TJ_COL, lambda year: f"{year - 1}fz", 6555645)
    report.attachments = [
        Attachment(
            name="河东区人社局2023年度法治政府建设情况报告.pdf",
            path=report.path.rsplit("/", 1)[0] + "/P020240307523181726105.pdf",
        ),
    ]
    portal = Portal(
        key="hedong",
        name="天津市河东区 法治政府建设报告情况",
        host=host,
        start_paths=[TJ_COL],
        platform="trs-tianjin",
        region="天津市/河东区",
        agency=None,
        items=items,
    )
    _add_lists(portal, TJ_COL, items, _tj_list)
    for item in items:
        portal.add_html(item.path, _tj_detail(item))
        for a in item.attachments:
            portal.pages[a.path] = StaticPage(a.payload, content_type="application/pdf")
    return portal
