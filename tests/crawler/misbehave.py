"""Page readers that misbehave, for tests/crawler/test_page_failures.py. They run in extraction workers, which
import this module by name: it imports only what reading a page needs (a worker importing the test module would
spend seconds of the page's deadline importing pytest, the store and the servers)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from crawler.discover import ListPage, ListRequest, parse_list
from ingest import SourceHints, extract_report


def extract_or_misbehave(content: bytes, url: str, content_type: str | None, hints: SourceHints) -> Any:
    """``pipeline.read_detail`` as a hostile page makes it behave (runs in the extraction worker)."""
    if url.endswith("/raises.html"):
        raise RecursionError("maximum recursion depth exceeded")
    if url.endswith("/hangs.html"):
        while True:  # a runaway extraction: only stopping its process ends it
            pass
    if url.endswith("/dies.html"):
        os._exit(3)
    return extract_report(content, url, content_type=content_type, hints=hints)


def parse_or_raise(content: bytes, content_type: str | None, request: ListRequest, options: Any) -> ListPage:
    if request.url.endswith("/bad-list.html"):
        raise ValueError("range() arg 3 must not be zero")
    return parse_list(content, content_type, request, options)


def sleep_then_answer(seconds: float) -> str:
    """A worker that gets no CPU for ``seconds`` (as on a loaded machine, where it runs at nice 10)."""
    time.sleep(seconds)
    return "answered"


def spin_forever() -> None:
    while True:  # a runaway reading: its CPU time runs out
        pass


def wait_for_file(path: str, seconds: float) -> int:
    """This worker's pid once ``path`` exists (another worker makes it), or after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not Path(path).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid()


def touch_file(path: str) -> int:
    """Make ``path``; this worker's pid."""
    Path(path).touch()
    return os.getpid()
