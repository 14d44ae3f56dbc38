"""The extraction cascade, end to end: ``extract_report(content, url) -> ExtractedReport``."""

from __future__ import annotations

import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest import fields
from ingest.agency import expand_agency
from ingest.blocks import Layout, layout
from ingest.body import Body, Located, body_chars, locate_body, trimmed
from ingest.classify import HEAD_CHARS, blocked_reason, classify
from ingest.dates import parse_date, url_date
from ingest.decode import decode_page, utf8_head
from ingest.identity import content_hash, normalize_lines, normalize_text
from ingest.keywords import extract_keywords
from ingest.model import ExtractedReport, SourceHints
from ingest.options import DEFAULT_OPTIONS, ExtractOptions
from ingest.prescan import without_style_text
from ingest.region import normalize_region
from ingest.scripted import script_fields, scripted_html
from ingest.sections import count_parts, due_date, report_parts, timeliness
from ingest.title import pick_title

# A start tag with kilobytes of attributes: the parser's duplicate-attribute check is quadratic in their number
# (50,000 attributes took 7 s), and no text lives there. Such a tag is a long run without ">" that a tag opens.
_MAX_TAG = 8192
_TAG_OPEN = re.compile(r"<([a-zA-Z][a-zA-Z0-9:-]{0,30})")
_TAG_OPEN_BYTES = re.compile(rb"<([a-zA-Z][a-zA-Z0-9:-]{0,30})")
_BLOCK = (
    _MAX_TAG // 2
)  # a run of _MAX_TAG characters without ">" holds an aligned block this long without one


def _long_runs(html: str | bytes) -> list[int]:
    """Where each run of at least ``_MAX_TAG`` characters without ">" starts (just after a ">", or at 0). Such a
    run covers a whole aligned block of ``_BLOCK`` characters, so only blocks without ">" (a C search each, which
    stops at the first ">") are looked into: most pages have none, and most of a page is never scanned."""
    starts: list[int] = []
    gt: Any = ">" if isinstance(html, str) else b">"
    end = -1  # where the last run found ends: its other blocks are in it
    for block in range(0, len(html) - _BLOCK + 1, _BLOCK):
        if block < end or html.find(gt, block, block + _BLOCK) >= 0:
            continue
        start = html.rfind(gt, 0, block) + 1
        end = html.find(gt, block + _BLOCK)
        end = end if end >= 0 else len(html)
        if end - start >= _MAX_TAG:
            starts.append(start)
    return starts


def _tag_open(html: str | bytes, start: int, end: int) -> re.Match[Any] | None:
    """The first start tag opened in ``html[start:end]``, if its attributes run ``_MAX_TAG`` characters or more
    (to ``end``). Jumps from "<" to "<" (a C search) and stops where a tag would be too short."""
    lt: Any = "<" if isinstance(html, str) else b"<"
    pattern: re.Pattern[Any] = _TAG_OPEN if isinstance(html, str) else _TAG_OPEN_BYTES
    position, last = start, end - _MAX_TAG
    while True:
        position = html.find(lt, position, last + 1)
        if position < 0:
            return None
        opened = pattern.match(html, position, end)
        if opened is not None:
            return opened
        position += 1


def _may_hold_oversized_tags(content: bytes) -> bool:
    """Whether the page's bytes hold a start tag whose attributes run ``_MAX_TAG`` bytes or more: its text can
    hold one only then (a character is a byte at least)."""
    for start in _long_runs(content):
        end = content.find(b">", start)
        if _tag_open(content, start, end if end >= 0 else len(content)) is not None:
            return True
    return False


def _bounded_tags(html: str) -> str:
    """``html`` with the attributes of oversized start tags dropped (``html`` itself when there are none).
    Linear: only the runs of 8 KB or more between two ">" are looked into."""
    if len(html) < _MAX_TAG:
        return html
    out, done = [], 0
    for start in _long_runs(html):
        end = html.find(">", start)
        end = end if end >= 0 else len(html)
        opened = _tag_open(html, start, end)
        if opened is not None:
            out += [html[done : opened.start()], "<", opened.group(1)]
            done = end
    return "".join([*out, html[done:]]) if out else html


