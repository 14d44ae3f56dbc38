"""大汉 Hanweb jcms site: Huzhou 人社 (浙江).

The column page embeds its first records as ``<datastore>`` XML in a script; further pages come from a POST to
``/module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=``; details are ``/art/YYYY/M/D/art_{COL}_{ID}.html``.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from urllib.parse import parse_qs, quote

from starlette.requests import Request
from starlette.responses import Response

from portalsim import chrome
from portalsim.content import Attachment, Item, column, seed_paragraphs
from portalsim.portal import Handler, Portal, StaticPage, static_response

COL_ID = 1229213470
UNIT_ID = 212860
WEB_ID = 3117
PER_PAGE = 10
WEBNAME = "湖州市人力资源和社会保障局"
COL_PATH = f"/col/col{COL_ID}/index.html"
_FOOT = chrome.footer(
    sponsor=WEBNAME,
    site_code="3305000034",
    icp="浙ICP备05011395号",
    police="浙公网安备 33050202000271号",
    phone="0572-2398601",
)


def _record(item: Item) -> str:
    shown = item.title if len(item.title) <= 24 else item.title[:22] + "..."
    li = f"<li><a href='{item.path}' title='{item.title}' target='_blank'>{shown}</a><span>{item.date}</span></li>"
    return f"<record><![CDATA[{li}]]></record>"


def _column_page(items: list[Item], number: int = 1) -> str:
    nextgroup = (
        f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEB_ID}&path=/&columnid={COL_ID}'
        f'&unitid={UNIT_ID}&webname={quote(WEBNAME)}&permissiontype=0"></a>'
    )
    records = "".join(_record(i) for i in items[(number - 1) * PER_PAGE : number * PER_PAGE])
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        + chrome.meta_tags(
            [("SiteName", WEBNAME), ("ColumnName", "法治政府建设年度报告"), ("ColumnType", "信息公开")]
        )
        + f"<title>法治政府建设年度报告 {WEBNAME}</title></head><body>"
        + '<div class="crumb">您的位置：<a href="/">首页</a> &gt; <a href="/col/col1229213469/index.html">信息公开</a>'
        + f' &gt; <a href="{COL_PATH}">法治政府建设年度报告</a></div>'
        + f'<div class="list" id="{UNIT_ID}"><script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]>'
        + f"</nextgroup><recordset>{records}</recordset></datastore></script></div>"
        + f"<script>$('#{UNIT_ID}').jpage({{totalRecord:{len(items)},perPage:{PER_PAGE},dataStore:dataStore,"
        + "proxyUrl:'/module/web/jpage/dataproxy.jsp'});</script>"
        + _FOOT
        + "</body></html>"
    )


def _column(items: list[Item]) -> Handler:
    """The column page; ``?uid={UNIT_ID}&pageNum=N`` deep links render page N's records (the uid may be left out)."""
    pages = [StaticPage(_column_page(items, n).encode()) for n in range(1, -(-len(items) // PER_PAGE) + 1)]

    async def handle(request: Request) -> Response:
        raw, uid = request.query_params.get("pageNum", "1"), request.query_params.get("uid", str(UNIT_ID))
        number = int(raw) if raw.isdigit() else 1
        if uid != str(UNIT_ID) or not 1 <= number <= len(pages):
            return Response(_column_page([], 1), media_type="text/html")
        return static_response(pages[number - 1], request)

    return handle


def _dataproxy(items: list[Item]):
    async def handle(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        if (
            request.method != "POST"
            or form.get("columnid") != str(COL_ID)
            or form.get("unitid") != str(UNIT_ID)
        ):
            return Response("", media_type="text/html")
        try:
            start = int(request.query_params.get("startrecord", "1"))
            end = int(request.query_params.get("endrecord", str(start + PER_PAGE - 1)))
        except ValueError:
            return Response("", media_type="text/html")
        chunk = items[max(start, 1) - 1 : end]
        if not chunk:
            return Response(
                '<?xml version="1.0" encoding="utf-8"?><datastore></datastore>', media_type="text/xml"
            )
        pages = -(-len(items) // PER_PAGE)
        body = (
            f'<?xml version="1.0" encoding="utf-8"?><datastore><totalrecord>{len(items)}</totalrecord>'
            f"<totalpage>{pages}</totalpage><recordset>{''.join(_record(i) for i in chunk)}</recordset></datastore>"
        )
        return Response(body, media_type="text/xml; charset=utf-8")

    return handle


def _attachments(item: Item) -> str:
    """Hanweb serves files through downfile.jsp: the extension is only in the ``filename`` parameter."""
    links = "".join(
        f'<a href="/module/download/downfile.jsp?classid=0&amp;filename={quote(a.path.rsplit("/", 1)[-1])}">'
        f"{escape(a.name)}</a>"
        for a in item.attachments
    )
    return f'<div class="fj">附件：{links}</div>' if links else ""


def _downfile(items: list[Item]) -> Handler:
    files = {a.path.rsplit("/", 1)[-1]: a for i in items for a in i.attachments}

    async def handle(request: Request) -> Response:
        attachment = files.get(request.query_params.get("filename", ""))
        if attachment is None:
            return Response("file not found", status_code=404)
        return Response(attachment.payload, media_type="application/pdf")

    return handle


def _detail(item: Item) -> str:
    rows = [
        ("索引号", item.index_no),
        ("成文日期", item.date),
        ("公开方式", "主动公开"),
        ("公开时限", "常年公开"),
        ("文件编号", item.doc_number),
        ("发布机构", item.agency),
    ]
    table = "".join(f"<tr><td>{k}：</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        + chrome.meta_tags(
            [
                ("SiteName", WEBNAME),
                ("ArticleTitle", item.title),
                ("PubDate", item.date),
                ("ContentSource", WEBNAME),
                ("ColumnName", "法治政府建设年度报告"),
            ]
        )
        + f"<title>{escape(item.title)}</title></head><body>{chrome.OLD_BROWSER_OVERLAY}"
        + '<div class="crumb">您的位置：<a href="/">首页</a> &gt; <a>信息公开</a> &gt; '
        + f'<a href="{COL_PATH}">法治政府建设年度报告</a></div>'
        + f'<table class="xxgk_table">{table}</table>'
        + f'<table width="100%"><tr><td class="title" align="center">{escape(item.title)}</td></tr>'
        + f'<tr><td class="info">发布日期：{item.date} 浏览次数：<span id="c">0</span> {chrome.FONT_WIDGET}</td></tr>'
        + f'<tr><td><div id="zoom">{chrome.paragraphs_html(item.html_paragraphs())}</div></td></tr>'
        + f"<tr><td>{_attachments(item)}</td></tr>"
        + f'<tr><td class="bt">【打印】【关闭】</td></tr></table>{chrome.JIATHIS}{chrome.QR}'
        + chrome.related("相关信息", [(COL_PATH, "法治政府建设年度报告")])
        + f"{_FOOT}</body></html>"
    )


def huzhou(host: str) -> Portal:
    report = Item(
        key="huzhou",
        kind="report",
        title="湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
        published=datetime(2020, 2, 20, 15, 0),
        agency=WEBNAME,
        paragraphs=seed_paragraphs()["huzhou"],
        index_no="002565291/2020-00009",
        doc_number="湖人社〔2020〕3号",
        report_year=2019,
    )
    report.attachments = [Attachment(name="湖人社〔2020〕3号.pdf", path="/attach/0/8c1f0a6b2e.pdf")]
    items = column(report, WEBNAME, 2019, filler_count=28, seed=15)
    for n, item in enumerate(items):
        d = item.published
        item.path = (
            f"/art/{d.year}/{d.month}/{d.day}/art_{COL_ID}_{41885633 + 211 * (n - items.index(report))}.html"
        )
    portal = Portal(
        key="huzhou",
        name="湖州市人社局 法治政府建设年度报告",
        host=host,
        start_paths=[COL_PATH],
        platform="hanweb",
        region="浙江省/湖州市",
        agency=WEBNAME,
        items=items,
    )
    portal.add_html(COL_PATH, _column_page(items))
    portal.handlers[COL_PATH] = _column(items)
    portal.handlers["/module/web/jpage/dataproxy.jsp"] = _dataproxy(items)
    portal.handlers["/module/download/downfile.jsp"] = _downfile(items)
    for item in items:
        portal.add_html(item.path, _detail(item))
    return portal
