"""A hostile portal (127.0.0.16): every failure mode PORTALS.md reports, behind report-looking list items.

Its TRS column lists one item per case; deep list pages are stubs; a jpaas column ignores ``pageNo``; a dataList
column pages the old Huzhou way; robots.txt disallows /hostile/private/. Each case's path says what it does.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator
from html import escape

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from portalsim.content import seed_paragraphs
from portalsim.portal import Handler, Portal, StaticPage

COL = "/hostile/"
AGENCY = "某某市人力资源和社会保障局"
_BOMB = gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9)


def report_html(title: str, paragraphs: list[str], *, charset: str = "utf-8", meta: bool = True) -> str:
    head = f'<meta charset="{charset}">' if meta else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f"<!DOCTYPE html><html><head>{head}<title>{escape(title)}</title></head><body>"
        f'<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="{COL}">法治政府建设</a></div>'
        f'<h1>{escape(title)}</h1><div class="info">发布时间：2024-03-01 10:00</div>'
        f'<div class="TRS_Editor">{body}</div><div class="foot">主办单位：某某市人民政府</div></body></html>'
    )


def _body(case: str) -> list[str]:
    """A report body of its own for each case (identity is the body: one case, one document)."""
    return [*seed_paragraphs()["hedong"][:6], f"(本页为模拟门户的 {case} 案例。)"]


def _title(case: str) -> str:
    return f"{AGENCY}2023年法治政府建设年度报告({case})"


class Cases:
    """State for the stateful cases (storms, rate limits, WAF cookies)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.storm_left = 3
        self.rate_limited = False

    def handlers(self) -> dict[str, Handler]:
        return {
            f"{COL}ruishu-412.html": self.ruishu,
            f"{COL}waf-cookie.html": self.waf_cookie,
            f"{COL}waf-loop.html": self.waf_loop,
            f"{COL}cloud-waf-405.html": self.cloud_waf,
            f"{COL}slow-drip.html": self.slow_drip,
            f"{COL}hang.html": self.hang,
            f"{COL}storm-500.html": self.storm,
            f"{COL}rate-429.html": self.rate_limit,
            f"{COL}forced-gzip.html": self.forced_gzip,
            f"{COL}gzip-bomb.html": self.gzip_bomb,
            f"{COL}redirect-loop.html": self.redirect_loop,
            f"{COL}redirect-loop-2.html": self.redirect_loop,
            f"{COL}redirect-foreign.html": self.redirect_foreign,
            f"{COL}no-validators.html": self.no_validators,
            "/api-gateway/jpaas-publish-server/front/page/build/unit": self.jpaas,
        }

    async def ruishu(self, request: Request) -> Response:
        html = '<html><head><meta content="Xk2.." r="m"><script>$_ts=window["$_ts"];$_ts.nsd=8841;</script></head><body></body></html>'
        return Response(
            html, status_code=412, media_type="text/html", headers={"set-cookie": "FSSBBIl1UgzbN7NS=1"}
        )

    async def waf_cookie(self, request: Request) -> Response:
        if "waf_ok=1" in request.headers.get("cookie", ""):
            return Response(report_html(_title("WAF cookie"), _body("waf-cookie")), media_type="text/html")
        return Response(
            "", status_code=302, headers={"location": request.url.path, "set-cookie": "waf_ok=1; Path=/"}
        )

    async def waf_loop(self, request: Request) -> Response:
        return Response(
            "", status_code=302, headers={"location": request.url.path, "set-cookie": "again=1; Path=/"}
        )

    async def cloud_waf(self, request: Request) -> Response:
        html = "<html><body><h1>405</h1><p>您的访问请求可能对网站造成安全威胁，请求已被电信云防护拦截。</p></body></html>"
        return Response(html, status_code=405, media_type="text/html")

    async def slow_drip(self, request: Request) -> Response:
        async def drip() -> AsyncIterator[bytes]:
            for _ in range(120):
                yield b" "
                await asyncio.sleep(0.25)

        return StreamingResponse(drip(), media_type="text/html")

    async def hang(self, request: Request) -> Response:
        await asyncio.sleep(30)
        return Response("too late", media_type="text/html")

    async def storm(self, request: Request) -> Response:
        if self.storm_left > 0:
            self.storm_left -= 1
            return Response("<html><body>500 Internal Server Error</body></html>", status_code=500)
        return Response(report_html(_title("500 风暴后恢复"), _body("storm")), media_type="text/html")

    async def rate_limit(self, request: Request) -> Response:
        if not self.rate_limited:
            self.rate_limited = True
            return Response("slow down", status_code=429, headers={"retry-after": "1"})
        return Response(report_html(_title("429 限速"), _body("rate-429")), media_type="text/html")

    async def forced_gzip(self, request: Request) -> Response:
        raw = gzip.compress(report_html(_title("强制 gzip"), _body("forced-gzip")).encode())
        return Response(raw, media_type="text/html; charset=utf-8", headers={"content-encoding": "gzip"})

    async def gzip_bomb(self, request: Request) -> Response:
        return Response(_BOMB, media_type="text/html", headers={"content-encoding": "gzip"})

    async def redirect_loop(self, request: Request) -> Response:
        """A → B → A → …: no cookie ever ends it."""
        other = (
            "redirect-loop-2.html"
            if request.url.path.endswith("redirect-loop.html")
            else "redirect-loop.html"
        )
        return Response("", status_code=302, headers={"location": f"{COL}{other}"})

    async def redirect_foreign(self, request: Request) -> Response:
        return Response("", status_code=302, headers={"location": "http://127.0.0.2/internal/report.html"})

    async def no_validators(self, request: Request) -> Response:
        return Response(report_html(_title("无缓存头"), _body("no-validators")), media_type="text/html")

    async def jpaas(self, request: Request) -> Response:
        """Ignores pageNo: always page 1."""
        items = "".join(
            f"<li><a href='{COL}jpaas-{n}.html' title='{_title(f'jpaas {n}')}'>{_title(f'jpaas {n}')}</a></li>"
            for n in (1, 2)
        )
        return JSONResponse({"success": True, "data": {"html": f"<ul>{items}</ul>"}})


