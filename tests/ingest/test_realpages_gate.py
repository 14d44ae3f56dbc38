"""The extraction gate on markup nobody here designed: the real pages of ``../shared/realpages``.

Read in place (their licences keep them out of the project). The floors are the issue's: government pages exact
(body F1 ≥ 0.995, no chrome leak, fields ≥ 0.95 where the truth has them; ≥ 0.98 with the container list off), and
the general Chinese article pages above the best peer that ``bench/extraction.py`` measured on them
(readability-lxml, mean F1 0.892; trafilatura with favor_precision 0.887).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from ingest import DEFAULT_OPTIONS, ExtractedReport, ExtractOptions, extract_report
from tests.gold import realpages

pytestmark = pytest.mark.skipif(
    not realpages.available(), reason=f"{realpages.ROOT} is missing (shared/ beside the clone)"
)

GOV = ("gov_full", "gov_fragments")
MIN_GOV_F1 = 0.995
MIN_GOV_F1_WITHOUT_CONTAINERS = 0.98
MIN_FIELD_EXACT = 0.95
BEST_PEER_ARTICLE_F1 = 0.892  # readability-lxml on magic_zh, bench/extraction.py
GENERIC = replace(DEFAULT_OPTIONS, containers=())

PAGES = realpages.load_pages() if realpages.available() else []


def _extract(options: ExtractOptions) -> list[tuple[realpages.RealPage, ExtractedReport]]:
    return [(page, extract_report(page.html, page.url, options=options)) for page in PAGES]


@pytest.fixture(scope="module")
def with_containers() -> list[tuple[realpages.RealPage, ExtractedReport]]:
    return _extract(DEFAULT_OPTIONS)


@pytest.fixture(scope="module")
def without_containers() -> list[tuple[realpages.RealPage, ExtractedReport]]:
    return _extract(GENERIC)


def test_the_real_pages_are_there() -> None:
    assert len(PAGES) == 40
    assert {p.dataset for p in PAGES} == {"gov_full", "gov_fragments", "magic_zh"}


@pytest.mark.parametrize("mode", ["with_containers", "without_containers"])
def test_government_pages_bodies_exact_without_chrome(mode: str, request: pytest.FixtureRequest) -> None:
    results = request.getfixturevalue(mode)
    floor = MIN_GOV_F1 if mode == "with_containers" else MIN_GOV_F1_WITHOUT_CONTAINERS
    gov = [(p, r) for p, r in results if p.dataset in GOV]
    low = [
        (p.id, round(realpages.body_f1(p, r.body), 4)) for p, r in gov if realpages.body_f1(p, r.body) < floor
    ]
    leaks = [(p.id, realpages.leaks(p, r.body)) for p, r in gov if realpages.leaks(p, r.body)]
    assert not low
    assert not leaks


@pytest.mark.parametrize("mode", ["with_containers", "without_containers"])
def test_government_pages_fields(mode: str, request: pytest.FixtureRequest) -> None:
    hits = [
        (page.id, name, ok)
        for page, report in request.getfixturevalue(mode)
        if page.dataset in GOV
        for name, ok in realpages.field_hits(page, report.to_dict()).items()
    ]
    assert len(hits) >= 50
    assert sum(ok for _, _, ok in hits) / len(hits) >= MIN_FIELD_EXACT, [h for h in hits if not h[2]]


@pytest.mark.parametrize("mode", ["with_containers", "without_containers"])
def test_article_pages_above_the_best_peer(mode: str, request: pytest.FixtureRequest) -> None:
    scores = [
        realpages.body_f1(p, r.body) for p, r in request.getfixturevalue(mode) if p.dataset == "magic_zh"
    ]
    assert len(scores) == 27
    assert sum(scores) / len(scores) > BEST_PEER_ARTICLE_F1


def test_no_real_page_is_taken_for_a_report(
    with_containers: list[tuple[realpages.RealPage, ExtractedReport]],
) -> None:
    taken = [(p.id, r.kind, r.reason) for p, r in with_containers if r.kind != "not_report"]
    assert not taken