def _markup(content: bytes, content_type: str | None) -> tuple[str | bytes, str, str]:
    """What the parser reads, the page's text as far as the block check reads it (``HEAD_CHARS`` at least), and
    the charset. UTF-8 bytes go to the parser as they are (it would encode the text back into the same bytes);
    where no tag could be oversized they are not decoded whole, only checked piece by piece
    (``utf8_head``). Other pages are decoded, and their oversized tags bounded. Either way style sheets lose their
    text (no stage reads it; the parser would read every character)."""
    if len(content) < _MAX_TAG or not _may_hold_oversized_tags(content):
        head = utf8_head(content, HEAD_CHARS)
        if head is not None:
            return without_style_text(content), head, "utf-8"
    html, charset, exact = decode_page(content, content_type)
    bounded = _bounded_tags(html)
    markup = without_style_text(content) if exact and bounded is html else without_style_text(bounded)
    return markup, bounded, charset


def extract_report(
    content: bytes,
    url: str,
    *,
    content_type: str | None = None,
    hints: SourceHints | None = None,
    options: ExtractOptions = DEFAULT_OPTIONS,
) -> ExtractedReport:
    markup, html, charset = _markup(content, content_type)
    tree = LexborHTMLParser(markup)
    page, scripts = _walk(tree)
    signals = fields.page_signals(tree, page)
    visible = sum(map(len, signals.lines))
    blocked = blocked_reason(html, visible, options.min_page_chars, signals.lines)
    if blocked:
        return ExtractedReport(url=url, kind="blocked", reason=blocked, charset=charset)
    report = ExtractedReport(url=url, kind="not_report", reason="", charset=charset)
    located = locate_body(tree, page, options)
    title, report.provenance["title"] = pick_title(signals, tree, page, located.first if located else None)
    body = trimmed(located, title)
    if body_chars(body) < options.min_report_chars:
        body, title = _scripted_body(scripts, body, title, signals, report, options)
    signals.near = _near_lines(page, located)
    signals.near_links = _near_links(page, located)
    report.title = normalize_text(title) if title else None
    report.paragraphs = [p for p in normalize_lines(body.lines) if p]
    report.provenance["body"] = body.method
    _fill_fields(report, tree, page, signals, hints or SourceHints(), options)
    parts = report_parts(report.paragraphs)
    if _classify(report, body, options, parts):  # the paragraphs were replaced
        parts = report_parts(report.paragraphs)
    _fill_parts_and_timeliness(report, parts, hints or SourceHints())
    report.body = "\n".join(report.paragraphs)  # = normalize_body(paragraphs): each is normalized already
    report.id = content_hash(report.body)
    if options.keywords and report.is_report:
        report.keywords = extract_keywords(report.body, options.keywords)
        report.provenance["keywords"] = "body"
    return report


def _near_lines(page: Layout, located: Located | None) -> list[str]:
    """The lines just above the body and at its top: where a page puts its title, date and source."""
    if located is None:
        return []
    return [line.text for line in page.lines[max(located.first - 12, 0) : located.first + 3]]


def _near_links(page: Layout, located: Located | None) -> set[str] | None:
    """The link texts in and around the body (its lines, a few above, the attachment block below)."""
    if located is None:
        return None
    end = located.first + len(located.lines)
    return {text for line in page.lines[max(located.first - 5, 0) : end + 15] for text in line.links}


_STRIPPED = "script, style, noscript, template"


def _walk(tree: LexborHTMLParser) -> tuple[Layout, list[LexborNode]]:
    """The body's layout, then scripts, styles, ``<noscript>`` and templates taken out of the tree (the walk skips
    them and collects them: no pass of its own over the body; the head is small). The scripts are returned,
    detached but whole, for a page whose article is in a script literal."""
    if tree.body is None or tree.head is None:  # a frameset: nothing to walk, a pass over the tree
        return Layout(), _strip(tree.css(_STRIPPED))
    head = tree.head.css(_STRIPPED)
    page = layout(tree.body)
    return page, _strip([*head, *page.stripped])  # in document order: the parser puts them in head or body


def _strip(removed: list[LexborNode]) -> list[LexborNode]:
    for node in removed:
        node.decompose(recursive=False)
    return [node for node in removed if node.tag == "script"]


def _scripted_body(
    scripts: list[LexborNode],
    body: Body,
    title: str | None,
    signals: fields.PageSignals,
    report: ExtractedReport,
    options: ExtractOptions,
) -> tuple[Body, str | None]:
    """The article from a script literal when the markup holds none (a JSON-fed ``<div id="app">``); the title,
    date and source given beside it in the script count for the page."""
    fragment = scripted_html([node.text() or "" for node in scripts], options.min_report_chars)
    if fragment is None:
        return body, title
    tree = LexborHTMLParser(fragment.html)
    page = layout(tree.body) if tree.body is not None else Layout()
    signals.script = script_fields(fragment)
    found = trimmed(locate_body(None, page, options), signals.script.get("title") or title)
    if body_chars(found) <= body_chars(body):
        signals.script = {}
        return body, title
    found.method = "script"
    if signals.script.get("title") and report.provenance.get("title") not in ("meta", "info_table"):
        title, report.provenance["title"] = signals.script["title"], "script"
    return found, title


