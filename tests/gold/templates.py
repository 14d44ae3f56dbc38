"""The gold corpus's hand-written templates: markup the simulator does not have (no known container), each page
built from a seed report's paragraphs and fields (``tests.gold.build`` adds them to the corpus)."""

from __future__ import annotations

from html import escape

from portalsim.content import seed_paragraphs
from tests.gold.case import Case

GENERIC = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}-{site}</title></head><body>
<div class="top"><a href="/">网站首页</a> <a href="/xxgk/">信息公开</a> <a href="/zwfw/">政务服务</a> <a href="/hdjl/">互动交流</a>
<span>{clock}</span></div>
<div class="crumbs">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/">信息公开</a> &gt; <a href="/xxgk/fzzf/">法治政府建设</a></div>
<div class="main"><div class="left"><ul><li><a href="/xxgk/fzzf/">法治政府建设</a></li><li><a href="/xxgk/gzbg/">工作报告</a></li>
<li><a href="/xxgk/qtfd/">其他法定公开信息</a></li></ul></div>
<div class="right"><h2 class="art-title">{title}</h2>
<div class="art-info">发布时间：{date} &nbsp; 信息来源：{source} &nbsp; 字号：[ <a>大</a> <a>中</a> <a>小</a> ]</div>
<div class="art-body">{paragraphs}</div>
<div class="art-tools"><a href="javascript:window.print()">打印本页</a> <a href="javascript:window.close()">关闭窗口</a></div>
<div class="share">分享到：<a class="wx"></a><a class="wb"></a></div>
<div class="xgxx"><h3>相关信息</h3><ul><li><a href="/xxgk/fzzf/1.html">{other}</a></li></ul></div></div></div>
<div class="foot"><p>主办单位：{site} 网站标识码：{code}</p><p>{icp} 版权所有</p></div></body></html>"""

_UCAP = """<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="{date}"><title>{title}</title></head><body>
<div class="nav">您所在的位置：<a href="/">首页</a> » <a href="/zwgk/">政务公开</a> » <a href="/zwgk/fzzfjs/">法治政府建设</a></div>
<table class="xxgk"><tr><td>索 引 号：</td><td>{index_no}</td><td>发布机构：</td><td>{agency}</td></tr>
<tr><td>文　　号：</td><td>{doc_number}</td><td>发布日期：</td><td>{date}</td></tr></table>
<h1 class="ucap-title">{title}</h1><div class="tools">【字体：<a>大</a> <a>中</a> <a>小</a>】 【打印】 【关闭】</div>
<div id="UCAP-CONTENT">{paragraphs}</div>
<div class="qr">扫一扫在手机打开当前页面</div><div class="foot">主办单位：{site} {icp}</div></body></html>"""


def paragraph_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>\u3000\u3000{escape(p)}</p>" for p in paragraphs)


def template_cases() -> list[Case]:
    seeds = seed_paragraphs()
    generic = [
        (
            "generic-hedong",
            "http://127.0.0.21/xxgk/fzzf/202403/t20240311_123.html",
            "天津市河东区人力资源和社会保障局",
            "天津市河东区人力资源和社会保障局2023年度法治政府建设年度报告",
            "2024-03-11",
            "天津市河东区人民政府",
            "hedong",
            2023,
            "天津市/河东区",
        ),
        (
            "generic-jianghai",
            "http://127.0.0.22/xxgk/fzzf/content/post_778.html",
            "江门市江海区人力资源和社会保障局",
            "江门市江海区人力资源和社会保障局关于2024年度法治政府建设工作情况的报告",
            "2025-01-06",
            "江门市江海区人民政府",
            "jianghai",
            2024,
            None,
        ),
    ]
    cases = []
    for name, url, agency, title, date, site, key, year, region in generic:
        html = GENERIC.format(
            title=escape(title),
            site=site,
            clock="",
            date=date,
            source=agency,
            code="1201020001",
            paragraphs=paragraph_html(seeds[key]),
            other="法治政府建设实施方案",
            icp="津ICP备05004416号-1",
        )
        cases.append(
            Case(
                name=name,
                template="generic-density",
                url=url,
                html=html.encode(),
                content_type="text/html; charset=utf-8",
                kind="report",
                body=seeds[key],
                hints={"agency": None, "region": region},
                fields={
                    "title": title,
                    "agency": agency,
                    "report_year": year,
                    "publish_date": date,
                    "doc_number": None,
                },
            )
        )
    ucap = [
        (
            "ucap-huzhou",
            "http://127.0.0.23/art/2020/2/21/art_1_9.html",
            "huzhou",
            "湖州市人力资源和社会保障局",
            "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
            "2020-02-21",
            "湖人社〔2020〕3号",
            2019,
        ),
        (
            "ucap-dongguan",
            "http://127.0.0.24/zwgk/fzzfjs/content/post_9.html",
            "dongguan",
            "东莞市人力资源和社会保障局",
            "东莞市人力资源和社会保障局2020年法治政府建设年度报告",
            "2021-01-28",
            "",
            2020,
        ),
    ]
    for name, url, key, agency, title, date, doc_number, year in ucap:
        html = _UCAP.format(
            title=escape(title),
            date=date,
            index_no="11330500002609339X/2020-00012",
            agency=agency,
            doc_number=doc_number,
            paragraphs=paragraph_html(seeds[key]),
            site=agency,
            icp="浙ICP备05011395号",
        )
        cases.append(
            Case(
                name=name,
                template="ucap",
                url=url,
                html=html.encode(),
                content_type="text/html; charset=utf-8",
                kind="report",
                body=seeds[key],
                hints={},
                fields={
                    "title": title,
                    "agency": agency,
                    "report_year": year,
                    "publish_date": date,
                    "doc_number": doc_number or None,
                },
            )
        )
    return cases
