"""Guangdong 集约化 (NFCMS) sites: Dongguan 人社 (static column + the gkmlpt 公开目录 JS app) and Jianghai (static).

Static columns page as ``index.html``, ``index_2.html`` … with a plain pager; details are ``content/post_{ID}.html``.
gkmlpt lists come from ``/gkmlpt/api/all/{cat}?page=N&sid=SID`` (100 a page; pages 0 and 1 are the same).
"""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta
from html import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from portalsim import chrome
from portalsim.content import Attachment, Item, column, fillers, seed_paragraphs
from portalsim.portal import Portal, StaticPage

PAGE_SIZE = 5
GKMLPT_PAGE = 100


def _pager(index: int, count: int) -> str:
    def name(i: int) -> str:
        return "index.html" if i == 0 else f"index_{i + 1}.html"

    links = ['<a href="index.html">首页</a>']
    if index > 0:
        links.append(f'<a href="{name(index - 1)}">上一页</a>')
    links += [
        f'<a href="{name(i)}">{i + 1}</a>' if i != index else f"<span>{i + 1}</span>" for i in range(count)
    ]
    if index < count - 1:
        links.append(f'<a class="next" href="{name(index + 1)}">下一页</a>')
    links.append(f'<a href="{name(count - 1)}">尾页</a>')
    return f'<div class="pagination">{" ".join(links)}</div>'


def _list_html(head: str, items: list[Item], index: int, count: int, foot: str) -> str:
    lis = "".join(
        f'<li><a href="{item.path}" title="{escape(item.title)}" target="_blank">{escape(item.title)}</a>'
        f'<span class="time">{item.date}</span></li>'
        for item in items
    )
    return f'{head}<div class="list"><ul class="news_list">{lis}</ul>{_pager(index, count)}</div>{foot}</body></html>'


def _head(title: str, meta: list[tuple[str, str]], crumbs: list[tuple[str, str]]) -> str:
    sep = "\u2002>\u2002"
    links = sep.join(f'<a href="{href}">{escape(text)}</a>' for text, href in crumbs)
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">{chrome.meta_tags(meta)}'
        f"<title>{escape(title)}</title></head><body>{chrome.IE_WARNING}"
        '<div class="top-bar"><a>无障碍</a> <a>长者模式</a> <a>简体</a>|<a>繁体</a></div>'
        f'<div class="breadcrumb">您当前的位置: {links}</div>'
    )


def _nfcms_meta(site: str, item: Item) -> list[tuple[str, str]]:
    return [
        ("SiteName", site),
        ("ArticleTitle", item.title),
        ("PubDate", item.published.strftime("%Y-%m-%d %H:%M")),
        ("ContentSource", "本网"),
        ("ArticleId", item.path.rsplit("_", 1)[-1].split(".")[0]),
        ("Keywords", ""),
    ]


def _stats_script(site_id: str, item: Item) -> str:
    post_id = item.path.rsplit("_", 1)[-1].split(".")[0]
    return f"<script>var NFCMS_SITE_ID = {site_id}; var NFCMS_POST_ID = {post_id};</script>"


# ---------------------------------------------------------------- Dongguan 人社 (static + gkmlpt)

DG_COL = "/zfxxgkml/fzzfjsbg/"
DG_CRUMBS = [("首页", "/"), ("政府信息公开目录", "/zfxxgkml/"), ("法治政府建设报告", DG_COL)]
_DG_FOOT = chrome.footer(
    sponsor="东莞市人力资源和社会保障局",
    site_code="4419000014",
    icp="粤ICP备10044421号",
    police="粤公网安备 44190002000283号",
    phone="0769-12345",
)


def _dg_static_detail(item: Item, siblings: list[Item]) -> str:
    related = chrome.related("相关信息", [(s.path, s.title) for s in siblings[:4]])
    return (
        _head(
            f"{item.title}-东莞市人力资源和社会保障局",
            _nfcms_meta("东莞市人力资源和社会保障局", item),
            DG_CRUMBS,
        )
        + f'<div class="news_cont_d"><h1 class="news_cont_title">{escape(item.title)}</h1>'
        + f'<div class="news_cont_info"><span>时间：{item.published:%Y-%m-%d %H:%M}</span> <span>来源：本网</span> '
        + '<span>访问量：<em id="visits">-</em></span> <span class="font">【字体：'
        + '<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a>】</span></div>'
        + f'<div class="news_cont_d_wrap">{chrome.paragraphs_html(item.html_paragraphs())}</div>'
        + '<div class="xgwj">相关文件：</div>'
        + f'{chrome.QR}{related}<div class="print">{chrome.PRINT_CLOSE}</div></div>'
        + f"{_stats_script('2264', item)}{_DG_FOOT}</body></html>"
    )


