"""The search indexing step, off the crawl's path: jieba search tokens (and keywords, for documents stored
without) for the documents the full-text index does not have yet, in batches.

A crawl stores documents without running jieba, and never waits for this step: ``fazhi crawl`` runs it beside the
crawl (:func:`while_indexing`: jieba in a worker of its own at the lowest priority, so the crawl keeps the CPU) and
indexes what is left, at full speed, once the crawl's stats are out; ``fazhi serve`` runs it every 30 s, also in a
worker of its own (``index_pending_async``); ``fazhi index`` on demand. Documents are searchable (and have keywords)
once it has run over them.
"""

from __future__ import annotations

import asyncio
import atexit
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy import Engine

from crawler.extraction import ExtractionPool
from ingest.keywords import extract_keywords
from ingest.tokens import token_text
from store.db import write_session
from store.documents import keywordless, newest_seq, set_keywords
from store.search import index_rows, unindexed

log = logging.getLogger("fazhi.crawler")
T = TypeVar("T")
Rows = list[tuple[int, str, str, bool]]  # seq, title, body, whether it needs keywords
Read = tuple[list[tuple[int, str, str]], dict[int, list[str]]]  # search tokens by seq, keywords by seq
KEYWORDS = 8  # keywords a document gets (FAZHI_KEYWORDS; 0: none)
BATCH_SECONDS = 600.0  # a batch's jieba in a worker: seconds for a huge body, never this long
NICENESS = (
    19  # the indexing worker's, with SCHED_IDLE: the crawl (nice 0) and its extraction workers (10) first
)
POLL_SECONDS = 1.0  # beside a crawl: how often the indexer looks for newly committed documents


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


def index_pool() -> ExtractionPool:
    """The indexing step's own worker (jieba loads there alone; the crawl's workers stay free for pages); closed
    at exit at the latest."""
    pool = ExtractionPool(1, niceness=NICENESS)
    atexit.register(pool.close)
    return pool


async def index_pending_async(
    engine: Engine,
    pool: ExtractionPool,
    *,
    batch: int = 20,
    keywords: int = KEYWORDS,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """:func:`index_pending` for a process with an event loop: jieba in an extraction worker, the database in a
    thread; the loop (the API, the crawls) never runs jieba. Cancelled, it stops at once, except that a batch
    being written is written first (never two writers of one batch)."""
    total = 0
    while rows := await asyncio.to_thread(next_batch, engine, batch, keywords):
        read = await pool.run(read_batch, rows, keywords, timeout=BATCH_SECONDS)
        writing = asyncio.ensure_future(asyncio.to_thread(write_batch, engine, read))
        try:
            await asyncio.shield(writing)
        except asyncio.CancelledError:
            await writing
            if on_batch:  # written: counted, as any other batch
                on_batch(len(rows))
            raise
        total += len(rows)
        if on_batch:
            on_batch(len(rows))
    return total


def _newest(engine: Engine) -> int | None:
    with engine.connect() as connection:
        return newest_seq(connection)


async def follow(
    engine: Engine, pool: ExtractionPool, *, keywords: int, on_batch: Callable[[int], None]
) -> None:
    """Index documents as they are committed, until cancelled. A look that finds nothing new costs one index
    lookup (the newest ``seq``); only a new one makes it ask the index what it lacks. A document committed late
    under a lower ``seq`` than one already seen waits for the next new one, or for the pass after the crawl."""
    seen: int | None = None
    while True:
        newest = await asyncio.to_thread(_newest, engine)
        if newest != seen:
            await index_pending_async(engine, pool, keywords=keywords, on_batch=on_batch)
            seen = newest
        await asyncio.sleep(POLL_SECONDS)


async def while_indexing(crawl: Awaitable[T], engine: Engine, *, keywords: int = KEYWORDS) -> tuple[T, int]:
    """Await ``crawl`` with :func:`follow` indexing beside it in a worker of its own; returns the crawl's result
    and how many documents were indexed meanwhile. The crawl never waits for the indexer: when it ends, the
    indexer stops at once (a batch half read is dropped; what is left is :func:`index_pending`'s, at full
    speed)."""
    pool, indexed = index_pool(), [0]

    def counted(n: int) -> None:
        indexed[0] += n

    follower = asyncio.create_task(follow(engine, pool, keywords=keywords, on_batch=counted))
    try:
        result = await crawl
    finally:
        follower.cancel()
        try:
            await follower
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
        except Exception as exc:  # its documents stay unindexed: index_pending (or fazhi index) takes them
            log.warning("indexing beside the crawl stopped: %s", exc)
        finally:
            pool.close()
    return result, indexed[0]  # counted once the follower stopped: a batch it was writing is in
