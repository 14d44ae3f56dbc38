"""Province / city / county from the source's region hint or the agency name.

Municipalities (北京, 天津, 上海, 重庆) are their own city: ``天津市/河东区`` → 天津市, 天津市, 河东区.
"""

from __future__ import annotations

import re

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
PROVINCES = (
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
)
_CITY = re.compile(r"^(.{2,8}?(市|州|盟|地区))")


def region_from_hint(hint: str | None) -> tuple[str | None, str | None, str | None]:
    if not hint:
        return None, None, None
    parts = [p.strip() for p in re.split(r"[/>,，]", hint) if p.strip()]
    if parts and parts[0] in MUNICIPALITIES:
        parts = [parts[0], *parts]
    parts += [None] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def region_from_agency(agency: str | None) -> tuple[str | None, str | None, str | None]:
    """Only what the name states outright: a leading province or municipality."""
    if not agency:
        return None, None, None
    for name in MUNICIPALITIES:
        if agency.startswith(name) or agency.startswith(name[:-1]):
            return name, name, None
    for name in PROVINCES:
        if agency.startswith(name):
            rest = agency[len(name) :]
            city = _CITY.match(rest)
            return name, city.group(1) if city else None, None
    return None, None, None
