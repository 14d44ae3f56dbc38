"""A synthetic store of annual reports for bench/reports.py, as similar to each other as real reports are.

Real reports of different agencies share the genre (the required parts' headings, stock phrases such as
以习近平新时代中国特色社会主义思想为指导) but hardly a paragraph: the five seed reports' pairwise Jaccard is 0.008-0.021.
One agency's reports of consecutive years share more (headings in its own wording, a share of paragraphs kept).
The corpus is built to match, from the seeds alone:

- **fresh text** is slices of 6-16 characters cut from a long text drawn from an order-1 character Markov chain of
  the seeds (Chinese-looking, with the seeds' character frequencies, but no paragraph of any other report);
- **stock phrases**: the maximal runs of 8-grams found in two or more seed reports, dropped into fresh paragraphs
  (a geometric number, mean 1.5, per paragraph) — this puts different agencies at the seeds' Jaccard;
- **headings**: the five required parts, each in one of three wordings an agency keeps from year to year;
- **an agency's next year** keeps each paragraph with its own probability (0.2-0.6, drawn per agency) and writes
  the rest anew; every year number moves on;
- **versions**: an edited copy (20 typos; every other one also a paragraph rewritten).

bench/reports.py prints the corpus's Jaccard beside the seeds' so that the calibration can be checked.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from rensa import RMinHash

from store.grams import packed
from store.reports import PERMUTATIONS, SEED, band_keys, shingles

ROOT = Path(__file__).resolve().parents[1]
BANK_CHARS = 2_000_000
PHRASE_GRAM = 8
PHRASE_CONTINUE = 0.6  # another stock phrase in the same paragraph: a geometric count, mean 1.5
YEARS = range(2019, 2025)
SECOND_VERSION = 0.05  # the share of stored reports with an edited second version
PARAGRAPHS = (8, 3, 3, 4, 1)  # per required part: measures, shortcomings, leader duties, next year, other
HEADINGS = (
    (
        "一、{y}年法治政府建设主要举措和成效",
        "一、{y}年度推进法治政府建设的主要举措和成效",
        "一、主要工作举措和成效",
    ),
    ("二、存在的不足和原因", "二、存在的问题和不足", "二、存在问题及原因分析"),
    (
        "三、党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设的有关情况",
        "三、党政主要负责人履行推进法治建设第一责任人职责情况",
        "三、主要负责人履行法治建设第一责任人职责情况",
    ),
    ("四、{n}年推进法治政府建设的主要安排", "四、下一步工作计划", "四、{n}年工作打算"),
    ("五、其他需要报告的情况", "五、其他情况", "五、其他需要说明的事项"),
)


def seed_paragraphs() -> list[list[str]]:
    data = json.loads((ROOT / "seeds" / "reports.json").read_text(encoding="utf-8"))
    return [r["paragraphs"] for r in data["reports"]]


@dataclass
class Report:
    agency: str
    year: int
    wording: tuple[int, ...]  # which heading wording the agency uses, per part
    parts: list[list[str]]  # the paragraphs under each heading
    extra: list[str] = field(default_factory=list)  # an edited copy's changes that are not in ``parts``

    @property
    def body(self) -> str:
        lines = [f"{self.agency}关于{self.year}年法治政府建设情况的报告"]
        for part, paragraphs in enumerate(self.parts):
            heading = HEADINGS[part][self.wording[part]]
            lines.append(heading.format(y=self.year, n=self.year + 1))
            lines.extend(paragraphs)
        return "\n".join([*lines, *self.extra])


class Corpus:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        seeds = seed_paragraphs()
        self.lengths = [len(p) for paragraphs in seeds for p in paragraphs if len(p) > 40]
        texts = ["".join("".join(paragraphs).split()) for paragraphs in seeds]
        self.phrases = _shared_phrases(texts)
        self.bank = _markov_text(texts, BANK_CHARS, rng)

    def fresh(self) -> str:
        """A new paragraph: text no other report has, with the genre's stock phrases in it."""
        size = self.rng.choice(self.lengths)
        pieces, length = [], 0
        while length < size:
            start, take = self.rng.randrange(len(self.bank) - 16), self.rng.randint(6, 16)
            pieces.append(self.bank[start : start + take])
            length += take
        text = "".join(pieces)
        while self.rng.random() < PHRASE_CONTINUE:
            phrase = self.rng.choice(self.phrases)
            at = self.rng.randrange(len(text))
            text = text[:at] + phrase + text[at:]
        return text[:size] + "。"

    def first(self, agency: str, year: int) -> Report:
        wording = tuple(self.rng.randrange(3) for _ in HEADINGS)
        return Report(agency, year, wording, [[self.fresh() for _ in range(n)] for n in PARAGRAPHS])

    def next_year(self, report: Report, keep: float) -> Report:
        parts = [
            [_shift_years(p) if self.rng.random() < keep else self.fresh() for p in paragraphs]
            for paragraphs in report.parts
        ]
        return Report(report.agency, report.year + 1, report.wording, parts)

    def edited(self, report: Report, rewrite: bool) -> Report:
        """A republication: 20 typos fixed, and (``rewrite``) the longest paragraph worded anew."""
        parts = [list(paragraphs) for paragraphs in report.parts]
        for _ in range(20):
            paragraphs = self.rng.choice(parts)
            i = self.rng.randrange(len(paragraphs))
            j = self.rng.randrange(len(paragraphs[i]))
            paragraphs[i] = paragraphs[i][:j] + self.rng.choice(self.bank[:5000]) + paragraphs[i][j + 1 :]
        if rewrite:
            longest = max(parts[0], key=len)
            parts[0][parts[0].index(longest)] = self.fresh()
        return Report(report.agency, report.year, report.wording, parts, ["附:本报告部分数据已更正。"])


