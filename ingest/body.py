"""The body cascade: known CMS containers → text-density fallback → edge trimming of chrome lines.

Each stage runs only when the previous one under-delivered. Trimming removes whole lines at the two edges of the
body and never deletes inside a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ingest.blocks import node_lines
from ingest.chrome import is_attachment_line, is_chrome_line
from ingest.options import ExtractOptions

_CN_PUNCT = re.compile(r"[，。；：、！？“”《》（）]")
_CANDIDATE_TAGS = "div, td, article, section, main"


@dataclass
class Body:
    lines: list[str]
    method: str  # "container:<selector>" | "density" | "none"


def _chars(lines: list[str]) -> int:
    return sum(len(line) for line in lines)


def known_container(tree: LexborHTMLParser, options: ExtractOptions) -> Body | None:
    for selector in options.containers:
        best: list[str] = []
        for node in tree.css(selector):
            lines = node_lines(node)
            if _chars(lines) > _chars(best):
                best = lines
        if _chars(best) >= options.min_container_chars:
            return Body(best, f"container:{selector}")
    return None


def _density_score(node: LexborNode, options: ExtractOptions) -> float:
    text = "".join(node_lines(node))
    link_text = sum(len("".join(node_lines(a))) for a in node.css("a"))
    punctuation = len(_CN_PUNCT.findall(text))
    return len(text) - options.link_penalty * link_text + options.punctuation_weight * punctuation


def density_fallback(tree: LexborHTMLParser, options: ExtractOptions) -> Body | None:
    """The parent whose paragraphs carry the most punctuated, unlinked text (else the densest block)."""
    scores: dict[int, float] = {}
    parents: dict[int, LexborNode] = {}
    for paragraph in tree.css("p"):
        parent = paragraph.parent
        if parent is None:
            continue
        parents[parent.mem_id] = parent
        scores[parent.mem_id] = scores.get(parent.mem_id, 0.0) + _density_score(paragraph, options)
    if not scores:
        for node in tree.css(_CANDIDATE_TAGS):
            if not node.css_first(_CANDIDATE_TAGS):  # leaf blocks only: wrappers would win on size alone
                parents[node.mem_id] = node
                scores[node.mem_id] = _density_score(node, options)
    if not scores or max(scores.values()) <= 0:
        return None
    best = parents[max(scores, key=lambda k: scores[k])]
    return Body(node_lines(best), "density")


def trim_edges(lines: list[str], title: str | None) -> tuple[list[str], list[str]]:
    """Drop chrome lines (and a leading copy of the title) at both edges. Returns ``(body, removed)``."""
    start, end = 0, len(lines)
    while start < end and (is_chrome_line(lines[start]) or (title and lines[start] == title)):
        start += 1
    while end > start and (is_chrome_line(lines[end - 1]) or is_attachment_line(lines[end - 1])):
        end -= 1
    return lines[start:end], lines[:start] + lines[end:]


def extract_body(tree: LexborHTMLParser, title: str | None, options: ExtractOptions) -> Body:
    body = known_container(tree, options) or density_fallback(tree, options) or Body([], "none")
    body.lines, _ = trim_edges(body.lines, title)
    return body