def _gkmlpt_detail(item: Item) -> str:
    rows = [
        ("索引号", item.index_no),
        ("分类", "法治政府建设"),
        ("发布机构", item.agency),
        ("成文日期", item.date),
        ("名称", item.title),
        ("文号", item.doc_number),
        ("发布日期", item.date),
        ("主题词", ""),
    ]
    cells = "".join(
        f'<tr><td class="td-label">{k}：</td><td class="td-value">{escape(v)}</td></tr>' for k, v in rows
    )
    attachments = "".join(f'<li><a href="{a.path}">{escape(a.name)}</a></li>' for a in item.attachments)
    return (
        _head(
            f"{item.title}",
            _nfcms_meta("东莞市人力资源和社会保障局", item),
            [("首页", "/"), ("政府信息公开", "/gkmlpt/index"), ("法治政府建设", "/gkmlpt/index#3")],
        )
        + f'<table class="introduce">{cells}</table>'
        + f'<div class="content"><h1 class="title">{escape(item.title)}</h1>'
        + f'<div class="article-content">{chrome.paragraphs_html(item.html_paragraphs())}</div>'
        + (f'<div class="attachment"><p>附件：</p><ul>{attachments}</ul></div>' if attachments else "")
        + f"{chrome.SHARE_SCRIPT}</div>{_DG_FOOT}</body></html>"
    )


def _gkmlpt_index(sid: str) -> str:
    tree = [
        {"id": 1, "name": "机构职能", "parent": 0},
        {"id": 2, "name": "政策文件", "parent": 0},
        {"id": 3, "name": "法治政府建设", "parent": 0},
        {"id": 4, "name": "人事信息", "parent": 0},
    ]
    config = json.dumps({"SID": sid, "TREE": tree}, ensure_ascii=False)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开目录</title></head><body>'
        f'<div id="app"></div><script>window._CONFIG = {config};</script>'
        '<script src="/gkmlpt/static/js/app.js"></script></body></html>'
    )


def _gkmlpt_article(item: Item, host: str) -> dict[str, object]:
    post_id = int(item.path.rsplit("_", 1)[-1].split(".")[0])
    return {
        "id": post_id,
        "title": item.title,
        "document_number": item.doc_number,
        "identifier": item.index_no,
        "publisher": item.agency,
        "date": int(item.published.timestamp()),
        "url": f"http://{host}{item.path}",
        "attachment": [{"name": a.name, "url": f"http://{host}{a.path}"} for a in item.attachments],
    }


def _gkmlpt_api(portal: Portal, sid: str, articles: list[Item]):
    async def handle(request: Request) -> Response:
        if request.query_params.get("sid") != sid:
            return JSONResponse({"error": "sid"}, status_code=400)
        page = max(int(request.query_params.get("page", "1") or 1), 1)  # page 0 answers like page 1
        chunk = articles[(page - 1) * GKMLPT_PAGE : page * GKMLPT_PAGE]
        payload = {
            "classify": {"id": 3, "name": "法治政府建设", "post_count": len(articles)},
            "articles": [_gkmlpt_article(a, portal.host) for a in chunk],
        }
        return JSONResponse(payload)

    return handle


def dongguan(host: str) -> Portal:
    paragraphs = seed_paragraphs()["dongguan"]
    report = Item(
        key="dongguan",
        kind="report",
        title="东莞市人力资源和社会保障局2020年法治政府建设年度报告",
        published=datetime(2021, 1, 27, 11, 8),
        agency="东莞市人力资源和社会保障局",
        paragraphs=paragraphs,
        index_no="007330010/2021-00012",
        report_year=2020,
    )
    agency = "东莞市人力资源和社会保障局"
    items = column(report, agency, 2020, filler_count=10, seed=13)
    for n, item in enumerate(items):
        item.path = f"{DG_COL}content/post_{3453860 + 37 * n - 37 * items.index(report)}.html"
    portal = Portal(
        key="dongguan",
        name="东莞市人社局 法治政府建设报告",
        host=host,
        start_paths=[DG_COL],
        platform="nfcms-gkmlpt",
        region="广东省/东莞市",
        agency=agency,
        items=items,
    )
    pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    head = _head(
        "法治政府建设报告-东莞市人力资源和社会保障局",
        [("SiteName", agency), ("ColumnName", "法治政府建设报告")],
        DG_CRUMBS,
    )
    for index, chunk in enumerate(pages):
        name = "index.html" if index == 0 else f"index_{index + 1}.html"
        portal.pages[DG_COL + name] = StaticPage(
            _list_html(head, chunk, index, len(pages), _DG_FOOT).encode()
        )
    for item in items:
        portal.add_html(item.path, _dg_static_detail(item, [s for s in items if s is not item]))
    _add_gkmlpt(portal, report, agency)
    return portal