def _shared_phrases(texts: list[str]) -> list[str]:
    """The longest runs of 8-grams that occur in two or more of ``texts``."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({text[i : i + PHRASE_GRAM] for i in range(len(text) - PHRASE_GRAM + 1)})
    shared = {gram for gram, n in counts.items() if n >= 2}
    phrases = set()
    for text in texts:
        i = 0
        while i <= len(text) - PHRASE_GRAM:
            if text[i : i + PHRASE_GRAM] not in shared:
                i += 1
                continue
            j = i
            while j <= len(text) - PHRASE_GRAM and text[j : j + PHRASE_GRAM] in shared:
                j += 1
            phrases.add(text[i : j + PHRASE_GRAM - 1])
            i = j
    return sorted(phrases)


def _markov_text(texts: list[str], size: int, rng: random.Random) -> str:
    following: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        for a, b in pairwise(text):
            following[a].append(b)
    starts = list(following)
    char, out = rng.choice(starts), []
    for _ in range(size):
        options = following.get(char)
        char = rng.choice(options) if options else rng.choice(starts)
        out.append(char)
    return "".join(out)


def _shift_years(text: str) -> str:
    for year in range(2030, 2014, -1):
        text = text.replace(str(year), str(year + 1))
    return text


# ---- a store of them


@dataclass
class Layout:
    """A store's documents and what the new documents are made from."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    minhashes: list[RMinHash] = field(default_factory=list)
    firsts: list[tuple[Report, str]] = field(default_factory=list)  # a sample of version 1s and their ids
    latest: list[Report] = field(default_factory=list)  # a sample of agencies' 2024 reports


def layout(corpus: Corpus, size: int, sample: int) -> Layout:
    rng, out = corpus.rng, Layout()
    agencies = math.ceil(size / (len(YEARS) * (1 + SECOND_VERSION)))
    chosen, seen = set(rng.sample(range(agencies), min(sample, agencies))), 0
    for agency in range(agencies):
        keep, report = rng.uniform(0.2, 0.6), corpus.first(f"机关{agency}", YEARS[0])
        for year in YEARS:
            if year > YEARS[0]:
                report = corpus.next_year(report, keep)
            first = _add(out, report, None)
            seen += 1
            if len(out.firsts) < sample:  # a uniform sample of the version 1s (reservoir sampling)
                out.firsts.append((report, first))
            elif (slot := rng.randrange(seen)) < sample:
                out.firsts[slot] = (report, first)
            if rng.random() < SECOND_VERSION:
                _add(out, corpus.edited(report, rng.random() < 0.5), first)
            if len(out.rows) >= size:
                break
        if agency in chosen:
            out.latest.append(report)
        if len(out.rows) >= size:
            break
    return out


def _add(out: Layout, report: Report, report_id: str | None) -> str:
    body = report.body
    doc_id = hashlib.sha256(body.encode()).hexdigest()
    minhash = RMinHash(num_perm=PERMUTATIONS, seed=SEED)
    minhash.update(list(shingles(body)))
    out.minhashes.append(minhash)
    digest = [int(v) for v in minhash.digest()]
    out.rows.append(
        {
            "id": doc_id,
            "body": body,
            "url": f"http://127.0.0.2/{doc_id[:16]}",
            "source_name": "bench",
            "agency": report.agency,
            "report_year": report.year,
            "report_id": report_id or doc_id,
            "version": 2 if report_id else 1,
            "breadcrumb": [],
            "attachments": [],
            "keywords": [],
            "provenance": {},
            "fetched_at": datetime.now(UTC),
            "_keys": band_keys(digest),
            "_minhash": packed(digest),
        }
    )
    return doc_id


def new_documents(corpus: Corpus, plan: Layout, count: int) -> list[tuple[dict[str, Any], str | None]]:
    """Each with the report it must join (None: a new report)."""
    out = []
    for n in range(count):
        if n % 2:
            report, report_id = plan.firsts[n // 2 % len(plan.firsts)]
            report = corpus.edited(report, n % 4 == 1)
        else:
            report, report_id = corpus.next_year(plan.latest[n // 2 % len(plan.latest)], 0.4), None
        body = report.body + f"\n(新文档{n})"
        values = {
            "id": hashlib.sha256(body.encode()).hexdigest(),
            "body": body,
            "url": f"http://127.0.0.2/new/{n}",
            "source_name": "bench",
            "agency": report.agency,
            "report_year": report.year,
        }
        out.append((values, report_id))
    return out
