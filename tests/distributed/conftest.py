"""The portals and the PostgreSQL store of the distributed tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from portalsim.bulk import bulk_hosts, bulk_portals
from tests.conftest import PostgresServer
from tests.distributed.support import BULK_HOSTS, BULK_PAGES
from tests.netguard import loopback_only
from tests.servers import free_port, serving


@pytest.fixture(scope="module")
def bulk() -> Iterator[tuple[dict[str, Any], int]]:
    """Two bigger portals whose crawls last seconds: long enough to kill a worker in the middle of one."""
    port = free_port(tuple(bulk_hosts(BULK_HOSTS)))
    with serving(bulk_portals(BULK_HOSTS, BULK_PAGES, port), port) as running:
        yield running


@pytest.fixture
def store(postgres: PostgresServer) -> Iterator[tuple[str, Engine]]:
    from store import make_engine

    url = postgres.new_database("distributed")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    with loopback_only():
        postgres.drop(url)
