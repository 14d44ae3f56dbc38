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
from collections import Counter
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


def line_scores(page: Layout, options: ExtractOptions) -> list[float]:
    """Each line's score: positive for article prose, negative for links, labels and chrome. A short line of a
    table cell (figures, names) is the body's too, not a label."""
    cells = _in_cells(page)
    link_penalty, chrome_penalty = options.link_penalty, options.chrome_penalty
    label_chars, label_penalty = options.label_chars, options.label_penalty
    unpunctuated, punctuation_weight = options.unpunctuated_weight, options.punctuation_weight
    findall, scores = _PUNCT.findall, list[float]()
    add = scores.append
    for text, link_chars, block, _, size in page.lines:
        if size == 0:
            add(0.0)
        elif link_chars * 2 > size:
            add(-link_penalty * size)
        elif is_chrome_line(text) and not protected(text):  # 「承办人大代表建议……。」 is prose
            add(-float(size) - chrome_penalty)
        else:
            plain = size - link_chars
            # Chinese characters (and full-width marks) are 3 bytes in UTF-8, ASCII is 1: a C-speed count of them
            chinese = 0 if text.isascii() else (len(text.encode("utf-8", "replace")) - len(text)) // 2
            # ASCII marks count only in Chinese text: in a URL or a code line they are not sentences
            punctuation = len(findall(text)) if chinese * 3 >= size else 0
            if punctuation == 0 and plain < label_chars * (1 if chinese else 2):
                add(0.0 if block >= 0 and cells[block] else -label_penalty)
            else:
                weight = 1.0 if punctuation else unpunctuated
                add(weight * plain + punctuation_weight * punctuation - link_penalty * link_chars)
    return scores


@dataclass
class _Sums:
    score: list[float]
    chars: list[int]
    links: list[int]


@dataclass
class _Tally:
    """Per block, what its own lines hold (one pass over the lines): the sums of their scores, characters and
    link characters, whether one is a headline link, how many are labels and how many prose. ``order``: the
    blocks that hold a line (themselves or below), last first, so every child comes before its parent; the
    passes over the blocks run over these only (on a large page most blocks hold no text)."""

    order: list[int]
    score: list[float]
    chars: list[int]
    links: list[int]
    headline: list[bool]
    labels: list[int]
    prose: list[int]


def _tally(page: Layout, scores: list[float], options: ExtractOptions) -> _Tally:
    count, parents, marked = len(page.tags), page.parents, set()
    score, chars, links = [0.0] * count, [0] * count, [0] * count
    headline, labels, prose = [False] * count, [0] * count, [0] * count
    label = -options.label_penalty
    for (_, link_chars, block, _, size), value in zip(page.lines, scores, strict=True):
        if block < 0:
            continue
        score[block] += value
        chars[block] += size
        links[block] += link_chars
        if link_chars >= 4 and link_chars * 2 > size:
            headline[block] = True
        elif value == label:
            labels[block] += 1
        elif value > 0:
            prose[block] += 1
        while block >= 0 and block not in marked:
            marked.add(block)
            block = parents[block]
    return _Tally(sorted(marked, reverse=True), score, chars, links, headline, labels, prose)


def _own_scores(page: Layout, scores: list[float]) -> list[float]:
    """Per block, the sum of its own lines' scores (in line order, as ``_tally`` sums them)."""
    score = [0.0] * len(page.tags)
    for (_, _, block, _, _), value in zip(page.lines, scores, strict=True):
        if block >= 0:
            score[block] += value
    return score


def _subtree_scores(score: list[float], parents: list[int], order: list[int]) -> list[float]:
    """``score`` (each block's own) summed over each subtree, in place: children come before their parent."""
    for index in order:
        parent = parents[index]
        if parent >= 0:
            score[parent] += score[index]
    return score


def _ancestors(page: Layout, index: int) -> set[int]:
    out = set()
    while index >= 0:
        out.add(index)
        index = page.parents[index]
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


