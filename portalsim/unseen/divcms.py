"""A modern ``<div>``-only CMS (a Vue/React-era 集约化 platform rendered server-side) with hashed class names.

No semantic ids, no ``<h1>``: the title is a styled ``<div>``, the date an unlabelled ``2024-03-07 17:15`` span
beside 「来源：…」. Long sidebars (相关推荐 with summaries that are other reports' prose, 热点 with dates, 通知公告),
a two-level header nav, share buttons, a floating toolbar and a footer with 主办/承办/ICP/公网安备/网站标识码.
URLs: ``/zwgk/fzzfjs/YYYYMM/<hex>.shtml``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from html import escape

from portalsim.unseen import widgets
from portalsim.unseen.base import Detail, Template

HOST = "127.0.0.41"
COL = "/zwgk/fzzfjs/"
_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


def c(role: str) -> str:
    return widgets.hashed(role, "divcms")


def _list_path(n: int) -> str:
    return f"{COL}index.shtml" if n == 0 else f"{COL}index_{n + 1}.shtml"


def _detail_path(item, serial: int) -> str:
    digest = hashlib.md5(f"{item.key}{serial}".encode(), usedforsecurity=False).hexdigest()[:20]
    return f"{COL}{item.published:%Y%m}/{digest}.shtml"


_NAV = {
    "首页": [],
    "政务公开": ["政策文件", "政策解读", "法定主动公开内容", "政府信息公开年报", "法治政府建设"],
    "政务服务": ["个人办事", "法人办事", "办事指南", "表格下载"],
    "互动交流": ["局长信箱", "在线访谈", "征集调查", "常见问题"],
    "就业创业": ["就业政策", "招聘信息", "创业扶持", "职业培训"],
    "社会保障": ["养老保险", "工伤保险", "失业保险", "社保卡"],
    "人才人事": ["人才引进", "职称评审", "事业单位招聘"],
    "专题专栏": ["根治欠薪", "优化营商环境", "普法宣传"],
}


def _header(site: str) -> str:
    menus = "".join(
        f'<div class="{c("nav-item")}"><a href="/{i}/" class="{c("nav-a")}">{name}</a>'
        f'<div class="{c("nav-sub")}">'
        + "".join(f'<a href="/{i}/{j}/">{s}</a>' for j, s in enumerate(subs))
        + "</div></div>"
        for i, (name, subs) in enumerate(_NAV.items())
    )
    return (
        f'<div class="{c("topbar")}"><div class="{c("wrap")}"><div class="{c("date")}" id="{c("d")}"></div>'
        f'<div class="{c("tools")}"><a href="javascript:;">无障碍浏览</a><a href="javascript:;">长者模式</a>'
        '<a href="/en/">English</a><a href="/user/login">登录</a><a href="/user/reg">注册</a></div></div></div>'
        f'<div class="{c("head")}"><div class="{c("wrap")}"><a href="/" class="{c("logo")}">'
        f'<img src="/static/img/logo.6f1e2.png" alt="{escape(site)}"></a><div class="{c("search")}">'
        '<input type="text" placeholder="请输入关键词"><button type="button">搜索</button></div></div></div>'
        f'<div class="{c("nav")}"><div class="{c("wrap")}">{menus}</div></div>'
    )


def _paragraphs(paragraphs: list[str]) -> str:
    out = []
    for p in paragraphs:
        text = escape(p)
        if _HEADING.match(p) and len(p) < 40:
            out.append(f'<p style="text-indent:2em;line-height:2"><strong>{text}</strong></p>')
        else:
            out.append(
                f'<p style="text-indent:2em;line-height:2"><span style="font-size:16px">{text}</span></p>'
            )
    return "\n".join(out)


def _gk_box(d: Detail) -> str:
    if not d.item.doc_number:
        return ""
    rows = [
        ("索引号", f"{d.site.site_code}/{d.item.published.year}-00{17 + d.serial}"),
        ("发布机构", d.item.agency),
        ("发文字号", d.item.doc_number),
        ("成文日期", d.item.date),
    ]
    cells = "".join(
        f'<div class="{c("gk-cell")}"><span class="{c("gk-k")}">{k}：</span><span>{escape(v)}</span></div>'
        for k, v in rows
    )
    return f'<div class="{c("gk")}">{cells}</div>'


def _near(label: str, item) -> str:
    if item is None:
        return f"<div>{label}：<span>没有了</span></div>"
    return f'<div>{label}：<a href="{item.path}">{escape(item.title)}</a></div>'


def _article(d: Detail) -> str:
    item = d.item
    reads = 1000 + 37 * d.serial
    return (
        f'<div class="{c("article")}"><div class="{c("t")}">{escape(item.title)}</div>'
        f'<div class="{c("meta")}"><span>{item.published:%Y-%m-%d %H:%M}</span>'
        f"<span>来源：{escape(item.agency)}</span><span>阅读：<i>{reads}</i></span>"
        f'<span class="{c("font")}">字号：<a href="javascript:;">大</a><a href="javascript:;">中</a>'
        f'<a href="javascript:;">小</a></span></div>{_gk_box(d)}'
        f'<div class="{c("body")} {c("rich")}">{_paragraphs(item.html_paragraphs())}</div>'
        f'<div class="{c("share")}"><span>分享到：</span><a class="{c("wx")}" title="微信"></a>'
        f'<a class="{c("wb")}" title="新浪微博"></a><a class="{c("qz")}" title="QQ空间"></a></div>'
        f'<div class="{c("pn")}">{_near("上一篇", d.prev)}{_near("下一篇", d.next)}</div></div>'
    )


def _recommend(d: Detail) -> str:
    rows = "".join(
        f'<div class="{c("rec-item")}"><a href="{COL}{d.item.published:%Y%m}/r{i}.shtml">{escape(t)}</a>'
        f'<div class="{c("rec-sum")}">{escape(s)}</div><span>{(d.item.published - timedelta(days=4 * i + 1)):%Y-%m-%d}</span></div>'
        for i, (t, s) in enumerate(widgets.summaries(d.item.key, 20, 70))
    )
    return f'<div class="{c("rec")}"><div class="{c("box-h")}">相关推荐</div>{rows}</div>'


def _side(d: Detail) -> str:
    hot = "".join(
        f'<div class="{c("hot-i")}"><em>{i + 1}</em><a href="/xwzx/{i}.shtml">{escape(t)}</a><span>{day}</span></div>'
        for i, (t, day) in enumerate(
            widgets.dated(widgets.rotate(widgets.NEWS_TITLES, 15, d.serial), d.item.published)
        )
    )
    notices = "".join(
        f'<div class="{c("ntc-i")}"><a href="/tzgg/{i}.shtml" title="{escape(t)}">{escape(t)}</a></div>'
        for i, t in enumerate(widgets.rotate(widgets.NOTICE_TITLES, 25, 2 * d.serial))
    )
    topics = "".join(
        f'<a href="/ztzl/{i}/"><img src="/static/img/zt{i}.jpg" alt="{t}"></a>'
        for i, t in enumerate(["根治欠薪", "优化营商环境", "学习贯彻习近平法治思想", "八五普法"])
    )
    return (
        f'<div class="{c("side")}"><div class="{c("box")}"><div class="{c("box-h")}">热点</div>{hot}</div>'
        f'<div class="{c("box")}"><div class="{c("box-h")}">通知公告</div>{notices}</div>'
        f'<div class="{c("box")}"><div class="{c("box-h")}">专题专栏</div>{topics}</div></div>'
    )


def _footer(d: Detail) -> str:
    s = d.site
    friends = "".join(
        f"<option>{n}</option>" for n in ("中国政府网", "人力资源和社会保障部", "省人社厅", "市政府")
    )
    return (
        f'<div class="{c("foot")}"><div class="{c("wrap")}"><div class="{c("links")}">'
        f"<select><option>-- 政府网站 --</option>{friends}</select><select><option>-- 部门网站 --</option></select></div>"
        f'<div class="{c("foot-l")}"><a href="/wzdt/">网站地图</a><a href="/lxwm/">联系我们</a><a href="/sm/">隐私声明</a></div>'
        f"<div>主办：{escape(s.sponsor)}　承办：{escape(s.organizer)}</div>"
        f"<div>地址：{escape(s.address)}　电话：{s.phone}</div>"
        f'<div><a href="https://beian.miit.gov.cn/">{s.icp}</a>　<a>{s.police}</a>　网站标识码：{s.site_code}</div>'
        '<div><span id="_ideConac"></span><img src="/static/img/jiucuo.png" alt="政府网站找错"></div></div></div>'
        f'<div class="{c("fixed")}"><a href="javascript:;">微信</a><a href="javascript:;">微博</a>'
        '<a href="javascript:scrollTo(0,0)">返回顶部</a></div>'
    )


def render(d: Detail) -> str:
    title = f"{d.item.title}_{d.site.name}"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="UTF-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1"><meta name="renderer" content="webkit">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/static/css/app.8d2f1c.css">'
        "<script>var _hmt=_hmt||[];(function(){var hm=document.createElement('script');"
        "hm.src='https://hm.baidu.com/hm.js?4f2e1b';document.head.appendChild(hm);})();</script></head><body>"
        f'<div id="{c("root")}">{_header(d.site.name)}'
        f'<div class="{c("crumb")}"><a href="/">首页</a><span>/</span><a href="/zwgk/">政务公开</a><span>/</span>'
        f'<a href="{COL}">法治政府建设</a></div>'
        f'<div class="{c("main")} {c("wrap")}"><div class="{c("left")}">{_article(d)}{_recommend(d)}</div>'
        f"{_side(d)}</div>{_footer(d)}</div>"
        '<script src="/static/js/chunk-vendors.3a9b.js"></script><script>document.getElementById(\''
        + c("d")
        + "').innerText=new Date().toLocaleDateString();</script></body></html>"
    )


TEMPLATE = Template(
    key="unseen-divcms",
    label="div-only modern CMS, hashed class names, long sidebars",
    host=HOST,
    list_path=_list_path,
    detail_path=_detail_path,
    render=render,
)
