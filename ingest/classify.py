"""Is this page a 法治政府建设年度报告, something else, or no page at all (a block, a challenge, a stub)?"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.sections import parts_count

if TYPE_CHECKING:
    from ingest.model import ExtractedReport

# Traditional → simplified for the vocabulary of report titles (法治政府建設年度情況報告 is a report too).
_TRADITIONAL = str.maketrans(
    "設報況務與關於區縣鎮廳員會辦體實進結總計劃規執職責舉導層權黨發佈達學習議點讀問題評價準練訓強長門們這個為"
    "對時間後從過還將項國現併據處級組織監訴訟復覆雙隨網絡電錄範條內營頒號審稱類領導論證規劃纂開書藍",
    "设报况务与关于区县镇厅员会办体实进结总计划规执职责举导层权党发布达学习议点读问题评价准练训强长门们这个为"
    "对时间后从过还将项国现并据处级组织监诉讼复复双随网络电录范条内营颁号审称类领导论证规划纂开书蓝",
)
# A report by its title: 法治(政府)建设 … 报告/情况/总结, 依法行政/依法治区 … 报告/情况.
REPORT_TITLE = re.compile(
    r"法治(政府)?建设.{0,24}(报告|总结)|法治(政府)?建设(工作)?(的)?(开展|推进)?情况|"
    r"推进法治政府建设.{0,10}情况|法治(工作|建设工作).{0,10}(情况|报告)|"
    r"依法行政.{0,12}(报告|总结)|依法行政(工作)?情况|依法治[区市县省州旗镇乡].{0,12}(报告|情况)"
)
# Titles that are something else whatever they mention: other report types, multi-year and part-year
# summaries, news about a report, research and evaluations, other document types.
HARD_DECOY = re.compile(
    r"信息公开.{0,10}报告|五年|十[二三四五]五|(19|20)\d{2}\s*年?\s*[-—–~～至到]\s*((19|20)?\d{2})\s*年|"
    r"上半年|下半年|半年|季度|前三季|[1-9一二三四五六七八九十]{1,3}\s*[-—至]\s*[1-9一二三四五六七八九十]{1,3}\s*月|月度|"
    r"发布|公布|晒出|亮出|出炉|召开|举行|举办|审议|听取|印发|转发|部署|推进会|座谈|解读|答记者问|图解|一图读懂|"
    r"新闻|发布会|研究|实证|论文|探析|浅析|思考|启示|评估|第三方|测评|考核|评价|指标|排名|白皮书|蓝皮书|调研|"
    r"督察|督导|检查|巡查|通知|公示|公告|名单|征求意见|实施方案|实施意见|规划|示范创建|示范地区|示范项目|"
    r"培训|专题学习|会议|工作规定|办法|细则|纲要|调查|问卷|满意度|通报|"
    r"公开率|完成率|达\s*\d|已全部|全部(向社会)?公开|已(向社会)?公开|整改"
)
# Titles that are a plan, unless the title is also a report (「…情况暨…工作要点的报告」: the report wins).
SOFT_DECOY = re.compile(r"工作要点|工作计划|工作安排|要点|计划")
# The leader's own report on 第一责任人职责 (述法) is a separate duty, unless the title reports on 法治政府建设 too:
# 「关于2023年度法治政府建设情况和党政主要负责人履行推进法治建设第一责任人职责情况的报告」 is a report.
DUTY_DECOY = re.compile(r"第一责任人|述法")
_BOTH = re.compile(r"法治政府建设.{0,12}(情况|工作)")
# Where the agency's name ends: a decoy word inside it (规划和自然资源局, 调查总队, 新闻出版局, 研究室) says nothing.
_ORGAN = re.compile(
    r"(人民政府|政府|委员会|管委会|管理委员会|办公室|办公厅|研究室|总队|支队|大队|中心|局|厅|委|办|署|院|部|所|站)"
)
_SUBJECT = re.compile(r"(关于|(19|20)\d{2}|年度|法治|依法|推进|全面|[一二〇○零]{4})")
_NOT_A_NAME = re.compile(r"[《》“”「」：:（）()\s]")  # 「一图读懂《某局…》」: what precedes is no agency name
_TITLE_CHARS = 200  # a title longer than this is not a title: matched on its head only
# A news lead: a short body that opens like this and has none of a report's parts is news about a report.
_NEWS_LEAD = re.compile(r"^.{0,20}(近日|日前|记者|本报讯|讯[\s(（]|新华社|通讯员)")
_NEWS_CHARS = 1500
_REPORT_BODY = re.compile(r"报告如下|情况如下|总结如下|报告如下")

# (pattern, reason, words): a pattern is tried only on a text holding one of its words; every alternative of the
# pattern needs one of them (the patterns cost 0.7 ms on a 20 KB head). The words are regexes that open with a
# literal (found at memchr speed) or UTF-8 strings looked for in the encoded text (a byte search is several times
# a character search's speed there). No word holds a line break: the markup's head and the lines are searched
# apart, unjoined.
_CHALLENGE: list[tuple[re.Pattern[str], str, tuple[re.Pattern[str] | bytes, ...]]] = [
    (
        re.compile(r"\$_ts\s*=|<meta[^>]{0,500}\br=[\"']?m[\"']?[\s>/]", re.I),
        "blocked_js_challenge",
        (
            re.compile(r"\$_[tT][sS]"),
            re.compile(r"=(?<=[rR]=)[\"']?[mM]"),
        ),  # $_ts, r=m, r='m, r="m in any case
    ),
    (
        re.compile(
            r"(云防护|安全防护|防火墙|WAF|网站防火墙|安全狗|创宇盾|雷池|云盾|知道创宇).{0,20}(拦截|阻断)|"
            r"访问被(拒绝|拦截|阻断)|请求已被(拦截|阻断|拒绝)|已被网站管理员设置拦截|非法请求|疑似(黑客)?攻击|"
            r"您的访问(请求)?(疑似|存在)"
        ),
        "blocked_waf",
        tuple(
            word.encode() for word in ("拦截", "阻断", "访问被", "请求已被", "非法请求", "疑似", "您的访问")
        ),
    ),
    # the page's own message, never the 「网站维护：某某中心」 credit of an ordinary footer
    (
        re.compile(r"临时维护|系统维护中|正在(进行)?维护|网站维护中|维护升级中|升级维护中"),
        "maintenance_stub",
        ("维护".encode(),),
    ),
]
HEAD_CHARS = 20000  # characters of markup searched, besides the lines


def _holds(word: re.Pattern[str] | bytes, html: str, shown: str, encoded: bytes) -> bool:
    if isinstance(word, bytes):
        return word in encoded
    return bool(word.search(html, 0, HEAD_CHARS) or word.search(shown))


@dataclass(frozen=True)
class Verdict:
    kind: str  # "report" | "not_report"
    reason: str


def blocked_reason(html: str, visible: int, min_page_chars: int, lines: Sequence[str] = ()) -> str | None:
    """A reason when the page is a challenge, a block page or an empty shell; ``None`` for a real page. Judged
    by content whatever the status code: the markup's head and the visible text (``lines``, when parsed)."""
    if visible < 2000:  # challenge and block pages say little; a long page is a real page
        shown = "\n".join(lines)
        encoded = f"{html[:HEAD_CHARS]}\n{shown}".encode("utf-8", "replace")
        for pattern, reason, words in _CHALLENGE:
            if any(_holds(word, html, shown, encoded) for word in words) and pattern.search(
                html[:HEAD_CHARS] + "\n" + shown
            ):
                return reason
    if visible < min_page_chars:
        return "empty_page"
    return None


