"""Page chrome recognised line by line (PORTALS.md). Used only at the edges of a body: never inside it."""

from __future__ import annotations

import re

_PATTERNS = [
    r"(您当前的?位置|当前位置|您的位置|您所在的位置)\s*[:：]",
    r"【?\s*字\s*[体号]\s*[:：]",
    r"字体大小",
    r"保护视力色",
    r"【?(打印本页|打印|关闭窗口|关闭|我要纠错|收藏)】",
    r"(打印本页|关闭窗口)$",
    r"分享(到|按钮)\s*[:：]?",
    r"扫一扫在手机(上)?打开当前页",
    r"相关(信息|文件|稿件|解读|附件|链接|阅读|新闻)\s*[:：]?$",
    r"更换或升级浏览器",
    r"当前浏览器版本过低",
    r"若您当前使用的浏览器为",
    r"建议您将IE升级",
    r"\(?建议使用.{0,12}分辨率",
    r"(主办单位|承办单位|网站标识码|版权所有|技术支持|联系我们|网站地图|政府网站找错)",
    r".{0,20}(ICP备|公网安备)",
    r"(时间|发布时间|更新时间|发布日期|文章来源|信息来源|来源|浏览次数|访问量|点击数)\s*[:：].{0,60}$",
    r"(简体|繁体)\s*\|?\s*(繁体|简体)?$",
    r"(无障碍|长者模式|无障碍浏览)$",
    r"(上一篇|下一篇)\s*[:：]",
    r"\d{4}年\d{1,2}月\d{1,2}日\s*星期[一二三四五六日天]$",
]
_CHROME = re.compile("^(?:" + "|".join(_PATTERNS) + ")")
_ATTACHMENT_LINE = re.compile(r"^(相关)?附件\s*\d*\s*[:：]?")
DOC_EXTENSIONS = (
    "pdf",
    "doc",
    "docx",
    "wps",
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


def is_chrome_line(line: str) -> bool:
    return bool(_CHROME.match(line.strip()))


def is_attachment_line(line: str) -> bool:
    """``附件：名称.pdf`` or a bare document file name: kept as an attachment, not as body text."""
    line = line.strip()
    return bool(_ATTACHMENT_LINE.match(line) and len(line) < 120) or bool(
        _DOC_NAME.search(line) and len(line) < 120
    )


def is_breadcrumb(line: str) -> bool:
    return bool(re.match(r"^(您当前的?位置|当前位置|您的位置|您所在的位置)\s*[:：]", line.strip()))
