"""List dialects on hostile and variant pages (no network): claims validated and capped, JSON of the wrong
shape, foreign hosts refused, linear scanning, and each variant's pagination read from the page itself."""

from __future__ import annotations

import json
import time

import pytest

from crawler import discover
from crawler.discover import ListOptions, ListRequest, parse_list
from portalsim.variants import build_variants

VARIANTS = build_variants(8801)
CAP = ListOptions(max_pages=50)


def _parse(
    html: str | bytes, url: str, dialect: str = "auto", options: ListOptions = CAP
) -> discover.ListPage:
    body = html.encode() if isinstance(html, str) else html
    return parse_list(body, "text/html; charset=utf-8", ListRequest(url, dialect), options)


def _variant_page(key: str, path: str) -> bytes:
    return VARIANTS[key].pages[path].body


# ---------------------------------------------------------------- claims are validated and capped


@pytest.mark.parametrize(
    "script",
    [
        'createPageHTML(1000000, 0, "index", "html");',
        "var countPage = 1000000;",
        "createPage(99999999999, 0, 'index', 'html');",
    ],
)
def test_a_page_count_a_page_claims_is_capped(script: str) -> None:
    page = _parse(f"<html><body><script>{script}</script></body></html>", "http://h/col/index.html", "trs")
    assert len(page.requests) == CAP.max_pages - 1
    assert any(p.startswith("capped:") for p in page.problems)


def test_datalist_page_total_is_capped() -> None:
    html = (
        '<script>var dataList=[{"infolist":[]}];var pagesData={"curPageNo":1,"pageTotal":1000000};</script>'
    )
    page = _parse(html, "http://h/dl/index.html", "datalist")
    assert len(page.requests) == CAP.max_pages - 1 and page.pages == 1000000


def _datastore(
    jpage: str, nextgroup: str = "/module/web/jpage/dataproxy.jsp?page=1&columnid=1&unitid=2"
) -> str:
    return (
        f'<script type="text/xml"><datastore><nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>'
        "<recordset><record><![CDATA[<li><a href='/art/1.html' title='t'>t</a></li>]]></record></recordset>"
        f"</datastore></script><script>$('#2').jpage({{{jpage}}});</script>"
    )


def test_hanweb_per_page_zero_is_a_reason_not_an_exception() -> None:
    page = _parse(_datastore("totalRecord:40,perPage:0"), "http://h/col/col1/index.html", "hanweb")
    assert page.requests == [] and "parse_error: perPage is 0" in page.problems
    assert [link.url for link in page.links] == ["http://h/art/1.html"]


def test_hanweb_total_record_is_capped() -> None:
    page = _parse(_datastore("totalRecord:10000000,perPage:1"), "http://h/col/col1/index.html", "hanweb")
    assert len(page.requests) == CAP.max_pages and any(p.startswith("capped:") for p in page.problems)


def test_hanweb_nextgroup_may_not_send_posts_to_another_host() -> None:
    foreign = "http://127.0.0.2/module/web/jpage/dataproxy.jsp?page=1&columnid=1"
    page = _parse(_datastore("totalRecord:40,perPage:10", foreign), "http://h/col/col1/index.html", "hanweb")
    assert page.requests == [] and any(p.startswith("refused:") for p in page.problems)
    same = _parse(_datastore("totalRecord:40,perPage:10"), "http://h/col/col1/index.html", "hanweb")
    assert {r.url.split("?")[0] for r in same.requests} == {"http://h/module/web/jpage/dataproxy.jsp"}


# ---------------------------------------------------------------- dialect JSON of the wrong shape


GKMLPT = "http://h/gkmlpt/api/all/3?page=1&sid=1"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ([1, 2, 3], "gkmlpt answer is a list"),
        ({"articles": [1, "x", None, {"title": "no url"}]}, "4 gkmlpt articles without a usable url"),
        ({"classify": {"post_count": "x"}, "articles": []}, "post_count is not a count"),
        ({"classify": {"post_count": 5}, "articles": {"url": "/a.html"}}, "gkmlpt articles is not a list"),
        ("not json at all", "not JSON"),
    ],
)
def test_gkmlpt_answers_of_the_wrong_shape_are_reasons(answer: object, reason: str) -> None:
    body = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
    page = parse_list(body, "application/json", ListRequest(GKMLPT, "gkmlpt"), CAP)
    assert page.requests == [] and any(reason in p for p in page.problems), page.problems


def test_datalist_infolist_that_is_not_a_list_is_a_reason() -> None:
    html = '<script>var dataList=[{"infolist":5}, {"infolist":{"url":"/a.html"}}, 7];var pagesData={"pageTotal":1};</script>'
    page = _parse(html, "http://h/dl/index.html", "datalist")
    assert page.links == [] and "parse_error: dataList infolist is not a list" in page.problems


def test_a_parser_that_raises_becomes_the_pages_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> discover.ListPage:
        raise KeyError("boom")

    monkeypatch.setitem(discover._PARSERS, "trs", broken)
    page = _parse("<script>createPageHTML(3, 0, 'index', 'html')</script>", "http://h/c/index.html")
    assert page.problems == ["parse_error: trs raised KeyError"]


# ---------------------------------------------------------------- linear scanning


def _cpu(call: object) -> float:
    started = time.process_time()
    call()  # type: ignore[operator]
    return time.process_time() - started


