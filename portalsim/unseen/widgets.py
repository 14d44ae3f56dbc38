"""Chrome material shared by the unseen templates: sidebar link lists, related items with summaries, hashed classes.

Sidebars on real portals are long (15–30 links) and some carry prose: a related item's summary is the opening of
another report, so it reads like body text. These helpers produce that material deterministically.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from portalsim.content import _FULL_WIDTH, seed_paragraphs

NEWS_TITLES = [
    "全市人社系统召开2024年度工作会议",
    "我局开展根治欠薪冬季专项行动",
    "市人社局举办新就业形态劳动者权益保障政策宣讲会",
    "2024年第一季度全市就业形势保持总体稳定",
    "我市再添3家省级高技能人才培训基地",
    "局党组召开理论学习中心组专题学习会",
    "“春风行动”线上线下招聘会提供岗位1.2万个",
    "全市劳动人事争议调解仲裁工作推进会召开",
    "我局组织开展宪法宣传周系列活动",
    "人社服务快办行动推出12项“一件事”套餐",
    "市领导调研基层劳动保障监察工作",
    "我市企业职工基本养老保险参保人数突破百万",
    "全市技工院校招生工作全面启动",
    "局领导带队走访重点企业开展用工服务",
    "“人社干部进企业”活动走深走实",
    "我局召开2024年党风廉政建设工作会议",
    "全市职业技能竞赛决赛落幕",
    "社保经办服务“就近办”网点新增18个",
    "我局举办行政执法人员业务能力提升培训班",
    "高校毕业生就业服务月活动启动",
    "工伤保险基金省级统筹政策解读",
    "我市发布新版人力资源市场工资价位",
    "局机关开展“民法典进机关”专题讲座",
    "全市根治欠薪工作联席会议召开",
    "人社政务服务满意度测评结果出炉",
    "我局开展重大行政决策后评估工作",
    "区县人社部门交流法治建设经验做法",
    "我局获评全市普法工作先进单位",
    "农民工工资支付监控预警平台上线运行",
    "我局召开法治政府建设工作推进会",
    "“青年就业见习岗位募集计划”正式启动",
    "市劳动人事争议仲裁院巡回仲裁庭揭牌",
]

NOTICE_TITLES = [
    "关于公布2024年度第一批就业见习基地名单的通知",
    "关于调整最低工资标准的通知",
    "关于开展2024年度劳动保障年度书面审查工作的通告",
    "关于做好2024年度高校毕业生就业补贴申领工作的通知",
    "2024年事业单位公开招聘工作人员拟聘用人员公示",
    "关于举办2024年职业技能竞赛的通知",
    "关于2024年度专业技术人员继续教育的通知",
    "关于开展技能人才评价机构备案的公告",
    "关于公布行政执法人员名单的公告",
    "关于征求《人力资源服务机构管理办法(征求意见稿)》意见的公告",
    "2024年度社会保险缴费基数调整公告",
    "关于停止受理部分业务的温馨提示",
    "关于开展人力资源市场专项整治行动的通告",
    "关于公布2024年度重大行政决策事项目录的公告",
    "关于网站系统升级暂停服务的公告",
    "关于公开选调工作人员的公告",
    "拟认定高技能人才名单公示",
    "关于做好2024年春节期间农民工工资支付工作的通知",
    "关于开展创业担保贷款贴息资金审核工作的通知",
    "关于公布法律顾问名单的公告",
    "关于2023年度政府信息公开工作年度报告的说明",
    "关于调整失业保险金标准的通知",
    "关于开展工伤预防项目申报的通知",
    "关于公布劳动保障守法诚信等级评价结果的公告",
    "关于开展人力资源服务许可证年度报告公示的通知",
]


def hashed(role: str, salt: str = "") -> str:
    """A CSS-modules style class name (``c-3f9a1``): stable per role, meaningless to a reader."""
    return "c-" + hashlib.sha1(f"{salt}:{role}".encode(), usedforsecurity=False).hexdigest()[:5]


def rotate(titles: list[str], n: int, offset: int) -> list[str]:
    return [titles[(offset + i) % len(titles)] for i in range(n)]


def dated(titles: list[str], newest: datetime) -> list[tuple[str, str]]:
    """Titles with dates going back from ``newest``, as 热点 and 通知公告 lists show them."""
    return [(t, (newest - timedelta(days=3 * i + 1)).strftime("%Y-%m-%d")) for i, t in enumerate(titles)]


def summaries(exclude: str, n: int, length: int) -> list[tuple[str, str]]:
    """(title, summary) of related items: the opening prose of the other seed reports, cut like a CMS cuts it."""
    out: list[tuple[str, str]] = []
    others = [k for k in seed_paragraphs() if k != exclude]
    for i in range(n):
        key = others[i % len(others)]
        prose = [p for p in seed_paragraphs()[key] if len(p) > 60]
        text = prose[(i // len(others)) % len(prose)].translate(_FULL_WIDTH)
        out.append((_RELATED_TITLES[key][i % 2], text[:length] + "…"))
    return out


_RELATED_TITLES = {
    "huzhou": ["湖州市人社局2019年度法治政府建设工作报告", "湖州:强化执法保障 夯实依法行政基础"],
    "dongguan": ["东莞市人社局2020年法治政府建设年度报告", "东莞人社推进“一门一网一窗”便民服务"],
    "hedong": ["河东区人社局2023年度法治政府建设情况", "河东区人社局妥善化解劳动人事争议"],
    "jianghai": ["江海区人社局2024年法治政府建设年度报告", "江海区打造“青锋献法行动”普法品牌"],
    "liangjiang": ["两江新区劳动保障监察大队2020年法治建设工作情况", "两江新区建设兼职仲裁员队伍"],
}
