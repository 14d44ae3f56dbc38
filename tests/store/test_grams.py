"""store.grams: the band keys computed apart from the database, and the kept 5-gram keys of the exact Jaccard."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from store import grams
from store.grams import gram_set, gram_text, jaccards, sketch, string_jaccard
from store.reports import band_keys, shingles, signature

ROOT = Path(__file__).resolve().parents[2]
SEEDS = json.loads((ROOT / "seeds" / "reports.json").read_text(encoding="utf-8"))
BODIES = ["\n".join(r["paragraphs"]) for r in SEEDS["reports"]]


def exact(a: str, b: str) -> float:
    return string_jaccard(gram_set(gram_text(a)), gram_set(gram_text(b)))


@pytest.fixture(autouse=True)
def fresh_numbering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no numbering and nothing kept (the module's state is the process's)."""
    monkeypatch.setattr(grams, "_table", None)
    monkeypatch.setattr(grams, "_size", 0)
    monkeypatch.setattr(grams, "_cache", type(grams._cache)())
    monkeypatch.setattr(grams, "_cache_bytes", 0)


def test_the_sketch_s_bands_are_the_band_keys_of_the_body_s_5_gram_set() -> None:
    for body in [*BODIES, "", "短", "五个字正好", "a b\tc\nd e f"]:
        assert sketch(body).bands == band_keys(signature(shingles(body)))


def test_the_5_gram_list_is_every_position_s_slice() -> None:
    """numpy makes the strings; they are the slices, in order, for any text: CJK, ASCII, astral characters, a
    NUL (numpy's strings drop trailing NULs) and a lone surrogate (no UTF-32 for it) included."""
    rng = random.Random(5)
    alphabet = "法治政府建设年度报告abc 1\U0001f600\u00e9"
    texts = [*BODIES, "", "短", "五个字正好", "六个字正好了", "a\0bcdef\0", "ab\0\0\0\0\0", "abc\ud800defg"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60))) for _ in range(300)]
    for text in texts:
        chars = gram_text(text)
        expected = [chars[i : i + 5] for i in range(len(chars) - 4)] if len(chars) > 5 else [chars]
        assert grams.gram_list(chars) == expected


def test_an_extraction_worker_s_imports_hold_no_database_code() -> None:
    """The worker computes the keys: importing what it preloads must not import SQLAlchemy (0.3 s a worker)."""
    code = (
        "import sys, crawler.pipeline, crawler.discover;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic')))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert found.strip() == "[]"


def test_kept_keys_give_the_same_scores_as_the_string_sets() -> None:
    """A text compared again is answered from its kept keys: bodies or whitespace-free strings, first time or
    again, the scores are the string sets' floats exactly."""
    rng = random.Random(3)
    pool = [p for body in SEEDS["reports"] for p in body["paragraphs"]]
    texts = ["\n".join(rng.sample(pool, k=rng.randint(1, 12))) for _ in range(120)] + ["", "短", "五个字正好"]
    for _ in range(400):
        text, others = rng.choice(texts), rng.sample(texts, k=rng.randint(1, 8))
        want = [exact(text, other) for other in others]
        assert jaccards(text, others) == want
        assert jaccards(gram_text(text), [gram_text(o) for o in others]) == want
    assert len(grams._cache) > 100  # the texts were kept, and answered from there


def test_the_kept_keys_stay_within_their_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(grams, "CACHE_BYTES", 200_000)
    for i, body in enumerate(BODIES * 20):
        jaccards(f"{i}{body}", [BODIES[0]])
        assert grams._cache_bytes <= 200_000 or len(grams._cache) == 1
    sizes = sum(keys.nbytes + len(text) * 4 for text, keys in grams._cache.items())
    assert sizes == grams._cache_bytes and 1 < len(grams._cache) < 40
    grams._forget()
    # a text twice in one call is kept, and counted, once
    jaccards(BODIES[3], [BODIES[4], BODIES[4], BODIES[3]])
    sizes = sum(keys.nbytes + len(text) * 4 for text, keys in grams._cache.items())
    assert len(grams._cache) == 2 and sizes == grams._cache_bytes
    assert jaccards(BODIES[1], [BODIES[2]]) == [exact(BODIES[1], BODIES[2])]


def test_a_numbering_that_starts_again_drops_the_kept_keys() -> None:
    """Past BASE - 1 characters the numbering starts again: keys kept from before would be wrong under it, so
    they go, and every score stays exact (texts that alone need more go through the string sets)."""
    first = "".join(chr(0x4E00 + i) for i in range(4000))
    edited = first[:3000] + "更正" + first[3100:]
    assert jaccards(first, [edited]) == [exact(first, edited)]
    assert first in grams._cache and grams._size == 4002
    second = "".join(chr(0x8000 + i) for i in range(2500))  # 4002 + 2500 > BASE - 1: a new numbering
    assert jaccards(second, [second[:2000]]) == [exact(second, second[:2000])]
    assert grams._size == 2500 and set(grams._cache) == {second, second[:2000]}
    assert jaccards(edited, [first, second]) == [exact(edited, first), exact(edited, second)]  # 6502 alone
    assert jaccards(first, [edited]) == [exact(first, edited)]
    assert grams._size == 4002 and set(grams._cache) == {first, edited}
