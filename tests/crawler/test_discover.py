"""List dialects, parsed from the simulated portals' own list pages (no network)."""

from __future__ import annotations

import json

from crawler.discover import ListRequest, detect_dialect, parse_list
from portalsim import build_portals

PORTALS = build_portals(8801)


def _page(key: str, path: str) -> bytes:
    return PORTALS[key].pages[path].body


def test_dialects_are_detected_from_start_pages() -> None:
    expected = {
        "liangjiang": "trs",
        "hedong": "trs",
        "dongguan": "pager",
        "jianghai": "pager",
        "huzhou": "hanweb",
    }
    for key, dialect in expected.items():
        path = PORTALS[key].start_paths[0]
        html = _page(key, path + ("index.html" if path.endswith("/") else "")).decode()
        assert detect_dialect(html) == dialect, key
    assert detect_dialect(_page("dongguan", "/gkmlpt/index").decode()) == "gkmlpt"


def test_trs_create_page_and_year_subcolumns() -> None:
    base = "http://127.0.0.11:8801/zwgk_199/zfxxgkml/fzzfjsndbg/"
    page = parse_list(
        _page("liangjiang", "/zwgk_199/zfxxgkml/fzzfjsndbg/index.html"),
        None,
        ListRequest(base + "index.html", "auto"),
    )
    urls = {r.url for r in page.requests}
    assert {base + "index_1.html", base + "index_2.html"} <= urls
    assert base + "fzzf2020/index.html" in urls
    assert all(link.title for link in page.links)


def test_trs_create_page_html_zero_based() -> None:
    base = "http://127.0.0.12:8801/zwgk/fzzfjs/fzzfjsbgqk/"
    page = parse_list(
        _page("hedong", "/zwgk/fzzfjs/fzzfjsbgqk/index.html"), None, ListRequest(base + "index.html", "trs")
    )
    assert [r.url for r in page.requests] == [base + "index_1.html", base + "index_2.html"]


def test_list_titles_come_from_the_title_attribute_not_truncated_text() -> None:
    base = "http://127.0.0.12:8801/zwgk/fzzfjs/fzzfjsbgqk/"
    titles = set()
    for name in ("index.html", "index_1.html", "index_2.html"):
        page = parse_list(
            _page("hedong", f"/zwgk/fzzfjs/fzzfjsbgqk/{name}"), None, ListRequest(base + name, "trs")
        )
        titles |= {link.title for link in page.links}
    assert PORTALS["hedong"].reports()[0].title in titles


def test_hanweb_datastore_plans_dataproxy_posts() -> None:
    url = "http://127.0.0.15:8801/col/col1229213470/index.html"
    page = parse_list(_page("huzhou", "/col/col1229213470/index.html"), None, ListRequest(url, "auto"))
    assert len(page.links) == 10
    assert [r.method for r in page.requests] == ["POST"] * 3
    first = page.requests[0]
    assert first.url.endswith("dataproxy.jsp?startrecord=11&endrecord=20&perpage=10")
    form = dict(first.data)
    assert form["columnid"] == "1229213470" and form["unitid"] == "212860" and form["col"] == "1"


def test_gkmlpt_config_then_api_pages() -> None:
    index = parse_list(
        _page("dongguan", "/gkmlpt/index"), None, ListRequest("http://127.0.0.13:8801/gkmlpt/index", "auto")
    )
    assert [r.url for r in index.requests] == ["http://127.0.0.13:8801/gkmlpt/api/all/3?page=1&sid=200001"]

    def articles(n: int) -> list[dict[str, object]]:
        return [{"id": i, "title": "t", "url": f"/gkmlpt/content/0/0/post_{i}.html"} for i in range(n)]

    # the page size is what the API returns (8 here), never a constant: 1 × 8 < 20 asks for page 2
    full = {"classify": {"post_count": 20}, "articles": articles(8)}
    page = parse_list(json.dumps(full).encode(), "application/json", index.requests[0])
    assert page.links[0].url == "http://127.0.0.13:8801/gkmlpt/content/0/0/post_0.html"
    assert [r.url for r in page.requests] == ["http://127.0.0.13:8801/gkmlpt/api/all/3?page=2&sid=200001"]
    assert page.expected == 20 and page.pages == 3
    last = parse_list(
        json.dumps({"classify": {"post_count": 20}, "articles": articles(4)}).encode(),
        None,
        ListRequest("http://127.0.0.13:8801/gkmlpt/api/all/3?page=3&sid=200001", "gkmlpt"),
    )
    # a short last page may be the last: ask once past it; an empty page ends the listing
    assert [r.url for r in last.requests] == ["http://127.0.0.13:8801/gkmlpt/api/all/3?page=4&sid=200001"]
    empty = parse_list(
        json.dumps({"classify": {"post_count": 20}, "articles": []}).encode(),
        None,
        ListRequest("http://127.0.0.13:8801/gkmlpt/api/all/3?page=4&sid=200001", "gkmlpt"),
    )
    assert empty.requests == [] and empty.links == []


def test_gkmlpt_config_as_js_object_literal() -> None:
    html = b"<script>window._CONFIG = {SID: '200001', TREE: [{id: 7, name: '\xe6\xb3\x95\xe6\xb2\xbb\xe6\x94\xbf\xe5\xba\x9c'}]};</script>"
    page = parse_list(
        html, "text/html; charset=utf-8", ListRequest("http://127.0.0.13:8801/gkmlpt/index", "gkmlpt")
    )
    assert [r.url for r in page.requests] == ["http://127.0.0.13:8801/gkmlpt/api/all/7?page=1&sid=200001"]


def test_pager_follows_next_and_numbered_links_in_the_column() -> None:
    base = "http://127.0.0.14:8801/bwbj/rsj/zfxxgkzn/fzzfzclb/"
    page = parse_list(
        _page("jianghai", "/bwbj/rsj/zfxxgkzn/fzzfzclb/index.html"),
        None,
        ListRequest(base + "index.html", "auto"),
    )
    urls = {r.url for r in page.requests}
    assert base + "index_2.html" in urls and base + "index_4.html" in urls
