"""A JSON-in-script detail page (a front-end-rendered CMS whose server inlines the article as a JS object).

The static HTML is a header, a footer and an empty ``<div id="app"></div>``; the article is in
``var articleData = {...}`` (title, publishTime, source, fileNum, content). ``content`` is JSON-escaped HTML: the
first half of the paragraphs with ``\\u003c``/``\\u003e`` escapes, the rest with ``<\\/p>``; on every other page
all non-ASCII is ``\\uXXXX`` too. Other JSON objects share the script (the nav menu, a 热点 list) as on real sites.
``<title>`` is only the site name: the title exists only in the JSON. URLs: ``/info/1187/N.html``.
"""

from __future__ import annotations

import json
from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.44"


def _list_path(n: int) -> str:
    return "/info/1187/list.html" if n == 0 else f"/info/1187/list_{n + 1}.html"


def _detail_path(item, serial: int) -> str:
    return f"/info/1187/{61203 + 29 * serial}.html"


def _content(paragraphs: list[str]) -> str:
    return "".join(f'<p style="text-indent:2em;">{escape(p, quote=False)}</p>' for p in paragraphs)


def _json_string(value: str, *, ascii_only: bool) -> str:
    return json.dumps(value, ensure_ascii=ascii_only)


def _content_literal(paragraphs: list[str], *, ascii_only: bool) -> str:
    """``"…"`` holding the body HTML: ``\\u003c`` escapes in its first half, ``<\\/p>`` in the second."""
    half = len(paragraphs) // 2
    first = _json_string(_content(paragraphs[:half]), ascii_only=ascii_only)[1:-1]
    first = first.replace("<", "\\u003c").replace(">", "\\u003e")
    second = _json_string(_content(paragraphs[half:]), ascii_only=ascii_only)[1:-1].replace("</", "<\\/")
    return f'"{first}{second}"'


def _article_script(d: Detail) -> str:
    item = d.item
    ascii_only = d.serial % 2 == 1
    fields = [
        ("id", str(61203 + 29 * d.serial)),
        ("title", _json_string(item.title, ascii_only=ascii_only)),
        ("subTitle", '""'),
        ("publishTime", f'"{item.published:%Y-%m-%d %H:%M:%S}"'),
        ("source", _json_string(item.agency, ascii_only=ascii_only)),
        ("fileNum", _json_string(item.doc_number, ascii_only=ascii_only) if item.doc_number else "null"),
        ("author", '""'),
        ("clickCount", str(208 + d.serial)),
        ("channelName", _json_string("法治政府建设", ascii_only=ascii_only)),
        ("content", _content_literal(item.html_paragraphs(), ascii_only=ascii_only)),
        ("attachList", "[]"),
    ]
    body = ",".join(f'"{k}":{v}' for k, v in fields)
    return f"var articleData = {{{body}}};"


def _side_data(d: Detail) -> str:
    nav = [
        {"name": n, "url": f"/channel/{i}.html"}
        for i, n in enumerate(["首页", "政务公开", "政务服务", "互动交流"])
    ]
    hot = [
        {"title": t, "date": day, "url": f"/info/1190/{i}.html"}
        for i, (t, day) in enumerate(
            widgets.dated(widgets.rotate(widgets.NEWS_TITLES, 10, d.serial), d.item.published)
        )
    ]
    return (
        f"var navData = {json.dumps(nav, ensure_ascii=False)};\n"
        f"var hotList = {json.dumps(hot, ensure_ascii=False)};"
    )


_APP = """new Vue({el:'#app',data:{a:articleData,hot:hotList},
template:'<div class="detail"><h2 class="detail-title">{{a.title}}</h2><div class="detail-info">'+
'<span>发布时间：{{a.publishTime}}</span><span>来源：{{a.source}}</span></div>'+
'<div class="detail-content" v-html="a.content"></div></div>'});"""


def render(d: Detail) -> str:
    s = d.site
    menu = "".join(
        f'<a href="/channel/{i}.html">{n}</a>'
        for i, n in enumerate(["首页", "政务公开", "政务服务", "互动交流", "数据开放"])
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="X-UA-Compatible" content="IE=edge">'
        f'<meta name="SiteName" content="{escape(s.name)}"><meta name="SiteIDCode" content="{s.site_code}">'
        f"<title>{escape(s.name)}</title>"
        '<link rel="stylesheet" href="/static/css/detail.css"><script src="/static/js/vue.min.js"></script></head>'
        f'<body><div class="header"><div class="logo"><img src="/static/img/logo.png" alt="{escape(s.name)}"></div>'
        f'<div class="menu">{menu}</div></div>'
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/channel/1.html">政务公开</a> &gt; '
        '<a href="/info/1187/list.html">法治政府建设</a></div>'
        '<div id="app"></div>'
        '<div class="footer"><p><a href="/wzdt.html">网站地图</a> | <a href="/lxwm.html">联系我们</a></p>'
        f"<p>主办单位：{escape(s.sponsor)}　承办单位：{escape(s.organizer)}</p>"
        f"<p>{s.icp}　{s.police}　网站标识码：{s.site_code}</p></div>"
        f'<script type="text/javascript">\n{_side_data(d)}\n{_article_script(d)}\n</script>'
        f"<script>{_APP}</script></body></html>"
    )


TEMPLATE = Template(
    key="unseen-json-script",
    label="static shell with an empty #app; the article only in a JSON object in a script",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
)
