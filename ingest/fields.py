"""Fields of a report, each from the best signal that has it: meta tags → info table → visible lines → body → URL.

Meta tags are a first signal, never the only one: values can be ``null`` or copy-paste errors (PORTALS.md).
Commented-out info-table rows are comments to the parser, so they never leak in.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.blocks import Layout, clean_line, node_text
from ingest.chrome import DOC_EXTENSIONS, is_breadcrumb, is_chrome_line, is_meta_line
from ingest.dates import parse_date
from ingest.model import Attachment

LABELS = {
    "索引号": "index_no",
    "发文字号": "doc_number",
    "文号": "doc_number",
    "文件编号": "doc_number",
    "发布机构": "agency",
    "发文机关": "agency",
    "发布单位": "agency",
    "成文日期": "written_date",
    "发布日期": "publish_date",
    "发布时间": "publish_date",
    "名称": "title",
    "标题": "title",
    "来源": "source",
    "信息来源": "source",
    "文章来源": "source",
}
# 文号: 国发〔2019〕5号, 湖人社[2020]3号, 京政办发（2021）12号, 国令第707号, 司法部令第1号, 渝府发第12号.
_DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]\s*第?\s*\d{1,5}\s*号"
    r"|[\u4e00-\u9fff]{1,12}令\s*第\s*\d{1,5}\s*号"
    r"|[\u4e00-\u9fff]{1,10}(?:发|函|字|办|复)\s*第\s*\d{1,5}\s*号"
)
_DOC_LINE_CHARS = 30  # a line this short that holds a 文号 is the document's number line, not a sentence
_YEAR = re.compile(r"(?<![〔\[［(（\d])((?:19|20)\d{2})\s*年")
_NULLISH = {"", "null", "none", "undefined", "-", "无"}


@dataclass
class PageSignals:
    meta: dict[str, str]
    labels: dict[str, str]
    lines: list[str]
    headings: list[str]
    provenance: dict[str, str] = field(default_factory=dict)
    near: list[str] = field(default_factory=list)  # the lines around the title and the top of the body
    script: dict[str, str] = field(default_factory=dict)  # title/date/source of a script-fed article
    near_links: set[str] | None = None  # link texts in and around the body


def value_or_none(value: str | None) -> str | None:
    if value is None:
        return None
    value = clean_line(value)
    return None if value.lower() in _NULLISH else value


_META_SELECTOR = "meta[name], meta[property], meta[itemprop]"


def meta_tags(tree: LexborHTMLParser, body: list[LexborNode] | None = None) -> dict[str, str]:
    """The page's named meta tags, first value of a name kept. ``body``: the body's ``<meta>`` elements, when the
    layout walk has collected them (the head is then the only part searched: one pass less over the tree)."""
    out: dict[str, str] = {}
    found = (
        tree.css(_META_SELECTOR)
        if body is None or tree.head is None
        else [*tree.head.css(_META_SELECTOR), *(node for node in body if _named(node))]
    )
    for node in found:
        attrs = node.attributes
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").strip().lower()
        value = value_or_none(attrs.get("content"))
        if name and value and name not in out:
            out[name] = value
    return out


def _named(node: LexborNode) -> bool:
    attrs = node.attrs
    return "name" in attrs or "property" in attrs or "itemprop" in attrs


def _label_key(text: str) -> str | None:
    return LABELS.get(re.sub(r"\s+", "", text).rstrip(":："))


def _spaced(word: str) -> str:
    return r"\s*".join(re.escape(char) for char in word)


# Every label an info table or a meta line uses, so that a value stops where the next label starts.
_ALL_LABELS = sorted(
    {
        *LABELS,
        "浏览次数",
        "点击数",
        "访问量",
        "阅读",
        "作者",
        "时间",
        "字号",
        "字体",
        "分享到",
        "主题分类",
        "编辑",
    },
    key=len,
    reverse=True,
)
# A label is a whole word: 「网站名称：」 or 「单位名称：」 is not the 名称 of the document.
_LABEL_AT = re.compile(
    r"(?<![\u4e00-\u9fff])(" + "|".join(_spaced(label) for label in _ALL_LABELS) + r")\s*[:：]"
)


def info_labels(lines: list[str]) -> dict[str, str]:
    """Label/value pairs of info tables and meta lines, read off the page's lines (one pass): the value runs to
    the next label on the line, or is the next line when the label ends its cell (``<td>索引号：</td><td>…``)."""
    out: dict[str, str] = {}
    for index, line in enumerate(lines):
        if len(line) > 300 or (":" not in line and "：" not in line):
            continue
        found = list(_LABEL_AT.finditer(line))
        for number, match in enumerate(found):
            key = _label_key(match.group(1))
            if not key or key in out:
                continue
            end = found[number + 1].start() if number + 1 < len(found) else len(line)
            value = line[match.end() : end].strip()
            if not value and number + 1 == len(found) and index + 1 < len(lines):
                following = lines[index + 1]
                value = "" if _LABEL_AT.match(following) else following
            if value_or_none(value) and len(value) <= 200:
                out[key] = clean_line(value)
    return out


_HEADING_CLASSES = frozenset(["title", "news_cont_title"])
_HEADING_BLOCKS = frozenset(["h1", "h2", "h3"])


def _is_heading_block(page: Layout, index: int) -> bool:
    attrs = page.attrs[index]
    return page.tags[index] in _HEADING_BLOCKS or (
        "title" in attrs and not _HEADING_CLASSES.isdisjoint(attrs.split())
    )


def page_signals(tree: LexborHTMLParser, page: Layout) -> PageSignals:
    """Signals of the whole page, from its lines (``blocks.layout``) and meta tags: linear in the page, however
    deeply its elements nest. The tree must have had its scripts and styles stripped."""
    lines = [line.text for line in page.lines]
    parents = page.parents
    heading: dict[int, bool] = {-1: False}  # per block: it or its parent is a heading (asked once per block)
    headings = []
    for line in page.lines:
        block = line.block
        found = heading.get(block)
        if found is None:
            parent = parents[block]
            found = heading[block] = _is_heading_block(page, block) or (
                parent >= 0 and _is_heading_block(page, parent)
            )
        if found:
            headings.append(line.text)
    metas = page.metas if tree.body is not None else None  # no <body> (a frameset): the tree's own
    return PageSignals(meta=meta_tags(tree, metas), labels=info_labels(lines), lines=lines, headings=headings)


def report_year(title: str | None, paragraphs: list[str]) -> tuple[int | None, str]:
    """The year reported on: the year in the title, else the first year named in the opening paragraphs."""
    for text, provenance in ((title or "", "title"), (" ".join(paragraphs[:3]), "body")):
        match = _YEAR.search(text)
        if match:
            return int(match.group(1)), provenance
    return None, ""


def doc_number(signals: PageSignals, head: list[str]) -> tuple[str | None, str]:
    """The document's own 文号: the info table's, else one that opens a line at the head of the body or stands
    on a short line. A 文号 cited inside a sentence (「根据《…》（国发〔2019〕5号）要求」) is another document's."""
    labelled = signals.labels.get("doc_number")
    found = _DOC_NUMBER.search(labelled) if labelled else None
    if found:
        return re.sub(r"\s+", "", found.group(0)), "info_table"
    for line in head:
        match = _DOC_NUMBER.search(line) if "号" in line else None  # every form ends in 号: skip the scan
        if match and (match.start() == 0 or len(line) <= _DOC_LINE_CHARS):
            return re.sub(r"\s+", "", match.group(0)), "body"
    return None, ""


