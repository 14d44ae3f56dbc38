"""Ranked search (store.ranking): title matches first, then relevance, over bounded candidate sets; the same
order on both backends; every match reached once by paging."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from store import Document, make_engine, write_session
from store.documents import upsert_document
from store.queries import Filters, list_documents
from store.ranking import ranked_hits, search_page

FILLER = ["工作", "制度", "建设", "开展", "落实", "推进", "完善", "加强"]


def _body(word_pairs: int, n: int) -> str:
    """Forty words: ``word_pairs`` times 依法 行政 (adjacent), the rest filler; the same length for every body."""
    words = ["依法 行政"] * word_pairs + [FILLER[(n + i) % len(FILLER)] for i in range(40 - 2 * word_pairs)]
    return " ".join(words)


CORPUS: list[tuple[str, str, str]] = [
    # (key, title words, body words): seq order is list order
    ("a", "年度 报告", _body(1, 0)),
    ("b", "依法 行政 报告", _body(0, 1)),  # a title match with no body match
    ("c", "年度 报告", _body(6, 2)),
    ("d", "年度 报告", _body(3, 3)),
    ("e", "年度 报告", _body(3, 4)),  # as relevant as d; newer
    ("f", "年度 报告", _body(0, 5)),  # no match
    ("g", "依法 行政 总结", _body(2, 6)),
    ("h", "年度 报告", _body(9, 7)),
    ("i", "年度 报告", _body(2, 8)),
    ("j", "年度 报告", _body(5, 9)),
    ("k", "年度 报告", _body(4, 10)),
    ("l", "年度 报告", _body(7, 11)),
    ("m", "年度 报告", _body(1, 12)),
]


def fill(db: Engine, corpus: list[tuple[str, str, str]] = CORPUS) -> None:
    with write_session(db) as session:
        for n, (key, title, body) in enumerate(corpus):
            upsert_document(
                session=session,
                document=Document(
                    id=key * 64,
                    title=title.replace(" ", ""),
                    body=body.replace(" ", ""),
                    url=f"http://127.0.0.2/{key}",
                    source_name="s",
                    province="广东省" if n % 2 else "浙江省",
                ),
                search_tokens=(title, body),
            )


def keys(rows: list[dict[str, Any]]) -> list[str]:
    return [r["id"][0] for r in rows]


def ranked(db: Engine, words: tuple[str, ...], **kwargs: Any) -> list[dict[str, Any]]:
    with db.connect() as connection:
        return list_documents(connection, filters=Filters(), sort="rank", match=words, **kwargs)


WORDS = ("依法", "行政")


def test_title_matches_first_then_relevance_then_the_newer(db: Engine) -> None:
    fill(db)
    rows = ranked(db, WORDS)
    # g (title and body) before b (title only); then by the number of pairs; d and e tie: e is newer
    assert keys(rows) == ["g", "b", "h", "l", "c", "j", "k", "e", "d", "i", "m", "a"]
    scores = [r["score"] for r in rows]
    assert all(isinstance(s, float) for s in scores)
    assert scores[2:] == sorted(scores[2:], reverse=True) and scores[7] == scores[8]
    assert all("<mark>依法</mark>" in r["snippet"] for r in rows if r["id"][0] != "b")


def test_filters_narrow_the_candidates(db: Engine) -> None:
    fill(db)
    with db.connect() as connection:
        rows = list_documents(
            connection, filters=Filters(province="广东省"), sort="rank", match=WORDS, limit=50
        )
    assert keys(rows) == ["b", "h", "l", "j", "d"]  # the odd seqs only, in the same order


def _page_through(db: Engine, words: tuple[str, ...], candidates: int, limit: int) -> list[str]:
    seen: list[str] = []
    after = None
    with db.connect() as connection:
        for _ in range(50):
            rows = search_page(
                connection,
                filters=Filters(),
                words=words,
                after=after,
                limit=limit,
                columns=("id", "seq"),
                candidates=candidates,
            )
            if not rows:
                return seen
            seen += keys(rows)
            after = (rows[-1]["sort_key"], rows[-1]["seq"])
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("limit", [1, 2, 5])
def test_a_small_window_ranks_the_newest_and_paging_reaches_every_match_once(db: Engine, limit: int) -> None:
    fill(db)
    order = _page_through(db, WORDS, candidates=3, limit=limit)
    # tier 0: both title matches; tier 1: the 3 newest matches not in it (m, l, k) by relevance;
    # tier 2: every older match, newest first
    assert order == ["g", "b", "l", "k", "m", "j", "i", "h", "e", "d", "c", "a"]
    with db.connect() as connection:
        hits = ranked_hits(connection, filters=Filters(), words=WORDS, after=None, limit=50, candidates=3)
    assert [h.tier for h in hits] == [0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]


def test_a_tier_two_cursor_above_the_window_starts_below_it(db: Engine) -> None:
    """A hand-written cursor (the API's pattern admits any seq) in tier 2 with a seq inside or above the newest
    window names the start of tier 2, never the window's documents again."""
    fill(db)
    with db.connect() as connection:
        every = ranked_hits(connection, filters=Filters(), words=WORDS, after=None, limit=50, candidates=3)
        tier2 = [h.seq for h in every if h.tier == 2]
        for seq in (10**15, max(h.seq for h in every), tier2[0] + 1):
            after = ((2, 0.0), seq)
            hits = ranked_hits(
                connection, filters=Filters(), words=WORDS, after=after, limit=50, candidates=3
            )
            assert [h.seq for h in hits] == tier2


def test_words_in_no_document_and_sort_rank_without_words(db: Engine) -> None:
    fill(db)
    assert ranked(db, ("完全不存在",)) == []
    with db.connect() as connection, pytest.raises(ValueError, match="needs search words"):
        list_documents(connection, filters=Filters(), sort="rank", match=None)


@pytest.mark.postgres
def test_both_backends_give_the_same_top_ten(tmp_path: Path, postgres: Any) -> None:
    """One corpus in a SQLite file and in PostgreSQL: the same top-10 for each query, and the same full order with
    a small candidate window."""
    sqlite = make_engine(f"sqlite:///{tmp_path / 'same.db'}")
    url = postgres.new_database("same_top_ten")
    pg = make_engine(url)
    try:
        for engine in (sqlite, pg):
            fill(engine)
        for words in [WORDS, ("依法",), ("行政",), ("报告",), ("年度", "报告")]:
            top = [keys(ranked(engine, words, limit=10)) for engine in (sqlite, pg)]
            assert top[0] == top[1] and top[0], words
        windows = [_page_through(engine, WORDS, candidates=4, limit=3) for engine in (sqlite, pg)]
        assert windows[0] == windows[1] and len(windows[0]) == 12
    finally:
        sqlite.dispose()
        pg.dispose()
        postgres.drop(url)
