"""Attachment readers on files made by real tools (tests/data/files, see its README): text, chrome, bounds."""

from __future__ import annotations

import resource
import time
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.files import DEFAULT_LIMITS, extract_file, read_bounded, sniff
from ingest.files.clean import clean_pages, clean_paragraphs, tidy_line
from tests.gold.score import bigram_prf
from tests.ingest import files_helpers

FILES = Path(__file__).resolve().parents[1] / "data" / "files"
MB = 1024 * 1024

# file, type found in its bytes, truth file
FORMATS = [
    ("report.pdf", "pdf", "report"),
    ("dongguan.pdf", "pdf", "dongguan"),
    ("long.pdf", "pdf", "long"),
    ("report.docx", "docx", "report"),
    ("report.doc", "doc", "report"),
    ("dongguan.wps", "doc", "dongguan"),
    ("report.rtf", "rtf", "report"),
    ("report.ofd", "ofd", "report"),
    ("report-html.doc", "html", "report"),
    ("report-mht.doc", "mht", "report"),
    ("report-wordml.doc", "wordml", "report"),
    ("stats.xlsx", "xlsx", "stats"),
    ("stats.xls", "xls", "stats"),
]
HOSTILE = [
    ("bomb.docx", "failed", "zip:"),
    ("encrypted.pdf", "failed", "encrypted"),
    ("truncated.pdf", "failed", "truncated"),
    ("pages-5000.pdf", "failed", "5000 pages"),
    ("error-page.pdf", "failed", "an HTML page, not a file"),
    ("scan.pdf", "needs_ocr", "no text layer"),
]


def _truth(name: str) -> str:
    return (FILES / "truth" / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "kind", "truth"), FORMATS)
def test_every_generated_format_reads_back_its_source_text(name: str, kind: str, truth: str) -> None:
    got = extract_file((FILES / name).read_bytes(), name)
    assert (got.type, got.status, got.reason) == (kind, "extracted", None)
    _, _, f1 = bigram_prf(_truth(truth), "\n".join(got.paragraphs))
    assert f1 >= 0.99, f"{name}: F1 {f1:.4f}"


@pytest.mark.parametrize(
    "name",
    [
        "report.pdf",
        "report.ofd",
        "report.doc",
        "report.docx",
        "report.rtf",
        "report-html.doc",
        "report-wordml.doc",
    ],
)
def test_running_header_and_page_numbers_are_dropped(name: str) -> None:
    text = "\n".join(extract_file((FILES / name).read_bytes()).paragraphs)
    assert "2019年度法治政府建设工作报告\n" not in text + "\n"  # the header line; the title line stays
    assert "—" not in text


@pytest.mark.parametrize("name", ["dongguan.pdf", "dongguan.wps"])
def test_page_of_pages_footer_is_dropped(name: str) -> None:
    text = "\n".join(extract_file((FILES / name).read_bytes()).paragraphs)
    assert "页 共" not in text and "共8页" not in text and "PAGE" not in text


@pytest.mark.parametrize(
    ("name", "truth"), [("report.pdf", "report"), ("long.pdf", "long"), ("dongguan.pdf", "dongguan")]
)
def test_pdf_lines_are_rejoined_into_the_source_paragraphs(name: str, truth: str) -> None:
    got = {p.replace(" ", "") for p in extract_file((FILES / name).read_bytes()).paragraphs}
    want = [p.replace(" ", "") for p in _truth(truth).splitlines() if "\t" not in p]
    assert sum(p in got for p in want) >= 0.85 * len(want)  # measured 28/32, 134/143, 25/27


def test_docx_tables_come_back_as_text_rows() -> None:
    got = extract_file((FILES / "report.docx").read_bytes()).paragraphs
    assert "1\t行政复议案件（件）\t12\t15" in got


def test_the_bytes_decide_the_type_not_the_name() -> None:
    assert sniff((FILES / "report.docx").read_bytes()) == "docx"
    assert extract_file((FILES / "report.docx").read_bytes(), "report.pdf").type == "docx"
    assert extract_file((FILES / "dongguan.wps").read_bytes(), "x.wps").type == "doc"
    assert sniff((FILES / "report.ofd").read_bytes()) == "ofd"
    assert extract_file(b"\x00\x01 not a document", "x.pdf").status == "skipped"


def test_malformed_bytes_under_every_signature_fail_with_a_reason() -> None:
    for junk in (
        b"%PDF-1.7\n garbage %%EOF",
        b"PK\x03\x04 garbage",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
    ):
        got = extract_file(junk, "junk")
        assert got.status in ("failed", "skipped") and got.reason, got


def test_a_file_over_the_size_cap_is_refused_unread() -> None:
    got = extract_file((FILES / "report.pdf").read_bytes(), limits=replace(DEFAULT_LIMITS, max_bytes=1000))
    assert got.status == "failed" and got.reason and got.reason.startswith("too large")


