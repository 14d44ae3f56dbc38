"""A 融媒体-style news portal whose 相关阅读 block, with long summaries, carries more text than the article itself.

The summaries are the openings of other 法治政府建设 reports (on-topic prose with Chinese punctuation, few links
per character), so text length alone picks the wrong block. Fields: ``og:title`` and ``article:published_time``
metas, ``<h1>``, a date line with slashes 「时间：2024/03/07 17:15」, ``<title>`` 「标题 - 栏目 - 站点」.
URLs in the WebPlus shape ``/YYYY/MMDD/cCOLaID/page.htm``.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.46"
_SUMMARY_LENGTH = 240


def _list_path(n: int) -> str:
    return "/fzzfjs/list.htm" if n == 0 else f"/fzzfjs/list{n + 1}.htm"


def _detail_path(item, serial: int) -> str:
    return f"/{item.published:%Y}/{item.published:%m%d}/c2931a{318_004 + 53 * serial}/page.htm"


def _related(d: Detail, article_chars: int) -> str:
    count = max(8, -(-13 * article_chars // (10 * _SUMMARY_LENGTH)))  # 1.3 × the article's length
    rows = "".join(
        f'<li class="rel-item"><h4><a href="/{d.item.published:%Y}/r{i}/page.htm">{escape(t)}</a></h4>'
        f'<p class="rel-sum">{escape(s)}</p><span class="rel-date">{(d.item.published - timedelta(days=5 * i + 2)):%Y/%m/%d}</span></li>'
        for i, (t, s) in enumerate(widgets.summaries(d.item.key, count, _SUMMARY_LENGTH))
    )
    return f'<div class="related-news"><div class="rel-hd">相关阅读</div><ul>{rows}</ul></div>'


def render(d: Detail) -> str:
    s, item = d.site, d.item
    paragraphs = item.html_paragraphs()
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    chars = sum(len(p) for p in paragraphs)
    channels = "".join(
        f'<a href="/{k}/list.htm">{n}</a>'
        for k, n in [
            ("xwzx", "新闻中心"),
            ("zwgk", "政务公开"),
            ("fzzfjs", "法治政府建设"),
            ("spxw", "视频新闻"),
            ("ztbd", "专题报道"),
        ]
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f'<meta property="og:title" content="{escape(item.title)}">'
        f'<meta property="og:site_name" content="{escape(s.name)}">'
        f'<meta property="article:published_time" content="{item.published:%Y-%m-%dT%H:%M:%S}+08:00">'
        f"<title>{escape(item.title)} - 法治政府建设 - {escape(s.name)}</title></head><body>"
        f'<div id="header"><div class="logo">{escape(s.name)}</div><div class="channels">{channels}</div></div>'
        '<div id="container"><div class="col-main">'
        f'<div class="news-detail"><h1>{escape(item.title)}</h1><div class="news-info">时间：{item.published:%Y/%m/%d %H:%M}'
        f"　作者：融媒体中心　来源：{escape(item.agency)}</div>"
        + (f'<div class="news-doc">{escape(item.doc_number)}</div>' if item.doc_number else "")
        + f'<div class="news-text">{body}</div><div class="news-editor">编辑：李婷</div></div>'
        + f"{_related(d, chars)}</div>"
        + '<div class="col-side"><div class="box"><h3>视频新闻</h3><ul><li><a>法治宣传微视频展播</a></li></ul></div></div></div>'
        + f'<div id="footer"><p>主办：{escape(s.sponsor)}　承办：{escape(s.organizer)}</p>'
        + f"<p>{s.icp}　{s.police}　网站标识码：{s.site_code}</p></div></body></html>"
    )


TEMPLATE = Template(
    key="unseen-news-related",
    label="news portal whose related-articles block with summaries is larger than the article",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
)
