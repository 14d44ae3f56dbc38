"""File text → paragraphs: page chrome out, broken lines re-joined, no spaces between CJK characters.

Fixed-layout files (PDF, OFD) arrive as pages of visual lines (``clean_pages``): running headers and footers (a
line, digits aside, at the top or bottom of at least half the pages), page numbers (「— 3 —」, 「- 3 -」,
「第3页 共12页」, 「3/12」) and rule lines go; lines are re-joined into paragraphs across line and page ends (a
line shorter than the page's full measure, or a heading opening the next line, ends a paragraph). Flow formats
(DOCX, DOC, RTF, HTML) arrive as paragraphs (``clean_paragraphs``): the same line rules, no re-joining. The 公文
版记 (抄送, 印发) is the document's own text and stays; only rules and repeated lines around it are chrome.
"""

from __future__ import annotations

import re
from collections import Counter

_CJK = r"\u2e80-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
_SPACES_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \u00a0]+(?=[{_CJK}])")
_SPACES_CJK_ASCII = re.compile(
    rf"(?<=[{_CJK}])[ \u00a0]+(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%])[ \u00a0]+(?=[{_CJK}])"
)
_NUM = r"(?:PAGE\s*)?\d{1,5}"  # a Word field code may print before its value
_PAGE_NUMBER = re.compile(
    rf"^(?:[—–\-－─_~·•\s]*{_NUM}[—–\-－─_~·•\s]*"
    rf"|第\s*{_NUM}\s*页\s*[,，、/]?\s*(?:共\s*(?:NUMPAGES\s*)?\d{{1,5}}\s*页)?"
    rf"|{_NUM}\s*/\s*(?:NUMPAGES\s*)?\d{{1,5}}"
    rf"|(?:page\s*)?{_NUM}(?:\s*of\s*\d{{1,5}})?)$",
    re.I,
)
_RULE = re.compile(r"^[—─━\-_=＿－~·•*\s]{4,}$")
_HEADING = re.compile(
    r"^(?:抄送|主送|附件)[:：]|\d{1,2}日印发$|^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百\d]+[章节条部分]|\d+[.、．]\D)"
)
_NARROW = re.compile(r"[\x00-\x7f\uff61-\uffdc\uffe8-\uffee]")
_EDGE = 2  # lines at the top and at the bottom of a page where running headers and footers sit


def tidy_line(line: str) -> str:
    """Strip, collapse spaces, and delete the spaces PDF layouts put between CJK glyphs (and CJK and digits)."""
    line = line.replace("\r", "").replace("\u3000", " ").strip()
    line = re.sub(r"[ \u00a0]{2,}", " ", line)
    return _SPACES_CJK_ASCII.sub("", _SPACES_IN_CJK.sub("", line))


def is_page_chrome(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line) or _RULE.match(line))


def clean_paragraphs(paragraphs: list[str]) -> list[str]:
    """Flow-format paragraphs: tidied, page numbers and rules dropped, empties gone."""
    out = []
    for p in (line for paragraph in paragraphs for line in paragraph.split("\n")):
        cells = [tidy_line(c) for c in p.split("\t")]
        line = "\t".join(c for c in cells if c) if len(cells) > 1 else cells[0]
        if line and not is_page_chrome(line):
            out.append(line)
    return out


def clean_pages(pages: list[list[str]]) -> list[str]:
    """Fixed-layout pages of visual lines → paragraphs."""
    tidy = [[t for t in (tidy_line(line) for line in page) if t] for page in pages]
    running = _running_lines(tidy)
    kept: list[str] = []
    for page in tidy:
        for i, line in enumerate(page):
            edge = i < _EDGE or i >= len(page) - _EDGE
            if is_page_chrome(line) or (edge and _shape(line) in running):
                continue
            kept.append(line)
    return rejoin(kept)


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", line)


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Lines (digits aside) at a page edge on at least half the pages, when there are three pages or more."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for page in pages:
        seen.update({_shape(line) for line in page[:_EDGE] + page[-_EDGE:]})
    return {shape for shape, n in seen.items() if n >= max(3, len(pages) // 2)}


def width(line: str) -> float:
    """Display width in em: ASCII and half-width forms 0.5, everything else (CJK, “”, full-width forms) 1."""
    return len(line) - 0.5 * len(_NARROW.findall(line))


def rejoin(lines: list[str]) -> list[str]:
    """Join visual lines into paragraphs: a short line ends one, a heading starts one, a table row stands alone."""
    if not lines:
        return []
    widths = [width(line) for line in lines]
    short = 0.85 * sorted(widths)[int(len(widths) * 0.8)]  # the page measure: most lines of prose are full
    paragraphs: list[str] = []
    current = ""
    for line, line_width in zip(lines, widths, strict=True):
        if current and (_HEADING.search(line) or "\t" in line):
            paragraphs.append(current)
            current = ""
        current = _join(current, line)
        if line_width < short or "\t" in line or line.endswith("印发"):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs


def _join(left: str, right: str) -> str:
    if left and left[-1].isascii() and left[-1].isalnum() and right[:1].isascii() and right[:1].isalnum():
        return f"{left} {right}"
    return left + right
