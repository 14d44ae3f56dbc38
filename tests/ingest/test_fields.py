"""Field cascades on small pages written the ways real CMSs write them (each field keeps its provenance)."""

from __future__ import annotations

from datetime import date

import pytest

from ingest import SourceHints, extract_report

PROSE = "".join(
    f"<p>第{i}段，依法行政，推进法治政府建设取得新成效。严格规范公正文明执法。</p>" for i in range(12)
)


def _page(head: str = "", top: str = "", body: str = PROSE, title_tag: str = "某某区人民政府") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{title_tag}</title>{head}</head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/a'>政务公开</a> <a href='/b'>法治政府</a></div>"
        f"{top}<div class='c-91f'>{body}</div>"
        "<div class='foot'>主办单位：某某区人民政府办公室 版权所有</div></body></html>"
    ).encode()


def _extract(page: bytes, url: str = "http://127.0.0.2/a.html"):
    return extract_report(page, url)


TITLE = "某某区司法局2023年法治政府建设年度报告"


def test_title_from_the_article_title_meta_not_the_site_name_or_a_breadcrumb_box() -> None:
    top = f"<div class='title'>当前位置：<a>首页</a> &gt; <a>法治政府</a></div><h2>{TITLE}</h2>"
    report = _extract(_page(head=f"<meta name='ArticleTitle' content='{TITLE}'>", top=top))
    assert (report.title, report.provenance["title"]) == (TITLE, "meta")


def test_title_from_the_heading_nearest_the_body_when_the_title_tag_is_the_site_name() -> None:
    top = f"<div class='title'>首页 &gt; 政务公开 &gt; 法治政府</div><div class='c-x1'>{TITLE}</div>"
    report = _extract(_page(top=top))
    assert report.title == TITLE


def test_title_from_the_title_tag_without_the_site_name() -> None:
    report = _extract(_page(title_tag=f"{TITLE}_某某区人民政府"))
    assert (report.title, report.provenance["title"]) == (TITLE, "title_tag")


@pytest.mark.parametrize(
    ("head", "top", "url", "expected", "provenance"),
    [
        (
            "<meta name='firstpublishedtime' content='2024-03-05 09:10:00'>",
            "",
            "http://h/a.html",
            "2024-03-05",
            "meta",
        ),
        (
            "<meta property='article:published_time' content='2024-03-06T09:10:00+08:00'>",
            "",
            "http://h/a.html",
            "2024-03-06",
            "meta",
        ),
        ("<meta name='PubDate' content='2024-03-07 09:10'>", "", "http://h/a.html", "2024-03-07", "meta"),
        (
            "",
            f"<h1>{TITLE}</h1><div>2024-03-08 06:59 来源：某某区司法局</div>",
            "http://h/a.html",
            "2024-03-08",
            "line",
        ),
        (
            "",
            f"<h1>{TITLE}</h1><div>发布时间：2024年3月9日</div>",
            "http://h/a.html",
            "2024-03-09",
            "info_table",
        ),
        ("", f"<h1>{TITLE}</h1>", "http://h/2024-03/10/content_1.htm", "2024-03-10", "url"),
        ("", f"<h1>{TITLE}</h1>", "http://h/art/2024/3/11/art_1_2.html", "2024-03-11", "url"),
        ("", f"<h1>{TITLE}</h1>", "http://h/202403/t20240312_1.html", "2024-03-12", "url"),
    ],
)
def test_publish_date_cascade(head: str, top: str, url: str, expected: str, provenance: str) -> None:
    report = _extract(_page(head=head, top=top), url)
    assert report.publish_date == date.fromisoformat(expected)
    assert report.provenance["publish_date"] == provenance


def test_a_js_clock_is_not_the_publish_date() -> None:
    top = f"<div>2019年12月3日星期二</div><h1>{TITLE}</h1>"
    assert _extract(_page(top=top)).publish_date is None


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("某司法〔2024〕3号", "某司法〔2024〕3号"),
        ("某司法[2024]4号", "某司法[2024]4号"),
        ("某府办发（2024）5号", "某府办发(2024)5号"),
        ("国令第707号", "国令第707号"),
        ("某府发第12号", "某府发第12号"),
    ],
)
def test_doc_number_forms(first_line: str, expected: str) -> None:
    report = _extract(_page(top=f"<h1>{TITLE}</h1>", body=f"<p>{first_line}</p>{PROSE}"))
    assert report.doc_number == expected


def test_a_doc_number_cited_in_a_sentence_is_not_the_pages_own() -> None:
    cited = (
        "<p>根据《国务院关于加强法治政府建设的意见》（国发〔2010〕33号）要求，我局全面推进依法行政工作。</p>"
    )
    assert _extract(_page(top=f"<h1>{TITLE}</h1>", body=cited + PROSE)).doc_number is None


def test_doc_number_from_the_info_table_label() -> None:
    top = f"<table><tr><td>文号：</td><td>国令第707号</td></tr></table><h1>{TITLE}</h1>"
    report = _extract(_page(top=top))
    assert (report.doc_number, report.provenance["doc_number"]) == ("国令第707号", "info_table")


