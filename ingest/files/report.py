"""A page's report joined with its attachments' text (pure: the crawler fetches and reads, this decides).

An attachment-only report (the page is a title and 「附件：….pdf」) takes the report file's cleaned text as its
body, so its identity is the hash of that text; the title, 文号, date, agency and signer the page lacks are read
from the file, with provenance ``attachment``. A page with its own body keeps it: the attached PDF of the same
report stays an attachment of that one document. A page with a report title that the page alone could not show
to be a report becomes one when its file reads as one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field

from ingest import fields
from ingest.classify import classify, title_evidence
from ingest.dates import parse_date
from ingest.files.model import FileText
from ingest.identity import content_hash, normalize_text
from ingest.model import Attachment, ExtractedReport, SourceHints
from ingest.options import DEFAULT_OPTIONS
from ingest.sections import due_date, report_parts, timeliness

PROVENANCE = "attachment"
TABLE_TYPES = frozenset({"xls", "xlsx"})  # statistics tables: never the report's body
_WEAK = frozenset({"", "url", "hint", "title_tag"})  # a page's value the file's own text overrides
_DATE_TAIL = 8
_SIGN_OFF_CHARS = 40
_DATE_AT_END = re.compile(
    r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*(?:印发|发布)?$"
)  # the 落款 date is among the file's last paragraphs
_SIGN_OFF = re.compile(r"^[\u4e00-\u9fff（）()]{4,40}(?:人民政府|委员会|办公室|局|厅|委|办|署|院|中心|政府)$")


@dataclass(frozen=True)
class FetchedAttachment(Attachment):
    """An attachment as stored on its document: the link's name and URL, and what fetching and reading found."""

    bytes: int = 0
    sha256: str = ""
    text_chars: int = 0
    status: str = "skipped"  # extracted | needs_ocr | failed | skipped
    reason: str | None = None


@dataclass
class ReadAttachment:
    """One attachment with its cleaned paragraphs (empty unless ``extracted``)."""

    record: FetchedAttachment
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def normalized(paragraphs: list[str]) -> list[str]:
    return [p for p in map(normalize_text, paragraphs) if p]


def report_file(report: ExtractedReport, files: list[ReadAttachment]) -> ReadAttachment | None:
    """The file that is the report: a text document (no table) whose name reads as a report title first, then
    the one with the most text."""
    candidates = [f for f in files if f.record.status == "extracted" and f.record.type not in TABLE_TYPES]
    if not candidates:
        return None
    titled = [f for f in candidates if title_evidence(f.record.name)[0] == "report"]
    return max(titled or candidates, key=lambda f: f.record.text_chars)


def join_attachments(
    report: ExtractedReport, files: list[ReadAttachment], hints: SourceHints | None = None
) -> tuple[ExtractedReport, int | None]:
    """The report with its attachments' records, and the index of the file whose text became its body (if any)."""
    merged = dataclasses.replace(report, provenance=dict(report.provenance))
    merged.attachments = [f.record for f in files]
    if not _body_is_a_file(merged):
        return merged, None
    chosen = report_file(merged, files)
    if chosen is None or not _take_body(merged, chosen, hints or SourceHints()):
        return merged, None
    return merged, files.index(chosen)


def _body_is_a_file(report: ExtractedReport) -> bool:
    return report.reason == "attachment-only report" or not report.is_report


def _take_body(report: ExtractedReport, chosen: ReadAttachment, hints: SourceHints) -> bool:
    paragraphs = normalized(chosen.paragraphs)
    title = report.title or _file_title(paragraphs)
    if not report.is_report:
        options = DEFAULT_OPTIONS
        verdict = classify(
            title,
            "\n".join(paragraphs),
            link_ratio=0.0,
            has_attachments=False,
            min_untitled_chars=options.min_untitled_report_chars,
            min_report_chars=options.min_report_chars,
            max_link_ratio=options.max_link_ratio,
        )
        if verdict.kind != "report":
            return False
        report.kind = "report"
    report.reason = f"attachment-only report (body: {chosen.record.name})"
    report.paragraphs = paragraphs
    report.body = "\n".join(paragraphs)
    report.id = content_hash(report.body)
    report.provenance["body"] = PROVENANCE
    report.keywords = []  # they were the page's: the crawl computes them for the new body
    _fill_from_file(report, paragraphs, title, hints)
    return True