def _static_cases(portal: Portal) -> list[tuple[str, str]]:
    """Pages served as files; returns (path, title) for the list."""
    items = []

    def add(name: str, page: StaticPage, title: str) -> None:
        portal.pages[f"{COL}{name}"] = page
        items.append((f"{COL}{name}", title))

    gbk = report_html(_title("GBK"), _body("gbk"), charset="gbk").encode("gb18030")
    add("gbk.html", StaticPage(gbk, "text/html; charset=gbk"), _title("GBK"))
    no_charset = report_html(_title("无字符集"), _body("utf8-no-charset"), meta=False).encode()
    add("utf8-no-charset.html", StaticPage(no_charset, "text/html"), _title("无字符集"))
    lying = report_html(_title("字符集声明不实"), _body("lying-header"), charset="gbk").encode("gb18030")
    add("lying-header.html", StaticPage(lying, "text/html; charset=utf-8"), _title("字符集声明不实"))
    huge = report_html(_title("超大页面"), _body("huge") * 20000).encode()
    add("huge.html", StaticPage(huge), _title("超大页面"))
    malformed = report_html(_title("残缺 HTML"), _body("malformed")).replace("</p>", "").replace("</div>", "")
    add(
        "malformed.html",
        StaticPage(malformed.replace("</body></html>", "<div><table><tr><td>").encode()),
        _title("残缺 HTML"),
    )
    attachment_only = (
        f'<html><head><meta charset="utf-8"><title>{_title("仅附件")}</title></head><body><h1>{_title("仅附件")}</h1>'
        f'<div class="TRS_Editor"><p>附件：<a href="./P020240301.pdf">{_title("仅附件")}.pdf</a></p></div></body></html>'
    )
    add("attachment-only.html", StaticPage(attachment_only.encode()), _title("仅附件"))
    portal.pages[f"{COL}P020240301.pdf"] = StaticPage(b"%PDF-1.4 simulated", "application/pdf")
    add(
        "private/report.html",
        StaticPage(report_html(_title("robots 禁止"), _body("robots")).encode()),
        _title("robots 禁止"),
    )
    for n in (1, 2):
        portal.pages[f"{COL}jpaas-{n}.html"] = StaticPage(
            report_html(_title(f"jpaas {n}"), _body(f"jpaas-{n}")).encode()
        )
    for n in (1, 2):
        portal.pages[f"/datalist/{n}.html"] = StaticPage(
            report_html(_title(f"dataList {n}"), _body(f"datalist-{n}")).encode()
        )
    return items


def _list_page(items: list[tuple[str, str]], count: int) -> str:
    lis = "".join(
        f'<li><a href="{path}" title="{escape(t)}">{escape(t)}</a><span>2024-03-01</span></li>'
        for path, t in items
    )
    return (
        f'<html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul class="list">{lis}</ul>'
        f'<script>createPageHTML({count}, 0, "index", "html");</script></body></html>'
    )


def hostile(host: str) -> Portal:
    portal = Portal(
        key="hostile",
        name="敌意门户 (测试用)",
        host=host,
        start_paths=[COL, "/col/col999/index.html", "/datalist/index.html"],
        platform="hostile",
        region="浙江省/某某市",
        agency=AGENCY,
    )
    cases = Cases()
    portal.handlers.update(cases.handlers())
    portal.resets.append(cases.reset)
    dynamic = [
        (path, _title(path.rsplit("/", 1)[-1].removesuffix(".html")))
        for path in cases.handlers()
        if path.startswith(COL) and not path.endswith("-2.html")
    ]
    items = dynamic + _static_cases(portal)
    portal.pages[f"{COL}index.html"] = StaticPage(_list_page(items, 5).encode())
    empty = '<html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul class="list"></ul>'
    portal.pages[f"{COL}index_1.html"] = StaticPage(
        (empty + " " * 700 + "</body></html>").encode()
    )  # an empty page
    for n in (2, 3, 4):  # deep pages: 300-byte broken stubs
        portal.pages[f"{COL}index_{n}.html"] = StaticPage(
            b"<html><head><title></title></head><body><!-- stub -->" + b" " * 240 + b"</body></html>"
        )
    portal.pages["/robots.txt"] = StaticPage(b"User-agent: *\nDisallow: /hostile/private/\n", "text/plain")
    jpaas_col = (
        "<html><head><meta charset='utf-8'></head><body><div id='list'></div><script>var url = "
        "'/api-gateway/jpaas-publish-server/front/page/build/unit?webId=3117&pageId=999&parseType=bulidstatic"
        "&pageType=column&tagId=list';</script></body></html>"
    )
    portal.pages["/col/col999/index.html"] = StaticPage(jpaas_col.encode())
    for n, path in ((1, "/datalist/index.html"), (2, "/datalist/index_2.html")):
        data = (
            f'var dataList=[{{"infolist":[{{"title":"{_title(f"dataList {n}")}","daytime":"2024-03-0{n}",'
            f'"url":"/datalist/{n}.html"}}]}}];var pagesData={{"curPageNo":{n},"pageTotal":2}};'
        )
        portal.pages[path] = StaticPage(
            f"<html><head><meta charset='utf-8'></head><body><script>{data}</script></body></html>".encode()
        )
    return portal
