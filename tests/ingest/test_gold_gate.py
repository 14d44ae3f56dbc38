"""The extraction gate: on the gold corpus and on the unseen templates, quality may not drop below the floors.

Three views of the same pages: the default options; the container list switched off (the general method alone);
and leave-one-container-out (each known container removed in turn, so the pages it served must be read without
it). The unseen corpus (tests/gold/unseen) was designed apart from the extractor: templates nobody tuned it on.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from ingest import DEFAULT_OPTIONS, ExtractOptions, SourceHints, extract_report
from ingest.options import KNOWN_CONTAINERS
from tests.gold.score import FIELDS, UNSEEN, GoldCase, Score, load_cases, score_body, score_fields

# Pinned floors (issue: F1 ≥ 0.995, zero chrome leaks, field exact-match ≥ 0.97, every page classified right).
MIN_MEAN_F1 = 0.995
MIN_PAGE_F1 = 0.98
MIN_FIELD_EXACT_MATCH = 0.97
GENERIC = replace(DEFAULT_OPTIONS, containers=())

CORPORA = {"gold": load_cases(), "unseen": load_cases(UNSEEN)}
Results = list[tuple[GoldCase, Any]]


def _run(cases: list[GoldCase], options: ExtractOptions = DEFAULT_OPTIONS) -> Results:
    out = []
    for case in cases:
        hints = SourceHints(agency=case.hints.get("agency"), region=case.hints.get("region"))
        report = extract_report(
            case.html, case.url, content_type=case.content_type, hints=hints, options=options
        )
        out.append((case, report))
    return out


@pytest.fixture(scope="module", params=[(c, m) for c in CORPORA for m in ("default", "no containers")])
def results(request: pytest.FixtureRequest) -> Results:
    corpus, mode = request.param
    return _run(CORPORA[corpus], DEFAULT_OPTIONS if mode == "default" else GENERIC)


def test_corpus_size() -> None:
    assert len(CORPORA["gold"]) >= 40
    assert len({c.template for c in CORPORA["gold"]}) >= 6
    assert len({c.template for c in CORPORA["unseen"]}) >= 4
    assert sum(c.kind == "report" for c in CORPORA["unseen"]) >= 20


def test_every_page_is_classified_right(results: Results) -> None:
    wrong = [(c.name, c.kind, r.kind, r.reason) for c, r in results if r.kind != c.kind]
    assert not wrong
    blocked = [(c.name, c.fields["reason"], r.reason) for c, r in results if c.kind == "blocked"]
    assert all(want == got for _, want, got in blocked), blocked


def _body_score(results: Results) -> Score:
    score = Score()
    for case, report in results:
        if case.body is not None:
            score_body(score, case, report.body)
    return score


def test_bodies_bigram_f1_and_no_chrome_leaks(results: Results) -> None:
    score = _body_score(results)
    assert score.mean(score.f1) >= MIN_MEAN_F1, score.low_f1
    assert min(score.f1) >= MIN_PAGE_F1, score.low_f1
    assert score.leaks == []


def test_field_exact_match(results: Results) -> None:
    score = Score()
    for case, report in results:
        if case.kind == "report":
            score_fields(score, case, report.to_dict())
    for name in FIELDS:
        assert score.exact_match(name) >= MIN_FIELD_EXACT_MATCH, [
            m for m in score.field_misses if m[1] == name
        ]


def _served_by(container: str) -> list[GoldCase]:
    return [
        c
        for c, r in _run(CORPORA["gold"])
        if r.provenance.get("body") == f"container:{container}" and c.body is not None
    ]


SERVED = {c: _served_by(c) for c in KNOWN_CONTAINERS}


def test_the_known_containers_serve_the_gold_templates() -> None:
    assert sum(len(cases) for cases in SERVED.values()) >= 30
    assert sum(1 for cases in SERVED.values() if cases) >= 6


@pytest.mark.parametrize("container", [c for c, cases in SERVED.items() if cases])
def test_leave_one_container_out(container: str) -> None:
    """The pages a known container served are read as well without it (F1 ≥ 0.98 each, no leak)."""
    without = replace(DEFAULT_OPTIONS, containers=tuple(c for c in KNOWN_CONTAINERS if c != container))
    score = _body_score(_run(SERVED[container], without))
    assert len(score.f1) == len(SERVED[container]) > 0
    assert all(f >= MIN_PAGE_F1 for f in score.f1), score.low_f1
    assert score.leaks == []
