"""Builds the gold corpus: `python -m tests.gold.build` writes tests/gold/pages/*.html and tests/gold/cases.json.

The pages are the simulated portals' pages (every platform), variants of them (GBK, no charset, lying headers,
missing or wrong meta, abbreviated agencies, JS clocks, attachment-only reports), hand-written templates the
simulator does not have (no known container: the density fallback), block pages and non-reports. Expected values
come from what the page was built from (the seed bodies and the page metadata), never from the extractor. The
corpus is committed: a change to the simulator does not silently change the gate.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from portalsim import build_portals
from portalsim.content import Item
from tests.gold.case import Case
from tests.gold.templates import GENERIC, paragraph_html, template_cases

HERE = Path(__file__).resolve().parent
PAGES = HERE / "pages"


def _nfkc(paragraphs: list[str]) -> list[str]:
    return [re.sub(r"\s+", " ", unicodedata.normalize("NFKC", p)).strip() for p in paragraphs]


def _fields(item: Item, **override: Any) -> dict[str, Any]:
    data = {
        "title": item.title,
        "agency": item.agency,
        "report_year": item.report_year,
        "publish_date": item.date,
        "doc_number": item.doc_number or None,
    }
    data.update(override)
    return data


def simulated_cases() -> list[Case]:
    portals = build_portals(8801)
    cases = []
    for key, portal in portals.items():
        hints = {"agency": portal.agency, "region": portal.region}
        template = portal.platform
        for item in portal.items:
            if item.kind == "filler":
                continue
            page = portal.pages[item.path]
            kind = "report" if item.kind == "report" else "not_report"
            name_template = "gkmlpt" if "/gkmlpt/" in item.path else template
            cases.append(
                Case(
                    name=f"{key}-{item.key}",
                    template=name_template,
                    url=f"http://{portal.host}{item.path}",
                    html=page.body,
                    content_type=page.content_type,
                    kind=kind,
                    fields=_fields(item) if kind == "report" else {},
                    body=_nfkc(item.paragraphs),
                    hints=hints,
                )
            )
    return cases


def _variant(base: Case, name: str, html: str | bytes, content_type: str | None, **changes: Any) -> Case:
    raw = html.encode("utf-8") if isinstance(html, str) else html
    case = Case(
        name=name,
        template=base.template,
        url=base.url,
        html=raw,
        content_type=content_type,
        kind=base.kind,
        fields=dict(base.fields),
        body=base.body,
        hints=dict(base.hints),
    )
    for key, value in changes.items():
        if key in ("fields",):
            case.fields.update(value)
        else:
            setattr(case, key, value)
    return case


def variant_cases(by_name: dict[str, Case]) -> list[Case]:
    cq, tj = by_name["liangjiang-liangjiang"], by_name["hedong-hedong"]
    dg, jh, hz = by_name["dongguan-dongguan"], by_name["jianghai-jianghai"], by_name["huzhou-huzhou"]
    text = {k: v.html.decode("utf-8") for k, v in by_name.items()}

    def gbk(html: str, label: str) -> bytes:
        html = re.sub(r"charset=utf-8", f"charset={label}", html, flags=re.I)
        return html.encode("gb18030")

    no_meta = re.sub(r"<meta (?:name|content)=[^>]*>", "", text[cq.name])
    meta_null = re.sub(r'(<meta name="ArticleTitle" content=")[^"]*', r"\1null", text[jh.name])
    meta_null = re.sub(r'(<meta content=")[^"]*(" name="PubDate">)', r"\1null\2", meta_null)
    wrong_meta = re.sub(
        r'(<meta name="ArticleTitle" content=")[^"]*', r"\1天津市河东区人民政府", text[tj.name]
    )
    short_agency = text[hz.name].replace(
        "<td>发布机构：</td><td>湖州市人力资源和社会保障局</td>", "<td>发布机构：</td><td>市人社局</td>"
    )
    cn_pubdate = text[hz.name].replace(
        'content="2020-02-20" name="PubDate"', 'content="2020年02月20日" name="PubDate"'
    )
    cn_pubdate = cn_pubdate.replace(
        'name="PubDate" content="2020-02-20"', 'name="PubDate" content="2020年02月20日"'
    )
    clock = re.sub(r"<meta [^>]*PubDate[^>]*>", "", text[cq.name]).replace(
        '<div class="header">', '<div class="header"><span id="today">2019年12月3日星期二</span>'
    )
    return [
        _variant(
            cq,
            "variant-gbk-declared",
            gbk(text[cq.name], "gbk"),
            "text/html; charset=gbk",
            template="variant-gbk",
        ),
        _variant(
            tj,
            "variant-gb2312-declared",
            gbk(text[tj.name], "gb2312"),
            "text/html; charset=GB2312",
            template="variant-gbk",
        ),
        _variant(
            jh,
            "variant-gbk-no-charset",
            gbk(text[jh.name], "gbk").replace(b"charset=gbk", b""),
            "text/html",
            template="variant-gbk",
        ),
        _variant(
            hz,
            "variant-utf8-no-charset",
            text[hz.name].replace('<meta charset="utf-8">', ""),
            "text/html",
            template="variant-charset",
        ),
        _variant(
            dg,
            "variant-header-lies-utf8-over-gbk",
            gbk(text[dg.name], "gbk"),
            "text/html; charset=utf-8",
            template="variant-charset",
        ),
        _variant(cq, "variant-no-meta", no_meta, cq.content_type, template="variant-meta"),
        _variant(jh, "variant-meta-null", meta_null, jh.content_type, template="variant-meta"),
        _variant(tj, "variant-meta-wrong-title", wrong_meta, tj.content_type, template="variant-meta"),
        _variant(hz, "variant-abbreviated-agency", short_agency, hz.content_type, template="variant-meta"),
        _variant(hz, "variant-pubdate-chinese", cn_pubdate, hz.content_type, template="variant-meta"),
        _variant(cq, "variant-js-clock", clock, cq.content_type, template="variant-meta"),
    ]


def special_cases(by_name: dict[str, Case]) -> list[Case]:
    tj = by_name["hedong-hedong"]
    html = re.sub(r"<p>附件：<a [^>]*>[^<]*</a></p>", "", tj.html.decode())  # the page's own attachment goes
    start, end = (
        html.index('<div class="TRS_Editor">'),
        html.index("</div>", html.index('<div class="Custom_UnionStyle">')),
    )
    name = "天津市河东区人力资源和社会保障局2023年度法治政府建设年度报告.pdf"
    attachment_only = (
        html[:start]
        + f'<div class="TRS_Editor"><div class="Custom_UnionStyle"><p>附件：<a href="./P020240307999.pdf">{name}</a></p>'
        + html[end:]
    )
    title = tj.fields["title"]
    blocked = {
        "blocked-ruishu-412": (
            '<html><head><meta charset="utf-8"><meta content="{yHsL7sYx.." r="m"><script>$_ts=window["$_ts"];'
            'if(!$_ts)$_ts={};$_ts.nsd=12345;$_ts.cd="qrcrpaEl...";</script>'
            '<script type="text/javascript" charset="utf-8" src="/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js" r="m"></script>'
            "</head><body></body></html>",
            "blocked_js_challenge",
        ),
        "blocked-ruishu-202": (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<meta id="9DhefwqGPrzGxEp9hPaoag" content="Gz0nj..." r="m"><script r="m">$_ts=window[\'$_ts\'];</script>'
            "</head><body><script>document.write('loading')</script></body></html>",
            "blocked_js_challenge",
        ),
        "blocked-cloud-waf-405": (
            '<html><head><meta charset="utf-8"><title>405</title></head><body><div class="box"><h1>405</h1>'
            "<p>您的访问请求可能对网站造成安全威胁，请求已被电信云防护拦截。</p><p>事件ID：a8f3c2</p></div></body></html>",
            "blocked_waf",
        ),
        "blocked-maintenance": ("<html><body>临时维护</body></html>", "maintenance_stub"),
        "blocked-empty-shell": (
            '<html><head><script src="/static/js/app.1f2e.js"></script></head><body><div id="app"></div></body></html>',
            "empty_page",
        ),
    }
    cases = [
        Case(
            name="attachment-only-report",
            template="attachment-only",
            url=tj.url.replace("6650673", "6650999"),
            html=attachment_only.encode(),
            content_type=tj.content_type,
            kind="report",
            hints=tj.hints,
            body=[title, f"附件: {name}"],
            fields=dict(tj.fields),
        ),
    ]
    for key, (page, reason) in blocked.items():
        cases.append(
            Case(
                name=key,
                template="blocked",
                url=f"http://127.0.0.25/{key}.html",
                html=page.encode(),
                content_type="text/html",
                kind="blocked",
                fields={"reason": reason},
            )
        )
    portals = build_portals(8801)
    tj_list = portals["hedong"].pages["/zwgk/fzzfjs/fzzfjsbgqk/index_2.html"]
    news = GENERIC.format(
        title="区司法局召开2023年度法治政府建设工作推进会",
        site="天津市河东区人民政府",
        clock="2019年12月3日星期二",
        date="2024-03-20",
        source="区司法局",
        code="1201020001",
        other="",
        icp="",
        paragraphs=paragraph_html(
            [
                "3月20日,区司法局召开2023年度法治政府建设工作推进会,"
                "通报了全区2023年度法治政府建设年度报告的编制和公开情况。",
                "会议要求,各单位要在4月1日前通过门户网站公开本单位年度报告。",
            ]
            * 3
        ),
    )
    cases += [
        Case(
            name="not-report-list-page",
            template="list",
            url="http://127.0.0.12:8801/zwgk/fzzfjs/fzzfjsbgqk/index_2.html",
            html=tj_list.body,
            content_type=tj_list.content_type,
            kind="not_report",
        ),
        Case(
            name="not-report-news",
            template="generic-density",
            url="http://127.0.0.21/xxgk/dt/t20240320_5.html",
            html=news.encode(),
            content_type="text/html; charset=utf-8",
            kind="not_report",
        ),
    ]
    return cases


def build() -> list[Case]:
    base = simulated_cases()
    by_name = {c.name: c for c in base}
    return base + variant_cases(by_name) + template_cases() + special_cases(by_name)


def write_corpus(cases: list[Case], folder: Path) -> None:
    """``folder/pages/NNN_<name>.html`` and ``folder/cases.json`` (what tests.gold.score.load_cases reads)."""
    pages = folder / "pages"
    pages.mkdir(parents=True, exist_ok=True)
    for old in pages.glob("*.html"):
        old.unlink()
    index = []
    for number, case in enumerate(cases):
        file = f"{number:03d}_{case.name}.html"
        (pages / file).write_bytes(case.html)
        index.append(
            {
                "file": file,
                "name": case.name,
                "template": case.template,
                "url": case.url,
                "content_type": case.content_type,
                "hints": case.hints,
                "kind": case.kind,
                "fields": case.fields,
                "body": _nfkc(case.body) if case.body else None,
            }
        )
    (folder / "cases.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


def main() -> None:
    cases = build()
    write_corpus(cases, HERE)
    templates = sorted({c.template for c in cases})
    print(f"{len(cases)} pages, {len(templates)} templates: {', '.join(templates)}")


if __name__ == "__main__":
    main()
