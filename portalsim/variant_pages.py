"""What the variant portals share: their columns (reports, decoys, fillers), detail pages and list markup.

Each variant portal (``variants``) publishes a few reports with bodies of their own, so that every report is a
distinct document and found/expected can be counted per portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from portalsim import chrome
from portalsim.content import Item, decoys, fillers, seed_paragraphs
from portalsim.portal import Portal

_SEEDS = ("hedong", "jianghai", "liangjiang", "huzhou", "dongguan")


@dataclass(frozen=True)
class ReportSpec:
    title: str
    year: int
    published: datetime


def report_item(key: str, spec: ReportSpec, agency: str, n: int) -> Item:
    """A report whose body is a seed report's, opened by a paragraph of its own (a distinct document)."""
    body = seed_paragraphs()[_SEEDS[n % len(_SEEDS)]]
    intro = (
        f"{spec.year}年，{agency}坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻习近平法治思想，"
        f"按照{key}第{n + 1}份法治政府建设年度工作安排，全面推进依法行政，现将有关情况报告如下。"
    )
    return Item(
        key=f"{key}-report-{n}",
        kind="report",
        title=spec.title,
        published=spec.published,
        agency=agency,
        paragraphs=[intro, *body],
        index_no=f"{key.upper()[:6]}/{spec.year + 1}-{n + 11:05d}",
        report_year=spec.year,
    )


def variant_column(
    key: str, agency: str, reports: list[ReportSpec], filler_count: int, seed: int
) -> list[Item]:
    """Reports, the four decoys next to the first, and fillers; newest first, spread over the pages."""
    items = [report_item(key, spec, agency, n) for n, spec in enumerate(reports)]
    items += decoys(agency, reports[0].year, reports[0].published)
    newest = max(i.published for i in items) + timedelta(days=30)
    oldest = min(i.published for i in items) - timedelta(days=30)
    others = fillers(agency, filler_count, newest, seed)
    span = (newest - oldest) / max(filler_count, 1)
    for n, item in enumerate(others):  # spread the fillers between the reports, over all pages
        item.published = newest - span * n
        item.key = f"{key}-{item.key}"
    return sorted([*items, *others], key=lambda i: i.published, reverse=True)


def list_items(items: list[Item]) -> str:
    return "".join(
        f'<li><a href="{item.path}" title="{escape(item.title)}" target="_blank">{escape(_short(item.title))}</a>'
        f"<span>{item.date}</span></li>"
        for item in items
    )


def _short(title: str) -> str:
    return title if len(title) <= 26 else title[:24] + "…"


def list_page(site: str, column: str, column_url: str, items: list[Item], extra: str = "") -> str:
    """A column page: header, breadcrumb, the list, whatever pagination markup ``extra`` holds, footer."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        + chrome.meta_tags([("SiteName", site), ("ColumnName", column)])
        + f"<title>{escape(column)}_{escape(site)}</title></head><body>{chrome.IE_WARNING}"
        + '<div class="nav"><a href="/">首页</a> <a href="/xxgk/">信息公开</a> <a href="/hdjl/">互动交流</a></div>'
        + f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{column_url}">{escape(column)}</a></div>'
        + f'<div class="list"><ul class="list-ul">{list_items(items)}</ul>{extra}</div>'
        + _footer(site)
        + "</body></html>"
    )


def detail_page(site: str, column: str, column_url: str, item: Item) -> str:
    rows = [
        ("索引号", item.index_no),
        ("发布机构", item.agency),
        ("成文日期", item.date),
        ("文号", item.doc_number),
    ]
    table = "".join(f"<tr><td>{k}：</td><td>{escape(v)}</td></tr>" for k, v in rows)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        + chrome.meta_tags(
            [("SiteName", site), ("ArticleTitle", item.title), ("PubDate", item.date), ("ColumnName", column)]
        )
        + f"<title>{escape(item.title)}</title></head><body>"
        + f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="{column_url}">{escape(column)}</a></div>'
        + f'<table class="xxgk">{table}</table><h1 class="title">{escape(item.title)}</h1>'
        + f'<div class="info">发布时间：{item.date} {chrome.FONT_WIDGET}</div>'
        + f'<div id="zoom">{chrome.paragraphs_html(item.html_paragraphs())}</div>'
        + f"{chrome.QR}{_footer(site)}</body></html>"
    )


def _footer(site: str) -> str:
    return chrome.footer(sponsor=site, site_code="9999000001", icp="模ICP备00000000号", police="", phone="")


def add_details(portal: Portal, site: str, column: str, column_url: str) -> None:
    for item in portal.items:
        portal.add_html(item.path, detail_page(site, column, column_url, item))


def pages_of(items: list[Item], size: int) -> list[list[Item]]:
    return [items[i : i + size] for i in range(0, len(items), size)]
