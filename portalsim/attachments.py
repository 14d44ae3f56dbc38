"""A portal that publishes its reports as files (127.0.0.17): the attachment fixtures of ``tests/data/files``,
made by LibreOffice (``scripts/make-test-files``), served as a web server serves files (ETag, Last-Modified, 304).

Its column lists four report pages:

- ``only.html``: an attachment-only report (a title and 「附件：….pdf」; no date, 文号 or agency on the page);
- ``with-pdf.html``: a report with its own body and the PDF of the same report, plus a statistics table;
- ``formats.html``: a report with one attachment per readable format (DOCX, DOC, WPS, OFD, HTML-as-.doc, XLS,
  a scanned PDF; RTF links are not taken for attachments by ``ingest``);
- ``hostile.html``: a report whose attachments are hostile (a DOCX zip bomb, an encrypted, a truncated and a
  5,000-page PDF, an HTML error page named .pdf), missing (404), of a type not fetched (.zip), refused by
  robots.txt, or on a foreign host (127.0.0.2).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from portalsim.content import seed_paragraphs
from portalsim.portal import Portal, StaticPage

FILES = Path(__file__).resolve().parents[1] / "tests" / "data" / "files"
COL = "/fujian/"
HOST = "127.0.0.17"
AGENCY = "湖州市人力资源和社会保障局"
ONLY_TITLE = "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告"
MIME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "wps": "application/kswps",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "ofd": "application/ofd",
    "rtf": "application/rtf",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
# (link name, served path, fixture file) per page
ATTACHMENTS: dict[str, list[tuple[str, str, str]]] = {
    "only.html": [("湖州市人社局2019年度法治政府建设工作报告.pdf", "P020200220.pdf", "report.pdf")],
    "with-pdf.html": [
        ("东莞市人力资源和社会保障局2020年法治政府建设工作报告.pdf", "P020210101.pdf", "dongguan.pdf"),
        ("统计表.xlsx", "P020210102.xlsx", "stats.xlsx"),
    ],
    "formats.html": [
        ("报告.docx", "f1.docx", "report.docx"),
        ("报告.doc", "f2.doc", "report.doc"),
        ("报告.wps", "f3.wps", "dongguan.wps"),
        ("报告.ofd", "f4.ofd", "report.ofd"),
        ("网页版报告.doc", "f6.doc", "report-html.doc"),
        ("统计表.xls", "f7.xls", "stats.xls"),
        ("扫描件.pdf", "f8.pdf", "scan.pdf"),
    ],
    "hostile.html": [
        ("压缩炸弹.docx", "h1.docx", "bomb.docx"),
        ("加密.pdf", "h2.pdf", "encrypted.pdf"),
        ("残缺.pdf", "h3.pdf", "truncated.pdf"),
        ("五千页.pdf", "h4.pdf", "pages-5000.pdf"),
        ("错误页.pdf", "h5.pdf", "error-page.pdf"),
        ("不存在.pdf", "h6-missing.pdf", ""),
        ("打包下载.zip", "h7.zip", ""),
        ("禁止抓取.pdf", "private/h8.pdf", "report.pdf"),
    ],
}
FOREIGN = ("外站附件.pdf", "http://127.0.0.2:{port}/x.pdf")


def _page(title: str, paragraphs: list[str], links: list[tuple[str, str]]) -> str:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    files = "".join(f'<p><a href="{escape(href)}">{escape(name)}</a></p>' for name, href in links)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head><body>'
        f'<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="{COL}">法治政府建设</a></div>'
        f'<h1>{escape(title)}</h1><div class="TRS_Editor">{body}<p>附件：</p>{files}</div>'
        '<div class="foot">主办单位：湖州市人力资源和社会保障局</div></body></html>'
    )


def _with_date(paragraphs: list[str]) -> list[str]:
    return ["发布时间：2021-03-01", *paragraphs]


def attachments_portal(host: str) -> Portal:
    """The portal; ``host`` is ``address:port`` (its port also names the foreign host's)."""
    portal = Portal(
        key="attachments",
        name="附件门户 (测试用)",
        host=host,
        start_paths=[COL],
        platform="files",
        region="浙江省/湖州市",
        agency=None,
    )
    seeds = seed_paragraphs()
    port = host.rsplit(":", 1)[-1]
    pages = {
        "only.html": (ONLY_TITLE, []),
        "with-pdf.html": (
            "东莞市人力资源和社会保障局2020年法治政府建设工作报告",
            _with_date(seeds["dongguan"]),
        ),
        "formats.html": (
            "江门市江海区人力资源和社会保障局2024年法治政府建设年度报告",
            _with_date(seeds["jianghai"]),
        ),
        "hostile.html": ("天津市河东区2023年法治政府建设年度报告", _with_date(seeds["hedong"])),
    }
    for page, (title, paragraphs) in pages.items():
        links = [(name, f"{COL}{path}") for name, path, _ in ATTACHMENTS[page]]
        if page == "hostile.html":
            links.append((FOREIGN[0], FOREIGN[1].format(port=port)))
        portal.pages[f"{COL}{page}"] = StaticPage(_page(title, paragraphs, links).encode())
        for _name, path, fixture in ATTACHMENTS[page]:
            if fixture:
                kind = path.rsplit(".", 1)[-1]
                portal.pages[f"{COL}{path}"] = StaticPage((FILES / fixture).read_bytes(), MIME[kind])
    portal.pages[f"{COL}h7.zip"] = StaticPage(b"PK\x05\x06" + b"\0" * 18, MIME["zip"])
    items = "".join(
        f'<li><a href="{COL}{page}" title="{escape(t)}">{escape(t)}</a><span>2021-03-01</span></li>'
        for page, (t, _) in pages.items()
    )
    portal.pages[f"{COL}index.html"] = StaticPage(
        f'<html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul class="list">{items}'
        "</ul></body></html>".encode()
    )
    portal.pages["/robots.txt"] = StaticPage(b"User-agent: *\nDisallow: /fujian/private/\n", "text/plain")
    return portal
