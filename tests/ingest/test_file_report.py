"""A page's report joined with its files' text (ingest.files.report): which file is the body, which fields it
fills, and what stays the page's."""

from __future__ import annotations

from datetime import date

from ingest import ExtractedReport, content_hash, extract_report
from ingest.classify import wants_attachments
from ingest.files import extract_file
from ingest.files.report import FetchedAttachment, ReadAttachment, join_attachments
from ingest.model import Attachment
from tests.ingest.test_files import FILES

TITLE = "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告"
URL = "http://127.0.0.2/fujian/only.html"


def _page(title: str, body: str = "", links: str = "") -> ExtractedReport:
    html = (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body><h1>{title}</h1>'
        f'<div class="TRS_Editor">{body}<p>附件：</p>{links}</div></body></html>'
    )
    return extract_report(html.encode(), URL)


def _read(fixture: str, name: str, ext: str) -> ReadAttachment:
    content = (FILES / fixture).read_bytes()
    text = extract_file(content, name)
    record = FetchedAttachment(
        name=name,
        url=f"http://127.0.0.2/fujian/{fixture}",
        type=text.type if text.type != "unknown" else ext,
        bytes=len(content),
        status=text.status,
        reason=text.reason,
        text_chars=text.text_chars,
    )
    return ReadAttachment(record, text.paragraphs if text.status == "extracted" else [])


def _failed(name: str, reason: str) -> ReadAttachment:
    return ReadAttachment(
        FetchedAttachment(name=name, url="http://127.0.0.2/x.pdf", type="pdf", status="failed", reason=reason)
    )


def test_an_attachment_only_page_takes_the_files_text_and_fields() -> None:
    page = _page(TITLE, links='<p><a href="P1.pdf">2019年度法治政府建设工作报告.pdf</a></p>')
    assert page.reason == "attachment-only report" and wants_attachments(page)
    merged, body = join_attachments(page, [_read("report.pdf", "2019年度法治政府建设工作报告.pdf", "pdf")])
    assert body == 0 and merged.is_report and merged.id == content_hash(merged.body) != page.id
    assert merged.doc_number == "湖人社〔2020〕3号" and merged.signer == "王树"
    assert merged.publish_date == date(2020, 2, 20) and merged.agency == "湖州市人力资源和社会保障局"
    assert merged.addressee == "市委、市政府"
    assert merged.provenance["body"] == "attachment" and merged.provenance["doc_number"] == "attachment"
    assert merged.sections == {
        part: False for part in merged.sections
    }  # read from the file's text: it has none
    assert page.body.startswith(TITLE)  # the page itself is unchanged (a copy was joined)


def test_the_report_file_is_a_text_document_named_as_a_report_before_a_table() -> None:
    page = _page(
        TITLE, links='<p><a href="a.xlsx">统计表.xlsx</a></p><p><a href="b.docx">工作报告.docx</a></p>'
    )
    files = [
        _read("stats.xlsx", "统计表.xlsx", "xlsx"),
        _read("dongguan.wps", "附件2.wps", "wps"),
        _read("report.docx", "法治政府建设年度报告.docx", "docx"),
    ]
    merged, body = join_attachments(page, files)
    assert body == 2 and merged.body.startswith("湖人社")
    dongguan = _page(
        "东莞市人力资源和社会保障局2020年法治政府建设工作报告", links='<p><a href="a.wps">附件.wps</a></p>'
    )
    merged, body = join_attachments(dongguan, [_read("dongguan.wps", "附件.wps", "wps")])
    assert body == 0 and merged.sections["leader_duties"]  # the required parts are checked on the file's text


def test_a_page_whose_file_failed_keeps_its_own_identity_and_records_why() -> None:
    page = _page(TITLE, links='<p><a href="P1.pdf">报告.pdf</a></p>')
    merged, body = join_attachments(page, [_failed("报告.pdf", "encrypted: a password is needed to open it")])
    assert body is None and merged.id == page.id and merged.body == page.body
    assert [a.status for a in merged.attachments] == ["failed"]
    assert isinstance(merged.attachments[0], Attachment)


def test_a_page_with_its_own_body_keeps_it() -> None:
    text = extract_file((FILES / "report.docx").read_bytes()).paragraphs
    body = "".join(f"<p>{p}</p>" for p in text)
    page = _page(TITLE, body, '<p><a href="P1.pdf">报告.pdf</a></p>')
    assert page.is_report and page.reason != "attachment-only report"
    merged, index = join_attachments(page, [_read("report.pdf", "报告.pdf", "pdf")])
    assert index is None and merged.id == page.id and merged.attachments[0].status == "extracted"


def test_the_pages_own_fields_win_over_the_files() -> None:
    page = _page(TITLE, "<p>发布时间：2020-03-01</p>", '<p><a href="P1.pdf">报告.pdf</a></p>')
    assert page.publish_date == date(2020, 3, 1)
    merged, index = join_attachments(page, [_read("report.pdf", "报告.pdf", "pdf")])
    assert index == 0 and merged.doc_number == "湖人社〔2020〕3号"  # the page had none
    assert merged.publish_date == date(2020, 3, 1) and merged.provenance["publish_date"] != "attachment"


def test_decoys_and_pages_without_files_fetch_nothing() -> None:
    assert not wants_attachments(
        _page("关于2019年度法治政府建设工作报告的解读", links='<p><a href="a.pdf">解读.pdf</a></p>')
    )
    assert not wants_attachments(_page(TITLE))