@pytest.mark.parametrize(
    "line",
    ["2024-03-08 06:59 来源：新华社", "发布时间：2024-03-08 来 源：新华社 浏览次数：12", "【来源：新华社】"],
)
def test_source_from_the_meta_line(line: str) -> None:
    report = _extract(_page(top=f"<h1>{TITLE}</h1><div>{line}</div>"))
    assert report.source == "新华社"


REPORT_PARTS = (
    "<p>一、主要工作举措和成效</p>"
    + PROSE
    + "<p>二、存在的不足和原因</p><p>执法队伍专业化水平有待提升，普法宣传形式单一。</p>"
    "<p>三、党政主要负责人履行推进法治建设第一责任人职责情况</p><p>局主要负责人带头学法，亲自部署推动法治建设。</p>"
)


@pytest.mark.parametrize(
    ("published", "deadline", "late", "days_late"),
    [
        ("2024-03-15", None, False, 0),
        ("2024-04-01", None, False, 0),
        ("2024-05-01", None, True, 30),
        ("2024-03-15", "03-01", True, 14),
        ("2024-03-15", "02-30", False, 0),
    ],
)
def test_deadline_and_lateness(published: str, deadline: str | None, late: bool, days_late: int) -> None:
    page = _page(
        head=f"<meta name='PubDate' content='{published}'>", top=f"<h1>{TITLE}</h1>", body=REPORT_PARTS
    )
    report = extract_report(page, "http://127.0.0.2/a.html", hints=SourceHints(deadline=deadline))
    assert report.deadline == (date(2024, 3, 1) if deadline == "03-01" else date(2024, 4, 1))
    assert (report.late, report.days_late) == (late, days_late)
    assert report.to_dict()["deadline"] == report.deadline.isoformat()


def test_no_date_means_lateness_unknown() -> None:
    report = _extract(_page(top=f"<h1>{TITLE}</h1>", body=REPORT_PARTS))
    assert report.deadline == date(2024, 4, 1) and report.late is None and report.days_late is None


def test_required_parts_with_the_headings_that_show_them() -> None:
    report = _extract(_page(top=f"<h1>{TITLE}</h1>", body=REPORT_PARTS))
    assert report.sections == {
        "measures": True,
        "shortcomings": True,
        "leader_duties": True,
        "next_year": False,
        "other": False,
    }
    assert report.section_headings["shortcomings"] == "二、存在的不足和原因"


@pytest.mark.parametrize("ext", ["rtf", "RTF", "pdf", "wps"])
def test_a_document_link_next_to_the_body_is_an_attachment(ext: str) -> None:
    link = f"<p>附件：<a href='/files/2023fz.{ext}'>2023年法治政府建设年度报告.{ext}</a></p>"
    report = _extract(_page(top=f"<h1>{TITLE}</h1>", body=PROSE + link))
    assert [(a.type, a.url) for a in report.attachments] == [
        (ext.lower(), f"http://127.0.0.2/files/2023fz.{ext}")
    ]
    assert report.provenance["attachments"] == "links"


def test_a_page_link_is_not_an_attachment() -> None:
    link = "<p>相关链接：<a href='/news/2023fz.html'>2023年法治政府建设年度报告.rtf.html</a></p>"
    assert _extract(_page(top=f"<h1>{TITLE}</h1>", body=PROSE + link)).attachments == []


def test_the_layout_walks_anchors_are_the_trees_links() -> None:
    """The attachments read the anchors the layout walk collected, not a CSS pass: the same links, in the same
    order, skipped subtrees (svg, button, object) and anchors without href included."""
    from selectolax.lexbor import LexborHTMLParser

    from ingest.blocks import layout
    from ingest.fields import attachments

    page = (
        "<html><head><title>t</title><a href='/head.pdf'>页头</a></head><body>"
        "<p><a href='/a.pdf'>甲</a><a name='x'>无链接</a><a href>空</a></p>"
        "<svg><a href='/svg.doc'><text>图</text></a></svg><button><a href='/b.xls'>按钮</a></button>"
        "<object data='/o.pdf'><a href='/o.pdf'>下载</a></object><select><option>/s.pdf</option></select>"
        "<a href='/img.pdf'><img src='i.png' title='图片'></a><a href='/a.pdf'>甲again</a></body></html>"
    )
    tree = LexborHTMLParser(page)
    assert tree.body is not None
    walked = attachments(tree, "http://127.0.0.2/x/", None, layout(tree.body).anchors)
    assert walked == attachments(tree, "http://127.0.0.2/x/")
    assert [a.url.rsplit("/", 1)[-1] for a in walked] == [
        "head.pdf",
        "a.pdf",
        "svg.doc",
        "b.xls",
        "o.pdf",
        "img.pdf",
    ]


def test_a_meta_in_the_body_counts_and_one_inside_noscript_does_not() -> None:
    """The walk collects the body's metas (microdata puts them there) and leaves out what <noscript> holds, as
    the page is read without it: its links are no attachments either."""
    body = (
        "<noscript><meta name='PubDate' content='2020-01-01'><a href='/hidden.pdf'>报告.pdf</a></noscript>"
        f"<div itemscope><meta itemprop='datePublished' content='2024-03-07'>{PROSE}</div>"
    )
    report = _extract(_page(top=f"<h1>{TITLE}</h1>", body=body))
    assert (report.publish_date, report.provenance["publish_date"]) == (date(2024, 3, 7), "meta")
    assert report.attachments == []
