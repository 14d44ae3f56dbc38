"""What the simulated portals publish: the seed reports, decoys and filler items.

The seed bodies come from ``seeds/reports.json`` (the user's own documents). Decoys are the items that sit next to
real reports on real portals and must not be taken for them; fillers are ordinary column traffic.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

# Real pages use full-width punctuation; the ground truth is NFKC-normalized. Rendering full-width keeps the
# simulator honest: the extractor has to normalize to get the ground truth back.
_FULL_WIDTH = str.maketrans({",": "，", ":": "：", "(": "（", ")": "）", ";": "；", "?": "？", "!": "！"})


@dataclass
class Attachment:
    name: str
    path: str
    payload: bytes = b"%PDF-1.4\n% simulated attachment\n"


@dataclass
class Item:
    """One published item of a portal column: a report, a decoy or a filler."""

    key: str
    kind: str  # "report" | "decoy" | "filler"
    title: str
    published: datetime
    paragraphs: list[str]
    agency: str
    path: str = ""
    index_no: str = ""
    doc_number: str = ""
    report_year: int | None = None
    attachments: list[Attachment] = field(default_factory=list)
    extra_paths: list[str] = field(default_factory=list)

    @property
    def date(self) -> str:
        return self.published.strftime("%Y-%m-%d")

    def html_paragraphs(self) -> list[str]:
        return [p.translate(_FULL_WIDTH) for p in self.paragraphs]


def _reports_file() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (
        here.parent / "seeds" / "reports.json",
        here.parent / "fazhi" / "seeds" / "reports.json",
    ):
        if candidate.exists():
            return candidate
    raise FileNotFoundError("seeds/reports.json not found next to the portalsim package")


@cache
def seed_paragraphs() -> dict[str, list[str]]:
    """Clean body paragraphs of each seed report, by key (huzhou, dongguan, hedong, jianghai, liangjiang)."""
    data = json.loads(_reports_file().read_text(encoding="utf-8"))
    return {r["key"]: list(r["paragraphs"]) for r in data["reports"]}


def decoys(agency: str, year: int, published: datetime) -> list[Item]:
    """The four decoy kinds PORTALS.md lists, each with a short body of its own."""
    day = timedelta(days=1)
    return [
        Item(
            key="decoy-xxgk",
            kind="decoy",
            title=f"{agency}{year}年政府信息公开工作年度报告",
            published=published - 9 * day,
            agency=agency,
            paragraphs=[
                f"本报告根据《中华人民共和国政府信息公开条例》要求,由{agency}编制。",
                f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
                f"政府信息公开行政复议和行政诉讼情况、存在的主要问题及改进情况等。本报告所列数据统计期限自{year}年1月1日起至"
                f"{year}年12月31日止。",
                "一、总体情况",
                f"{year}年,我局坚持以人民为中心的发展思想,扎实做好政府信息公开工作,主动公开政府信息"
                f"{137 + year % 50}条,办理依申请公开{12 + year % 7}件。",
            ],
        ),
        Item(
            key="decoy-yaodian",
            kind="decoy",
            title=f"{agency}{year + 1}年依法行政工作要点",
            published=published + 20 * day,
            agency=agency,
            paragraphs=[
                f"为深入贯彻落实习近平法治思想,全面推进依法行政,结合工作实际,现提出{year + 1}年依法行政工作要点如下:",
                "一、加强党对法治政府建设的领导",
                "二、健全依法决策机制,严格落实重大行政决策程序",
                "三、深化行政执法体制改革,全面推行行政执法“三项制度”",
            ],
        ),
        Item(
            key="decoy-fangan",
            kind="decoy",
            title=f"{agency}法治政府建设实施方案({year + 1}—{year + 5}年)",
            published=published - 40 * day,
            agency=agency,
            paragraphs=[
                "为贯彻落实《法治政府建设实施纲要(2021—2025年)》,扎实推进法治政府建设,结合实际,制定本实施方案。",
                "一、总体要求",
                "二、主要任务和具体措施",
                "三、组织保障",
            ],
        ),
        Item(
            key="decoy-jiedu",
            kind="decoy",
            title=f"图文解读:《{agency}{year}年法治政府建设年度报告》",
            published=published + 2 * day,
            agency=agency,
            paragraphs=[
                f"近日,{agency}公开发布了{year}年法治政府建设年度报告。为便于公众理解,现将报告主要内容解读如下。",
                "一、报告的主要内容",
                "报告从主要举措和成效、存在的不足、下一年度主要安排三个方面进行了总结。",
            ],
        ),
    ]


_FILLER_TOPICS = [
    "关于公布{y}年度第{n}批高技能人才培训基地名单的通知",
    "{y}年第{n}季度就业形势分析",
    "关于开展{y}年度劳动保障守法诚信等级评价工作的通知",
    "关于调整工伤保险待遇标准的通知({y}年第{n}号)",
    "{y}年事业单位公开招聘工作人员拟聘用人员公示(第{n}批)",
    "关于举办{y}年职业技能竞赛的通知",
    "关于做好{y}年度社会保险缴费工作的通告",
    "{y}年第{n}批就业见习基地认定结果公示",
]


def fillers(agency: str, count: int, newest: datetime, seed: int) -> list[Item]:
    """Ordinary column items, deterministic for a seed, dated backwards from ``newest``."""
    rng = random.Random(seed)
    items = []
    when = newest
    for i in range(count):
        when -= timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 8))
        topic = _FILLER_TOPICS[i % len(_FILLER_TOPICS)].format(y=when.year, n=i % 4 + 1)
        items.append(
            Item(
                key=f"filler-{i}",
                kind="filler",
                title=topic,
                published=when,
                agency=agency,
                paragraphs=[f"{topic}。", "特此通知。", agency],
            )
        )
    return items


def column(report: Item, agency: str, year: int, filler_count: int, seed: int) -> list[Item]:
    """All items of a report column, newest first."""
    items = [report, *decoys(agency, year, report.published)]
    newest = max(i.published for i in items) + timedelta(days=60)
    items += fillers(agency, filler_count, newest, seed)
    return sorted(items, key=lambda i: i.published, reverse=True)
