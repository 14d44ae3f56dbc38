"""An HTML5 site (``<header>/<nav>/<main>/<article>/<aside>``) whose editor makes every paragraph a ``<div>``.

``<title>`` is only the site name; the column box above the article has class ``title`` (the column name and the
breadcrumb: a trap for a title taken from ``.title``); the real title is in ``<meta name="ArticleTitle">`` and an
``<h3>``. The publish date exists only in a meta tag (``PubDate`` on even pages, ``article:published_time`` on odd
ones): outside the body the only visible dates are those of the 相关阅读 aside. URLs: ``/zwgk/zdly/fzzfjs/YYYYMMDD/<id>.html``.
"""

from __future__ import annotations

from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.45"
COL = "/zwgk/zdly/fzzfjs/"


def _list_path(n: int) -> str:
    return f"{COL}index.html" if n == 0 else f"{COL}index_{n}.html"


def _detail_path(item, serial: int) -> str:
    return f"{COL}{item.published:%Y%m%d}/{7_300_000 + 4211 * serial:x}.html"


def _meta(d: Detail) -> str:
    item = d.item
    tags = [
        f'<meta name="SiteName" content="{escape(d.site.name)}">',
        '<meta name="ColumnName" content="法治政府建设">',
        f'<meta name="ArticleTitle" content="{escape(item.title)}">',
    ]
    if d.serial % 2 == 0:
        tags.append(f'<meta name="PubDate" content="{item.published:%Y-%m-%d %H:%M}">')
    else:
        tags.append(
            f'<meta property="article:published_time" content="{item.published:%Y-%m-%dT%H:%M:%S}+08:00">'
        )
    tags.append(f'<meta name="ContentSource" content="{escape(item.agency)}">')
    return "".join(tags)


def _facts(d: Detail) -> str:
    item = d.item
    rows = [("发布机构", item.agency), ("主题分类", "综合政务")]
    if item.doc_number:
        rows.insert(1, ("文号", item.doc_number))
    return '<dl class="facts">' + "".join(f"<dt>{k}</dt><dd>{escape(v)}</dd>" for k, v in rows) + "</dl>"


def _aside(d: Detail) -> str:
    items = "".join(
        f'<li><a href="{COL}r{i}.html">{escape(t)}</a><time>{day}</time></li>'
        for i, (t, day) in enumerate(
            widgets.dated(widgets.rotate(widgets.NEWS_TITLES, 12, 3 * d.serial), d.item.published)
        )
    )
    return f'<aside class="side"><section><h4>相关阅读</h4><ul>{items}</ul></section></aside>'


def render(d: Detail) -> str:
    s, item = d.site, d.item
    paras = "".join(f'<div class="para">{escape(p)}</div>' for p in item.html_paragraphs())
    nav = "".join(
        f'<li><a href="/{k}/">{n}</a></li>'
        for k, n in [
            ("", "首页"),
            ("zwgk", "政务公开"),
            ("bsfw", "办事服务"),
            ("hdjl", "互动交流"),
            ("sjfb", "数据发布"),
        ]
    )
    return (
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">{_meta(d)}<title>{escape(s.name)}</title>'
        '<link rel="stylesheet" href="/assets/main.css"></head><body>'
        f'<header class="site-header"><a class="brand" href="/">{escape(s.name)}</a><nav><ul>{nav}</ul></nav>'
        '<form class="search" action="/search"><input name="q" placeholder="搜索"><button>搜索</button></form></header>'
        '<main class="container">'
        '<div class="title"><span class="col">法治政府建设</span><div class="crumbs">当前位置：<a href="/">首页</a> &gt; '
        f'<a href="/zwgk/">政务公开</a> &gt; <a href="{COL}">法治政府建设</a></div></div>'
        f'<section class="content"><article class="post"><h3 class="post-title">{escape(item.title)}</h3>'
        f'{_facts(d)}<div class="post-body">{paras}</div>'
        '<div class="post-tools"><button onclick="window.print()">打印</button><button>收藏</button></div>'
        f"</article>{_aside(d)}</section></main>"
        f'<footer><section class="links"><a href="/sitemap/">网站地图</a><a href="/about/">关于本站</a></section>'
        f"<section><p>{escape(s.sponsor)} 主办　{escape(s.organizer)} 承办</p>"
        f"<p>{s.icp}　{s.police}　网站标识码{s.site_code}</p></section></footer></body></html>"
    )


TEMPLATE = Template(
    key="unseen-html5-divparas",
    label="HTML5 section/article, <div> paragraphs, <title> = site name, column box class 'title', meta-only date",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
)
