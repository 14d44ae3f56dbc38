"""Ranked search (``sort=rank``) whose cost follows the page, not the number of matches, on both backends.

Ranking every match costs in proportion to the matches, and the words researchers search (行政复议, 依法行政 …)
are in nearly every report. So relevance is computed over bounded candidate sets only, the cheap first cut being
recency (the index's own order, read newest first and stopped after ``candidates`` rows):

- tier 0: the newest ``candidates`` documents with every word in the title, by relevance;
- tier 1: the others among the newest ``candidates`` documents with every word, by relevance;
- tier 2: every older match (not in tier 0), newest first (each with its relevance too).

Relevance (``score``, higher is better) is bm25 on SQLite and ``ts_rank`` on PostgreSQL, title words weighing
2.5× body words on both; ties go to the newer document. Where a search has fewer than ``candidates`` matches of
each kind (all but the commonest words), the order is exactly "title matches first, then by relevance". Paging
with the cursor (tier, score, seq) reaches every match once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy.engine import Connection

from store.search import candidates_sql, match_params, scores_sql
from store.snippets import take_snippet, window_params, window_sql
from store.sql import fetch, placeholders

if TYPE_CHECKING:
    from store.queries import Filters

CANDIDATES = 200  # per tier; a page is at most 201 rows (the API's limit + 1)


class Hit(
    NamedTuple
):  # made by the hundred per search: a frozen dataclass took 1.7× as long (python -m timeit)
    tier: int  # 0 title match, 1 other match among the newest, 2 older match
    score: float
    seq: int

    def order(self) -> tuple[int, float, int]:
        return (self.tier, -self.score if self.tier < 2 else 0.0, -self.seq)


def _after(after: tuple[Any, int] | None) -> Hit | None:
    if after is None:
        return None
    (tier, score), seq = after
    return Hit(int(tier), float(score), int(seq))


class _Search:
    """One search's candidate queries: the words, the filters (on the index's rowid), the backend."""

    def __init__(self, connection: Connection, filters: Filters, words: tuple[str, ...]) -> None:
        self.connection, self.dialect = connection, connection.dialect.name
        self.words = words
        conditions, self.params = filters.where()
        self.params.update(match_params(words))
        # SQLite: "+rowid" keeps the filter out of FTS5's own plan, which would run the match once per rowid
        rowid = "+rowid" if self.dialect == "sqlite" else "rowid"
        self.conditions = (
            [f"{rowid} IN (SELECT documents.seq FROM documents WHERE {' AND '.join(conditions)})"]
            if conditions
            else []
        )

    def newest(self, *, title: bool, limit: int, below: int | None = None) -> list[tuple[int, float]]:
        conditions, params = list(self.conditions), {**self.params, "limit": limit}
        if below is not None:
            conditions.append("rowid < :below")
            params["below"] = below
        sql = candidates_sql(self.dialect, title=title, conditions=conditions)
        rows = fetch(self.connection, sql, params, plan_each_time=True)
        if rows and rows[0]["score"] is None:
            known = scores(self.connection, self.words, [r["seq"] for r in rows])
            return [(int(r["seq"]), known.get(r["seq"], 0.0)) for r in rows]
        return [(int(r["seq"]), float(r["score"])) for r in rows]


def ranked_hits(
    connection: Connection,
    *,
    filters: Filters,
    words: tuple[str, ...],
    after: tuple[Any, int] | None,
    limit: int,
    candidates: int = CANDIDATES,
) -> list[Hit]:
    """The ``limit`` hits after the cursor ``after`` = ((tier, score), seq), in rank order."""
    search, cursor = _Search(connection, filters, words), _after(after)
    title = search.newest(title=True, limit=candidates)
    titled = {seq for seq, _ in title}
    page = _beyond(sorted((Hit(0, score, seq) for seq, score in title), key=Hit.order), cursor)[:limit]
    if len(page) == limit:  # tier 0 fills the page (words in every title: 法治, 年度报告 …): tier 1 unread
        return page
    newest = search.newest(title=False, limit=candidates)
    tier1 = sorted((Hit(1, score, seq) for seq, score in newest if seq not in titled), key=Hit.order)
    page += _beyond(tier1, cursor)[: limit - len(page)]
    if len(page) < limit and len(newest) == candidates:  # the window is full: older matches follow
        # tier 2 is below the window: a cursor's seq inside or above it (a hand-written one) starts at its edge
        edge = newest[-1][0]
        below = min(cursor.seq, edge) if cursor is not None and cursor.tier == 2 else edge
        older = search.newest(title=False, limit=limit - len(page) + len(titled), below=below)
        page += [Hit(2, score, seq) for seq, score in older if seq not in titled][: limit - len(page)]
    return page


def _beyond(hits: list[Hit], cursor: Hit | None) -> list[Hit]:
    return hits if cursor is None else [h for h in hits if h.order() > cursor.order()]


def search_page(
    connection: Connection,
    *,
    filters: Filters,
    words: tuple[str, ...],
    after: tuple[Any, int] | None,
    limit: int,
    columns: tuple[str, ...],
    candidates: int = CANDIDATES,
) -> list[dict[str, Any]]:
    """A page of ranked hits: ``columns``, ``score``, ``snippet`` and the ``sort_key`` (tier, score)."""
    hits = ranked_hits(
        connection, filters=filters, words=words, after=after, limit=limit, candidates=candidates
    )
    if not hits:
        return []
    rows = _documents(connection, [h.seq for h in hits], words, columns)
    page = []
    for hit in hits:
        row = rows[hit.seq]
        row["score"], row["snippet"] = hit.score, take_snippet(row, words)
        row["sort_key"] = [hit.tier, hit.score]
        page.append(row)
    return page


def _documents(
    connection: Connection, seqs: list[int], words: tuple[str, ...], columns: tuple[str, ...]
) -> dict[int, dict[str, Any]]:
    wanted = columns if "seq" in columns else (*columns, "seq")
    marks, params = placeholders("s", seqs)
    sql = window_sql(connection.dialect.name, words, wanted, f"documents.seq IN ({marks})")
    found = fetch(connection, sql, {**params, **window_params(words)})
    return {row["seq"]: row for row in found}


def scores(connection: Connection, words: tuple[str, ...], seqs: list[int]) -> dict[int, float]:
    """The relevance of the documents ``seqs`` (those with every word)."""
    marks, params = placeholders("s", seqs)
    params.update(match_params(words), low=min(seqs), high=max(seqs))
    sql = scores_sql(connection.dialect.name, marks)
    return {r["seq"]: float(r["score"]) for r in fetch(connection, sql, params, plan_each_time=True)}


def annotate(connection: Connection, rows: list[dict[str, Any]], words: tuple[str, ...]) -> None:
    """Give search hits listed in another order (``sort=seq`` …) their ``score`` and ``snippet``."""
    if not rows:
        return
    seqs = [row["seq"] for row in rows]
    known = scores(connection, words, seqs)
    marks, params = placeholders("s", seqs)
    windows = fetch(
        connection,
        window_sql(connection.dialect.name, words, ("seq",), f"documents.seq IN ({marks})"),
        {**params, **window_params(words)},
    )
    snippets = {row["seq"]: take_snippet(row, words) for row in windows}
    for row in rows:
        row["score"], row["snippet"] = known.get(row["seq"], 0.0), snippets.get(row["seq"], "")