@pytest.mark.parametrize(
    ("dialect", "unit"),
    [
        ("hanweb", "<record><![CDATA[<li>"),  # unclosed CDATA records: the old lazy regex was quadratic
        ("hanweb", "<nextgroup> <![CDATA[ x"),
        ("datalist", 'var dataList = [{"infolist": ['),  # unclosed dataList openers
        ("gkmlpt", "window._CONFIG = {SID: '1', TREE: [{id: 1, name: '"),
        ("trs", "createPageHTML(1, 1, 'index', "),
        ("jpaas", "<div unitUrl='/x' count='9' rows='1' queryData=\"{'a':"),
    ],
)
def test_a_510_kb_page_of_unclosed_openers_is_read_in_linear_time(dialect: str, unit: str) -> None:
    html = unit * (510 * 1024 // len(unit.encode()))
    seconds = _cpu(lambda: _parse(html, "http://h/col/index.html", dialect))
    assert seconds < 3.0, (
        f"{dialect}: {seconds:.1f} s CPU for 510 KB (the quadratic scan took tens of seconds)"
    )


# ---------------------------------------------------------------- the variants' pagination, read from the page


def test_jpaas_widget_attributes_plan_the_api_pages_as_xhr() -> None:
    host = VARIANTS["zj-widget"].host
    page = _parse(
        _variant_page("zj-widget", "/col/col1229563012/index.html"),
        f"http://{host}/col/col1229563012/index.html",
    )
    assert page.dialect == "jpaas" and page.expected == 30 and page.pages == 4
    assert [r.url.rsplit("pageNo=", 1)[1] for r in page.requests] == ["2", "3", "4"]
    assert all(r.xhr and "webId=3185" in r.url and "pageId=2208391" in r.url for r in page.requests)
    assert all(r.url.startswith(f"http://{host}/api-gateway/jpaas-publish-server/") for r in page.requests)


def test_henan_page_dec_and_anhui_ls_pagination() -> None:
    henan = VARIANTS["ha-pagedec"]
    page = _parse(
        _variant_page("ha-pagedec", "/zwgk/fzzfjsndbg/index.html"), f"http://{henan.host}/zwgk/fzzfjsndbg/"
    )
    assert page.dialect == "pagedec" and page.pages == 4
    assert [r.url.rsplit("/", 1)[1] for r in page.requests] == [
        "index_2.html",
        "index_3.html",
        "index_4.html",
    ]
    anhui = VARIANTS["ah-pageindex"]
    start = f"http://{anhui.host}/public/column/6790721?type=4&catId=7071581&action=list"
    ls = _parse(
        b"<script>Ls.pagination({pageIndex: 1, pageSize: 10, pageCount: 4, total: 37});</script>", start
    )
    assert ls.dialect == "ls" and ls.expected == 37
    assert [r.url.rsplit("pageIndex=", 1)[1] for r in ls.requests] == ["2", "3", "4"]


def test_trs_first_page_index_says_one_based() -> None:
    host = VARIANTS["sh-index2"].host
    page = _parse(
        _variant_page("sh-index2", "/xxgk/fzzfjs/index.html"), f"http://{host}/xxgk/fzzfjs/index.html"
    )
    assert page.dialect == "trs" and page.expected == 37
    assert [r.url.rsplit("/", 1)[1] for r in page.requests] == [
        "index_2.html",
        "index_3.html",
        "index_4.html",
    ]
    deep = _parse(
        _variant_page("sh-index2", "/xxgk/fzzfjs/index_2.html"), f"http://{host}/xxgk/fzzfjs/index_2.html"
    )
    assert deep.requests == []  # only the first page plans: a deep page's own index is not the base


# ---------------------------------------------------------------- the generic fallback


def test_fallback_probes_both_bases_and_the_common_page_parameters() -> None:
    off = ListOptions(disabled=frozenset({"all"}))
    page = _parse(
        b"<ul><li><a href='/a/1.html' title='some long title here'>x</a></li></ul>",
        "http://h/c/",
        options=off,
    )
    assert page.dialect == "fallback"
    assert {r.url for r in page.requests} == {
        "http://h/c/index_1.html",
        "http://h/c/index_2.html",
        "http://h/c/?pageNum=2",
        "http://h/c/?pageIndex=2",
        "http://h/c/?page=2",
        "http://h/c/?pageNo=2",
    }
    assert all(r.probe for r in page.requests)
    follow = _parse(
        b"<a href='/a/9.html'>a link title long enough</a>", "http://h/c/index_2.html", options=off
    )
    assert [r.url for r in follow.requests] == ["http://h/c/index_3.html"]
    query = _parse(b"<a href='/a/9.html'>a link title long enough</a>", "http://h/c/?pageNum=2", options=off)
    assert [r.url for r in query.requests] == ["http://h/c/?pageNum=3"]


def test_fallback_reads_links_written_in_scripts() -> None:
    off = ListOptions(disabled=frozenset({"all"}))
    hanweb = _parse(_datastore("totalRecord:1,perPage:10"), "http://h/col/col1/index.html", options=off)
    assert "http://h/art/1.html" in {link.url for link in hanweb.links}
    datalist = _variant_page("hz-datalist", "/col/col1229000731/index.html")
    page = _parse(datalist, "http://h/col/col1229000731/index.html", options=off)
    assert len([link for link in page.links if link.url.startswith("http://h/art/")]) == 12


def test_a_disabled_dialect_falls_back() -> None:
    html = _variant_page("ha-pagedec", "/zwgk/fzzfjsndbg/index.html")
    assert _parse(html, "http://h/zwgk/fzzfjsndbg/").dialect == "pagedec"
    assert (
        _parse(
            html, "http://h/zwgk/fzzfjsndbg/", options=ListOptions(disabled=frozenset({"pagedec"}))
        ).dialect
        == "fallback"
    )


def test_the_sources_switches_name_every_dialect() -> None:
    from typing import get_args

    from crawler.sources import Switchable

    assert set(get_args(Switchable)) == {"all", *discover.DIALECTS}
