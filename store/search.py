"""Full-text search: jieba-tokenized title and body in an SQLite FTS5 table, ranked with bm25 (STACK-NOTES 10).

The text is segmented before it reaches the database (words joined by spaces), so FTS5's ``unicode61`` tokenizer
sees one token per Chinese word. The index row's ``rowid`` is the document's ``seq``.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

FTS_TABLE = "documents_fts"


def create_search_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(title, body, tokenize='unicode61')"
        )


# FTS_TABLE is a constant of this module: the f-strings below never carry user input (S608).


def index_document(session: Session, document_id: str, title_tokens: str, body_tokens: str) -> None:
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    connection.execute(
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
            f"SELECT seq, coalesce(title, ''), body FROM documents WHERE seq NOT IN (SELECT rowid FROM {FTS_TABLE}) "
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


def match_expression(tokens: list[str]) -> str:
    """Each token as a quoted phrase, all required: user input never reaches FTS5's query syntax."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in tokens if t.strip())
