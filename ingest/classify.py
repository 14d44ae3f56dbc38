"""Is this page a 法治政府建设年度报告, something else, or no page at all (a block, a challenge, a stub)?"""

from __future__ import annotations

import re
from dataclasses import dataclass

REPORT_TITLE = re.compile(
    r"法治(政府)?建设.{0,16}报告|依法治[区市县省].{0,10}(工作)?(情况)?报告|法治政府建设.{0,8}总结"
)
DECOY_TITLE = re.compile(
    r"政府信息公开.{0,8}年度报告|工作要点|实施方案|实施意见|规划|示范创建|示范地区|示范项目|解读|答记者问|"
    r"新闻发布|发布会|图解|一图读懂|通知|公示|名单|征求意见|考核|评估指标|"
    r"召开|会议|座谈|培训|推进会|部署|调研|督察|督导|专题学习"
)
_CHALLENGE = [
    (re.compile(r"\$_ts\s*=|<meta[^>]+\br=[\"']?m[\"']?[\s>/]", re.I), "blocked_js_challenge"),
    (
        re.compile(
            r"(云防护|安全防护|防火墙|WAF|网站防火墙).{0,20}(拦截|阻断)|访问被(拒绝|拦截|阻断)|非法请求|疑似攻击"
        ),
        "blocked_waf",
    ),
    (re.compile(r"临时维护|系统维护中|网站维护"), "maintenance_stub"),
]


@dataclass(frozen=True)
class Verdict:
    kind: str  # "report" | "not_report"
    reason: str


def blocked_reason(html: str, visible_chars: int, min_page_chars: int) -> str | None:
    """A reason when the page is a challenge, a block page or an empty shell; ``None`` for a real page."""
    if visible_chars < 2000:  # challenge and block pages say little; a long page is a real page
        head = html[:20000]
        for pattern, reason in _CHALLENGE:
            if pattern.search(head):
                return reason
    if visible_chars < min_page_chars:
        return "empty_page"
    return None


def classify(
    title: str | None,
    body: str,
    *,
    link_ratio: float,
    has_attachments: bool,
    min_untitled_chars: int,
    min_report_chars: int,
    max_link_ratio: float,
) -> Verdict:
    decoy = DECOY_TITLE.search(title or "")
    if decoy:
        return Verdict("not_report", f"decoy title ({decoy.group(0)})")
    report_title = bool(title and REPORT_TITLE.search(title))
    if report_title and not body and has_attachments:
        return Verdict("report", "attachment-only report")
    if link_ratio > max_link_ratio:
        return Verdict("not_report", f"list page ({link_ratio:.0%} of the text is links)")
    if report_title and len(body) < min_report_chars:
        return Verdict("not_report", f"body too short ({len(body)} characters)")
    if report_title:
        return Verdict("report", "report title")
    if title:
        return Verdict("not_report", "title is not a report title")
    if (
        len(body) >= min_untitled_chars
        and body.count("法治") >= 3
        and re.search(r"报告如下|情况如下|总结如下", body)
    ):
        return Verdict("report", "untitled, report body")
    return Verdict("not_report", "untitled and the body does not read as a report")
