"""The MinHash kept with each document (``report_sketches``), and the candidates it spares the exact Jaccard."""

from __future__ import annotations

import hashlib
import json
import random
import statistics
import struct
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from store import make_engine, write_session
from store import reports as reports_module
from store.documents import upsert_document
from store.grams import estimates, sketch
from store.reports import JOIN_JACCARD, PRUNE_ESTIMATE, band_keys, jaccard, shingles, signature
from tests.netguard import loopback_only
from tests.store.test_reports import AGENCY, HUZHOU, at, edited, row

SEEDS = json.loads(
    (Path(__file__).resolve().parents[2] / "seeds" / "reports.json").read_text(encoding="utf-8")
)
POOL = [p for report in SEEDS["reports"] for p in report["paragraphs"]]


def test_the_sketch_is_the_band_keys_and_the_packed_minhash() -> None:
    for body in ["\n".join(r["paragraphs"]) for r in SEEDS["reports"]] + [
        "",
        "短",
        "五个字正好",
        "a b\tc\nd e f",
    ]:
        own = sketch(body)
        digest = signature(shingles(body))
        assert own.bands == band_keys(digest)
        assert own.minhash is not None and struct.unpack("<128I", own.minhash) == tuple(digest)
        assert estimates(own.minhash, [own.minhash]) == [1.0]
    own = sketch(SEEDS["reports"][0]["paragraphs"][0])
    assert estimates(None, [own.minhash]) == [None]  # no estimate from a missing or foreign signature
    assert estimates(own.minhash, [None, b"\0" * 8, own.minhash + b"\0"]) == [None, None, None]


def test_the_stored_format_is_pinned() -> None:
    """Band keys and sketches are stored: a rensa (or hashing) change that gave other values for the same text
    would silently stop every stored document from being found as a candidate. Pinned on one title."""
    own = sketch("湖州市人力资源和社会保障局2019年法治政府建设年度报告")
    assert own.bands[:4] == [
        1053059378029951838,
        116943575137863602,
        -8775745081593150520,
        6113153540693696624,
    ]
    assert own.minhash is not None
    assert hashlib.sha256(own.minhash).hexdigest() == (
        "8e2f6906d4a6472a11e8621da94dc72c4ebc77ef98823e8e7740f53efdc06d9b"
    )


def pairs(count: int, seed: int) -> list[tuple[float, float]]:
    """(exact Jaccard, MinHash estimate) of ``count`` texts of the seed paragraphs and edited copies of them."""
    rng = random.Random(seed)
    found = []
    for _ in range(count):
        base = rng.sample(POOL, k=rng.randint(3, 20))
        other = [p for p in base if rng.random() < 0.8] + rng.sample(POOL, k=rng.randint(0, 3))
        a, b = "\n".join(base), "\n".join(other)
        (guess,) = estimates(sketch(a).minhash, [sketch(b).minhash])
        assert guess is not None
        found.append((jaccard(shingles(a), shingles(b)), guess))
    return found


def test_no_version_at_the_join_threshold_is_estimated_below_the_pruning_bound() -> None:
    """3,000 edited pairs (fixed seed: the same pairs each run): the estimate is unbiased with the binomial's
    spread, and every pair at J ≥ JOIN_JACCARD is estimated far above PRUNE_ESTIMATE, so pruning drops none."""
    found = pairs(3000, seed=1)
    errors = [guess - exact for exact, guess in found]
    assert abs(statistics.mean(errors)) < 0.005 and statistics.pstdev(errors) < 0.045
    versions = [guess for exact, guess in found if exact >= JOIN_JACCARD]
    assert len(versions) > 1000 and min(versions) >= PRUNE_ESTIMATE + 0.1
    assert sum(exact < PRUNE_ESTIMATE for exact, _ in found) > 100  # the pruned side is covered too


def corpus(seed: int) -> list[list[str]]:
    """Reports of one agency and year: originals, edited versions of them, and look-alikes made of the same
    paragraphs that share bands with them by chance."""
    rng = random.Random(seed)
    texts: list[list[str]] = []
    for _ in range(40):
        base = rng.sample(POOL, k=rng.randint(6, 18))
        texts.append(base)
        if rng.random() < 0.5:
            texts.append([p for p in base if rng.random() < 0.9] + rng.sample(POOL, k=1))
        for _ in range(3):
            texts.append(rng.sample(base, k=len(base) // 2) + rng.sample(POOL, k=len(base) // 2))
    return texts


def joins(url: str, texts: list[list[str]]) -> dict[str, tuple[str, int]]:
    db = make_engine(url)
    try:
        for n, paragraphs in enumerate(texts):
            with write_session(db) as session:
                values = row(["标题", *paragraphs], f"http://127.0.0.2/{n}")
                upsert_document(session=session, document=values, seen_at=at("2020-03-21"))
        with db.connect() as connection:
            rows = connection.execute(text("SELECT id, report_id, version FROM documents")).all()
    finally:
        db.dispose()
    return {doc_id: (report_id, version) for doc_id, report_id, version in rows}


def second_store(db_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Another fresh store on ``db_url``'s backend (dropped after the test on PostgreSQL)."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'second.db'}"
    server = request.getfixturevalue("postgres")
    url: str = server.new_database(f"{request.node.name}-second")

    def drop() -> None:
        with loopback_only():
            server.drop(url)

    request.addfinalizer(drop)
    return url


def test_pruning_joins_what_the_exact_test_alone_joins(
    db_url: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same documents stored with pruning and without it (every candidate compared exactly) make the same
    reports and versions; with it, the look-alikes estimated below the bound are never compared."""
    compared: list[int] = []
    exact_scores = reports_module.jaccards

    def counted(text_: str, others: list[str]) -> list[float]:
        compared.append(len(others))
        return exact_scores(text_, others)

    monkeypatch.setattr(reports_module, "jaccards", counted)
    texts = corpus(seed=4)
    pruned = joins(db_url, texts)
    with_pruning = sum(compared)
    compared.clear()
    monkeypatch.setattr(reports_module, "PRUNE_ESTIMATE", 0.0)  # an estimate is never below 0: nothing pruned
    exact = joins(second_store(db_url, request, tmp_path), texts)
    assert pruned == exact
    assert sum(version > 1 for _, version in exact.values()) >= 10  # versions were joined
    assert len({report for report, _ in exact.values()}) >= 30  # and look-alikes stayed reports of their own
    assert with_pruning < 0.75 * sum(compared)  # (fixed seeds: 97 of 177 compared)


def test_a_candidate_stored_without_a_sketch_is_compared_exactly(db: Engine) -> None:
    """A document from before migration 0011 has no sketch: it is compared exactly, and its version joins it."""
    first = row(HUZHOU, "http://127.0.0.2/first")
    with write_session(db) as session:
        upsert_document(session=session, document=first, seen_at=at("2020-03-21"))
    with db.begin() as connection:
        assert connection.execute(text("DELETE FROM report_sketches")).rowcount == 1
    second = row(edited(HUZHOU), "http://127.0.0.2/second")
    with write_session(db) as session:
        upsert_document(session=session, document=second, seen_at=at("2020-03-22"))
    with db.connect() as connection:
        found = dict(
            connection.execute(
                text("SELECT id, version FROM documents WHERE agency = :a"), {"a": AGENCY}
            ).all()
        )
        sketches = connection.execute(text("SELECT count(*) FROM report_sketches")).scalar()
    assert found == {first["id"]: 1, second["id"]: 2} and sketches == 1
