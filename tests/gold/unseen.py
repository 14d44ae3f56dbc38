"""Builds the unseen-template corpus: `python -m tests.gold.unseen` writes tests/gold/unseen/pages/*.html and
tests/gold/unseen/cases.json (the format of tests/gold/cases.json).

The pages are exactly what the unseen portals (`portalsim/unseen/`) serve: each of the six templates renders the five
seed reports and two non-reports. The templates were designed without reading `ingest/`; expected values come from
the items the pages were built from (seed bodies, titles, dates, 文号), never from the extractor. The corpus is
committed, so a change to the templates does not silently change what a gate measures.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from portalsim.unseen import TEMPLATES, build_unseen_portals, site_for
from tests.gold.build import Case, _fields, _nfkc, write_corpus

HERE = Path(__file__).resolve().parent / "unseen"
PAGES = HERE / "pages"
PORT = 8801


def build() -> list[Case]:
    portals = build_unseen_portals(PORT)
    cases = []
    for index, template in enumerate(TEMPLATES):
        portal = portals[template.key]
        for item in portal.items:
            if item.kind == "filler":
                continue
            page = portal.pages[item.path]
            kind = "report" if item.kind == "report" else "not_report"
            cases.append(
                Case(
                    name=f"{template.key}-{item.key}",
                    template=template.key,
                    url=f"http://{portal.host}{item.path}",
                    html=page.body,
                    content_type=page.content_type,
                    kind=kind,
                    fields=_fields(item) if kind == "report" else {},
                    body=_nfkc(item.paragraphs),
                    hints={"agency": None, "region": site_for(item, index).region},
                )
            )
    return cases


class CorpusError(AssertionError):
    """A page does not carry what its case says it carries: the template, not the extractor, is wrong."""


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _visible(markup: str) -> str:
    tree = LexborHTMLParser(markup)
    for node in tree.css("script, style, noscript, template"):
        node.decompose()
    return _squash(tree.body.text(separator="") if tree.body else "")


def _script_article(markup: str) -> dict:
    start = markup.index("var articleData = ") + len("var articleData = ")
    data, _ = json.JSONDecoder().raw_decode(markup[start:])
    return data


def _page_text(case: Case) -> tuple[str, str]:
    """(visible body text, every place a field may sit: visible text, metas, script JSON), squashed."""
    markup = case.html.decode("gb18030" if case.template == "unseen-county-table" else "utf-8")
    if "var articleData = " in markup:
        data = _script_article(markup)
        body = _visible(data["content"])
        return body, body + _squash(json.dumps(data, ensure_ascii=False))
    return _visible(markup), _visible(markup) + _squash(html.unescape(markup))


def _dates(day: str) -> list[str]:
    year, month, date = day.split("-")
    return [day, f"{year}-{int(month)}-{int(date)}", f"{year}年{month}月{date}日", f"{year}/{month}/{date}"]


def verify(case: Case) -> None:
    """Independent of ``ingest/``: every expected paragraph is visible, in order; every field is on the page."""
    body, anywhere = _page_text(case)
    at = 0
    for paragraph in case.body or []:
        found = body.find(_squash(paragraph), at)
        if found < 0:
            raise CorpusError(f"{case.name}: paragraph not on the page after offset {at}: {paragraph[:40]}")
        at = found + len(_squash(paragraph))
    if case.kind != "report":
        return
    for name in ("title", "agency", "doc_number"):
        value = case.fields.get(name)
        if value and _squash(value) not in anywhere:
            raise CorpusError(f"{case.name}: {name} {value!r} is nowhere on the page")
    if not any(_squash(d) in anywhere for d in _dates(case.fields["publish_date"])):
        raise CorpusError(f"{case.name}: publish date {case.fields['publish_date']} is nowhere on the page")


def main() -> None:
    cases = build()
    for case in cases:
        verify(case)
    write_corpus(cases, HERE)
    reports = sum(c.kind == "report" for c in cases)
    print(
        f"{len(cases)} pages ({reports} reports), {len(TEMPLATES)} templates: {', '.join(t.key for t in TEMPLATES)}"
    )


if __name__ == "__main__":
    main()
