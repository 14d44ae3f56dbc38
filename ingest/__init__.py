"""Pure extraction: page bytes + URL + options in, an :class:`ExtractedReport` out. Imports nothing of ours.

The cascade (``extract.extract_report``), each stage working from principles that hold on any CMS:

1. **decode** — BOM → strict UTF-8 → declared charsets → GB18030 (``decode``); UTF-8 bytes go to the parser as
   they are, checked piece by piece with only their head decoded (``utf8_head``); start tags with kilobytes of
   attributes lose them (the parser is quadratic in their count); style sheets lose their text before the parse
   where the cut pays (``prescan``: a scanner that follows the HTML tokenizer, so the tree is the same, and stops
   where its model ends — foreign content, ``<select>``, anything unterminated).
2. **lines** — one pre-order pass turns the DOM into visual lines, each with its block element and link text
   (``blocks.layout``): linear however deep the nesting (an explicit stack: no recursion, no node looks its parent
   up), tag ids, not names, comments and void elements never descended into. It runs in C (``_walk.c``, reading
   lexbor's tree directly, the lines cleaned there too) behind a gate (``fastwalk``: a verified selectolax, struct
   checks and probe pages at import), else in Python (``blocks._layout_py``, the reference, with the same result).
   The same walk collects the anchors, the body's metas and the scripts and styles to strip, so no other stage
   makes a pass of its own over the body.
3. **blocked?** — challenge, WAF and maintenance pages by content, whatever the status (``classify``).
4. **body** (``body``) — every line scores: unlinked characters and punctuation for it; link text, short labels and
   the chrome vocabulary against it; record lists (teasers led by a headline link, comments made of labels) count
   nothing. The body is the block element with the largest sum (a maximum-sum subtree): whatever its tag or class.
   Known CMS containers (``options.KNOWN_CONTAINERS``) are a shortcut the scorer must agree with; switched off with
   ``containers=()``. When the markup holds no body, the longest prose literal in the scripts (a JSON-fed
   ``<div id="app">``) is read instead (``scripted``).
5. **title** — ArticleTitle / og:title meta a visible line or ``<title>`` confirms → info table 名称 → the heading
   nearest above the body (never a breadcrumb) → ``<title>`` without the site name (``title.pick_title``).
6. **trim** — header and footer blocks of chrome at both edges of the body, inside a container too: title copies,
   来源/时间 lines, widgets, editor and reviewer lines, 相关文件 and its links, share/QR lines, pagers; a line that
   reads as prose is never trimmed by position (``chrome.trim``).
7. **fields**, each with provenance — date: meta (PubDate, firstpublishedtime, article:published_time …) → the
   script feeding the article → info table → a labelled or unlabelled date line by the title → URL date folders;
   文号: info table → a line that opens with it (a 文号 cited in a sentence is another document's); source, 索引号,
   signer, addressee, cc, breadcrumb, attachments, agency (expanded short forms) and region (hint → gazetteer).
8. **classification by evidence** — title patterns for reports (traditional characters, titles without 报告) and
   decoys (other report types, multi-year and part-year summaries, news about a report, research, evaluations,
   plans; a report that is also a 工作要点 stays a report), with body evidence (the required parts, ``sections``)
   that rescues an odd title or vetoes news under a report title. Every verdict keeps a reason.
9. **identity** — NFKC-normalized paragraphs joined by newlines, sha256 (``identity``).
"""

from typing import TYPE_CHECKING, Any

from ingest.identity import content_hash, normalize_body
from ingest.model import Attachment, ExtractedReport, SourceHints
from ingest.options import DEFAULT_OPTIONS, ExtractOptions

if TYPE_CHECKING:
    from ingest.extract import extract_report


def __getattr__(name: str) -> Any:
    """``extract_report`` on first use: a process that only reads the model (a crawl's main process, whose pages
    are read in extraction workers) does not import the parser and the cascade (~50 ms)."""
    if name == "extract_report":
        from ingest.extract import extract_report

        globals()[name] = extract_report  # kept: later reads are a module attribute's
        return extract_report
    raise AttributeError(f"module 'ingest' has no attribute {name!r}")


__all__ = [
    "DEFAULT_OPTIONS",
    "Attachment",
    "ExtractOptions",
    "ExtractedReport",
    "SourceHints",
    "content_hash",
    "extract_report",
    "normalize_body",
]
