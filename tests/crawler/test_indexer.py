"""jieba is off the crawl's path: a crawl stores documents at once, the indexing step gives them search tokens and
keywords afterwards (in an extraction worker when an event loop runs, as in ``fazhi serve``)."""

from __future__ import annotations

import asyncio
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
