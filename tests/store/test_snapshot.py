"""A new SQLite file built from ``store/migrations/sqlite_head.sql`` is the file the migrations build: the same
``sqlite_master`` rows, the same rows in every table (FTS5's own included), the same pragmas."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from store import make_engine, migrate, snapshot
from store.migrate import alembic_upgrade, head, written_head


def _picture(path: Path) -> dict[str, Any]:
    connection = sqlite3.connect(path)
    master = sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall())
    tables = [name for kind, name, _, _ in master if kind == "table"]
    rows = {name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall()) for name in tables}
    pragmas = {
        name: connection.execute(f"PRAGMA {name}").fetchall()
        for name in ("user_version", "application_id", "journal_mode", "auto_vacuum", "encoding")
    }
    connection.close()
    return {"master": master, "rows": rows, "pragmas": pragmas}


def _by_alembic(path: Path) -> None:
    engine = make_engine(f"sqlite:///{path}", create=False)
    alembic_upgrade(engine)
    engine.dispose()


def test_a_new_file_from_the_snapshot_is_the_file_the_migrations_make(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _by_alembic(tmp_path / "migrated.db")
    with monkeypatch.context() as patched:  # the snapshot's path, and no other

        def refuse(engine: Any) -> str:
            raise AssertionError("a new file went through alembic")

        patched.setattr(migrate, "alembic_upgrade", refuse)
        make_engine(f"sqlite:///{tmp_path / 'snapshot.db'}").dispose()
    ours, theirs = _picture(tmp_path / "snapshot.db"), _picture(tmp_path / "migrated.db")
    assert ours["master"] == theirs["master"]
    assert ours == theirs
    assert any(name == "documents_fts" for _, name, _, _ in ours["master"])
    assert ours["rows"]["alembic_version"] == [(head(),)]


def test_the_snapshot_is_what_the_migrations_make_now(tmp_path: Path) -> None:
    """A migration added or changed without the file made again fails here (run ``python -m store.snapshot``)."""
    made = tmp_path / "sqlite_head.sql"
    assert snapshot.write(made) == head() == written_head()
    assert made.read_text(encoding="utf-8") == snapshot.SNAPSHOT.read_text(encoding="utf-8"), (
        "store/migrations/sqlite_head.sql is not the migrations' schema: run `python -m store.snapshot`"
    )


def test_a_file_with_tables_is_left_to_alembic(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE unrelated (x INTEGER)")
    connection.commit()
    connection.close()
    engine = make_engine(f"sqlite:///{path}", create=False)
    assert snapshot.create(engine, head()) is False
    assert snapshot.create(make_engine(f"sqlite:///{tmp_path / 'new.db'}", create=False), "0001") is False
    engine.dispose()
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")] == ["unrelated"]


def test_a_snapshot_file_cut_short_is_not_used(tmp_path: Path) -> None:
    whole = snapshot.SNAPSHOT.read_text(encoding="utf-8")
    cut = tmp_path / "cut.sql"
    cut.write_text(whole[: len(whole) - 40], encoding="utf-8")
    assert snapshot.read(cut) is None
    assert snapshot.read(tmp_path / "absent.sql") is None
    read = snapshot.read()
    assert read is not None and read[0] == head() and len(read[1]) > 20
