"""The separate indexing step (`fazhi index`, the service's index job): a crawl without keywords leaves the search
index empty; index_pending fills it once, on both backends."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import Engine

from crawler.engine import CrawlConfig, crawl_sources
from crawler.indexer import index_pending
from ingest.tokens import tokenize
from store.queries import Filters, list_documents
from tests.netguard import loopback_only

pytestmark = pytest.mark.integration


def _search(db: Engine, words: str) -> list[str]:
    with db.connect() as connection:
        rows = list_documents(connection, filters=Filters(), sort="rank", match=tuple(tokenize(words)))
    return [r["source_name"] for r in rows]


def test_index_pending_indexes_what_a_crawl_without_keywords_left(
    db: Engine, demo_sources: list[Any]
) -> None:
    with loopback_only():
        asyncio.run(
            crawl_sources(demo_sources, db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=0))
        )
    assert _search(db, "湖州市劳动保障监察行政处罚") == []  # nothing indexed yet
    batches: list[int] = []
    assert index_pending(db, batch=2, on_batch=batches.append) == 5
    assert batches == [2, 2, 1]
    assert _search(db, "湖州市劳动保障监察行政处罚")[0] == "huzhou-rsj"
    assert index_pending(db) == 0  # idempotent