# A selector of one tag, class or id (div.TRS_Editor, #zoom): a block it matches has the class or id among its
# lower-cased names, so a page whose blocks name none of them needs no CSS pass (0.2 ms on a large page).
_SIMPLE = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*$|^(?:[a-zA-Z][a-zA-Z0-9]*)?[.#]([A-Za-z0-9_-]+)$")


def _may_match(page: Layout, selectors: tuple[str, ...]) -> bool:
    """False only when no block can match any of the selectors (a complex selector: always True)."""
    names = "\n".join(page.attrs)
    for selector in selectors:
        simple = _SIMPLE.match(selector)
        if simple is None or simple.group(1) is None or simple.group(1).lower() in names:
            return True
    return False


def _known_container(
    tree: LexborHTMLParser, page: Layout, sums: _Sums, best: int, options: ExtractOptions
) -> tuple[int, str] | None:
    if not options.containers or not _may_match(page, options.containers):
        return None
    # one pass over the tree for all the selectors, then each match sorted to the first selector it meets
    index_of = dict(zip(page.mem_ids, range(len(page.mem_ids)), strict=True))
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


def _records(page: Layout, tally: _Tally, options: ExtractOptions) -> list[bool] | None:
    """Blocks inside a list of records: ≥ 3 sibling items of one tag and class, each led by a headline link
    (相关推荐, 热点, more-stories teasers) or made mostly of labels (comments: a name, a date, 回复 and one
    sentence). Their sentences read like prose but are not the article. An item with more than a couple of prose
    lines is a section of the page (a layout table's row, an article part), never a record. ``None``: no record.
    Sums the tally's counts, characters and link characters over each subtree on the way."""
    count, parents = len(page.tags), page.parents
    headline, labels, prose, chars, links = (
        tally.headline,
        tally.labels,
        tally.prose,
        tally.chars,
        tally.links,
    )
    most = options.record_prose_lines
    led = []
    for index in tally.order:  # children first: each block's counts are whole when it is reached
        found = labels[index]
        if prose[index] <= most and (headline[index] or (found >= 2 and found >= prose[index])):
            led.append(index)
        parent = parents[index]
        if parent >= 0:
            if headline[index]:
                headline[parent] = True
            labels[parent] += found
            prose[parent] += prose[index]
            chars[parent] += chars[index]
            links[parent] += links[index]
    if len(led) < options.record_items:
        return None
    tags, attrs = page.tags, page.attrs
    groups: dict[tuple[int, str, str], list[int]] = {}
    for i in reversed(led):  # in document order
        groups.setdefault((parents[i], tags[i], attrs[i]), []).append(i)
    groups = {key: items for key, items in groups.items() if len(items) >= options.record_items}
    if not groups:
        return None
    members = Counter(zip(parents, tags, attrs, strict=True))  # blocks of each key, with text or without
    record = [False] * count
    for key, items in groups.items():
        if len(items) * 2 >= members[key]:
            for i in items:
                _mark_subtree(parents, record, i)
    return record if any(record) else None


def _mark_subtree(parents: list[int], marks: list[bool], index: int) -> None:
    """Mark block ``index`` and its descendants: the blocks after it whose parent is at or after it (in document
    order a subtree is one run of blocks)."""
    if marks[index]:  # inside a subtree marked already
        return
    marks[index] = True
    end = index + 1
    while end < len(parents) and parents[end] >= index:
        marks[end] = True
        end += 1


@dataclass
class Located:
    """The winning block: its lines (untrimmed) and where they start among the page's lines."""

    lines: list[Line]
    method: str
    first: int


def _within(page: Layout, index: int) -> tuple[list[Line], int]:
    """The lines of block ``index`` and its descendants. In document order a block's descendants follow it as
    one run of blocks, and their lines as one run of lines."""
    end, parents, inside = index + 1, page.parents, {index}
    while end < len(parents) and parents[end] in inside:
        inside.add(end)
        end += 1
    lines = page.lines
    first = next((n for n, line in enumerate(lines) if index <= line.block < end), len(lines))
    last = first
    while last < len(lines) and index <= lines[last].block < end:
        last += 1
    return lines[first:last], (first if first < len(lines) else 0)


def _in_cells(page: Layout) -> list[bool]:
    """Blocks inside a table cell (``<td><p class=MsoNormal>13</p></td>`` too)."""
    count = len(page.tags)
    out = [False] * count
    if "td" not in page.tags and "th" not in page.tags:
        return out
    for index, tag in enumerate(page.tags):
        if tag in _CELLS:
            _mark_subtree(page.parents, out, index)
    return out


def locate_body(tree: LexborHTMLParser | None, page: Layout, options: ExtractOptions) -> Located | None:
    """The block element whose lines score highest (a known container where the scorer agrees)."""
    if not page.tags or not page.lines:
        return None
    scores = line_scores(page, options)
    tally = _tally(page, scores, options)
    record = _records(page, tally, options)
    own = tally.score
    if (
        record is not None
    ):  # the records' lines count for nothing (their links and labels still count against)
        scores = [
            min(s, 0.0) if block >= 0 and record[block] else s
            for (_, _, block, _, _), s in zip(page.lines, scores, strict=True)
        ]
        own = _own_scores(page, scores)
    sums = _Sums(_subtree_scores(own, page.parents, tally.order), tally.chars, tally.links)
    top = max(sums.score)
    if top <= 0:
        return None
    best = sums.score.index(top)  # the first block of the highest sum
    found = _known_container(tree, page, sums, best, options) if tree is not None else None
    chosen, method = found or (best, "scored")
    lines, first = _within(page, chosen)
    return Located(lines, method, first)


def trimmed(located: Located | None, title: str | None) -> Body:
    """The located block's lines with the chrome at both edges removed."""
    if located is None:
        return Body([], "none")
    kept, removed = trim(located.lines, title)
    chars = sum(line.size for line in kept)
    links = sum(line.link_chars for line in kept)
    return Body([line.text for line in kept], located.method, links / chars if chars else 0.0, tuple(removed))


def body_chars(body: Body) -> int:
    return sum(len(line) for line in body.lines)
