"""The body finder: score every line of the page, take the block element whose lines score highest, trim its edges.

Needs no list of containers. Each visual line (``blocks.layout``) scores by what article prose looks like on any CMS:
its unlinked characters and sentence punctuation count for it; link text, short unpunctuated labels and the chrome
vocabulary (footers, share and print widgets, breadcrumbs) count against it. The body is the block element with
the largest sum over its lines (a maximum-sum subtree): navigation, sidebars of 相关推荐/热点 links and footers
pull every enclosing block down, so the element that wins is the one holding the article and little else, whatever
its tag (``div``, ``td`` with ``<br>`` lines, ``section``) or class. Known CMS containers are a shortcut that the
scorer must agree with (``agree``). Chrome lines at both edges of the winner are then trimmed (``chrome.trim``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from ingest.blocks import Layout, Line
from ingest.chrome import is_chrome_line, protected, trim
from ingest.options import ExtractOptions

_CELLS = frozenset(["td", "th"])
_PUNCT = re.compile("[，。；！？、：“”‘’（）《》,.;!?:]")


@dataclass
class Body:
    lines: list[str]
    method: str  # "container:<selector>" | "scored" | "none"
    link_ratio: float = 0.0  # share of the body's characters that sit inside links
    removed: tuple[str, ...] = ()  # chrome lines trimmed from the edges


def _size(line: Line) -> int:
    return len(line.text) - line.text.count(" ")


def line_score(line: Line, options: ExtractOptions, *, cell: bool = False) -> float:
    """Positive for article prose, negative for links, labels and chrome."""
    size = _size(line)
    if size == 0:
        return 0.0
    if line.link_chars * 2 > size:
        return -options.link_penalty * size
    if is_chrome_line(line.text) and not protected(line.text):  # 「承办人大代表建议……。」 is prose
        return -float(size) - options.chrome_penalty
    text = size - line.link_chars
    # Chinese characters (and full-width marks) are 3 bytes in UTF-8, ASCII is 1: a C-speed count of them
    chinese = (len(line.text.encode("utf-8", "replace")) - len(line.text)) // 2
    # ASCII marks count only in Chinese text: in a URL or a code line they are not sentences
    punctuation = len(_PUNCT.findall(line.text)) if chinese * 3 >= size else 0
    if punctuation == 0 and text < options.label_chars * (1 if chinese else 2):
        return 0.0 if cell else -options.label_penalty  # a table's cells (figures, names) are the body's too
    weight = 1.0 if punctuation else options.unpunctuated_weight
    return weight * text + options.punctuation_weight * punctuation - options.link_penalty * line.link_chars


@dataclass
class _Sums:
    score: list[float]
    chars: list[int]
    links: list[int]


def _subtree_sums(page: Layout, scores: list[float]) -> _Sums:
    count = len(page.blocks)
    sums = _Sums([0.0] * count, [0] * count, [0] * count)
    for line, score in zip(page.lines, scores, strict=True):
        if line.block >= 0:
            sums.score[line.block] += score
            sums.chars[line.block] += _size(line)
            sums.links[line.block] += line.link_chars
    for index in range(count - 1, -1, -1):  # children come after their parent in document order
        parent = page.blocks[index].parent
        if parent >= 0:
            sums.score[parent] += sums.score[index]
            sums.chars[parent] += sums.chars[index]
            sums.links[parent] += sums.links[index]
    return sums


def _ancestors(page: Layout, index: int) -> set[int]:
    out = set()
    while index >= 0:
        out.add(index)
        index = page.blocks[index].parent
    return out


def agree(page: Layout, sums: _Sums, best: int, candidate: int, options: ExtractOptions) -> bool:
    """A known container is taken only where the scorer agrees: it holds the best block or sits inside it, scores
    nearly as well, and is neither far larger than the best block nor mostly links."""
    if sums.score[candidate] <= 0 or sums.links[candidate] * 2 > sums.chars[candidate]:
        return False
    related = candidate in _ancestors(page, best) or best in _ancestors(page, candidate)
    near = sums.score[candidate] >= options.container_agreement * sums.score[best]
    not_larger = sums.chars[candidate] <= options.container_max_growth * max(sums.chars[best], 1)
    return related and near and not_larger


def _known_container(
    tree: LexborHTMLParser, page: Layout, sums: _Sums, best: int, options: ExtractOptions
) -> tuple[int, str] | None:
    if not options.containers:
        return None
    index_of = {block.mem_id: i for i, block in enumerate(page.blocks)}
    # one pass over the tree for all the selectors, then each match sorted to the first selector it meets
    matched = [
        (n, index_of[n.mem_id]) for n in tree.css(", ".join(options.containers)) if n.mem_id in index_of
    ]
    for selector in options.containers:
        found = [
            i for n, i in matched if sums.chars[i] >= options.min_container_chars and n.css_matches(selector)
        ]
        if found:
            pick = max(found, key=lambda i: sums.score[i])
            if agree(page, sums, best, pick, options):
                return pick, f"container:{selector}"
    return None


def _records(page: Layout, scores: list[float], options: ExtractOptions) -> list[bool]:
    """Blocks inside a list of records: ≥ 3 sibling items of one tag and class, each led by a headline link
    (相关推荐, 热点, more-stories teasers) or made mostly of labels (comments: a name, a date, 回复 and one
    sentence). Their sentences read like prose but are not the article. An item with more than a couple of prose
    lines is a section of the page (a layout table's row, an article part), never a record."""
    count = len(page.blocks)
    headline, labels, prose = [False] * count, [0] * count, [0] * count
    for line, score in zip(page.lines, scores, strict=True):
        if line.block < 0:
            continue
        if line.link_chars >= 4 and line.link_chars * 2 > _size(line):
            headline[line.block] = True
        elif score == -options.label_penalty:
            labels[line.block] += 1
        elif score > 0:
            prose[line.block] += 1
    for index in range(count - 1, -1, -1):
        parent = page.blocks[index].parent
        if parent >= 0:
            headline[parent] = headline[parent] or headline[index]
            labels[parent] += labels[index]
            prose[parent] += prose[index]
    groups: dict[tuple[int, str, str], list[int]] = {}
    for index, block in enumerate(page.blocks):
        groups.setdefault((block.parent, block.tag, block.attrs), []).append(index)
    record = [False] * count
    for members in groups.values():
        led = [
            i
            for i in members
            if prose[i] <= options.record_prose_lines
            and (headline[i] or (labels[i] >= 2 and labels[i] >= prose[i]))
        ]
        if len(led) >= options.record_items and len(led) * 2 >= len(members):
            for i in led:
                record[i] = True
    for index, block in enumerate(page.blocks):  # parents come first: inherit downwards
        if block.parent >= 0 and record[block.parent]:
            record[index] = True
    return record


@dataclass
class Located:
    """The winning block: its lines (untrimmed) and where they start among the page's lines."""

    lines: list[Line]
    method: str
    first: int


def _within(page: Layout, index: int) -> tuple[list[Line], int]:
    inside = {index}
    for i in range(index + 1, len(page.blocks)):
        if page.blocks[i].parent in inside:
            inside.add(i)
    positions = [n for n, line in enumerate(page.lines) if line.block in inside]
    return [page.lines[n] for n in positions], (positions[0] if positions else 0)


def _in_cells(page: Layout) -> list[bool]:
    """Blocks inside a table cell (``<td><p class=MsoNormal>13</p></td>`` too)."""
    out = [False] * len(page.blocks)
    for index, block in enumerate(page.blocks):  # parents come first
        out[index] = block.tag in _CELLS or (block.parent >= 0 and out[block.parent])
    return out


def locate_body(tree: LexborHTMLParser | None, page: Layout, options: ExtractOptions) -> Located | None:
    """The block element whose lines score highest (a known container where the scorer agrees)."""
    if not page.blocks or not page.lines:
        return None
    cells = _in_cells(page)
    scores = [line_score(line, options, cell=line.block >= 0 and cells[line.block]) for line in page.lines]
    record = _records(page, scores, options)
    scores = [
        min(s, 0.0) if line.block >= 0 and record[line.block] else s
        for line, s in zip(page.lines, scores, strict=True)
    ]
    sums = _subtree_sums(page, scores)
    best = max(range(len(page.blocks)), key=lambda i: (sums.score[i], -i))
    if sums.score[best] <= 0:
        return None
    found = _known_container(tree, page, sums, best, options) if tree is not None else None
    chosen, method = found or (best, "scored")
    lines, first = _within(page, chosen)
    return Located(lines, method, first)


def trimmed(located: Located | None, title: str | None) -> Body:
    """The located block's lines with the chrome at both edges removed."""
    if located is None:
        return Body([], "none")
    kept, removed = trim(located.lines, title)
    chars = sum(_size(line) for line in kept)
    links = sum(line.link_chars for line in kept)
    return Body([line.text for line in kept], located.method, links / chars if chars else 0.0, tuple(removed))


def body_chars(body: Body) -> int:
    return sum(len(line) for line in body.lines)
