"""An ordinary department site whose editors paste reports from Word: MsoNormal paragraphs, ``<o:p>``, mso styles.

The body is Word's HTML (``<p class=MsoNormal style='…'>``, ``<span lang=EN-US style='mso-…'>`` around digits and
Latin, ``<![if !supportLists]>`` list markers, empty ``<o:p>&nbsp;</o:p>`` paragraphs, a ``<!--[if gte mso 9]>``
block). Chrome sits inside the article container too: 【字体：大 中 小】 and 浏览次数 before the body; 「（责任编辑：…
审核：…）」, 「相关文件:」 with its list, 「分享到：」 and 「扫一扫在手机打开当前页」 after it. Fields: ``<title>`` is the
bare title, the date a labelled Chinese date 「发布日期：2024年03月07日」. URLs: ``/zwgk/YYYY-MM/DD/content_N.htm``.
"""

from __future__ import annotations

import re
from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.43"
_LIST_MARK = re.compile(r"^(\d+[.．]|（[一二三四五六七八九十]+）)")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_LATIN = re.compile(r"([0-9A-Za-z.%]+)")
_MSO = """<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View><w:Zoom>0</w:Zoom>
<w:PunctuationKerning/><w:DrawingGridVerticalSpacing>7.8 磅</w:DrawingGridVerticalSpacing>
<w:Compatibility><w:SpaceForUL/><w:BalanceSingleByteDoubleByteWidth/></w:Compatibility>
</w:WordDocument></xml><![endif]--><!--[if gte mso 10]><style>
table.MsoNormalTable{mso-style-name:普通表格;mso-tstyle-rowband-size:0;font-size:10.5pt;font-family:"Times New Roman";}
</style><![endif]-->"""
_BODY_FONT = "font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:&quot;Times New Roman&quot;"
_P_STYLE = "text-indent:32.0pt;mso-char-indent-count:2.0;line-height:28.0pt;mso-line-height-rule:exactly"


def _list_path(n: int) -> str:
    return "/zwgk/fzzfjs/index.htm" if n == 0 else f"/zwgk/fzzfjs/index_{n}.htm"


def _detail_path(item, serial: int) -> str:
    return f"/zwgk/{item.published:%Y-%m}/{item.published:%d}/content_{40311 + 97 * serial}.htm"


def _latin_spans(text: str) -> str:
    """Word wraps every run of digits and Latin letters in its own ``lang=EN-US`` span."""
    parts = _LATIN.split(text)
    return "".join(
        f"<span lang=EN-US style='mso-fareast-font-family:仿宋_GB2312'>{escape(p)}</span>"
        if i % 2
        else escape(p)
        for i, p in enumerate(parts)
        if p
    )


def _word_paragraph(text: str, n: int) -> str:
    if _HEADING.match(text) and len(text) < 40:
        return (
            f"<p class=MsoNormal style='{_P_STYLE}'><span style='font-size:16.0pt;font-family:黑体;"
            f"mso-hansi-font-family:&quot;Times New Roman&quot;'>{_latin_spans(text)}<span lang=EN-US><o:p></o:p>"
            "</span></span></p>"
        )
    mark = _LIST_MARK.match(text)
    if mark and n % 2:
        return (
            f"<p class=MsoListParagraph style='margin-left:0cm;{_P_STYLE};mso-list:l0 level1 lfo1'>"
            f"<![if !supportLists]><span lang=EN-US style='{_BODY_FONT}'><span style='mso-list:Ignore'>"
            f"{escape(mark.group(1))}</span></span><![endif]><span style='{_BODY_FONT}'>"
            f"{_latin_spans(text[mark.end() :])}<span lang=EN-US><o:p></o:p></span></span></p>"
        )
    return (
        f"<p class=MsoNormal style='{_P_STYLE}'><span style='{_BODY_FONT}'>{_latin_spans(text)}"
        "<span lang=EN-US><o:p></o:p></span></span></p>"
    )


_EMPTY = "<p class=MsoNormal style='line-height:28.0pt'><span lang=EN-US style='font-size:16.0pt'><o:p>&nbsp;</o:p></span></p>"


