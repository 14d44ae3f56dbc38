"""One live run per source across processes on one SQLite file: a crawl holds an OS lock on
``<database>.locks/<source>.lock`` (``flock``: released by the kernel when the process ends, however it ends, so a
crashed crawl never leaves a stale lock). A second process finds it held and is told who holds it.

PostgreSQL stores need no file: distributed mode runs a source's crawl as one queued job at a time.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine

from store.errors import RunHeld


def lock_path(engine: Engine, source_name: str) -> Path | None:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return None
    path = Path(database).expanduser()
    return path.with_name(path.name + ".locks") / f"{source_name}.lock"


@contextmanager
def run_lock(engine: Engine, *, source_name: str, holder: str) -> Iterator[None]:
    """Hold the source's run for the block; :class:`RunHeld` at once if a live process holds it."""
    path = lock_path(engine, source_name)
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            who = handle.read().strip() or "another process"
            raise RunHeld(
                f"source {source_name!r} is being crawled right now by {who} (lock {path}): not crawling it "
                "twice; try again when that crawl ends"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(holder)
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
