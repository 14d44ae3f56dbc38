"""An old county site (ASP era, 动易-style URLs): nested layout tables, GB2312-labelled, GB18030 bytes on the wire.

The article is one ``<td>`` whose paragraphs are ``<br>``-separated runs indented with ``&nbsp;`` inside
``<font>``; a 通知公告 table and a 栏目导航 table sit beside it, a nav table above, a footer table below. The info
line is 「发布时间：2024-3-7 17:15:02 来源：… 浏览次数：…」 (month and day not zero-padded). Detail URLs carry the id
in the query string: ``/Article/ShowArticle.asp?ArticleID=N``; half the pages are served without a charset.
"""

from __future__ import annotations

import re
from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.42"
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、)")


def _list_path(n: int) -> str:
    return "/Article/ShowClass.asp?ClassID=37" + ("" if n == 0 else f"&page={n + 1}")


def _detail_path(item, serial: int) -> str:
    return f"/Article/ShowArticle.asp?ArticleID={2817 + 13 * serial}"


def _content_type(serial: int) -> str:
    return "text/html; charset=gb2312" if serial % 2 == 0 else "text/html"


def _nav() -> str:
    names = [
        "网站首页",
        "政务公开",
        "政府信息公开",
        "部门动态",
        "乡镇动态",
        "招商引资",
        "政策法规",
        "便民服务",
        "领导信箱",
    ]
    cells = '<td width="2"><img src="/images/nav_line.gif"></td>'.join(
        f'<td align="center" class="nav"><a href="/Article/ShowClass.asp?ClassID={i}"><font color="#FFFFFF">'
        f"<b>{n}</b></font></a></td>"
        for i, n in enumerate(names)
    )
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#B50000">'
        f'<tr height="36">{cells}</tr></table>'
    )


def _banner(site: str) -> str:
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0">'
        f'<tr><td height="120" background="/images/banner.jpg"><img src="/images/logo.gif" alt="{escape(site)}"></td>'
        '<td width="260" valign="bottom" align="right"><a href="#" onclick="this.style.behavior=\'url(#default#homepage)\';'
        "this.setHomePage('/');\">设为首页</a> | <a href=\"javascript:window.external.addFavorite('/','')\">加入收藏</a>"
        "</td></tr>"
        '<tr><td colspan="2" height="26" bgcolor="#F2F2F2">&nbsp;<font color="#666666">今天是：'
        '<script language="JavaScript">document.write(new Date().toLocaleDateString())</script></font>'
        '&nbsp;&nbsp;<marquee width="600" scrollamount="3">欢迎访问本站！</marquee></td></tr></table>'
    )


def _notices(d: Detail) -> str:
    rows = "".join(
        f'<tr><td height="24" class="list">·<a href="/Article/ShowArticle.asp?ArticleID={900 + i}" '
        f'title="{escape(t)}">{escape(t[:15])}…</a></td><td width="48"><font color="#999999">[{day[5:]}]</font></td></tr>'
        for i, (t, day) in enumerate(
            widgets.dated(widgets.rotate(widgets.NOTICE_TITLES, 12, d.serial), d.item.published)
        )
    )
    return (
        '<table width="100%" border="0" cellpadding="0" cellspacing="0" class="box">'
        '<tr><td colspan="2" height="30" background="/images/tit_bg.gif">&nbsp;<b>通知公告</b></td></tr>'
        f"{rows}</table>"
    )


def _column_nav() -> str:
    names = [
        "机构概况",
        "领导分工",
        "政策文件",
        "法治政府建设",
        "财政预决算",
        "人事信息",
        "建议提案办理",
        "政府信息公开年报",
    ]
    rows = "".join(
        f'<tr><td height="28" align="center" background="/images/lm_bg.gif"><a href="/Article/ShowClass.asp?ClassID={30 + i}">'
        f"{n}</a></td></tr>"
        for i, n in enumerate(names)
    )
    return (
        '<table width="100%" border="0" cellpadding="0" cellspacing="1" bgcolor="#DDDDDD">'
        f'<tr><td height="30" bgcolor="#B50000"><font color="#FFFFFF"><b>&nbsp;栏目导航</b></font></td></tr>{rows}</table>'
    )


