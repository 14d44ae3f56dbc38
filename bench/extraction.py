"""Extraction benchmark: fazhi (with and without its container list) against trafilatura (default and
favor_precision), readability-lxml and GNE, per dataset, in one run. Prints what it measured; asserts nothing.

    pip install -e '.[bench]' && python bench/extraction.py [--rounds 3]

Datasets: ``gold`` (our simulator's templates and variants, tests/gold), ``unseen`` (templates designed apart from
the extractor, tests/gold/unseen), and the real pages of ``../shared/realpages`` (``gov_full``, ``gov_fragments``,
``magic_zh``: markup nobody here wrote). Every extractor gets the page text decoded the same way (fazhi's decoder),
so that a charset mistake does not decide the comparison. Body: character-bigram F1 (optional lines of the real
pages' truth cost nothing); leaks: chrome phrases in the output that the truth does not have; fields: exact match
after NFKC and whitespace removal, only where the truth has the field; all right: the share of pages extracted
whole (body F1 ≥ 0.98, the gold gate's page floor, no leak, every field of the truth exact), body and fields in one
number, since on pages where several extractors find the same body the fields tell them apart. jieba keywords are not part of extraction
(the crawler adds them to new documents only) and are timed separately. Times are the median CPU time per page
(``time.process_time``) over all rounds: on a shared machine wall time would measure the neighbours.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest import DEFAULT_OPTIONS, SourceHints, extract_report
from ingest.decode import decode_html
from ingest.keywords import extract_keywords
from tests.gold import realpages
from tests.gold.score import CHROME_MARKERS, FIELDS, load_cases

HERE = Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class Page:
    name: str
    html: bytes
    url: str
    content_type: str | None
    hints: dict[str, str | None]
    body: list[str] | None
    optional: list[str]
    fields: dict[str, Any]
    leak_phrases: tuple[str, ...]


Extractor = Callable[[Page, str], dict[str, Any]]


def _gold(folder: Path) -> list[Page]:
    if not (folder / "cases.json").is_file():
        return []
    pages = []
    for case in json.loads((folder / "cases.json").read_text(encoding="utf-8")):
        truth = (
            {k: v for k, v in case["fields"].items() if k in FIELDS and v} if case["kind"] == "report" else {}
        )
        pages.append(
            Page(
                case["name"],
                (folder / "pages" / case["file"]).read_bytes(),
                case["url"],
                case["content_type"],
                case["hints"],
                case["body"],
                [],
                truth,
                CHROME_MARKERS,
            )
        )
    return pages


def datasets() -> dict[str, list[Page]]:
    out = {"gold": _gold(HERE / "tests" / "gold"), "unseen": _gold(HERE / "tests" / "gold" / "unseen")}
    if realpages.available():
        for page in realpages.load_pages():
            out.setdefault(page.dataset, []).append(
                Page(
                    page.id,
                    page.html,
                    page.url,
                    None,
                    {},
                    page.body,
                    page.optional,
                    page.fields,
                    realpages.LEAK_PHRASES,
                )
            )
    return {name: pages for name, pages in out.items() if pages}


def _date(text: Any) -> str | None:
    match = re.search(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", str(text or ""))
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}" if match else None


GENERIC = dataclasses.replace(DEFAULT_OPTIONS, containers=())  # built once, not in each page's time


def fazhi(case: Page, _html: str, *, containers: bool = True) -> dict[str, Any]:
    hints = SourceHints(agency=case.hints.get("agency"), region=case.hints.get("region"))
    options = DEFAULT_OPTIONS if containers else GENERIC
    report = extract_report(case.html, case.url, content_type=case.content_type, hints=hints, options=options)
    return report.to_dict()


def fazhi_generic(case: Page, html: str) -> dict[str, Any]:
    return fazhi(case, html, containers=False)


def trafilatura_default(case: Page, html: str, *, precision: bool = False) -> dict[str, Any]:
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


def trafilatura_precision(case: Page, html: str) -> dict[str, Any]:
    return trafilatura_default(case, html, precision=True)


def readability_lxml(case: Page, html: str) -> dict[str, Any]:
    from lxml import html as lxml_html
    from readability import Document

    document = Document(html)
    summary = document.summary(html_partial=True)
    text = (
        "\n".join(t.strip() for t in lxml_html.fromstring(summary).itertext() if t.strip()) if summary else ""
    )
    return {"body": text, "title": document.short_title() or document.title()}


def gne(case: Page, html: str) -> dict[str, Any]:
    from gne import GeneralNewsExtractor

    result = GeneralNewsExtractor().extract(html)
    return {
        "body": result.get("content") or "",
        "title": result.get("title"),
        "publish_date": _date(result.get("publish_time")),
    }


EXTRACTORS: dict[str, Extractor] = {
    "fazhi": fazhi,
    "fazhi (no containers)": fazhi_generic,
    "trafilatura": trafilatura_default,
    "trafilatura(precision)": trafilatura_precision,
    "readability-lxml": readability_lxml,
    "gne": gne,
}


@dataclasses.dataclass
class Result:
    f1: list[float] = dataclasses.field(default_factory=list)
    leaks: int = 0
    field_hits: int = 0
    field_total: int = 0
    right: int = 0  # pages with body F1 ≥ PAGE_F1, no leak and every field of the truth exact …
    judged: int = 0  # … among the pages with a body or a field in the truth
    ms: float = 0.0


PAGE_F1 = 0.98  # the gold gate's floor for every page


def _outputs(extract: Extractor, pages: list[Page], texts: dict[str, str], rounds: int) -> tuple[dict, float]:
    timings: list[float] = []
    outputs: dict[str, dict[str, Any]] = {}
    for _ in range(rounds):
        for page in pages:
            started = (
                time.process_time()
            )  # CPU time: the machine is shared, wall time measures the neighbours
            try:
                outputs[page.name] = extract(page, texts[page.name])
            except Exception as exc:  # a peer that crashes on a page scores zero on it
                outputs[page.name] = {"body": "", "error": repr(exc)}
            timings.append((time.process_time() - started) * 1000)
    return outputs, statistics.median(timings)


def run(extract: Extractor, pages: list[Page], texts: dict[str, str], rounds: int) -> Result:
    outputs, ms = _outputs(extract, pages, texts, rounds)
    result = Result(ms=ms)
    for page in pages:
        got = outputs[page.name]
        body = str(got.get("body") or "")
        whole = True
        if page.body is not None:
            truth = realpages.RealPage(page.name, "", page.url, "", {}, page.body, page.optional)
            result.f1.append(realpages.body_f1(truth, body))
            expected = realpages.squash("\n".join(page.body + page.optional))
            out = realpages.squash(body)
            leaks = sum(
                1
                for p in page.leak_phrases
                if realpages.squash(p) in out and realpages.squash(p) not in expected
            )
            result.leaks += leaks
            whole = result.f1[-1] >= PAGE_F1 and leaks == 0
        for name, want in page.fields.items():
            hit = realpages.squash(str(got.get(name) or "")) == realpages.squash(str(want))
            result.field_total += 1
            result.field_hits += hit
            whole = whole and hit
        if page.body is not None or page.fields:
            result.judged += 1
            result.right += whole
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed passes over each dataset (median ms/page)"
    )
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated extractor names to run (default: all), e.g. --only 'fazhi,fazhi (no containers)'",
    )
    args = parser.parse_args()
    chosen = {name.strip() for name in args.only.split(",") if name.strip()}
    unknown = chosen - set(EXTRACTORS)
    if unknown:
        parser.error(f"unknown extractor(s) {sorted(unknown)}; known: {list(EXTRACTORS)}")
    header = (
        f"{'dataset':<14}{'extractor':<24}{'pages':>6}{'F1 mean':>9}{'F1 med':>8}{'F1 min':>8}"
        f"{'leaks/pg':>9}{'fields EM':>10}{'all right':>10}{'CPU ms/pg':>10}"
    )
    print(header)
    print("-" * len(header))
    for dataset, pages in datasets().items():
        texts = {p.name: decode_html(p.html, p.content_type)[0] for p in pages}
        for name, extract in EXTRACTORS.items():
            if chosen and name not in chosen:
                continue
            try:
                result = run(extract, pages, texts, args.rounds)
            except ImportError as exc:
                print(f"{name}: not installed ({exc}); pip install -e '.[bench]'")
                continue
            scored = len(result.f1)
            em = f"{result.field_hits / result.field_total:.3f}" if result.field_total else "-"
            print(
                f"{dataset:<14}{name:<24}{len(pages):>6}{statistics.mean(result.f1):>9.4f}"
                f"{statistics.median(result.f1):>8.4f}{min(result.f1):>8.4f}{result.leaks / scored:>9.2f}"
                f"{em:>10}{result.right / max(result.judged, 1):>10.3f}{result.ms:>10.2f}"
            )
        print()
    _keywords()


def _keywords() -> None:
    body = next(c for c in load_cases() if c.kind == "report" and c.body)
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
