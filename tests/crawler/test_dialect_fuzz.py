"""Fuzzing the list dialects: hostile markup, broken JSON and binary garbage never raise, never reach the parse
safety net, and cost bounded CPU time per KB. Deterministic (``derandomize``) and bounded: ≈ 10 s in all."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.discover import DIALECTS, ListOptions, ListPage, ListRequest, parse_list

pytestmark = pytest.mark.serial  # timing-bound: run alone (`make test`'s second pass)

OPTIONS = ListOptions(max_pages=50)
URLS = [
    ListRequest("http://h/col/col1/index.html", "auto"),
    ListRequest("http://h/gkmlpt/api/all/3?page=2&sid=1", "gkmlpt"),
    ListRequest("http://h/api-gateway/jpaas-publish-server/front/page/build/unit?pageNo=2", "jpaas"),
    ListRequest("http://h/module/web/jpage/dataproxy.jsp?startrecord=1", "hanweb", "POST", (("col", "1"),)),
]
PIECES = [
    "<div>",
    "<font>",
    "<span>",
    "<b>",
    "<table><tr><td>",
    "</div>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<a href='/art/2024/1/1/art_1_1.html' title='某局2023年法治政府建设年度报告'>",
    "</a>",
    "<a href='//[::1'>",
    "<a href='index_2.html'>下一页</a>",
    "<a href='?pageNum=3'>3</a>",
    "<li>",
    "<script>",
    "</script>",
    "<script type='text/xml'><datastore>",
    "<record>",
    "</record>",
    "<nextgroup>",
    "<recordset>",
    "<totalrecord>x</totalrecord>",
    "$('#1').jpage({totalRecord:99999999999,perPage:0})",
    "createPageHTML(",
    "createPage(",
    "99999999999999",
    "-1",
    ", 0, 'index', 'html'",
    "var countPage = ",
    "var dataList=",
    '[{"infolist":',
    '{"title":"法治","url":',
    '"/a.html"}',
    "]",
    "}",
    'var pagesData={"pageTotal":',
    "window._CONFIG = ",
    "{SID: '1', TREE: [",
    "{id: 3, name: '法治",
    "'children': [",
    "<div id='pageDec' pagesize='0' pagecount='",
    "Ls.pagination({pageCount: ",
    "total: 'x', ",
    "<div class='pagination' count='9e9' rows='0' unitUrl='",
    "http://127.0.0.2/x' queryData=\"{'webId':",
    "jpaas-publish-server",
    "\x00",
    "\ufffd",
    "\u202e",
    "法治政府建設年度報告",
    "&amp;",
    "&#x0;",
    "<?xml ",
]


def _cpu_ok(call_input: bytes, request: ListRequest, dialect: str) -> ListPage:
    started = time.process_time()
    page = parse_list(
        call_input, None, ListRequest(request.url, dialect, request.method, request.data), OPTIONS
    )
    seconds = time.process_time() - started
    assert seconds < 0.5 + 0.01 * len(call_input) / 1024, (
        f"{dialect}: {seconds:.2f} s for {len(call_input)} B"
    )
    assert not any(" raised " in p for p in page.problems), page.problems  # no parser exception at all
    assert len(page.requests) <= 2 * OPTIONS.max_pages + 10  # claims never exceed the cap
    return page


def _every_dialect(data: bytes) -> None:
    for request in URLS:
        for dialect in ("auto", *DIALECTS, "fallback"):
            _cpu_ok(data, request, dialect)


markup = st.lists(
    st.one_of(
        st.sampled_from(PIECES),
        st.text(max_size=40),
        st.tuples(st.sampled_from(PIECES), st.integers(1, 3000)).map(lambda t: t[0] * t[1]),  # deep nesting
        st.integers(1, 3000).map(
            lambda n: "<a " + " ".join(f"a{i}='{i}'" for i in range(n)) + " href='/x.html'>"
        ),
    ),
    max_size=30,
).map("".join)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(markup)
def test_hostile_markup(text: str) -> None:
    _every_dialect(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(st.binary(max_size=20_000))
def test_binary_garbage(data: bytes) -> None:
    _every_dialect(data)


TEMPLATES = [
    "<script type='text/xml'><datastore><nextgroup><![CDATA[<a href='{0}'></a>]]></nextgroup><recordset>{1}"
    "</recordset></datastore></script><script>$('#1').jpage({{totalRecord:{2},perPage:{3}}})</script>",
    "<script>createPageHTML({2}, {3}, '{0}', 'html', {2});</script>{1}",
    "<script>var countPage = {2};</script>{1}",
    '<script>var dataList={4};var pagesData={{"pageTotal":{2}}};</script>',
    "<div id='pageDec' pagesize='{3}' pagecount='{2}'></div>{1}",
    "<script>Ls.pagination({{pageCount: {2}, total: {3}}})</script>{1}",
    "<div class='pagination' count='{2}' rows='{3}' unitUrl='{0}' queryData=\"{{'webId':{3}}}\"></div>{1}",
    "<script>window._CONFIG = {4};</script>",
    "<script>window._CONFIG = {{SID: '{3}', TREE: [{{id: {2}, name: '法治{0}'}}]}};</script>",
]
HREFS = [
    "/module/web/jpage/dataproxy.jsp?page=1&a=1",
    "http://127.0.0.2/x",
    "//[::1",
    "",
    "javascript:x",
    "%",
]
counts = st.one_of(
    st.integers(-10, 10**12).map(str),
    st.sampled_from(["0", "1", "1e9", "x", "", "'7'", "99999999999999999999"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(
            st.sampled_from(
                [
                    "articles",
                    "classify",
                    "post_count",
                    "url",
                    "title",
                    "data",
                    "html",
                    "success",
                    "infolist",
                    "id",
                ]
            )
            | st.text(max_size=5),
            inner,
            max_size=5,
        )
    ),
    max_leaves=40,
)


@settings(FUZZ, max_examples=150)
@given(json_values, st.integers(0, 60), st.booleans())
def test_broken_and_odd_json_answers(value: object, cut: int, truncate: bool) -> None:
    text = json.dumps(value)
    data = (text[: len(text) - cut] if truncate else text).encode()
    for request in URLS[1:]:
        _cpu_ok(data, request, request.dialect)


@settings(FUZZ, max_examples=120)
@given(
    st.sampled_from(TEMPLATES),
    st.sampled_from(HREFS) | st.text(max_size=10),
    markup,
    counts,
    counts,
    json_values.map(json.dumps),
)
def test_dialect_markup_with_fuzzed_values(
    template: str, href: str, body: str, a: str, b: str, blob: str
) -> None:
    data = template.format(href, body[:2000], a, b, blob).encode("utf-8", "surrogatepass")
    for request in URLS[:1]:
        for dialect in ("auto", *DIALECTS):
            _cpu_ok(data, request, dialect)


def test_deeply_nested_json_is_a_reason() -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    page = _cpu_ok(data, URLS[1], "gkmlpt")
    assert page.problems and page.links == []
