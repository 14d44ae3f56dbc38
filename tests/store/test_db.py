"""Engines and sessions: each engine's writes go to its own database, even when a disposed engine's pool address
is given to a new engine's pool. That happened by chance in the suite (a once-in-ten ``constraint failed`` in the
FTS test: its writes went into the previous test's database, which had the same rows); here the allocator's reuse
is made certain by giving every pool the same ``id``."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

import store.db
from store import make_engine, write_session

INSERT = text(
    "INSERT INTO recrawl_requests (source_name, state, requested_at, requested_by) "
    "VALUES (:name, 'pending', '2026-01-01', 'test')"
)


def _names(url: str) -> list[str]:
    engine = make_engine(url, create=False)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT source_name FROM recrawl_requests")).scalars())
    finally:
        engine.dispose()


def test_writes_go_to_their_own_database_when_a_pool_address_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.db, "id", lambda _pool: 1, raising=False)  # every address reused
    first, second = f"sqlite:///{tmp_path / 'first.db'}", f"sqlite:///{tmp_path / 'second.db'}"
    engine = make_engine(first)
    with write_session(engine) as session:
        session.connection().execute(INSERT, {"name": "first"})
    engine.dispose()
    engine = make_engine(second)
    with write_session(engine) as session:
        session.connection().execute(INSERT, {"name": "second"})
    engine.dispose()
    assert (_names(first), _names(second)) == (["first"], ["second"])
