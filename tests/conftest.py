"""Shared fixtures. Every test runs under the loopback guard; integration fixtures start real servers."""

from __future__ import annotations

import asyncio
import json
import os
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
    from fazhi.cli import _demo_sources

    return _demo_sources(portals[1])


def make_db(path: Path) -> Engine:
    from store import make_engine

    return make_engine(f"sqlite:///{path}")


def crawl(db: Engine, sources: list[Any]) -> list[Any]:
    from crawler.engine import CrawlConfig, crawl_sources

    with loopback_only():
        return asyncio.run(
            crawl_sources(sources, db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=4))
        )


@pytest.fixture(scope="session")
def crawled(tmp_path_factory: pytest.TempPathFactory, demo_sources: list[Any]) -> tuple[Engine, list[Any]]:
    """A store filled by one crawl of the five simulated portals (shared by read-only tests)."""
    db = make_db(tmp_path_factory.mktemp("crawled") / "fazhi.db")
    stats = crawl(db, demo_sources)
    return db, stats
