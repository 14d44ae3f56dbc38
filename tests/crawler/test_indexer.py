"""jieba is off the crawl's path: a crawl stores documents at once, the indexing step gives them search tokens and
keywords afterwards (in an extraction worker when an event loop runs, as in ``fazhi serve``)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from crawler.engine import CrawlConfig, crawl_sources
from crawler.extraction import ExtractionPool
from crawler.indexer import index_pending_async
from ingest.tokens import tokenize
from store import Document, read_session
from store.queries import Filters, list_documents
from tests.netguard import loopback_only

pytestmark = pytest.mark.integration


def _keywords(db: Engine) -> list[list[str]]:
    with read_session(db) as session:
        return [d.keywords for d in session.exec(select(Document))]


def _search(db: Engine, words: str) -> list[str]:
    with db.connect() as connection:
        rows = list_documents(connection, filters=Filters(), sort="rank", match=tuple(tokenize(words)))
    return [r["source_name"] for r in rows]


def test_the_crawl_runs_no_jieba_and_the_index_step_catches_up(db: Engine, demo_sources: list[Any]) -> None:
    with loopback_only():
        asyncio.run(
            crawl_sources(demo_sources, db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=6))
        )
    assert _keywords(db) and all(k == [] for k in _keywords(db))  # stored, not yet read by jieba
    assert _search(db, "湖州市劳动保障监察行政处罚") == []

    async def index() -> int:
        pool = ExtractionPool(1)
        try:
            return await index_pending_async(db, pool, batch=2, keywords=6)
        finally:
            pool.close()

    assert asyncio.run(index()) == 5
    assert all(0 < len(k) <= 6 for k in _keywords(db))
    assert _search(db, "湖州市劳动保障监察行政处罚")[0] == "huzhou-rsj"
    assert asyncio.run(index()) == 0  # nothing left


def _indexed(db: Engine) -> int:
    from store.search import unindexed

    with db.connect() as connection:
        return len(unindexed(connection, limit=10_000))


def test_the_indexer_works_beside_a_running_crawl(db: Engine, demo_sources: list[Any]) -> None:
    """``while_indexing``: a worker of its own indexes what is committed while the crawl still runs (here the
    "crawl" goes on until nothing is left unindexed: it ends only if the indexer indexed beside it)."""
    from crawler.indexer import while_indexing

    with loopback_only():
        asyncio.run(
            crawl_sources(demo_sources, db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=6))
        )
    assert _indexed(db) == 5

    async def crawl_until_indexed() -> str:
        async with asyncio.timeout(120):  # generous: a loaded machine; the worker is at the lowest priority
            while await asyncio.to_thread(_indexed, db):
                await asyncio.sleep(0.1)
        return "crawled"

    assert asyncio.run(while_indexing(crawl_until_indexed(), db, keywords=6)) == ("crawled", 5)
    assert all(0 < len(k) <= 6 for k in _keywords(db))
    assert _search(db, "湖州市劳动保障监察行政处罚")[0] == "huzhou-rsj"


def test_a_batch_written_as_the_crawl_ends_is_counted(
    db: Engine, demo_sources: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The crawl may end while the indexer is still on its way back from writing a batch (here held 0.3 s after
    its commit, as a descheduled loop would): that batch is in the index, and in the count."""
    from crawler import indexer

    real = indexer.write_batch

    def slow_to_return(*args: Any, **kwargs: Any) -> Any:
        written = real(*args, **kwargs)
        time.sleep(0.3)
        return written

    monkeypatch.setattr(indexer, "write_batch", slow_to_return)
    test_the_indexer_works_beside_a_running_crawl(db, demo_sources)


def test_a_failed_crawl_stops_the_indexer_and_raises(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from crawler import indexer

    pools: list[ExtractionPool] = []

    def pool() -> ExtractionPool:
        pools.append(ExtractionPool(1))
        return pools[-1]

    async def broken() -> None:
        await asyncio.sleep(0.2)
        raise RuntimeError("the crawl broke")

    monkeypatch.setattr(indexer, "index_pool", pool)
    with pytest.raises(RuntimeError, match="the crawl broke"):
        asyncio.run(indexer.while_indexing(broken(), db))
    assert len(pools) == 1 and not pools[0]._all  # its worker is stopped with the crawl
