"""What extraction returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date


@dataclass(frozen=True)
class Attachment:
    name: str
    url: str
    type: str


@dataclass(frozen=True)
class SourceHints:
    """What the source configuration knows: used only where the page itself is silent."""

    agency: str | None = None
    region: str | None = None  # "广东省/江门市/江海区", "天津市/河东区"
    deadline: str | None = None  # "MM-DD" in the year after the report year; None: 04-01 (the national rule)


@dataclass
class ExtractedReport:
    url: str
    kind: str  # "report" | "not_report" | "blocked"
    reason: str  # why it was classified so
    paragraphs: list[str] = field(default_factory=list)
    body: str = ""  # normalized paragraphs joined by "\n"
    id: str = ""  # sha256 hex of ``body``
    title: str | None = None
    agency: str | None = None
    report_year: int | None = None
    publish_date: date | None = None
    doc_number: str | None = None
    index_no: str | None = None
    signer: str | None = None
    addressee: str | None = None
    cc: str | None = None
    source: str | None = None
    province: str | None = None
    city: str | None = None
    county: str | None = None
    breadcrumb: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    # the required parts (《法治政府建设与责任落实督察工作规定》 art. 24), each with the heading that shows it
    sections: dict[str, bool] = field(default_factory=dict)
    section_headings: dict[str, str] = field(default_factory=dict)
    deadline: date | None = None  # due date: 1 April (or the source's MM-DD) of report_year + 1
    late: bool | None = None  # published after the deadline; None when there is no date or no year
    days_late: int | None = None
    charset: str = "utf-8"
    provenance: dict[str, str] = field(
        default_factory=dict
    )  # field name → meta | info_table | line | body | url | hint

    @property
    def is_report(self) -> bool:
        return self.kind == "report"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: every field, ``is_report``, and dates as YYYY-MM-DD. The same as ``dataclasses.asdict``
        (containers copied, attachments as dicts), without its deep copy of every string."""
        data: dict[str, object] = {name: getattr(self, name) for name in _REPORT_FIELDS}
        data["paragraphs"] = list(self.paragraphs)
        data["breadcrumb"] = list(self.breadcrumb)
        data["attachments"] = [asdict(item) for item in self.attachments]
        data["keywords"] = list(self.keywords)
        data["sections"] = dict(self.sections)
        data["section_headings"] = dict(self.section_headings)
        data["provenance"] = dict(self.provenance)
        data["publish_date"] = self.publish_date.isoformat() if self.publish_date else None
        data["deadline"] = self.deadline.isoformat() if self.deadline else None
        data["is_report"] = self.is_report
        return data


_REPORT_FIELDS = tuple(item.name for item in fields(ExtractedReport))
