"""Full-text search over jieba words, on both backends (STACK-NOTES 10).

The text is segmented before it reaches the database (words joined by spaces), so the database's own tokenizer
sees one token per Chinese word. ``documents_fts`` holds the words, keyed by the document's ``seq`` (``rowid``):

- SQLite: an FTS5 table (``unicode61``), ranked with bm25;
- PostgreSQL: a table with a generated ``tsvector`` (``simple`` config, title weighted above body) under a GIN
  index, ranked with ``ts_rank``. In a UTF-8 database the parser reads Chinese characters as letters under any
  locale, ``C`` included (checked on PostgreSQL 15); other encodings are refused by ``store.migrate``.

A document's attachments are searched with it: the words of their text (unless that text is the body) follow the
body's in the index (``store.attachments``). Both tables are made by the first migration (PostgreSQL's title index by 0004). A search is a list of words, all
required; user input never reaches either query language (FTS5 gets quoted phrases, PostgreSQL ``plainto_tsquery``
and quoted lexemes). This module holds the SQL of a search on each backend; :mod:`store.ranking` orders the hits.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.attachments import search_texts, search_tokens

FTS_TABLE = "documents_fts"

# FTS_TABLE is a constant of this module: the f-strings below never carry user input (S608).


def index_document(session: Session, document_id: str, title_tokens: str, body_tokens: str) -> None:
    """Index a new document: its title, its body and its attachments' words (stored just before it)."""
    attached = search_tokens(session.connection(), document_id)
    if attached:
        body_tokens = f"{body_tokens} {attached}"
    session.connection().execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, title, body) "
            "SELECT seq, :title, :body FROM documents WHERE id = :id"
        ),
        {"title": title_tokens, "body": body_tokens, "id": document_id},
    )


def unindexed(connection: Connection, *, limit: int) -> list[tuple[int, str, str]]:
    """Documents the index does not have yet: ``(seq, title, text)``, the text being the body and the text of
    its attachments."""
    rows = connection.execute(
        text(
            "SELECT seq, coalesce(title, ''), body FROM documents "
            f"WHERE NOT EXISTS (SELECT 1 FROM {FTS_TABLE} f WHERE f.rowid = documents.seq) "
            "ORDER BY seq LIMIT :limit"
        ),
        {"limit": limit},
    )
    found = [(int(r[0]), str(r[1]), str(r[2])) for r in rows]
    attached = search_texts(connection, [seq for seq, _, _ in found])
    return [
        (seq, title, f"{body}\n{attached[seq]}" if seq in attached else body) for seq, title, body in found
    ]


def index_rows(connection: Connection, rows: list[tuple[int, str, str]]) -> None:
    """Index rows not indexed yet (a crawl may have indexed some since they were read); call it in a write."""
    present = (
        {
            int(r[0])
            for r in connection.execute(
                text(
                    f"SELECT rowid FROM {FTS_TABLE} WHERE rowid IN ({','.join(str(int(seq)) for seq, _, _ in rows)})"
                )
            )
        }
        if rows
        else set()
    )
    rows = [row for row in rows if row[0] not in present]
    if not rows:
        return
    connection.execute(
        text(f"INSERT INTO {FTS_TABLE}(rowid, title, body) VALUES (:seq, :title, :body)"),
        [{"seq": seq, "title": title, "body": body} for seq, title, body in rows],
    )


def match_expression(words: list[str] | tuple[str, ...], *, column: str | None = None) -> str:
    """FTS5: each word as a quoted phrase, all required; ``column``: in that column."""
    prefix = f"{{{column}}} : " if column else ""
    return " ".join(prefix + '"' + w.replace('"', '""') + '"' for w in words if w.strip())


# Relevance: title words weigh 2.5× body words on both backends (PostgreSQL's weights A = 1.0 and B = 0.4).
_BM25 = f"bm25({FTS_TABLE}, 2.5, 1.0)"
# ts_rank of "any of the words" (matching still needs all of them): a sum over the words of each one's saturating
# count, as bm25 is; ts_rank of "all of them" scores their proximity instead, and saturates after a few pairs.
# 1: divided by 1 + log(length). Unlike bm25, ts_rank has no inverse document frequency.
_TS_RANK = "ts_rank({vector}, to_tsquery('simple', :any_query), 1)"


def match_params(words: tuple[str, ...]) -> dict[str, str]:
    """The parameters of :func:`match_join` and of the other fragments here."""
    return {
        "match": match_expression(words),
        "title_match": match_expression(words, column="title"),
        "words": " ".join(words),
        "title_query": " & ".join(_lexeme(w) + ":A" for w in words),
        "any_query": " | ".join(_lexeme(w) for w in words),
    }


