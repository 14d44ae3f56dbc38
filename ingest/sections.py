"""The parts a 法治政府建设年度报告 must have (《法治政府建设与责任落实督察工作规定》, 2019, art. 24), found in its
headings under the many wordings reports use: 一、主要工作举措 / 二、存在问题 / 三、下一步工作计划 …

Headings are short lines or lines that open with an outline number (一、 （一） 1.); ``leader_duties`` is often
written as a paragraph, so any line may carry it. Each part keeps the line that matched, as provenance.
"""

from __future__ import annotations

import re
from datetime import date

PARTS = ("measures", "shortcomings", "leader_duties", "next_year", "other")

_PATTERNS = {
    "measures": re.compile(
        r"(主要|重点)?(工作)?(举措|做法|措施)(和|及|与)?(成效|成绩)?|(主要|工作|取得的?)(成效|成绩)|"
        r"(主要)?工作(开展)?情况|推进法治政府建设的?(主要)?(工作|情况)|(主要)?工作(回顾|总结)|工作完成情况"
    ),
    "shortcomings": re.compile(
        r"存在的?(主要)?(问题|不足|困难|短板)|(问题|不足)(和|及|与)(原因|不足|问题)|不足(之处)?(和|及)原因|"
        r"(问题|短板|差距)(分析)?$|不足之处"
    ),
    "leader_duties": re.compile(r"第一责任人|主要负责人履行|履行推进法治建设|党政主要负责人"),
    "next_year": re.compile(
        r"下一年度|下一步|下步|明年|(19|20)\d{2}\s*年(度)?(的)?(工作)?(主要)?(打算|计划|安排|思路|重点|目标)|"
        r"(工作)?(打算|计划|安排|思路)$|今后(的)?(工作)?(打算|方向|计划)"
    ),
    "other": re.compile(r"其他(需要|应当)?(报告|说明)的?(事项|情况)?|其他事项|其他情况"),
}
_OUTLINE = re.compile(
    r"^\s*([一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、.．])"
)
_HEADING_CHARS = 40


def _is_heading(line: str) -> bool:
    return len(line) <= _HEADING_CHARS or bool(_OUTLINE.match(line))


def _heading_text(line: str) -> str:
    """An outline heading inside a paragraph: 「一、主要举措。2023年，我局……」 → 「一、主要举措」."""
    for stop in ("。", "：", ":"):
        if stop in line[:_HEADING_CHARS]:
            return line[: line.index(stop)]
    return line[:_HEADING_CHARS]


# Whether a part's pattern matches somewhere, which is all report_parts asks: the same alternatives with what is
# optional at their edges left out (「(主要)?工作(开展)?情况」 matches where 「工作(开展)?情况」 does) and every
# alternative opening with a character of its own, so that the regex engine skips, in C, the positions no
# alternative can start at (an alternative opening with an optional group makes it try them all at each one).
_FOUND = {
    "measures": "举措|做法|措施|主要成效|主要成绩|工作成效|工作成绩|取得的?(?:成效|成绩)|工作(?:开展)?情况|"
    "推进法治政府建设的?(?:主要)?(?:工作|情况)|工作(?:回顾|总结)|工作完成情况",
    "shortcomings": "存在的?(?:主要)?(?:问题|不足|困难|短板)|问题(?:和|及|与)(?:原因|不足|问题)|"
    "不足(?:和|及|与)(?:原因|不足|问题)|不足(?:之处)?(?:和|及)原因|问题(?:分析)?$|短板(?:分析)?$|差距(?:分析)?$|不足之处",
    "leader_duties": "第一责任人|主要负责人履行|履行推进法治建设|党政主要负责人",
    "next_year": r"下一年度|下一步|下步|明年|19\d{2}\s*年度?的?(?:工作)?(?:主要)?(?:打算|计划|安排|思路|重点|目标)|"
    r"20\d{2}\s*年度?的?(?:工作)?(?:主要)?(?:打算|计划|安排|思路|重点|目标)|打算$|计划$|安排$|思路$|"
    "今后的?(?:工作)?(?:打算|方向|计划)",
    "other": "其他(?:需要|应当)?(?:报告|说明)|其他事项|其他情况",
}
_FOUND_IN = {part: re.compile(source) for part, source in _FOUND.items()}
# Whether any part's pattern matches (one search per heading instead of five), and the words every
# leader_duties alternative holds (a C substring test before its regex, on every line).
_ANY_PART = re.compile("|".join(_FOUND.values()))
_DUTY = _PATTERNS["leader_duties"]
_DUTY_WORDS = ("责任人", "负责人", "履行")


def _duty_line(line: str) -> bool:
    return any(word in line for word in _DUTY_WORDS) and bool(_DUTY.search(line))


def report_parts(paragraphs: list[str]) -> dict[str, str | None]:
    """For each required part, the heading (or line) that shows it, or ``None``."""
    found: dict[str, str | None] = dict.fromkeys(PARTS)
    for line in paragraphs:
        heading = _heading_text(line) if _is_heading(line) else None
        if heading is not None and _ANY_PART.search(heading):
            for part, pattern in _FOUND_IN.items():
                if found[part] is not None:
                    continue
                if pattern.search(heading):
                    found[part] = heading
                elif part == "leader_duties" and _duty_line(line):
                    found[part] = line[:_HEADING_CHARS]
        elif found["leader_duties"] is None and _duty_line(line):
            found["leader_duties"] = line[:_HEADING_CHARS]
    return found


def parts_count(paragraphs: list[str]) -> int:
    """How many of the four substantive parts (``other`` is optional in practice) a body shows."""
    return count_parts(report_parts(paragraphs))


def count_parts(found: dict[str, str | None]) -> int:
    """How many of the four substantive parts a ``report_parts`` result holds."""
    return sum(1 for part in PARTS[:4] if found[part])


def due_date(report_year: int | None, month_day: str | None = None) -> date | None:
    """When a report on ``report_year`` is due: 1 April of the next year, or the source's ``MM-DD`` (provincial
    rules set 1 March for departments)."""
    if report_year is None:
        return None
    found = re.fullmatch(r"(\d{1,2})-(\d{1,2})", month_day or "04-01") or re.fullmatch(r"(\d)(\d)", "41")
    try:
        return date(report_year + 1, int(found.group(1)), int(found.group(2)))  # type: ignore[union-attr]
    except ValueError:  # 02-30: not a day; the national rule applies
        return date(report_year + 1, 4, 1)


def timeliness(published: date | None, deadline: date | None) -> tuple[bool | None, int | None]:
    """``(late, days_late)``: late when published after the deadline; unknown without a date."""
    if published is None or deadline is None:
        return None, None
    days = (published - deadline).days
    return days > 0, max(days, 0)
