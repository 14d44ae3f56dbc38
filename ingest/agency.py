"""Agency names as pages write them, normalized: ``市人社局`` on a Huzhou page is 湖州市人力资源和社会保障局."""

from __future__ import annotations

import re

# Common short forms of department names (the tail of an agency name).
ABBREVIATIONS = {
    "人社局": "人力资源和社会保障局",
    "人社厅": "人力资源和社会保障厅",
    "市监局": "市场监督管理局",
    "住建局": "住房和城乡建设局",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "文旅局": "文化广电旅游局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "城管局": "城市管理局",
    "交通局": "交通运输局",
    "资规局": "自然资源和规划局",
    "生态环境局": "生态环境局",
    "退役军人局": "退役军人事务局",
    "政数局": "政务服务数据管理局",
    "农业农村局": "农业农村局",
}
_SHORT_PREFIX = re.compile(r"^(省|市|区|县)(?=[\u4e00-\u9fff])")


def expand_agency(name: str, *, province: str | None, city: str | None, county: str | None) -> str:
    """Expand a known short form and a bare 市/区/县 prefix using the page's region; otherwise unchanged."""
    for short, full in ABBREVIATIONS.items():
        if name.endswith(short) and not name.endswith(full):
            name = name[: -len(short)] + full
            break
    match = _SHORT_PREFIX.match(name)
    if match:
        level = match.group(1)
        place = {"省": province, "市": city, "区": county, "县": county}[level]
        if place and level in ("区", "县") and city and city != place:
            place = city + place  # 区人社局 on a 江门市江海区 page → 江门市江海区人力资源和社会保障局
        if place and (level != "省" or place not in ("北京市", "天津市", "上海市", "重庆市")):
            name = place + name[1:]
    return name