@pytest.mark.parametrize(("name", "status", "reason"), HOSTILE)
def test_hostile_files_are_recorded_with_a_reason_in_bounded_time_and_memory(
    name: str, status: str, reason: str
) -> None:
    got = read_bounded((FILES / name).read_bytes(), name, replace(DEFAULT_LIMITS, timeout_s=60))
    assert got.text.status == status and got.text.reason and reason in got.text.reason, got.text
    assert got.seconds < 60
    assert got.peak_rss_bytes is not None and got.peak_rss_bytes < 500 * MB


def test_a_5000_page_pdf_read_to_the_end_stays_under_500_mb() -> None:
    limits = replace(DEFAULT_LIMITS, max_pages=10_000, timeout_s=100)
    got = read_bounded((FILES / "pages-5000.pdf").read_bytes(), "pages-5000.pdf", limits)
    assert got.text.pages == 5000, got.text
    assert got.peak_rss_bytes is not None and got.peak_rss_bytes < 500 * MB


def test_peak_rss_is_the_childs_own_not_the_parents() -> None:
    ballast = b"\x01" * (400 * MB)  # the parent grows; Linux's ru_maxrss would carry this into the child
    got = read_bounded(
        (FILES / "report.pdf").read_bytes(), "report.pdf", replace(DEFAULT_LIMITS, timeout_s=60)
    )
    assert len(ballast) == 400 * MB
    assert got.text.status == "extracted"
    assert got.peak_rss_bytes is not None and got.peak_rss_bytes < 300 * MB


def test_a_reader_that_hangs_is_killed_at_the_deadline() -> None:
    start = time.monotonic()
    got = read_bounded(b"%PDF-", "x.pdf", replace(DEFAULT_LIMITS, timeout_s=2), reader=files_helpers.hang)
    assert got.text.status == "failed" and got.text.reason and got.text.reason.startswith("timeout")
    assert time.monotonic() - start < 30


def test_a_reader_that_bloats_hits_the_memory_limit() -> None:
    limits = replace(DEFAULT_LIMITS, memory_bytes=768 * MB, timeout_s=60)
    got = read_bounded(b"", "x", limits, reader=files_helpers.hog)
    assert got.text.status == "failed" and got.text.reason and "memory limit" in got.text.reason


def test_a_reader_that_crashes_is_a_reason_too() -> None:
    got = read_bounded(b"", "x", replace(DEFAULT_LIMITS, timeout_s=60), reader=files_helpers.crash)
    assert got.text.status == "failed" and got.text.reason == "reader crashed (exit code 3)"


def test_cjk_spaces_go_and_latin_spaces_stay() -> None:
    assert tidy_line("法 治 政 府 2019 年 度") == "法治政府2019年度"
    assert tidy_line("PDF  file name") == "PDF file name"


@pytest.mark.parametrize(
    "line",
    [
        "— 3 —",
        "- 3 -",
        "第3页 共12页",
        "第 3 页",
        "3/12",
        "— PAGE 9 —",
        "第 PAGE 8 页 共 NUMPAGES 8 页",
        "———————",
    ],
)
def test_page_numbers_and_rules_are_chrome(line: str) -> None:
    assert clean_paragraphs([line, "正文。"]) == ["正文。"]


def test_lines_broken_at_line_and_page_ends_are_rejoined() -> None:
    full = "我局坚持依法行政全面推进法治政府建设工作取得明显成效一二"
    pages = [
        ["机关文件", "一、总体情况", full, full, "继续推进。", "— 1 —"],
        ["机关文件", full, "完成任务。", "二、主要举措", "— 2 —"],
        ["机关文件", full, "结束。", "抄送：市司法局", "— 3 —"],
    ]
    assert clean_pages(pages) == [
        "一、总体情况",
        full * 2 + "继续推进。",
        full + "完成任务。",
        "二、主要举措",
        full + "结束。",
        "抄送：市司法局",
    ]


def test_a_docx_nesting_content_controls_10000_deep_is_read_whole() -> None:
    import io
    import zipfile

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    deep = "<w:sdt><w:sdtContent>" * 10_000 + "<w:p><w:r><w:t>法治政府建设年度报告</w:t></w:r></w:p>"
    deep += "</w:sdtContent></w:sdt>" * 10_000
    xml = f'<?xml version="1.0"?><w:document {w}><w:body>{deep}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    text = extract_file(buffer.getvalue(), "deep.docx")
    assert (text.status, text.paragraphs) == ("extracted", ["法治政府建设年度报告"]), text.reason


def test_read_in_place_bounds_memory_and_restores_the_limit() -> None:
    from ingest.files.runner import read_in_place

    before = resource.getrlimit(resource.RLIMIT_AS)
    got = read_in_place((FILES / "report.pdf").read_bytes(), "report.pdf")
    assert got.text.status == "extracted" and got.peak_rss_bytes is not None
    big = b"<html><body>" + "<p>法治政府建设年度报告</p>".encode() * 1_000_000  # 34 MB of HTML
    starved = read_in_place(big, "big.doc", replace(DEFAULT_LIMITS, memory_bytes=4 * MB))
    assert starved.text.status == "failed" and "MemoryError" in (starved.text.reason or "")
    assert resource.getrlimit(resource.RLIMIT_AS) == before
