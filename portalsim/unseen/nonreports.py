"""Non-report pages of the unseen templates: items that sit in the same columns as the reports and are not them.

Six kinds, each a full document of its own (not a stub): 工作要点, news about a report's publication, a
政府信息公开工作年度报告, a 督察 notice, a 解读 of a report and a half-year summary. Template ``n`` publishes kinds
``2n`` and ``2n + 1`` (mod 6), so every kind appears on two different CMS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from portalsim.content import Item


def _item(key: str, title: str, published: datetime, agency: str, paragraphs: list[str]) -> Item:
    return Item(key=key, kind="decoy", title=title, published=published, agency=agency, paragraphs=paragraphs)


def work_points(agency: str, year: int, published: datetime) -> Item:
    y = year + 1
    return _item(
        "nr-yaodian",
        f"{agency}{y}年法治政府建设工作要点",
        published + timedelta(days=24),
        agency,
        [
            f"{y}年是全面贯彻落实《法治政府建设实施纲要(2021—2025年)》的关键之年。为深入推进依法行政,"
            f"加快建设法治政府,结合我局工作实际,制定本工作要点。",
            "一、深入学习贯彻习近平法治思想",
            "1.把学习贯彻习近平法治思想纳入局党组理论学习中心组年度学习计划,全年专题学习不少于4次。",
            "2.组织全体干部职工参加年度学法考试,参考率达到100%,合格率不低于95%。",
            "二、依法全面履行政府职能",
            "3.动态调整权责清单,及时公布调整情况;持续推进“一网通办”,政务服务事项网上可办率保持在98%以上。",
            "4.落实公平竞争审查制度,对新出台涉及市场主体经济活动的政策措施一律开展审查。",
            "三、健全依法行政制度体系",
            "5.严格执行重大行政决策程序,年内重大行政决策事项目录于3月底前向社会公布。",
            "6.规范性文件全部履行合法性审核程序,按时报送备案,备案审查率达到100%。",
            "四、严格规范公正文明执法",
            "7.全面落实行政执法公示、执法全过程记录、重大执法决定法制审核制度,开展行政执法案卷评查1次。",
            "8.推行包容审慎监管,动态更新轻微违法行为不予处罚清单。",
            "五、加强组织保障",
            f"9.主要负责人切实履行推进法治建设第一责任人职责,{y}年1月底前报送上一年度法治政府建设情况报告,"
            "并于3月31日前通过门户网站向社会公开。",
        ],
    )


def publication_news(agency: str, year: int, published: datetime) -> Item:
    return _item(
        "nr-news",
        f"我局发布{year}年度法治政府建设年度报告",
        published + timedelta(days=3),
        agency,
        [
            f"近日,{agency}在门户网站“法治政府建设”专栏公开发布《{agency}{year}年度法治政府建设年度报告》,"
            "接受社会公众监督。",
            f"报告从上一年度推进法治政府建设的主要举措和成效、存在的不足和原因、党政主要负责人履行推进法治建设第一责任人"
            f"职责情况、下一年度主要安排等方面,全面回顾了{year}年我局法治政府建设工作。",
            f"据介绍,{year}年我局共审核规范性文件6件,办结行政复议案件23件,组织开展“双随机、一公开”抽查41次,"
            "举办各类普法宣传活动37场,受众超过1.2万人次。",
            "局相关负责人表示,下一步将对照报告中查摆的问题逐项整改,进一步提升依法行政水平,为经济社会高质量发展"
            "提供有力法治保障。",
            "群众如对报告内容有意见建议,可通过门户网站“领导信箱”栏目反映。",
        ],
    )


def disclosure_report(agency: str, year: int, published: datetime) -> Item:
    return _item(
        "nr-xxgk",
        f"{agency}{year}年政府信息公开工作年度报告",
        published - timedelta(days=38),
        agency,
        [
            f"本报告由{agency}根据《中华人民共和国政府信息公开条例》(以下简称《条例》)和国务院办公厅政府信息与"
            f"政务公开办公室有关要求编制。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            "一、总体情况",
            f"{year}年,我局认真贯彻落实《条例》要求,坚持以公开为常态、不公开为例外,围绕就业、社保、人才等重点领域,"
            "扎实推进政府信息主动公开,依法规范办理依申请公开,政务公开工作取得新成效。",
            "(一)主动公开。全年通过门户网站主动公开政府信息412条,其中规范性文件3件,政策解读11篇。",
            "(二)依申请公开。全年受理政府信息公开申请17件,均在法定期限内答复。",
            "(三)政府信息管理。严格落实公开前保密审查机制,全年未发生泄密事件。",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "政策解读形式还不够丰富,部分栏目更新不够及时。下一步,我局将丰富图文、视频等解读形式,加强栏目日常巡查。",
            "六、其他需要报告的事项",
            "本年度未收取信息处理费。",
        ],
    )


def inspection_notice(agency: str, year: int, published: datetime) -> Item:
    return _item(
        "nr-duchai",
        f"关于开展{year}年度法治政府建设督察工作的通知",
        published - timedelta(days=70),
        agency,
        [
            "各科室、直属单位:",
            f"为推动法治政府建设各项任务落到实处,根据上级工作部署,经局党组研究,决定开展{year}年度法治政府建设"
            "督察工作。现将有关事项通知如下。",
            "一、督察内容",
            "(一)学习贯彻习近平法治思想情况;(二)重大行政决策程序执行情况;(三)行政执法“三项制度”落实情况;"
            "(四)行政复议和行政应诉工作情况。",
            "二、时间安排",
            f"自查阶段:各单位于{year}年11月20日前完成自查,形成书面报告。实地督察阶段:11月下旬至12月中旬。",
            "三、工作要求",
            "各单位要高度重视,如实报送材料,对督察发现的问题建立台账、限期整改。督察结果纳入年度绩效考核。",
            "联系人:法规科,电话:略。",
            agency,
        ],
    )


def explainer(agency: str, year: int, published: datetime) -> Item:
    return _item(
        "nr-jiedu",
        f"一图读懂《{agency}{year}年法治政府建设年度报告》",
        published + timedelta(days=5),
        agency,
        [
            f"为便于社会公众更好了解{agency}{year}年法治政府建设工作情况,现将年度报告主要内容解读如下。",
            "一、报告的主要内容",
            "报告共分四个部分:主要举措和成效、存在的不足和原因、党政主要负责人履行推进法治建设第一责任人职责情况、"
            "下一年度主要安排。",
            "二、关键数据",
            "全年审核重大行政决策2项、规范性文件6件;开展行政执法案卷评查1次,评查案卷58卷;办理行政复议案件23件。",
            "三、主要亮点",
            "推行包容审慎监管,对轻微违法行为依法不予处罚;建立劳动争议“调裁审”衔接机制,案件调解成功率同比提升。",
            "四、下一步打算",
            "持续落实第一责任人职责,规范行政执法行为,深入开展“谁执法谁普法”普法责任制落实工作。",
        ],
    )


def half_year(agency: str, year: int, published: datetime) -> Item:
    y = year + 1
    return _item(
        "nr-shangbannian",
        f"{agency}{y}年上半年法治政府建设工作情况",
        published + timedelta(days=140),
        agency,
        [
            f"{y}年上半年,我局坚持以习近平法治思想为指导,认真落实年度法治政府建设工作要点,各项工作有序推进。",
            "一、上半年工作开展情况",
            "(一)强化组织领导。召开局党组会议专题研究法治政府建设工作2次,主要负责人听取法治工作汇报1次。",
            "(二)规范行政执法。开展“双随机、一公开”抽查19次,办结劳动保障监察案件63件。",
            "(三)深化普法宣传。结合“3·15”“4·15”等时间节点开展普法宣传活动12场。",
            "二、存在的问题",
            "基层执法力量仍显不足,个别执法文书制作不够规范。",
            "三、下半年工作打算",
            "持续抓好行政执法规范化建设,按期完成年度法治政府建设各项任务,认真做好年度报告编制准备工作。",
        ],
    )


NON_REPORTS: list[Callable[[str, int, datetime], Item]] = [
    work_points,
    publication_news,
    disclosure_report,
    inspection_notice,
    explainer,
    half_year,
]


def non_reports(template_index: int, seeds: list[Item]) -> list[tuple[str, Item]]:
    """The two non-reports of template ``template_index`` as (seed key, item), each from a different seed site."""
    out = []
    for k in (0, 1):
        make = NON_REPORTS[(2 * template_index + k) % len(NON_REPORTS)]
        base = seeds[(template_index + 2 * k) % len(seeds)]
        assert base.report_year is not None
        item = make(base.agency, base.report_year, base.published)
        item.key = f"{item.key}-{base.key}"
        out.append((base.key, item))
    return out
