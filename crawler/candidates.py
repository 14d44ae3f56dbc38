"""Which listed links are worth fetching as possible reports: a permissive title filter on the source's own hosts.

The filter is loose on purpose (decoys such as 解读 of a report pass it); the detail page's classifier decides.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_REPORTISH = re.compile(r"法治.{0,24}(报告|总结)|依法治[省市区县].{0,16}(报告|总结)|依法行政.{0,12}报告")
_LIST_PAGE = re.compile(r"(/|/index(_\d+)?\.s?html?)$", re.I)
_FILE = re.compile(r"\.(pdf|docx?|wps|xlsx?|zip|rar|ofd|jpg|png)$", re.I)


def looks_like_report(title: str) -> bool:
    return bool(_REPORTISH.search(title))


def on_source_hosts(url: str, hosts: frozenset[str]) -> bool:
    parts = urlsplit(url)
    return (
        parts.scheme in ("http", "https")
        and (parts.hostname or "").lower() in hosts
        and not _FILE.search(parts.path)
        and not _LIST_PAGE.search(parts.path or "/")  # column pages linked from breadcrumbs and menus
    )
