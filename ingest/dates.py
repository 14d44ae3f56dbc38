"""Dates as portals write them: ``2020-09-11 08:38``, ``2020年08月02日``, ``2020/8/2``, and in URLs."""

from __future__ import annotations

import re
from datetime import date

_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")
_URL_DATES = [
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),  # TRS: t20240307_6555645.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb: /art/2020/2/20/
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),  # Xinhua: /2021-08/01/c_1127720093.htm
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),  # /202108/01/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})(\d{2})/"),  # /2021/0801/
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),  # /20210801/
    re.compile(r"/((?:19|20)\d{2})-(\d{1,2})-(\d{1,2})/"),  # /2021-08-01/
    re.compile(r"[/_]((?:19|20)\d{2})(\d{2})(\d{2})[_-]?\d*\.s?html?$"),  # /20210801_123.html
]


def parse_date(text: str | None) -> date | None:
    match = _DATE.search(text or "")
    return _to_date(match.groups()) if match else None


def url_date(url: str) -> date | None:
    for pattern in _URL_DATES:
        match = pattern.search(url)
        if match:
            return _to_date(match.groups())
    return None


def _to_date(parts: tuple[str, ...]) -> date | None:
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None