def signer(head: list[str]) -> str | None:
    for line in head:
        match = re.search(r"签发人\s*[:：]\s*([\u4e00-\u9fff·]{2,8})", line)
        if match:
            return match.group(1)
    return None


def addressee(head: list[str]) -> str | None:
    """``市委、市政府:`` — a short opening line that ends in a colon and is not a sentence."""
    for line in head:
        if (
            len(line) <= 40
            and line.endswith((":", "："))
            and not re.search(r"[。，,如下报告情况]", line[:-1])
            and not is_chrome_line(line)
            and not re.match(r"(相关)?附\s*件", line)
        ):
            return line[:-1].strip()
    return None


def cc(paragraphs: list[str]) -> str | None:
    for line in reversed(paragraphs[-6:]):
        match = re.match(r"^抄\s*送\s*[:：]\s*(.+?)[。.]?$", line)
        if match:
            return match.group(1).strip()
    return None


_CLOCK = re.compile(r"星期[一二三四五六日天]")
_DATE_LABEL = re.compile(r"(发布|更新|成文|印发)?(时间|日期)\s*[:：]")
_SOURCE = re.compile(
    r"(?<![\u4e00-\u9fff])(?:文章|信息|稿件)?来\s*源\s*[:：]\s*([^\s:：|【】\[\]（）()]{2,30})"
)
# Where a page states its publication date, most trusted first (PORTALS.md, and the news CMSs' meta names).
DATE_META = (
    "pubdate",
    "publishdate",
    "firstpublishedtime",
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "datepublished",
    "publish_time",
    "publishtime",
    "releasedate",
    "dc.date",
    "dc.date.issued",
)


def visible_date_line(lines: list[str]) -> str | None:
    """The first 发布时间/日期 line that holds a date (「办公时间：…」 does not); a JS clock (``2019年12月3日星期二``) is
    the visitor's today."""
    for line in lines[:200]:
        if ("时间" in line or "日期" in line) and not _CLOCK.search(line) and parse_date(line):
            return line
    return None


