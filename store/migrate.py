"""Schema migrations (alembic), run on both backends; on PostgreSQL they also create the crawl queue's tables.

``make_engine`` brings every database to the newest revision before it is used, so the embedded SQLite default
needs no setup step; ``fazhi migrate`` does the same explicitly (the one-shot ``migrate`` service of the compose
file). On PostgreSQL an advisory lock makes concurrent starters (API replicas, workers) migrate one at a time. A
SQLite file made before migrations existed (tables, no ``alembic_version``) is stamped with the first revision,
which is exactly what that version created, and then upgraded.

A database already at the newest revision is recognized without alembic (about 0.2 s of CPU to import, on every
start of every command): the newest revision is read from the migration files' ``revision``/``down_revision``
lines and compared with the ``alembic_version`` row. A new SQLite file (no tables) gets the newest schema from
``store/snapshot.py`` (the statements the migrations leave, replayed), without alembic too. Anything else (an older
schema, several heads) goes through alembic.
"""

from __future__ import annotations

import re
import time
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from store import snapshot
from store.errors import DatabaseUnusable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
_LOCKED_ATTEMPTS = 5
_LOCK = 0x66617A68  # "fazh": the advisory lock key of schema migrations


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Whether autogenerate compares a table or index: the full-text tables (FTS5 makes shadow tables too) and
    the crawl queue's tables are made by SQL of their own in the migrations, not by the models."""
    table = getattr(obj, "table", None)
    owner = getattr(table, "name", None) if table is not None else name
    return not (owner or "").startswith(("documents_fts", "procrastinate"))


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


_REVISION = re.compile(r"^(down_revision|revision) = (None|\"(\w+)\")$", re.MULTILINE)


@cache
def written_head() -> str | None:
    """The newest revision as the migration files say it (``revision = "…"``, ``down_revision = "…"``), without
    alembic; ``None`` unless the files make exactly one chain end (alembic decides then)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        # an editor's lock file, a package marker: alembic skips them
        if path.name.startswith((".#", "__init__")):
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):  # a dangling link, an unreadable file: alembic decides
            return None
        found = dict((m[1], m[3]) for m in _REVISION.finditer(source))
        if "revision" not in found or found["revision"] is None:
            return None
        revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _at(connection: Connection, revision: str) -> bool:
    """Whether the schema is at ``revision`` by its ``alembic_version`` row (one row, alembic's own table)."""
    if not inspect(connection).has_table("alembic_version"):
        return False
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows == [revision]


def upgrade(engine: Engine) -> str:
    """Bring the schema to the newest revision; returns it. Cheap when it is already there.

    On SQLite, processes that start together on a new file queue on its write lock; one that still meets
    "database is locked" (the 5 s busy timeout ran out on a loaded machine, or the file was being switched to WAL)
    tries again, a few times, rather than failing its start."""
    for attempt in range(_LOCKED_ATTEMPTS):
        try:
            return _upgrade(engine)
        except OperationalError as exc:
            if engine.dialect.name != "sqlite" or "locked" not in str(exc) or attempt + 1 == _LOCKED_ATTEMPTS:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _upgrade(engine: Engine) -> str:
    written = written_head()
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            encoding = connection.exec_driver_sql("SHOW server_encoding").scalar()
            if encoding != "UTF8":
                raise DatabaseUnusable(
                    f"database {engine.url.database!r} is encoded {encoding}: fazhi stores Chinese text and needs "
                    f"UTF8 (CREATE DATABASE {engine.url.database} ENCODING 'UTF8' TEMPLATE template0)"
                )
        if written is not None and _at(connection, written):  # the usual start: nothing to do, no alembic
            return written
    if written is not None and snapshot.create(engine, written):  # a new SQLite file: its schema in one step
        return written
    return alembic_upgrade(engine)


def alembic_upgrade(engine: Engine) -> str:
    """The migrations' way to the newest revision (any schema, any backend); returns it."""
    newest = head()
    with engine.connect() as connection:
        if current(connection) == newest:
            return newest
    from alembic import command

    # one migrator at a time: PostgreSQL by an advisory lock, SQLite by taking the write lock up front
    with engine.execution_options(fazhi_write=True).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
        if current(connection) is None and inspect(connection).has_table("documents"):
            command.stamp(_config(connection), BASELINE)
        command.upgrade(_config(connection), "head")
    return newest


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema back to ``revision`` ("base": nothing); for rolling back a release."""
    from alembic import command

    with engine.execution_options(fazhi_write=True).begin() as connection:
        command.downgrade(_config(connection), revision)