def _file_title(paragraphs: list[str]) -> str | None:
    return next((p for p in paragraphs[:8] if title_evidence(p)[0] == "report"), None)


def _fill_from_file(
    report: ExtractedReport, paragraphs: list[str], title: str | None, hints: SourceHints
) -> None:
    prov, head = report.provenance, paragraphs[: DEFAULT_OPTIONS.head_lines]
    if not report.title and title:
        report.title, prov["title"] = title, PROVENANCE
    year, where = fields.report_year(report.title, paragraphs)
    if year and (report.report_year is None or where == "title"):
        report.report_year, prov["report_year"] = year, "title" if where == "title" else PROVENANCE
    signals = fields.PageSignals(meta={}, labels={}, lines=[], headings=[])
    _fill(report, "doc_number", fields.doc_number(signals, head)[0])
    _fill(report, "signer", fields.signer(head))
    _fill(report, "addressee", fields.addressee(head))
    _fill(report, "cc", fields.cc(paragraphs))
    _fill(report, "publish_date", _sign_off_date(paragraphs))
    _fill(report, "agency", fields.agency_from_title(report.title) or _sign_off_agency(paragraphs))
    _parts_and_timeliness(report, hints)


def _fill(report: ExtractedReport, name: str, value: object) -> None:
    """Set a field the page lacks (or only guessed from its URL or the source's hint) from the file."""
    if value is None or value == "":
        return
    if getattr(report, name) is None or report.provenance.get(name, "") in _WEAK:
        setattr(report, name, value)
        report.provenance[name] = PROVENANCE


def _sign_off_date(paragraphs: list[str]) -> object:
    """The date under the signature (or of the 版记's 印发 line): the last short paragraph with a date."""
    for line in reversed(paragraphs[-_DATE_TAIL:]):
        ending = _DATE_AT_END.search(line)
        found = parse_date(line if len(line) <= _SIGN_OFF_CHARS else ending.group(1) if ending else None)
        if found:
            return found
    return None


def _sign_off_agency(paragraphs: list[str]) -> str | None:
    for line in reversed(paragraphs[-_DATE_TAIL:]):
        if _SIGN_OFF.match(line):
            return line
    return None


def _parts_and_timeliness(report: ExtractedReport, hints: SourceHints) -> None:
    found = report_parts(report.paragraphs)
    report.sections = {part: heading is not None for part, heading in found.items()}
    report.section_headings = {part: heading for part, heading in found.items() if heading}
    report.deadline = due_date(report.report_year, hints.deadline)
    report.late, report.days_late = timeliness(report.publish_date, report.deadline)


def report_from_file(
    text: FileText, content: bytes, *, name: str, url: str, hints: SourceHints | None = None
) -> ExtractedReport:
    """A report file on its own (``fazhi extract FILE``): the page JSON of an attachment-only report whose page
    says nothing, the file's reading as its one attachment."""
    record = FetchedAttachment(
        name=name,
        url=url,
        type=text.type,
        bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        text_chars=text.text_chars if text.status == "extracted" else 0,
        status=text.status,
        reason=text.reason,
    )
    page = ExtractedReport(
        url=url, kind="not_report", reason=f"file {text.status}: {text.reason}", attachments=[record]
    )
    paragraphs = text.paragraphs if text.status == "extracted" else []
    merged, index = join_attachments(page, [ReadAttachment(record, paragraphs)], hints)
    if index is None and paragraphs:  # text that does not read as a report: shown all the same
        merged.paragraphs = normalized(paragraphs)
        merged.body = "\n".join(merged.paragraphs)
        merged.id = content_hash(merged.body)
        merged.title = _file_title(merged.paragraphs)
        merged.reason = "the file's text does not read as a report"
    return merged