def simplified(title: str) -> str:
    return title.translate(_TRADITIONAL)


def _subject(title: str) -> str:
    """The title without its agency: from the last organ suffix (局, 委员会, 总队 …) in the head that a subject
    (关于, a year, 法治 …) follows. 「我局发布…」 keeps its verb: what follows 局 there is no subject."""
    cut = 0
    for organ in _ORGAN.finditer(title, 0, 48):
        if _SUBJECT.match(title, organ.end()) and not _NOT_A_NAME.search(title, 0, organ.end()):
            cut = organ.end()
    return title[cut:]


def title_evidence(title: str | None) -> tuple[str, str]:
    """``("report" | "decoy" | "none", what matched)`` for a title."""
    text = simplified((title or "")[:_TITLE_CHARS])
    subject = _subject(text)
    hard = HARD_DECOY.search(subject)
    if hard:
        return "decoy", hard.group(0)
    report = REPORT_TITLE.search(text)
    duty = DUTY_DECOY.search(subject)
    if duty and not (_BOTH.search(subject, 0, duty.start())):
        return "decoy", duty.group(0)
    soft = SOFT_DECOY.search(subject)
    if soft and not report:  # a title that is both (「…情况暨…工作要点的报告」) is a report
        return "decoy", soft.group(0)
    return ("report", report.group(0)) if report else ("none", "")


def classify(
    title: str | None,
    body: str,
    *,
    link_ratio: float,
    has_attachments: bool,
    min_untitled_chars: int,
    min_report_chars: int,
    max_link_ratio: float,
    parts: int | None = None,
) -> Verdict:
    """Title evidence (report or decoy patterns) with body evidence (the required parts) that can rescue an
    untitled or oddly titled report. ``parts``: how many required parts the body shows, when already counted."""
    kind, matched = title_evidence(title)
    if kind == "decoy":
        return Verdict("not_report", f"decoy title ({matched})")
    # the report is the file: no body, or an intro like 「现将报告全文公布如下。」 above the link
    if kind == "report" and len(body) < min_report_chars and has_attachments:
        return Verdict("report", "attachment-only report")
    if link_ratio > max_link_ratio:
        return Verdict("not_report", f"list page ({link_ratio:.0%} of the text is links)")
    if kind == "report" and len(body) < min_report_chars:
        return Verdict("not_report", f"body too short ({len(body)} characters)")
    if parts is None:
        parts = parts_count(body.split("\n"))
    if kind == "report" and parts == 0 and len(body) < _NEWS_CHARS and _NEWS_LEAD.search(body[:80]):
        return Verdict("not_report", "report title, but the body is news about it (no required part)")
    if kind == "report":
        return Verdict("report", f"report title ({matched}; {parts} of 4 required parts)")
    reads_as_report = len(body) >= min_untitled_chars and body.count("法治") >= 3
    if reads_as_report and parts >= 3:
        return Verdict("report", f"report body ({parts} of 4 required parts)")
    if title:
        return Verdict("not_report", "title is not a report title")
    if reads_as_report and _REPORT_BODY.search(body):
        return Verdict("report", "untitled, report body")
    return Verdict("not_report", "untitled and the body does not read as a report")


def wants_attachments(report: ExtractedReport) -> bool:
    """A report's files, and those of a page whose title is a report title, are fetched."""
    if report.kind == "blocked" or not report.attachments:
        return False
    return report.is_report or title_evidence(report.title)[0] == "report"
