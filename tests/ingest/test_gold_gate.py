"""The extraction gate: on the gold corpus, quality may not drop below the pinned floors."""

from __future__ import annotations

from typing import Any

import pytest

from ingest import SourceHints, extract_report
from tests.gold.score import FIELDS, Score, load_cases, score_body, score_fields

# Pinned floors (issue: F1 ≥ 0.995, zero chrome leaks, field exact-match ≥ 0.97, every page classified right).
MIN_MEAN_F1 = 0.995
MIN_PAGE_F1 = 0.98
MIN_FIELD_EXACT_MATCH = 0.97

CASES = load_cases()


@pytest.fixture(scope="module")
def results() -> list[tuple[Any, Any]]:
    out = []
    for case in CASES:
        hints = SourceHints(agency=case.hints.get("agency"), region=case.hints.get("region"))
        out.append((case, extract_report(case.html, case.url, content_type=case.content_type, hints=hints)))
    return out


def test_corpus_size() -> None:
    assert len(CASES) >= 40
    assert len({c.template for c in CASES}) >= 6


def test_every_page_is_classified_right(results: list[tuple[Any, Any]]) -> None:
    wrong = [(c.name, c.kind, r.kind, r.reason) for c, r in results if r.kind != c.kind]
    assert not wrong
    blocked = [(c.name, c.fields["reason"], r.reason) for c, r in results if c.kind == "blocked"]
    assert all(want == got for _, want, got in blocked), blocked


def test_bodies_bigram_f1_and_no_chrome_leaks(results: list[tuple[Any, Any]]) -> None:
    score = Score()
    for case, report in results:
        if case.body is not None:
            score_body(score, case, report.body)
    assert score.mean(score.f1) >= MIN_MEAN_F1, score.low_f1
    assert min(score.f1) >= MIN_PAGE_F1, score.low_f1
    assert score.leaks == []


def test_field_exact_match(results: list[tuple[Any, Any]]) -> None:
    score = Score()
    for case, report in results:
        if case.kind == "report":
            got = report.to_dict()
            score_fields(score, case, got)
    for name in FIELDS:
        assert score.exact_match(name) >= MIN_FIELD_EXACT_MATCH, [
            m for m in score.field_misses if m[1] == name
        ]
