"""Shared fixtures. Every test runs under the loopback guard; integration fixtures start real servers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.netguard import loopback_only
from tests.servers import running_portals

ROOT = Path(__file__).resolve().parents[1]
SEED_KEYS = {"000": "huzhou", "001": "dongguan", "002": "hedong", "003": "jianghai", "004": "liangjiang"}


def shared_dir() -> Path:
    return Path(os.environ.get("FAZHI_SHARED", ROOT.parent / "shared"))


@pytest.fixture(scope="session", autouse=True)
def _data_home(tmp_path_factory: pytest.TempPathFactory) -> None:
    """What tests start never writes under the real home: fazhi's default data directory (WARC files …) is a
    temporary one, for the subprocesses too."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """A command run in-process (typer's CliRunner) sets fazhi's logging up: the root logger's handlers and level
    are put back after the test, so no handler outlives the test (and the stream it was given)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers and not type(handler).__module__.startswith("_pytest"):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _loopback_guard() -> Iterator[None]:
    with loopback_only():
        yield


@pytest.fixture(scope="session")
def groundtruth() -> dict[str, dict[str, Any]]:
    """The ground truth of the five seeds, keyed by portal key (huzhou, dongguan, …), read from ../shared."""
    path = shared_dir() / "groundtruth" / "seeds.json"
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the tests compare against the shared ground truth (set FAZHI_SHARED)"
        )
    return {SEED_KEYS[s["file"][:3]]: s for s in json.loads(path.read_text(encoding="utf-8"))}


@pytest.fixture(scope="session")
def portals() -> Iterator[tuple[dict[str, Any], int]]:
    with loopback_only(), running_portals() as running:
        yield running


@pytest.fixture(scope="session")
def demo_sources(portals: tuple[dict[str, Any], int]) -> list[Any]:
    from fazhi.commands.demo import demo_sources as _demo_sources

    return _demo_sources(portals[1])


def make_db(path: Path) -> Engine:
    from store import make_engine

    return make_engine(f"sqlite:///{path}")


# The store and API tests run on both backends. PostgreSQL is the throw-away server that `make test` starts
# (scripts/with-postgres exports FAZHI_TEST_POSTGRES_URL); each test gets its own database, copied from a
# migrated template.
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


class PostgresServer:
    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._count = 0
        self.created: list[str] = []
        self.template = self._create(f"fazhi_template_{os.getpid()}", template=None)  # one per test process
        from store import make_engine

        make_engine(self.url_of(self.template)).dispose()  # migrated once; copies are cheap
        # nobody (autovacuum included) may hold the template while it is copied
        with self.admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{self.template}" WITH ALLOW_CONNECTIONS false'))

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None) -> str:
        from sqlalchemy import text
        from sqlalchemy.exc import OperationalError

        for attempt in range(20):
            try:
                with self.admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    connection.execute(
                        text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
                    )
                return name
            except OperationalError as exc:  # "source database … is being accessed by other users"
                if "being accessed" not in str(exc) or attempt == 19:
                    raise
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def new_database(self, label: str) -> str:
        """A fresh migrated database; returns its URL."""
        self._count += 1
        name = f"t{os.getpid()}_{self._count}_{''.join(c for c in label.lower() if c.isalnum())[:30]}"
        self.created.append(name)
        return self.url_of(self._create(name, self.template))

    def close(self) -> None:
        """Drop every database this session made (the server may outlive the tests)."""
        for name in [*self.created, self.template]:
            self.drop(self.url_of(name))
        self.admin.dispose()

    def drop(self, url: str) -> None:
        from sqlalchemy import text
        from sqlalchemy.engine import make_url

        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    url = os.environ.get("FAZHI_TEST_POSTGRES_URL")
    if not url:
        reason = os.environ.get(
            "FAZHI_TEST_POSTGRES_SKIP",
            "FAZHI_TEST_POSTGRES_URL is not set; run the suite with `make test`, which starts a throw-away server",
        )
        pytest.skip(f"PostgreSQL tests skipped: {reason}")
    with loopback_only():
        server = PostgresServer(url)
    yield server
    with loopback_only():
        server.close()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fazhi.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.new_database(request.node.name)
    yield url
    with loopback_only():
        server.drop(url)


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    from store import make_engine

    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def crawl(db: Engine, sources: list[Any]) -> list[Any]:
    from crawler.engine import CrawlConfig, crawl_sources
    from crawler.indexer import index_pending

    with loopback_only():
        stats = asyncio.run(
            crawl_sources(sources, db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=4))
        )
    index_pending(db, keywords=4)  # what `fazhi crawl` does when the crawl ends
    return stats


@pytest.fixture(scope="session", params=BACKENDS)
def crawled(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_sources: list[Any]
) -> tuple[Engine, list[Any]]:
    """A store filled by one crawl of the five simulated portals (shared by read-only tests), on each backend."""
    db = store_for(request, tmp_path_factory, "crawled")
    stats = crawl(db, demo_sources)
    return db, stats


def store_for(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, label: str) -> Engine:
    """A fresh store on the backend of a fixture parametrized with ``BACKENDS`` (for wider-scoped fixtures)."""
    from store import make_engine

    if request.param == "sqlite":
        return make_db(tmp_path_factory.mktemp(label) / "fazhi.db")
    server: PostgresServer = request.getfixturevalue("postgres")
    with loopback_only():
        return make_engine(server.new_database(label))