def _add_gkmlpt(portal: Portal, report: Item, agency: str) -> None:
    """The gkmlpt copy: the same report under another ID, among ~250 catalogue entries (3 API pages)."""
    copy = Item(
        key="dongguan-gkmlpt",
        kind="report",
        title=report.title,
        published=report.published,
        agency=agency,
        paragraphs=report.paragraphs,
        index_no=report.index_no,
        report_year=2020,
    )
    copy.attachments = [
        Attachment(
            name="东莞市人力资源和社会保障局2020年法治政府建设年度报告.docx",
            path="/attachment/0/371/371117/3711117.docx",
        )
    ]
    others = fillers(agency, 250, report.published + timedelta(days=1300), seed=131)
    catalogue = sorted([copy, *others], key=lambda i: i.published, reverse=True)
    for item in catalogue:
        post_id = 3711117 if item is copy else 3700000 + 41 * catalogue.index(item)
        item.path = f"/gkmlpt/content/{post_id // 1_000_000}/{post_id // 1000}/post_{post_id}.html"
        portal.add_html(item.path, _gkmlpt_detail(item))
    for a in copy.attachments:
        portal.pages[a.path] = StaticPage(a.payload, content_type="application/octet-stream")
    sid = "200001"
    portal.add_html("/gkmlpt/index", _gkmlpt_index(sid))
    portal.handlers["/gkmlpt/api/all/3"] = _gkmlpt_api(portal, sid, catalogue)
    portal.items.append(copy)
    portal.start_paths.append("/gkmlpt/index")
    assert math.ceil(len(catalogue) / GKMLPT_PAGE) >= 3


# ---------------------------------------------------------------- Jianghai 江海区 (static NFCMS)

JH_COL = "/bwbj/rsj/zfxxgkzn/fzzfzclb/"
JH_CRUMBS = [
    ("首页", "/"),
    ("部门文件", "/bwbj/"),
    ("区人力资源和社会保障局", "/bwbj/rsj/"),
    ("法治政府建设", JH_COL),
]
_JH_FOOT = chrome.footer(
    sponsor="江门市江海区人民政府办公室",
    site_code="4407040001",
    icp="粤ICP备05086404号",
    police="粤公网安备 44070402000101号",
    phone="0750-3861234",
)


def _jh_detail(item: Item) -> str:
    info = (
        '<div class="xxgk-table"><table>'
        f"<tr><th>索引号：</th><td>{item.index_no}</td><th>分类：</th><td>法治政府建设</td></tr>"
        f"<tr><th>发布机构：</th><td>{escape(item.agency)}</td><th>发布日期：</th><td>{item.date}</td></tr>"
        f"<tr><th>名称：</th><td colspan=3>{escape(item.title)}</td></tr>"
        f"<tr><th>文号：</th><td>{item.doc_number}</td><th>主题词：</th><td></td></tr></table></div>"
    )
    attachments = "".join(
        f'<p><a href="{a.path}" target="_blank">{escape(a.name)}</a></p>' for a in item.attachments
    )
    return (
        _head(f"{item.title}_江门市江海区人民政府", _nfcms_meta("江门市江海区人民政府", item), JH_CRUMBS)
        + info
        + f'<div class="article"><h1>{escape(item.title)}</h1><div class="article-info">'
        + f"<span>发布时间：{item.published:%Y-%m-%d %H:%M:%S}</span> <span>来源：本网</span> {chrome.FONT_WIDGET}"
        + f"{chrome.PRINT_CLOSE}</div>"
        + f'<div class="pages_content" id="zoomcon">{chrome.paragraphs_html(item.html_paragraphs())}</div>'
        + (f'<div class="fujian">相关附件：{attachments}</div>' if attachments else "")
        + f"{chrome.BSHARE}{chrome.QR}"
        + chrome.related("相关链接", [(JH_COL, "法治政府建设"), ("/bwbj/rsj/", "区人力资源和社会保障局")])
        + f"</div>{_stats_script('2311', item)}{_JH_FOOT}</body></html>"
    )


def jianghai(host: str) -> Portal:
    agency = "江门市江海区人力资源和社会保障局"
    report = Item(
        key="jianghai",
        kind="report",
        title="江门市江海区人力资源和社会保障局2024年法治政府建设年度报告",
        published=datetime(2024, 12, 13, 16, 20),
        agency=agency,
        paragraphs=seed_paragraphs()["jianghai"],
        index_no="MB2C90316/2024-00127",
        report_year=2024,
    )
    items = column(report, agency, 2024, filler_count=12, seed=14)
    for n, item in enumerate(items):
        item.path = f"{JH_COL}content/post_{3245817 - 53 * n + 53 * items.index(report)}.html"
    report.attachments = [
        Attachment(
            name="江海区人社局2024年法治政府建设年度报告.pdf", path="/attachment/0/325/325331/3245817.pdf"
        )
    ]
    portal = Portal(
        key="jianghai",
        name="江门市江海区人社局 法治政府建设",
        host=host,
        start_paths=[JH_COL],
        platform="nfcms",
        region="广东省/江门市/江海区",
        agency=agency,
        items=items,
    )
    head = _head("法治政府建设_江门市江海区人民政府", [("SiteName", "江门市江海区人民政府")], JH_CRUMBS)
    pages = [items[i : i + PAGE_SIZE] for i in range(0, len(items), PAGE_SIZE)]
    for index, chunk in enumerate(pages):
        name = "index.html" if index == 0 else f"index_{index + 1}.html"
        portal.pages[JH_COL + name] = StaticPage(
            _list_html(head, chunk, index, len(pages), _JH_FOOT).encode()
        )
    for item in items:
        portal.add_html(item.path, _jh_detail(item))
        for a in item.attachments:
            portal.pages[a.path] = StaticPage(a.payload, content_type="application/pdf")
    return portal
