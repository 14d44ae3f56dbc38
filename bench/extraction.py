"""Extraction benchmark: fazhi's extractor against trafilatura (default and favor_precision), readability-lxml and
GNE on the same gold pages, in one run. Prints what it measured; asserts nothing.

    pip install -e '.[bench]' && python bench/extraction.py [--rounds 3]

Every extractor gets the page text decoded the same way (fazhi's decoder), so that a charset mistake does not
decide the comparison. Quality is scored on pages with a known clean body (reports and decoys); fields on reports.
jieba keywords are not part of extraction (the crawler adds them to new documents only) and are timed separately.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import SourceHints, extract_report
from ingest.decode import decode_html
from ingest.keywords import extract_keywords
from tests.gold.score import GoldCase, Score, load_cases, score_body

Extractor = Callable[[GoldCase, str], dict[str, Any]]


def _date(text: Any) -> str | None:
    match = re.search(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", str(text or ""))
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}" if match else None


def fazhi(case: GoldCase, _html: str) -> dict[str, Any]:
    hints = SourceHints(agency=case.hints.get("agency"), region=case.hints.get("region"))
    report = extract_report(case.html, case.url, content_type=case.content_type, hints=hints)
    return report.to_dict()


def trafilatura_default(case: GoldCase, html: str, *, precision: bool = False) -> dict[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=case.url, favor_precision=precision, with_metadata=True)
    if doc is None:
        return {"body": ""}
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return {
        "body": data.get("text") or "",
        "title": data.get("title"),
        "publish_date": _date(data.get("date")),
    }


def trafilatura_precision(case: GoldCase, html: str) -> dict[str, Any]:
    return trafilatura_default(case, html, precision=True)


def readability_lxml(case: GoldCase, html: str) -> dict[str, Any]:
    from lxml import html as lxml_html
    from readability import Document

    document = Document(html)
    summary = document.summary(html_partial=True)
    text = (
        "\n".join(t.strip() for t in lxml_html.fromstring(summary).itertext() if t.strip()) if summary else ""
    )
    return {"body": text, "title": document.short_title() or document.title()}


def gne(case: GoldCase, html: str) -> dict[str, Any]:
    from gne import GeneralNewsExtractor

    result = GeneralNewsExtractor().extract(html)
    return {
        "body": result.get("content") or "",
        "title": result.get("title"),
        "publish_date": _date(result.get("publish_time")),
    }


EXTRACTORS: dict[str, Extractor] = {
    "fazhi": fazhi,
    "trafilatura": trafilatura_default,
    "trafilatura(precision)": trafilatura_precision,
    "readability-lxml": readability_lxml,
    "gne": gne,
}


def run(
    name: str, extract: Extractor, cases: list[GoldCase], rounds: int
) -> tuple[Score, float, dict[str, float]]:
    texts = {c.name: decode_html(c.html, c.content_type)[0] for c in cases}
    timings: list[float] = []
    outputs: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        started = time.perf_counter()
        for case in cases:
            try:
                outputs[case.name] = extract(case, texts[case.name])
            except Exception as exc:  # a peer that crashes on a page scores zero on it
                outputs[case.name] = {"body": "", "error": repr(exc)}
        timings.append((time.perf_counter() - started) / len(cases) * 1000)
    score = Score()
    hits: dict[str, int] = {"title": 0, "publish_date": 0, "all5": 0}
    reports = 0
    for case in cases:
        got = outputs[case.name]
        if case.body is not None:
            score_body(score, case, got.get("body") or "")
        if case.kind == "report":
            reports += 1
            for field in ("title", "publish_date"):
                hits[field] += got.get(field) == case.fields.get(field)
            hits["all5"] += all(
                got.get(f) == case.fields.get(f)
                for f in ("title", "agency", "report_year", "publish_date", "doc_number")
            )
    em = {k: v / reports for k, v in hits.items()}
    return score, statistics.median(timings), em


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed passes over the corpus (median is printed)"
    )
    args = parser.parse_args()
    cases = load_cases()
    print(
        f"gold corpus: {len(cases)} pages, {sum(c.body is not None for c in cases)} with a clean body, "
        f"{sum(c.kind == 'report' for c in cases)} reports; {args.rounds} timed rounds"
    )
    rows = []
    for name, extract in EXTRACTORS.items():
        try:
            rows.append((name, *run(name, extract, cases, args.rounds)))
        except ImportError as exc:
            print(f"{name}: not installed ({exc}); pip install -e '.[bench]'")
    ours_ms = next(ms for name, _, ms, _ in rows if name == "fazhi")
    header = f"{'extractor':<24}{'P':>7}{'R':>7}{'F1':>7}{'leaks/page':>12}{'title EM':>10}{'date EM':>9}{'5-field EM':>12}{'ms/page':>9}{'fazhi ×':>9}"
    print(header)
    print("-" * len(header))
    for name, score, ms, em in rows:
        print(
            f"{name:<24}{score.mean(score.precision):>7.4f}{score.mean(score.recall):>7.4f}{score.mean(score.f1):>7.4f}"
            f"{score.leaks_per_page:>12.2f}{em['title']:>10.2f}{em['publish_date']:>9.2f}{em['all5']:>12.2f}"
            f"{ms:>9.2f}{ms / ours_ms:>9.1f}"
        )
    body = next(c for c in cases if c.kind == "report" and c.body)
    text = "\n".join(body.body or [])
    extract_keywords(text)  # load jieba first: its start-up is a one-off cost per process
    started = time.perf_counter()
    for _ in range(5):
        extract_keywords(text)
    print(
        f"jieba keywords (separate, new documents only): {(time.perf_counter() - started) / 5 * 1000:.1f} ms "
        f"for a {len(text)}-character report"
    )


if __name__ == "__main__":
    main()
