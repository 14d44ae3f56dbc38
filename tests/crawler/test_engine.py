"""The crawl runner's process setting: a short GIL turn for the event loop beside the commit thread."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine

from crawler.engine import GIL_TURN, CrawlConfig, CrawlRunner


@pytest.fixture
def default_turn() -> Iterator[None]:
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.005)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def test_a_runner_shortens_the_gil_turn_and_never_lengthens_it(default_turn: None) -> None:
    config = CrawlConfig(user_agent="fazhi-tests")
    CrawlRunner([], db=create_engine("sqlite://"), config=config)
    assert sys.getswitchinterval() == pytest.approx(GIL_TURN, rel=0.05)
    sys.setswitchinterval(GIL_TURN / 5)  # already shorter (set by someone else): kept
    CrawlRunner([], db=create_engine("sqlite://"), config=config)
    assert sys.getswitchinterval() == pytest.approx(GIL_TURN / 5, rel=0.05)