def _lexeme(word: str) -> str:
    """A word quoted for ``to_tsquery`` (no operator inside it is read)."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def match_join(dialect: str, *, by_seq: bool) -> tuple[str, str]:
    """``JOIN`` and ``WHERE`` fragments narrowing ``documents`` to those with every word (:func:`match_params`),
    for a list in seq order (``by_seq``) or another order of an index on ``documents``.

    SQLite: a join would fetch and sort every match (its cost grows with the matches); the matches' rowids as an
    ``IN`` set instead are read once, then walked in seq order or, kept out of the plan by ``+``, checked along
    the sort's index."""
    if dialect == "postgresql":
        join = f"JOIN {FTS_TABLE} ON {FTS_TABLE}.rowid = documents.seq"
        return join, f"{FTS_TABLE}.vector @@ plainto_tsquery('simple', :words)"
    seq = "documents.seq" if by_seq else "+documents.seq"
    return "", f"{seq} IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match)"


def count_sql(dialect: str, conditions: list[str]) -> str:
    """The number of documents with every word among those meeting ``conditions`` (on ``documents``), read from
    the index alone: a join would look up every match's row in ``documents``. On the store of ``bench/api.py``
    (SQLite, 20k documents), in the sqlite3 shell with ``.timer on``, 执法 in 广东省 (3,951 matches): 218 ms
    joined (``… FROM documents JOIN documents_fts …``), 4 ms this way, at load 4."""
    found = (
        f"{FTS_TABLE}.vector @@ plainto_tsquery('simple', :words)"
        if dialect == "postgresql"
        else (f"{FTS_TABLE} MATCH :match")
    )
    if (
        conditions
    ):  # SQLite: "+rowid" keeps the filter out of FTS5's plan (it would run the match once per row)
        rowid = "rowid" if dialect == "postgresql" else "+rowid"
        found += f" AND {rowid} IN (SELECT documents.seq FROM documents WHERE {' AND '.join(conditions)})"
    return f"SELECT count(*) AS n FROM {FTS_TABLE} WHERE {found}"


def candidates_sql(dialect: str, *, title: bool, conditions: list[str]) -> str:
    """The newest ``:limit`` documents with every word (in the title with ``title``) among ``conditions`` on the
    index's ``rowid``, each with its relevance ``score`` (higher is better), computed for those rows only (SQLite's
    title matches come without: :func:`scores_sql` gives it)."""
    where = " AND ".join(conditions)
    if dialect == "postgresql":
        # the title's words: weight A in the vector (cheap to test row by row) and the index of migration 0004
        # (found fast when few titles have them); the planner picks the path
        found = (
            "vector @@ to_tsquery('simple', :title_query) "
            "AND to_tsvector('simple', title) @@ plainto_tsquery('simple', :words)"
            if title
            else "vector @@ plainto_tsquery('simple', :words)"
        )
        return (
            f"SELECT c.rowid AS seq, {_TS_RANK.format(vector='c.vector')} AS score FROM "
            f"(SELECT rowid, vector FROM {FTS_TABLE} WHERE {found}{' AND ' + where if where else ''} "
            "ORDER BY rowid DESC LIMIT :limit) AS c"
        )
    where = f" AND {where}" if where else ""
    if title:  # rowids only: bm25 under a column filter would score that column alone (see scores_sql)
        return (
            f"SELECT rowid AS seq, NULL AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :title_match{where} "
            "ORDER BY rowid DESC LIMIT :limit"
        )
    return (
        f"SELECT rowid AS seq, -{_BM25} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match{where} "
        "ORDER BY rowid DESC LIMIT :limit"
    )


def scores_sql(dialect: str, seqs: str) -> str:
    """The relevance ``score`` of the documents ``seqs`` (an ``IN`` list, between ``:low`` and ``:high``) that
    have every word. SQLite: FTS5 would seek each rowid of an ``IN`` list through every word's list (about a
    millisecond each); the range bounds its scan instead and ``+rowid`` keeps the list a plain filter."""
    if dialect == "postgresql":
        return (
            f"SELECT rowid AS seq, {_TS_RANK.format(vector='vector')} AS score FROM {FTS_TABLE} "
            f"WHERE rowid IN ({seqs}) AND vector @@ plainto_tsquery('simple', :words)"
        )
    return (
        f"SELECT rowid AS seq, -{_BM25} AS score FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :match "
        f"AND rowid BETWEEN :low AND :high AND +rowid IN ({seqs})"
    )
