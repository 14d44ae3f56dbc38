"""What the unseen templates publish: the five seed reports, two non-reports per template and column fillers.

Every page is built from these items, so the expected values of the unseen corpus are these items' own fields.
A report is published on the site of its own region (:class:`Site`): the same report looks different on each CMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portalsim.content import Item, fillers, seed_paragraphs


@dataclass(frozen=True)
class Site:
    """The publishing website of one seed: its name and the footer facts every real portal carries."""

    key: str
    name: str
    region: str
    site_code: str
    icp: str
    police: str
    phone: str
    address: str
    sponsor: str
    organizer: str


SITES = {
    "huzhou": Site(
        "huzhou",
        "湖州市人力资源和社会保障局",
        "浙江省/湖州市",
        "3305000034",
        "浙ICP备05011395号-2",
        "浙公网安备 33050202000271号",
        "0572-2398601",
        "湖州市仁皇山路666号市行政中心",
        "湖州市人力资源和社会保障局",
        "湖州市人力资源和社会保障局办公室",
    ),
    "dongguan": Site(
        "dongguan",
        "东莞市人力资源和社会保障局",
        "广东省/东莞市",
        "4419000048",
        "粤ICP备05075929号",
        "粤公网安备 44190002000312号",
        "0769-22831209",
        "东莞市南城街道鸿福路99号",
        "东莞市人力资源和社会保障局",
        "东莞市人力资源和社会保障局信息中心",
    ),
    "hedong": Site(
        "hedong",
        "天津市河东区人民政府",
        "天津市/河东区",
        "1201020001",
        "津ICP备05004416号-1",
        "津公网安备 12010202000105号",
        "022-24125612",
        "天津市河东区六纬路与八经路交口",
        "天津市河东区人民政府办公室",
        "天津市河东区政务服务办公室",
    ),
    "jianghai": Site(
        "jianghai",
        "江门市江海区人民政府",
        "广东省/江门市/江海区",
        "4407040001",
        "粤ICP备12059318号",
        "粤公网安备 44070402000186号",
        "0750-3869721",
        "江门市江海区东海路288号",
        "江门市江海区人民政府办公室",
        "江门市江海区政务服务数据管理局",
    ),
    "liangjiang": Site(
        "liangjiang",
        "重庆两江新区管理委员会",
        "重庆市/两江新区",
        "5000000060",
        "渝ICP备16003925号",
        "渝公网安备 50019002500412号",
        "023-67579999",
        "重庆市渝北区金开大道西段106号",
        "重庆两江新区党政办公室",
        "重庆两江新区大数据发展局",
    ),
}

SEED_KEYS = ("huzhou", "dongguan", "hedong", "jianghai", "liangjiang")

# (title, agency, published, report year, 文号) of each seed report; titles are the ones the sources use
_REPORTS: dict[str, tuple[str, str, datetime, int, str]] = {
    "huzhou": (
        "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
        "湖州市人力资源和社会保障局",
        datetime(2020, 2, 20, 15, 4),
        2019,
        "湖人社〔2020〕3号",
    ),
    "dongguan": (
        "东莞市人力资源和社会保障局2020年法治政府建设年度报告",
        "东莞市人力资源和社会保障局",
        datetime(2021, 1, 27, 11, 8),
        2020,
        "",
    ),
    "hedong": (
        "天津市河东区人力资源和社会保障局关于2023年度法治政府建设情况的报告",
        "天津市河东区人力资源和社会保障局",
        datetime(2024, 3, 7, 17, 15),
        2023,
        "",
    ),
    "jianghai": (
        "江门市江海区人力资源和社会保障局2024年法治政府建设年度报告",
        "江门市江海区人力资源和社会保障局",
        datetime(2024, 12, 13, 16, 20),
        2024,
        "",
    ),
    "liangjiang": (
        "两江新区劳动保障监察大队2020年度法治政府建设工作情况报告",
        "两江新区劳动保障监察大队",
        datetime(2021, 3, 12, 9, 30),
        2020,
        "",
    ),
}

# other titles the same report carries on other sites (a template may use them; the page is built from them)
ALT_TITLES = {
    "huzhou": "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告",
    "dongguan": "东莞市人力资源和社会保障局关于2020年度法治政府建设工作情况的报告",
    "hedong": "天津市河东区人力资源和社会保障局2023年度法治政府建设年度报告",
    "jianghai": "江门市江海区人力资源和社会保障局关于2024年度法治政府建设情况的报告",
    "liangjiang": "两江新区劳动保障监察大队关于2020年度法治政府建设工作情况的报告",
}


def report(key: str, *, alt_title: bool = False) -> Item:
    title, agency, published, year, doc_number = _REPORTS[key]
    return Item(
        key=key,
        kind="report",
        title=ALT_TITLES[key] if alt_title else title,
        published=published,
        paragraphs=seed_paragraphs()[key],
        agency=agency,
        doc_number=doc_number,
        report_year=year,
    )


def reports(*, alt_title: bool = False) -> list[Item]:
    return [report(k, alt_title=alt_title) for k in SEED_KEYS]


def column_fillers(agency: str, newest: datetime, seed: int, count: int = 2) -> list[Item]:
    return fillers(agency, count, newest, seed)
