"""The body cascade: known CMS containers → text-density fallback → edge trimming of chrome lines.

Each stage runs only when the previous one under-delivered. Trimming removes whole lines at the two edges of the
body and never deletes inside a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.blocks import has_descendant, node_lines, node_text
from ingest.chrome import is_attachment_line, is_chrome_line
from ingest.options import ExtractOptions

_CN_PUNCT = re.compile(r"[，。；：、！？“”《》（）]")
_LEAF_BLOCKS = "div, td, article, section, main"


@dataclass
class Body:
    lines: list[str]
    method: str  # "container:<selector>" | "density" | "none"
    link_ratio: float = 0.0  # share of the body's characters that sit inside links


def _chars(lines: list[str]) -> int:
    return sum(len(line) for line in lines)


def _link_ratio(node: LexborNode, lines: list[str]) -> float:
    total = _chars(lines)
    links = sum(len(node_text(a)) for a in node.css("a"))
    return min(links / total, 1.0) if total else 0.0


def known_container(tree: LexborHTMLParser, options: ExtractOptions) -> Body | None:
    for selector in options.containers:
        best: tuple[list[str], LexborNode | None] = ([], None)
        for node in tree.css(selector):
            lines = node_lines(node)
            if _chars(lines) > _chars(best[0]):
                best = (lines, node)
        if _chars(best[0]) >= options.min_container_chars and best[1] is not None:
            return Body(best[0], f"container:{selector}", _link_ratio(best[1], best[0]))
    return None


def _density_score(node: LexborNode, options: ExtractOptions) -> float:
    text = "".join(node_lines(node))
    link_text = sum(len(node_text(a)) for a in node.css("a"))
    punctuation = len(_CN_PUNCT.findall(text))
    return len(text) - options.link_penalty * link_text + options.punctuation_weight * punctuation


def _after(tree: LexborHTMLParser, anchor_text: str | None) -> set[int] | None:
    """mem_ids of the nodes that come after the title node in document order (None: no title node found)."""
    if not anchor_text or tree.body is None:
        return None
    after: set[int] | None = None
    for node in tree.body.traverse():
        if after is not None:
            after.add(node.mem_id)
        elif node.tag in ("h1", "h2", "h3", "td", "div", "p", "span") and node_text(node) == anchor_text:
            after = set()
    return after


def density_fallback(tree: LexborHTMLParser, title: str | None, options: ExtractOptions) -> Body | None:
    """The parent whose paragraphs, after the title node, carry the most punctuated, unlinked text."""
    after = _after(tree, title)
    scores: dict[int, float] = {}
    parents: dict[int, LexborNode] = {}
    for paragraph in tree.css("p"):
        parent = paragraph.parent
        if parent is None or (after is not None and paragraph.mem_id not in after):
            continue
        parents[parent.mem_id] = parent
        scores[parent.mem_id] = scores.get(parent.mem_id, 0.0) + _density_score(paragraph, options)
    if not scores:
        for node in tree.css(_LEAF_BLOCKS):
            if not has_descendant(node, _LEAF_BLOCKS) and (after is None or node.mem_id in after):
                parents[node.mem_id] = node
                scores[node.mem_id] = _density_score(node, options)
    if not scores or max(scores.values()) <= 0:
        return None
    best = parents[max(scores, key=lambda k: scores[k])]
    lines = node_lines(best)
    return Body(lines, "density", _link_ratio(best, lines))


def trim_edges(lines: list[str], title: str | None) -> tuple[list[str], list[str]]:
    """Drop chrome lines (and a leading copy of the title) at both edges. Returns ``(body, removed)``."""
    start, end = 0, len(lines)
    while start < end and (is_chrome_line(lines[start]) or (title and lines[start] == title)):
        start += 1
    while end > start and (is_chrome_line(lines[end - 1]) or is_attachment_line(lines[end - 1])):
        end -= 1
    return lines[start:end], lines[:start] + lines[end:]


def extract_body(tree: LexborHTMLParser, title: str | None, options: ExtractOptions) -> Body:
    body = known_container(tree, options) or density_fallback(tree, title, options) or Body([], "none")
    body.lines, _ = trim_edges(body.lines, title)
    return body
