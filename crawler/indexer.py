"""The search indexing step: jieba tokens for documents the full-text index does not have yet.

New documents are indexed by the crawl that finds them when keywords are on; this catches the rest (keywords
off, documents from older versions) in batches, off the event loop.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from ingest.tokens import token_text
from store.db import write_session
from store.search import index_rows, unindexed


def index_pending(engine: Engine, *, batch: int = 100, on_batch: Callable[[int], None] | None = None) -> int:
    """Index every unindexed document; returns how many. Each batch commits on its own."""
    total = 0
    while True:
        with engine.connect() as connection:
            rows = unindexed(connection, limit=batch)
        if not rows:
            return total
        tokens = [(seq, token_text(title), token_text(body)) for seq, title, body in rows]
        with write_session(engine) as session:
            index_rows(session.connection(), tokens)
        total += len(rows)
        if on_batch:
            on_batch(len(rows))