def date_lines(signals: PageSignals) -> Iterator[tuple[str | None, str]]:
    """Candidate texts for the publication date with their provenance, most trusted first: meta tags, the script
    feeding the article, the info table, a labelled line near the title, an unlabelled 「2021-08-01 06:59 来源：…」
    line next to it, then any labelled line of the page. Lazily: a later candidate is looked for only when the
    earlier ones gave no date."""
    for name in DATE_META:
        yield signals.meta.get(name), "meta"
    yield signals.script.get("date"), "script"
    yield signals.labels.get("publish_date"), "info_table"
    yield next((x for x in signals.near if _DATE_LABEL.search(x) and not _CLOCK.search(x)), None), "line"
    yield next((x for x in signals.near if is_meta_line(x) and not _CLOCK.search(x)), None), "line"
    yield visible_date_line(signals.lines), "line"


def visible_source(lines: list[str]) -> str | None:
    for line in lines[:200]:
        match = _SOURCE.search(line) if "源" in line else None
        if match and value_or_none(match.group(1)):
            return match.group(1)
    return None


def breadcrumb(page: Layout) -> list[str]:
    """The trail of the first 当前位置 line: its links, else its parts between separators."""
    for line in page.lines:
        if is_breadcrumb(line.text):
            if line.links:
                return list(line.links)
            trail = re.split(r"[:：]", line.text, maxsplit=1)[1]
            return [p.strip() for p in re.split(r"\s*(?:->|>|»|/|\u2002)\s*", trail) if p.strip()]
    return []


def _file_path(href: str) -> str:
    """The file name part of a link: its path, or a ``filename=`` parameter (Hanweb's downfile.jsp)."""
    parts = urlsplit(href)
    for key, value in parse_qsl(parts.query):
        if key.lower() in ("filename", "file", "fname"):
            return value.lower()
    return parts.path.lower()


# A dot, then (a one-character look-ahead first: most dots are .html, .js, .cn) a document extension.
_DOC_HINT = re.compile(
    r"\.(?=[" + "".join(sorted({e[0] for e in DOC_EXTENSIONS})) + r"])(" + "|".join(DOC_EXTENSIONS) + r")\b",
    re.I,
)


def _hrefs(links: list[LexborNode], hrefs: list[str | None] | None = None) -> list[tuple[LexborNode, str]]:
    """Each link that has an ``href``, with it stripped (an ``href`` without a value is empty). ``hrefs``: each
    link's ``attrs["href"]`` as the C walk read it (``None``: none), which saves asking each link."""
    if hrefs is not None:
        return [(link, href.strip()) for link, href in zip(links, hrefs, strict=True) if href is not None]
    out = []
    for link in links:
        try:
            href = link.attrs["href"]
        except KeyError:  # an anchor without href (name=, onclick=): rare, so the exception is cheap overall
            continue
        out.append((link, (href or "").strip()))
    return out


def attachments(
    tree: LexborHTMLParser,
    base_url: str,
    near: set[str] | None = None,
    anchors: list[LexborNode] | None = None,
    hrefs: list[str | None] | None = None,
) -> list[Attachment]:
    """Document links (by the file name in the path or a ``filename=`` parameter). With ``near``, only links whose
    text is among those next to the body: a sidebar's or footer's files are not the page's attachments.
    ``anchors``: the page's ``<a>`` elements in document order, when the layout walk has collected them (the
    same as ``tree.css("a")``: the parser puts every ``<a>`` in the body), which saves a pass over the tree."""
    out: dict[str, Attachment] = {}
    found = (
        _hrefs(anchors, hrefs)
        if anchors is not None
        else [(link, (link.attrs["href"] or "").strip()) for link in tree.css("a[href]")]
    )
    if not _DOC_HINT.search("\n".join(href for _, href in found)):  # one pass: most pages link no file
        return []
    for link, href in found:
        if not _DOC_HINT.search(href):  # most links are pages: skip parsing them
            continue
        path = _file_path(href)
        ext = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
        if ext not in DOC_EXTENSIONS or href.startswith(("javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href)
        text = node_text(link)
        if near is not None and text and text not in near:
            continue
        name = text or link.attributes.get("title") or path.rsplit("/", 1)[-1]
        out.setdefault(url, Attachment(name=clean_line(name), url=url, type=ext))
    return list(out.values())


_AGENCY_IN_TITLE = re.compile(
    r"^(.{2,40}?(?:人民政府|委员会|办公室|局|厅|委|办|署|院|中心|大队|支队|总队|政府))(?:关于)?\s*(?:(?:19|20)\d{2})"
)


def agency_from_title(title: str | None) -> str | None:
    match = _AGENCY_IN_TITLE.match(title or "")
    return match.group(1) if match else None
