"""The search indexing step, off the crawl's path: jieba search tokens (and keywords, for documents stored
without) for the documents the full-text index does not have yet, in batches.

A crawl stores documents without running jieba; this step catches up: ``fazhi crawl`` runs it when the crawl ends,
``fazhi serve`` every 30 s with jieba in an extraction worker (``index_pending_async``), ``fazhi index`` on demand.
Documents are searchable (and have keywords) once it has run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import Engine

from crawler.extraction import ExtractionPool
from ingest.keywords import extract_keywords
from ingest.tokens import token_text
from store.db import write_session
from store.documents import keywordless, set_keywords
from store.search import index_rows, unindexed

Rows = list[tuple[int, str, str, bool]]  # seq, title, body, whether it needs keywords
Read = tuple[list[tuple[int, str, str]], dict[int, list[str]]]  # search tokens by seq, keywords by seq
KEYWORDS = 8  # keywords a document gets (FAZHI_KEYWORDS; 0: none)
BATCH_SECONDS = 600.0  # a batch's jieba in a worker: seconds for a huge body, never this long


def next_batch(engine: Engine, limit: int, keywords: int) -> Rows:
    with engine.connect() as connection:
        rows = unindexed(connection, limit=limit)
        bare = keywordless(connection, [seq for seq, _, _ in rows]) if keywords else set()
    return [(seq, title, body, seq in bare) for seq, title, body in rows]


def read_batch(rows: Rows, keywords: int) -> Read:
    """jieba over a batch (pure: run it in a worker process or a thread)."""
    tokens = [(seq, token_text(title), token_text(body)) for seq, title, body, _ in rows]
    found = {seq: extract_keywords(body, keywords) for seq, _, body, bare in rows if bare and keywords}
    return tokens, found


def write_batch(engine: Engine, read: Read) -> None:
    tokens, found = read
    with write_session(engine) as session:
        index_rows(session.connection(), tokens)
        set_keywords(session, found)


def index_pending(
    engine: Engine,
    *,
    batch: int = 100,
    on_batch: Callable[[int], None] | None = None,
    keywords: int = KEYWORDS,
) -> int:
    """Index every unindexed document here (jieba in this thread); returns how many. Each batch commits alone."""
    total = 0
    while rows := next_batch(engine, batch, keywords):
        write_batch(engine, read_batch(rows, keywords))
        total += len(rows)
        if on_batch:
            on_batch(len(rows))
    return total


async def index_pending_async(
    engine: Engine, pool: ExtractionPool, *, batch: int = 20, keywords: int = KEYWORDS
) -> int:
    """:func:`index_pending` for a process with an event loop: jieba in an extraction worker, the database in a
    thread; the loop (the API, the crawls) never runs jieba."""
    total = 0
    while rows := await asyncio.to_thread(next_batch, engine, batch, keywords):
        read = await pool.run(read_batch, rows, keywords, timeout=BATCH_SECONDS)
        await asyncio.to_thread(write_batch, engine, read)
        total += len(rows)
    return total
