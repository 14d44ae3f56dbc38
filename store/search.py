"""Full-text search over jieba words, on both backends (STACK-NOTES 10).

The text is segmented before it reaches the database (words joined by spaces), so the database's own tokenizer
sees one token per Chinese word. ``documents_fts`` holds the words, keyed by the document's ``seq`` (``rowid``):

- SQLite: an FTS5 table (``unicode61``), ranked with bm25;
- PostgreSQL: a table with a generated ``tsvector`` (``simple`` config, title weighted above body) under a GIN
  index, ranked with ``ts_rank``. In a UTF-8 database the parser reads Chinese characters as letters under any
  locale, ``C`` included (checked on PostgreSQL 15); other encodings are refused by ``store.migrate``.

Both tables are made by the first migration. A search is a list of words, all required; user input never reaches
either query language (FTS5 gets quoted phrases, PostgreSQL ``plainto_tsquery``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, column, func, literal_column, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlmodel import Session

FTS_TABLE = "documents_fts"
_PG_FTS = table(FTS_TABLE, column("rowid"), column("vector"))

# FTS_TABLE is a constant of this module: the f-strings below never carry user input (S608).


def index_document(session: Session, document_id: str, title_tokens: str, body_tokens: str) -> None:
    session.connection().execute(
        text(
            f"INSERT INTO {FTS_TABLE}(rowid, title, body) "
            "SELECT seq, :title, :body FROM documents WHERE id = :id"
        ),
        {"title": title_tokens, "body": body_tokens, "id": document_id},
    )


def unindexed(connection: Connection, *, limit: int) -> list[tuple[int, str, str]]:
    """Documents the index does not have yet: ``(seq, title, body)``."""
    rows = connection.execute(
        text(
            "SELECT seq, coalesce(title, ''), body FROM documents "
            f"WHERE NOT EXISTS (SELECT 1 FROM {FTS_TABLE} f WHERE f.rowid = documents.seq) "
            "ORDER BY seq LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows]


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


def match_expression(words: list[str]) -> str:
    """FTS5: each word as a quoted phrase, all required."""
    return " ".join('"' + w.replace('"', '""') + '"' for w in words if w.strip())


def search_join(statement: Select[Any], dialect: str, words: tuple[str, ...], seq: Any) -> Select[Any]:
    """``statement`` narrowed to documents (``seq``) that have every word."""
    if dialect == "postgresql":
        query = func.plainto_tsquery("simple", " ".join(words))
        return statement.join(_PG_FTS, _PG_FTS.c.rowid == seq).where(_PG_FTS.c.vector.op("@@")(query))
    return statement.join(text(FTS_TABLE), literal_column(f"{FTS_TABLE}.rowid") == seq).where(
        literal_column(FTS_TABLE).op("MATCH")(match_expression(list(words)))
    )


def rank_key(dialect: str, words: tuple[str, ...]) -> Any:
    """The relevance sort key, best first in ascending order (bm25 is already negative-is-better)."""
    if dialect == "postgresql":
        query = func.plainto_tsquery("simple", " ".join(words))
        return cast(-func.ts_rank(_PG_FTS.c.vector, query), Float)
    return literal_column(f"bm25({FTS_TABLE})")