def _fill_parts_and_timeliness(
    report: ExtractedReport, found: dict[str, str | None], hints: SourceHints
) -> None:
    report.sections = {part: heading is not None for part, heading in found.items()}
    report.section_headings = {part: heading for part, heading in found.items() if heading}
    report.deadline = due_date(report.report_year, hints.deadline)
    report.late, report.days_late = timeliness(report.publish_date, report.deadline)


def _classify(
    report: ExtractedReport, body: Body, options: ExtractOptions, parts: dict[str, str | None]
) -> bool:
    """The verdict, from the paragraphs and their required ``parts``; ``True`` when it replaced the paragraphs."""
    text = "\n".join(report.paragraphs)
    verdict = classify(
        report.title,
        text,
        link_ratio=body.link_ratio,
        has_attachments=bool(report.attachments),
        min_untitled_chars=options.min_untitled_report_chars,
        min_report_chars=options.min_report_chars,
        max_link_ratio=options.max_link_ratio,
        parts=count_parts(parts),
    )
    report.kind, report.reason = verdict.kind, verdict.reason
    if verdict.reason == "attachment-only report":
        # the report is the file: its identity is the title with the attachment names
        lines = [report.title or "", *(f"附件: {a.name}" for a in report.attachments)]
        report.paragraphs = [p for p in map(normalize_text, lines) if p]
        return True
    return False


def _fill_fields(
    report: ExtractedReport,
    tree: LexborHTMLParser,
    page: Layout,
    signals: fields.PageSignals,
    hints: SourceHints,
    options: ExtractOptions,
) -> None:
    head = report.paragraphs[: options.head_lines]
    prov = report.provenance
    report.report_year, prov["report_year"] = fields.report_year(report.title, report.paragraphs)
    report.doc_number, prov["doc_number"] = fields.doc_number(signals, head)
    report.index_no = signals.labels.get("index_no")
    report.signer = fields.signer(head)
    report.addressee = fields.addressee(head)
    report.cc = fields.cc(report.paragraphs)
    visible = fields.visible_source(signals.near) or fields.visible_source(signals.lines)
    report.source = visible or signals.script.get("source") or signals.meta.get("contentsource")
    report.breadcrumb = fields.breadcrumb(page)
    anchors, hrefs = (
        (page.anchors, page.hrefs) if tree.body is not None else (None, None)
    )  # a frameset: the tree's
    report.attachments = fields.attachments(tree, report.url, signals.near_links, anchors, hrefs)
    found = {
        "index_no": "info_table" if report.index_no else "",
        "signer": "body" if report.signer else "",
        "addressee": "body" if report.addressee else "",
        "cc": "body" if report.cc else "",
        "source": ("line" if visible else "script" if signals.script.get("source") else "meta")
        if report.source
        else "",
        "breadcrumb": "line" if report.breadcrumb else "",
        "attachments": "links" if report.attachments else "",
    }
    prov.update(found)
    _fill_date(report, signals)
    _fill_agency_and_region(report, signals, hints)


def _fill_date(report: ExtractedReport, signals: fields.PageSignals) -> None:
    for text, provenance in fields.date_lines(signals):
        value = parse_date(text)
        if value:
            report.publish_date, report.provenance["publish_date"] = value, provenance
            return
    report.publish_date = url_date(report.url)
    report.provenance["publish_date"] = "url" if report.publish_date else ""


def _fill_agency_and_region(report: ExtractedReport, signals: fields.PageSignals, hints: SourceHints) -> None:
    agency, provenance = None, ""
    for value, source in (
        (signals.labels.get("agency"), "info_table"),
        (fields.agency_from_title(report.title), "title"),
        (hints.agency, "hint"),
    ):
        if value:
            agency, provenance = normalize_text(value), source
            break
    texts = [agency, report.title, signals.meta.get("sitename"), hints.agency]
    (province, city, county), region_provenance = normalize_region(hints.region, texts)
    report.province, report.city, report.county = province, city, county
    report.provenance["region"] = region_provenance
    if agency:
        expanded = expand_agency(agency, province=province, city=city, county=county)
        if expanded != agency:
            provenance += "+expanded"
        report.agency = expanded
    report.provenance["agency"] = provenance
