"""Every extraction threshold in one object, passed through every stage of the cascade."""

from __future__ import annotations

from dataclasses import dataclass

# Known body containers of the real CMS families (PORTALS.md), most specific first.
KNOWN_CONTAINERS = (
    "div.TRS_Editor",
    "div.trs_editor_view",
    "div.zwxl-article",
    "#zoom",
    "#UCAP-CONTENT",
    "div.article-content",
    "div.news_cont_d_wrap",
    "div.pages_content",
    "#zoomcon",
)


@dataclass(frozen=True)
class ExtractOptions:
    containers: tuple[str, ...] = KNOWN_CONTAINERS
    #: a known container with fewer characters of text than this is treated as empty (fallback runs)
    min_container_chars: int = 20
    #: line score: weight of one punctuation mark, in characters
    punctuation_weight: int = 5
    #: line score: each character of link text counts this much against its block
    link_penalty: float = 1.0
    #: line score: a chrome line (footer, share, print, breadcrumb) counts its size plus this against its block
    chrome_penalty: float = 10.0
    #: line score: an unpunctuated line shorter than this is a label (menu item, heading, date), not prose …
    label_chars: int = 25
    #: … and counts this much against its block
    label_penalty: float = 5.0
    #: line score: weight of a character in a long line without any punctuation (titles, English, tables)
    unpunctuated_weight: float = 0.3
    #: sibling items led by a headline link or made of labels, at least this many: a list of records (teasers,
    #: comments) whose sentences are not the article
    record_items: int = 3
    #: … and a record holds at most this many lines of prose (a teaser's summary, a comment)
    record_prose_lines: int = 2
    #: a known container is kept only if it scores at least this share of the best block …
    container_agreement: float = 0.8
    #: … and holds at most this many times the best block's characters
    container_max_growth: float = 1.5
    #: a page with less visible text than this is an empty shell (blocked / stub)
    min_page_chars: int = 40
    #: a report's clean body has at least this many characters (else: a list page, a stub, a title-only page)
    min_report_chars: int = 200
    #: a body whose text is more than this share of link text is a list page, not a report
    max_link_ratio: float = 0.5
    #: an untitled page is a report only when its body is at least this long
    min_untitled_report_chars: int = 800
    #: how many body lines from each edge are searched for 文号 / 签发人 / 主送
    head_lines: int = 4
    #: number of jieba keywords to keep (0 disables keyword extraction)
    keywords: int = 0


DEFAULT_OPTIONS = ExtractOptions()
