"""The layout walk in C (ingest/_walk.c) gives exactly the Python walk's result, on a sample of the differential
check's pages (the big run: ``python -m tests.ingest.walkdiff``), and its gate falls back to the Python walk."""

from __future__ import annotations

import gc
import importlib.util
import os
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from ingest import blocks, fastwalk
from tests.ingest import walkdiff

BUILT = importlib.util.find_spec("ingest._walk") is not None
needs_c = pytest.mark.skipif(not BUILT, reason="ingest._walk is not built (pip install -e . builds it)")
ROOT = Path(__file__).resolve().parents[2]


@needs_c
def test_the_c_walk_runs_where_it_is_built() -> None:
    assert blocks.walk_in_use() == "c"


@needs_c
@pytest.mark.parametrize("name", ["gold", "unseen", "odd"])
def test_same_result_as_the_python_walk(name: str) -> None:
    rng = random.Random(name)
    if name == "odd":
        pages = [(n, page) for n, page, _ in walkdiff.odd_pages()]
    else:
        folder = ROOT / "tests/gold" / ("pages" if name == "gold" else "unseen/pages")
        pages = [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.htm*"))]
    failed = []
    for page_name, page in pages:
        sample = [page, *(walkdiff.mutants(page, 3, rng) if len(page) < 100_000 else ())]
        failed += [f"{page_name}#{i}" for i, one in enumerate(sample) if walkdiff.differences(one)]
    assert not failed


@needs_c
def test_deep_nesting_does_not_overflow() -> None:
    tree = LexborHTMLParser("<html><body>" + "<font>" * 100_000 + "法治政府" + "<a href=x>a</a>" * 3)
    assert tree.body is not None
    found = blocks.layout(tree.body)
    assert [line.text for line in found.lines] == ["法治政府aaa"]
    assert len(found.anchors) == 3
    assert walkdiff.differences(b"<p>" + b"<span><a>" * 50_000 + b"x") == []


@needs_c
def test_no_leak_over_many_calls() -> None:
    pages = dict((name, page) for name, page, _ in walkdiff.odd_pages())
    tree = LexborHTMLParser(pages["odd"] + pages["bytes"])  # blocks, anchors, metas, scripts, invalid UTF-8
    body = tree.body
    assert body is not None
    for _ in range(100):
        blocks.layout(body)
    gc.collect()
    refs = sys.getrefcount(tree), sys.getrefcount(body)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            blocks.layout(body)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert (sys.getrefcount(tree), sys.getrefcount(body)) == refs
    assert grown < 64 * 1024  # nothing kept per call (a leak of one string a call would be ≥ 500 KB)


def test_forced_python_walk() -> None:
    env = {**os.environ, "FAZHI_PYTHON_WALK": "1"}
    code = "from ingest import blocks; print(blocks.walk_in_use())"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "python"


def test_use_c_walk_switches_back_and_forth() -> None:
    was = blocks.use_c_walk(False)
    try:
        assert blocks.walk_in_use() == "python"
        blocks.use_c_walk(True)
        assert blocks.walk_in_use() == ("c" if BUILT else "python")
    finally:
        blocks.use_c_walk(was)


def _load(**changes: object) -> object:
    args = {
        "kinds": blocks._KINDS,
        "names": blocks._BLOCK_IDS,
        "ids": (blocks._TEXT, blocks._NOSCRIPT, blocks._UNDEFINED),
        "line": blocks.Line,
        "fast": blocks._from_c,
        "reference": blocks._layout_py,
        **changes,
    }
    return fastwalk.load(**args)  # type: ignore[arg-type]


@needs_c
def test_the_gate_passes_with_the_real_tables() -> None:
    assert _load() is not None


@needs_c
def test_the_gate_refuses_an_unverified_selectolax(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastwalk, "VERIFIED", frozenset({("0.3.0", 2, 0)}))
    assert _load() is None


@needs_c
def test_the_gate_refuses_a_walk_that_differs_on_a_probe() -> None:
    def wrong(walk, root):  # type: ignore[no-untyped-def]
        page = blocks._from_c(walk, root)
        if page is not None and page.lines:
            page.lines[-1] = page.lines[-1]._replace(link_chars=page.lines[-1].link_chars + 1)
        return page

    wrong_kinds = {
        **blocks._KINDS,
        blocks._BR: blocks._INLINE,
    }  # the C walk's table differs from the reference's
    try:
        assert _load(fast=wrong) is None
        assert _load(kinds=wrong_kinds) is None
    finally:
        assert _load() is not None  # the module set up again with the real tables


# white space that str.strip (the Python walk's last step of a line) takes and _HTML_SPACE does not
STRIP_ONLY = "\x1c\x1d\x1e\x1f\x85\u1680\u2000\u2001\u2005\u2007\u200a\u2028\u2029\u202f\u205f"


@needs_c
@pytest.mark.parametrize("space", list(STRIP_ONLY), ids=[f"U+{ord(c):04X}" for c in STRIP_ONLY])
def test_white_space_only_str_strip_takes_is_cleaned_alike(space: str) -> None:
    """At a line's start and end, alone, between words and in a link's text (a C walk that kept a trailing
    U+2028 passed every other test here and the gate)."""
    html = (
        f"<p>{space}a{space}</p><p>b{space}{space}c</p><p>{space}</p><div>d<br>{space}e{space}<br>{space}</div>"
        f"<li><a href=x>{space}l{space}</a>{space}</li><li>m <a href=y>{space}</a></li><td>{space}\u3000n</td>"
    )
    assert walkdiff.differences(html.encode()) == []


@needs_c
def test_the_module_was_built_from_the_sources_beside_it() -> None:
    from ingest import _walk

    assert fastwalk.source_hash(ROOT / "ingest") == _walk.SOURCE_HASH


@needs_c
def test_the_gate_refuses_a_module_built_from_other_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild that failed leaves no module (hatch_build.py removes it); one built by other means from other
    sources is refused by its hash."""
    monkeypatch.setattr(fastwalk, "source_hash", lambda folder: "0" * 64)
    assert _load() is None


def test_the_c_walk_is_built_where_it_is_required() -> None:
    """``FAZHI_REQUIRE_C_WALK=1`` (a machine known to have a C compiler) turns the C walk's absence, which every
    test above only skips, into a failure."""
    if os.environ.get("FAZHI_REQUIRE_C_WALK", "0") in ("", "0"):
        pytest.skip("FAZHI_REQUIRE_C_WALK is not set")
    assert BUILT and blocks.walk_in_use() == "c"
