"""Which listed links are worth fetching as possible reports: a broad title filter on the source's own hosts.

The filter may only drop what cannot be a report: a title that names no 法治 / 依法治… / 依法行政 subject, or one
that names another document type (…实施方案, …工作要点, …的通知) and none of a report's words. Everything else is
fetched, in simplified or traditional characters, with or without 报告 (…年度法治政府建设工作情况): the detail
page's classifier decides.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SUBJECT = re.compile(r"法治|依法治[国國省市区區县縣州旗]|依法行政")
_REPORT_WORDS = re.compile(r"报告|報告|情况|情況|总结|總結|述职|述職")
_OTHER_TYPE = re.compile(
    r"(方案|要点|要點|通知|公告|公示|意见|意見|办法|辦法|规定|規定|细则|細則|规划|規劃|纲要|綱要|决定|決定"
    r"|批复|批復|名单|名單|清单|清單|目录|目錄)(?:[（(][^（()）]{0,30}[）)])?[》」”\"\s]*$"
)
_LIST_PAGE = re.compile(r"(/|/index(_\d+)?\.s?html?)$", re.I)
_FILE = re.compile(r"\.(pdf|docx?|wps|xlsx?|zip|rar|ofd|jpg|png)$", re.I)


def looks_like_report(title: str) -> bool:
    """Could a link with this list title be a 法治政府建设 report? (Broad: the classifier decides.)"""
    if not _SUBJECT.search(title):
        return False
    return bool(_REPORT_WORDS.search(title)) or not _OTHER_TYPE.search(title.strip())


def on_source_hosts(url: str, hosts: frozenset[str]) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and (parts.hostname or "").lower() in hosts
        and not _FILE.search(parts.path)
        and not _LIST_PAGE.search(parts.path or "/")  # column pages linked from breadcrumbs and menus
    )