def _body(paragraphs: list[str]) -> str:
    runs = []
    for p in paragraphs:
        text = escape(p)
        runs.append(f"<b>{text}</b>" if _HEADING.match(p) else f"&nbsp;&nbsp;&nbsp;&nbsp;{text}")
    return '<font face="宋体" style="font-size:14px">' + "<br>\r\n".join(runs) + "<br></font>"


def _near(label: str, item) -> str:
    link = "没有了" if item is None else f'<a href="{item.path}">{escape(item.title)}</a>'
    return f"{label}：{link}"


def _article(d: Detail) -> str:
    item = d.item
    when = f"{item.published.year}-{item.published.month}-{item.published.day} {item.published:%H:%M:%S}"
    source = item.agency if d.serial % 2 else item.agency.replace("人力资源和社会保障局", "人社局")
    doc = f'<tr><td align="center">文号：{escape(item.doc_number)}</td></tr>' if item.doc_number else ""
    return (
        '<table width="100%" border="0" cellpadding="0" cellspacing="0">'
        '<tr><td height="30" background="/images/tit_bg.gif">&nbsp;您现在的位置：<a href="/">网站首页</a> &gt;&gt; '
        '<a href="/Article/ShowClass.asp?ClassID=37">法治政府建设</a> &gt;&gt; 正文</td></tr>'
        f'<tr><td height="50" align="center"><font size="4" color="#B50000"><b>{escape(item.title)}</b></font></td></tr>'
        f'<tr><td align="center" height="28"><font color="#666666">发布时间：{when}&nbsp;&nbsp;来源：{escape(source)}'
        f'&nbsp;&nbsp;浏览次数：<script src="/Article/GetHits.asp?ArticleID={2817 + 13 * d.serial}"></script>'
        "</font></td></tr>"
        f'{doc}<tr><td height="1" bgcolor="#CCCCCC"></td></tr>'
        f'<tr><td style="line-height:200%;padding:10px" class="hui14" id="fontzoom">{_body(item.html_paragraphs())}</td></tr>'
        '<tr><td align="right">【<a href="javascript:window.print()">打印此页</a>】【<a href="javascript:window.close()">'
        "关闭窗口</a>】</td></tr>"
        f"<tr><td>{_near('上一篇', d.prev)}<br>{_near('下一篇', d.next)}</td></tr></table>"
    )


def _footer(d: Detail) -> str:
    s = d.site
    return (
        '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0" bgcolor="#EEEEEE">'
        '<tr><td height="1" bgcolor="#B50000"></td></tr><tr><td align="center" style="line-height:24px">'
        '<a href="/About.asp">关于我们</a> | <a href="/Contact.asp">联系方式</a> | <a href="/Sitemap.asp">网站地图</a><br>'
        f"主办单位：{escape(s.sponsor)}&nbsp;&nbsp;承办：{escape(s.organizer)}<br>"
        f"地址：{escape(s.address)}&nbsp;&nbsp;电话：{s.phone}&nbsp;&nbsp;邮编：300000<br>"
        f'<a href="http://www.miibeian.gov.cn" target="_blank">{s.icp}</a>&nbsp;&nbsp;{s.police}&nbsp;&nbsp;'
        f"网站标识码：{s.site_code}<br>建议使用1024×768分辨率IE8.0以上版本浏览器</td></tr></table>"
    )


def render(d: Detail) -> str:
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\r\n<html><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        f"<title>{escape(d.site.name)}--{escape(d.item.title)}</title>"
        '<link href="/Skin/DefaultSkin.css" rel="stylesheet" type="text/css"></head>'
        '<body leftmargin="0" topmargin="0" bgcolor="#FFFFFF">'
        + _banner(d.site.name)
        + _nav()
        + '<table width="980" border="0" align="center" cellpadding="0" cellspacing="0"><tr>'
        + f'<td width="240" valign="top">{_column_nav()}<br>{_notices(d)}</td><td width="10"></td>'
        + '<td valign="top"><table width="100%" border="0" cellpadding="0" cellspacing="0"><tr><td>'
        + f"{_article(d)}</td></tr></table></td></tr></table>"
        + _footer(d)
        + "</body></html>"
    )


TEMPLATE = Template(
    key="unseen-county-table",
    label="old county site, nested tables, GB2312 label over GB18030 bytes, <br> paragraphs",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
    charset="gb18030",
    content_type=_content_type,
)
