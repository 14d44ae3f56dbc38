"""Page chrome recognised line by line (PORTALS.md): scored against by the body finder, trimmed at the body's edges.

Lines are trimmed only from the two edges of a body, inside a known container too, and a line that reads as prose
(a long sentence) is never trimmed by position: a paragraph that mentions 信息公开, 扫码 or starts with 相关 stays.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

_PATTERNS = [
    r"(您当前的?位置|当前位置|您的位置|您所在的位置|所在位置)\s*[:：]",
    r"[【\[]?\s*字\s*[体号]\s*[:：]",
    r"[【\[]?\s*字体\s*[【\[]?\s*大",
    r"字体大小",
    r"保护视力色",
    r"【?(打印本页|打印|关闭窗口|关闭|我要纠错|纠错|收藏|返回顶部|返回)】",
    r"(打印本页|关闭窗口|打印此页|返回顶部|返回列表|关闭本页)$",
    r"[【\[]?\s*(打印|关闭|收藏|分享)\s*[】\]]?\s*[【\[]\s*(打印|关闭|收藏|分享)",
    r"分享(到|按钮|至)\s*[:：]?",
    r"(微信)?扫一扫(在手机(上)?打开当前页|分享|关注)?",
    r"(手机)?扫码(阅读|打开|关注|分享)",
    r"相关(信息|文件|稿件|解读|附件|链接|阅读|新闻|文章|报道|政策|推荐)\s*[:：]?$",
    r"(延伸阅读|推荐阅读|热点推荐|猜你喜欢|热门文章|热门推荐|精彩推荐)\s*[:：]?$",
    r"更换或升级浏览器",
    r"当前浏览器版本过低",
    r"若您当前使用的浏览器为",
    r"为了获得更好的(访问|浏览)(效果|体验)",
    r"\(?(建议使用|最佳浏览).{0,16}(分辨率|浏览器)",
    r"(主办单位|承办单位|主办|承办|协办)\s*[:：\s]\s*\S",  # a footer credit, not a table's 「主办单位」 header cell
    r"(网站标识码|版权所有|技术支持|联系我们|网站地图|政府网站找错|网站声明|隐私声明)",
    r"(Copyright|copyright|COPYRIGHT|©|\(c\))",
    r"(时间|发布时间|更新时间|发布日期|日期|文章来源|信息来源|来源|浏览次数|访问量|点击数|阅读数|浏览量|作者)\s*[:：].{0,60}$",
    r"(简体|繁体)\s*\|?\s*(繁体|简体)?(版)?$",
    r"(无障碍|长者模式|无障碍浏览|关怀版|适老化)$",
    r"(上一篇|下一篇|上一条|下一条|上一页|下一页)\s*[:：]",
    r"\d{4}年\d{1,2}月\d{1,2}日\s*星期[一二三四五六日天]$",
    r"[（(【\[]\s*(责任编辑|编辑|责编|审核|审校|校对|终审|初审|复审|编审|来源|作者)\s*[:：]",
    r"(责任编辑|责编|编辑|审核|审校|校对|终审|初审|复审|编审|监制)\s*[:：].{0,40}$",
    r"(浏览|阅读|点击)\s*[(（]?\s*\d+\s*[)）]?\s*次",
]
# Labels of the info table above a 公文 (PORTALS.md): metadata, never body prose.
INFO_LABELS = (
    "索引号",
    "主题分类",
    "主题词",
    "发文机关",
    "发文字号",
    "发布机构",
    "发布单位",
    "成文日期",
    "发布日期",
    "生效日期",
    "废止日期",
    "有效性",
    "公开方式",
    "公开范围",
    "公开时限",
    "信息分类",
    "组配分类",
    "体裁分类",
    "服务对象",
    "名称",
    "标题",
    "文号",
    "所属机构",
    "内容概述",
)
_INFO_LABEL = r"(" + "|".join(r"\s*".join(label) for label in INFO_LABELS) + r")\s*[:：]"
# A line made only of widget words: 「打印 字体: 放大 正常 缩小 分享」, 「【大】【中】【小】」. One separator run per gap
# (after each word), so a line that fails does not backtrack over the ways to split the separators.
_WIDGET_WORDS = (
    "打印本页|打印|关闭窗口|关闭|字体|字号|放大|缩小|正常|默认|大|中|小|分享到|分享|收藏|返回顶部|返回|"
    "我要纠错|纠错|复制链接|微信|微博|QQ空间|QQ|二维码|朗读|听新闻|保存|下载|T"
)
_SEPARATORS = r"[\s【】\[\]|｜:：/·]*"
_WIDGETS = f"{_SEPARATORS}(?:(?:{_WIDGET_WORDS}){_SEPARATORS}){{2,}}$"
# Every alternative above starts with a literal of its own source, a digit, a space or an optional bracket: a line
# whose first character is none of these cannot match, and most lines are skipped without running the pattern.
_FIRST = frozenset("".join([*_PATTERNS, _INFO_LABEL, _WIDGETS]) + "0123456789 \t")
# The same holds alternative by alternative: a line whose first character is not in an alternative's source (a
# digit, a space or a tab aside) cannot match that alternative, so each first character gets the pattern of the
# alternatives it may open (3.6 of the 31 on average, one for most), compiled the first time a line opens with it.
_ALTERNATIVES = (*_PATTERNS, _INFO_LABEL, _WIDGETS)
_BY_FIRST: dict[str, re.Pattern[str]] = {}


def _pattern_for(first: str) -> re.Pattern[str]:
    chosen = [a for a in _ALTERNATIVES if first in a] if first not in "0123456789 \t" else _ALTERNATIVES
    pattern = _BY_FIRST[first] = re.compile("^(?:" + "|".join(chosen) + ")")
    return pattern


# A heading that introduces a list of links: everything after it, if none of it is prose, is a related block.
_RELATED_HEADER = re.compile(
    r"^[【\[]?\s*(相关(信息|文件|稿件|解读|附件|链接|阅读|新闻|文章|报道|政策|推荐)|延伸阅读|推荐阅读|热点推荐|"
    r"猜你喜欢|热门文章|热门推荐|精彩推荐|附件下载|附件)\s*[】\]]?\s*[:：]?$"
)
# A meta line above the body: a date with a clock time, or a date next to 来源/作者/浏览 (2021-08-01 06:59 来源：新华社).
_META_LINE = re.compile(
    r"^.{0,20}(19|20)\d{2}\s*[-/年.]\s*\d{1,2}\s*[-/月.]\s*\d{1,2}\s*日?\s*(\d{1,2}:\d{2}(:\d{2})?)?"
    r".{0,100}$"
)
_META_WORDS = re.compile(r"来源|作者|浏览|阅读|点击|编辑|发布|时间|\d{1,2}:\d{2}")
_PAGE_META = re.compile(r"\d{1,2}:\d{2}|来源|浏览|点击|阅读|作者|编辑")
_BARE_DATE = re.compile(r"^(19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
_COLOPHON = re.compile(
    r"^(抄\s*送|主\s*送|报\s*送|抄\s*报)\s*[:：]|.{2,40}\d{1,2}\s*月\s*\d{1,2}\s*日\s*印\s*发$"
)
_ATTACHMENT_LINE = re.compile(r"^(相关)?附件\s*\d*\s*[:：]?")
DOC_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "wps",
    "rtf",
    "xls",
    "xlsx",
    "et",
    "ofd",
    "zip",
    "rar",
    "7z",
    "txt",
    "ppt",
    "pptx",
)
_DOC_NAME = re.compile(r"\.(" + "|".join(DOC_EXTENSIONS) + r")\s*$", re.I)
_STOPS = frozenset("。！？!?；;")
_CLAUSE = frozenset("，。；！？、,;")
_EDGE_LINES = 12
_PROSE_CHARS = 20  # a sentence this long that ends with 。！？； is prose, whatever word it starts with  # how far from an edge a header or footer block of chrome may reach


class LineLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def link_chars(self) -> int: ...


T = TypeVar("T", bound=LineLike)


# Chrome words that sit near the start of a line rather than at it: 「京ICP备…」, 「首页 上一页 1 2 下一页」, 「某网专稿，
# 未经授权请勿转载」. Searched in the line's head (a slice), which keeps the big anchored pattern free of ".{0,N}"
# prefixes: those made every line cost ~10 µs.
_NEAR_WORDS = re.compile(r"ICP备|ICP证|公网安备|建议您将IE升级|上一页|下一页|尾页|末页|未经|转载请注明")
_NO_COPY = re.compile(r"未经.{0,12}(许可|授权|同意).{0,10}(不得|请勿|禁止|严禁)(转载|复制|使用|镜像)")
_PAGER = frozenset(["上一页", "下一页", "尾页", "末页"])
_CLAUSE_MARKS = re.compile("[，。；！？]")


def _chrome_near_start(line: str) -> bool:
    found = _NEAR_WORDS.search(line, 0, 100)
    if found is None:
        return False
    word = found.group(0)
    if word in _PAGER:  # 「首页 上一页 1 2 下一页 尾页」: short, and not a sentence
        return found.start() <= 30 and len(line) < 64 and not _CLAUSE_MARKS.search(line)
    if word == "未经":
        return bool(_NO_COPY.match(line, found.start()))
    return found.start() <= 30


def is_chrome_line(line: str) -> bool:
    line = line.strip()
    if len(line) >= 200:
        return False
    first = line[:1]
    if first in _FIRST and (_BY_FIRST.get(first) or _pattern_for(first)).match(line):
        return True
    return _chrome_near_start(line)


def is_meta_line(line: str) -> bool:
    """``2021-08-01 06:59 来源：新华社``: publication metadata, not body (a bare signing date is body)."""
    line = line.strip()
    return len(line) < 120 and bool(_META_LINE.match(line)) and bool(_META_WORDS.search(line))


def is_attachment_line(line: str) -> bool:
    """``附件：名称.pdf`` or a bare document file name: kept as an attachment, not as body text."""
    line = line.strip()
    return bool(_ATTACHMENT_LINE.match(line) and len(line) < 120) or bool(
        _DOC_NAME.search(line) and len(line) < 120
    )


_BREADCRUMB = re.compile(r"^(您当前的?位置|当前位置|您的位置|您所在的位置|所在位置)\s*[:：]")


def is_breadcrumb(line: str) -> bool:
    return "位置" in line and bool(_BREADCRUMB.match(line.strip()))  # every form names 位置


def reads_as_prose(text: str) -> bool:
    """A long line that ends sentences: never trimmed as chrome by its position alone."""
    return len(text) >= _PROSE_CHARS and any(char in text for char in _STOPS)  # a C search per mark


# Chrome no sentence is: a line with these is chrome even when it ends with 。 or ！ (「…建议您将IE升级至IE9！」).
_UNMISTAKABLE = re.compile(
    r"浏览器|分辨率|ICP备|ICP证|公网安备|版权所有|Copyright|©|扫一扫|分享到|打印本页|关闭窗口|网站标识码|当前位置|"
    r"您的位置|IE\d|IE浏览"
)


def protected(text: str) -> bool:
    """A line no position rule may trim and no chrome pattern may score against: prose, unless unmistakable."""
    return reads_as_prose(text) and not _UNMISTAKABLE.search(text)


def _substantive(line: LineLike) -> bool:
    """A line of the document itself (a punctuated sentence or clause): header and footer blocks end there."""
    text = line.text
    return reads_as_prose(text) or (
        len(text) >= 20 and not _mostly_links(line) and any(char in text for char in _CLAUSE)
    )


def _mostly_links(line: LineLike) -> bool:
    return line.link_chars * 2 > len(line.text.replace(" ", ""))


def _leading_chrome(line: LineLike, title: str | None) -> bool:
    text = line.text
    if title and (
        text == title or (len(text) <= len(title) + 12 and title in text and text.startswith(title))
    ):
        return True
    if protected(text):
        return False
    return is_chrome_line(text) or is_meta_line(text) or _mostly_links(line)


def _trailing_chrome(line: LineLike) -> bool:
    text = line.text
    if protected(text):
        return False
    meta = is_meta_line(text) and bool(_PAGE_META.search(text))  # 「2024年1月20日发布」 ends a 公文: it stays
    return is_chrome_line(text) or is_attachment_line(text) or _mostly_links(line) or meta


def _keeps(text: str) -> bool:
    """The end of a 公文 that no footer rule may cut past: the signing date, 抄送/印发 (版记)."""
    return bool(_BARE_DATE.match(text) or _COLOPHON.match(text))


def _header_block(lines: Sequence[LineLike], start: int, end: int) -> int | None:
    """Past the last chrome line near the top when nothing above it is prose (a title, a 来源/时间 line, share
    and font widgets, counters: the article header)."""
    found = None
    for index in range(start, min(end, start + _EDGE_LINES)):
        text = lines[index].text
        if protected(text):  # 「截至2023年12月31日，全县共发布……。」 opens a body
            break
        if is_chrome_line(text) or is_meta_line(text):
            found = index + 1
        elif _substantive(lines[index]):
            break
    return found


def _footer_block(lines: Sequence[LineLike], start: int, end: int) -> int | None:
    """The first chrome line near the end with nothing but non-prose after it (相关文件 and its links, editor
    and share lines, pagers, tags)."""
    found = None
    for index in range(end - 1, max(start, end - _EDGE_LINES) - 1, -1):
        text = lines[index].text
        if protected(text) or _keeps(text):
            break
        if is_chrome_line(text) or (
            _RELATED_HEADER.match(text.strip()) and _links_follow(lines, index + 1, end)
        ):
            found = index
    return found


def _links_follow(lines: Sequence[LineLike], start: int, end: int) -> bool:
    """Whether a 相关文件/附件 header heads links: a 附件 note that lists its files as text is the document's."""
    return all(
        _mostly_links(line) or is_chrome_line(line.text) or _DOC_NAME.search(line.text)
        for line in lines[start:end]
    )


def trim(lines: list[T], title: str | None) -> tuple[list[T], list[str]]:
    """Drop chrome lines (and a leading copy of the title) at both edges. Returns ``(body, removed)``."""
    start, end = 0, len(lines)
    while True:
        while start < end and _leading_chrome(lines[start], title):
            start += 1
        cut = _header_block(lines, start, end)
        if cut is None:
            break
        start = cut
    while True:
        while end > start and _trailing_chrome(lines[end - 1]):
            end -= 1
        cut = _footer_block(lines, start, end)
        if cut is None:
            break
        end = cut
    removed = [line.text for line in lines[:start] + lines[end:]]
    return lines[start:end], removed