def word_body(paragraphs: list[str]) -> str:
    out = [_MSO, "<div class=WordSection1 style='layout-grid:15.6pt'>"]
    for n, p in enumerate(paragraphs):
        out.append(_word_paragraph(p, n))
        if _HEADING.match(p) or n == 0:
            out.append(_EMPTY)
    out.append(_EMPTY + "</div>")
    return "\n".join(out)


def _related_files(d: Detail) -> str:
    links = "".join(
        f'<li><a href="/zwgk/fzzfjs/{i}.htm" target="_blank">{escape(t)}</a></li>'
        for i, (t, _) in enumerate(widgets.summaries(d.item.key, 4, 10))
    )
    return f'<div class="xgwj"><div class="xgwj_t">相关文件:</div><ul>{links}</ul></div>'


def _container(d: Detail) -> str:
    item = d.item
    editors = [("张华", "李明"), ("王静", "赵刚"), ("刘洋", "陈晓")][d.serial % 3]
    return (
        '<div class="wz_con">'
        '<div class="wz_tool">【字体：<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
        f'<a href="javascript:doZoom(14)">小</a>】　浏览次数：<span id="hits">{312 + 11 * d.serial}</span></div>'
        f'<div class="wz_zw" id="wz_zw">{word_body(item.html_paragraphs())}</div>'
        f'<p class="zrbj" align="right">（责任编辑：{editors[0]}　审核：{editors[1]}）</p>'
        f"{_related_files(d)}"
        '<div class="fx">分享到：<a class="bds_weixin" title="分享到微信"></a><a class="bds_tsina" title="分享到新浪微博"></a>'
        '<a class="bds_qzone" title="分享到QQ空间"></a></div>'
        '<div class="ewm"><div id="qrcode"></div><p>扫一扫在手机打开当前页</p></div>'
        "</div>"
    )


def _info(d: Detail) -> str:
    item = d.item
    cells = [f"发布日期：{item.published:%Y年%m月%d日}", f"信息来源：{escape(item.agency)}"]
    if item.doc_number:
        cells.insert(0, f"文号：{escape(item.doc_number)}")
    return '<div class="wz_info">' + "".join(f"<span>{c}</span>" for c in cells) + "</div>"


def render(d: Detail) -> str:
    s = d.site
    nav = "".join(
        f'<li><a href="/{k}/">{n}</a></li>'
        for k, n in [
            ("", "首页"),
            ("zwgk", "政务公开"),
            ("zwfw", "政务服务"),
            ("hdjl", "互动交流"),
            ("ztzl", "专题专栏"),
        ]
    )
    links = "".join(
        f'<li><a href="/xwdt/{i}.htm">{escape(t)}</a></li>'
        for i, t in enumerate(widgets.rotate(widgets.NEWS_TITLES, 8, d.serial))
    )
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        f"<title>{escape(d.item.title)}</title>"
        '<link href="/css/style.css" rel="stylesheet" type="text/css" /></head><body>'
        f'<div class="top"><div class="logo"><img src="/images/logo.png" alt="{escape(s.name)}" /></div>'
        f'<ul class="nav">{nav}</ul></div>'
        '<div class="dqwz">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        '<a href="/zwgk/fzzfjs/">法治政府建设</a></div>'
        f'<div class="wz"><h1 class="wz_title">{escape(d.item.title)}</h1>{_info(d)}{_container(d)}</div>'
        f'<div class="zxdt"><h3>最新动态</h3><ul>{links}</ul></div>'
        f'<div class="foot"><p>主办单位：{escape(s.sponsor)}　承办单位：{escape(s.organizer)}</p>'
        f"<p>{s.icp}　{s.police}　网站标识码：{s.site_code}</p><p>地址：{escape(s.address)}　电话：{s.phone}</p></div>"
        "</body></html>"
    )


TEMPLATE = Template(
    key="unseen-word-paste",
    label="Word-pasted body (MsoNormal, o:p, supportLists) with chrome inside the article container",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
)
