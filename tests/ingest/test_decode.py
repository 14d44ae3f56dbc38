"""Charsets: BOM, header, <meta>, lies, and GBK-only characters."""

from __future__ import annotations

import codecs

import pytest

from ingest.decode import decode_html, decode_page, utf8_head

TEXT = "<html><head>{meta}</head><body><p>朱镕基、王堃、张喆：法治政府建设年度报告</p></body></html>"


def test_gbk_page_declared_gb2312_keeps_gbk_only_characters() -> None:
    raw = TEXT.format(meta='<meta charset="gb2312">').encode("gbk")
    text, charset = decode_html(raw, "text/html; charset=gb2312")
    assert "朱镕基、王堃、张喆" in text
    assert charset == "gb18030"


def test_header_claims_utf8_over_gbk_bytes() -> None:
    raw = TEXT.format(meta='<meta http-equiv="Content-Type" content="text/html; charset=gbk">').encode("gbk")
    text, _ = decode_html(raw, "text/html; charset=utf-8")
    assert "法治政府建设年度报告" in text


def test_utf8_without_any_charset() -> None:
    text, charset = decode_html(TEXT.format(meta="").encode("utf-8"), "text/html")
    assert "朱镕基" in text and charset == "utf-8"


def test_gbk_without_any_charset() -> None:
    text, _ = decode_html(TEXT.format(meta="").encode("gbk"), None)
    assert "法治政府建设年度报告" in text


def test_bom_wins() -> None:
    text, charset = decode_html(codecs.BOM_UTF8 + TEXT.format(meta="").encode(), "text/html; charset=gbk")
    assert "朱镕基" in text and charset == "utf-8"


def test_latin1_label_over_gbk_bytes_is_not_trusted_first() -> None:
    text, _ = decode_html(TEXT.format(meta="").encode("gbk"), "text/html; charset=iso-8859-1")
    assert "法治政府建设年度报告" in text


def test_declared_ebcdic_or_utf7_does_not_win_over_gb18030() -> None:
    for label in ("cp500", "utf-7", "koi8-r"):
        raw = TEXT.format(meta=f'<meta charset="{label}">').encode("gb18030")
        text, charset = decode_html(raw, f"text/html; charset={label}")
        assert "朱镕基、王堃、张喆" in text and charset == "gb18030", label


def test_declared_big5_is_read_as_big5() -> None:
    raw = "<html><head><meta charset='big5'></head><body><p>法治政府建設年度報告</p></body></html>".encode(
        "big5"
    )
    text, charset = decode_html(raw, "text/html; charset=big5")
    assert "法治政府建設年度報告" in text and charset == "big5"


def _pages() -> list[bytes]:
    sheet = b".c{margin:0}\n" * 5000  # ASCII pieces between Chinese ones
    page = (
        "<html><head><title>标题</title><style>".encode()
        + sheet
        + "</style></head><body><p>正文。</p>".encode()
    ) * 4
    return [
        page,
        page + b"\xe4\xb8",  # a character cut off at the end
        page[:40000] + b"\xe4" + page[40000:],  # a lone lead byte, inside a piece
        page.replace(b"<p>", b"\xe4<p>", 1),  # … and just before the "<" a piece may end at
        codecs.BOM_UTF8 + page,  # decode_page reads a BOM'd page as not exact
        "<p>中文</p>".encode("gb18030") * 5000,
        b"<p>ascii</p>" * 5000,
        b"",
    ]


@pytest.mark.parametrize("content", _pages(), ids=range(8))
def test_the_utf8_head_agrees_with_decode_page(content: bytes) -> None:
    text, charset, exact = decode_page(content)
    head = utf8_head(content, 20000)
    if exact:
        assert charset == "utf-8"
        assert head is not None
        assert head[:20000] == text[:20000]
        assert len(head) >= min(20000, len(text))
    else:
        assert head is None
