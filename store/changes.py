"""The change feed. A change's ``seq`` comes from the ``changes`` table inside the writing transaction.

A reader pages on ``seq > since``, so the feed is gap-free only if ``seq`` order is commit order: a change that
commits later with a smaller number would be skipped for good.

- SQLite serializes writers (``BEGIN IMMEDIATE``): the order holds by construction.
- PostgreSQL hands out sequence values at insert time, not at commit, so two writers can commit out of order.
  Every transaction that writes documents or changes therefore takes one transaction-level advisory lock
  (:func:`feed_lock`) before it touches a shared row and holds it to its commit: the sections from "take a
  ``seq``" to "commit" never overlap, and ``seq`` order is commit order again. Writers of documents queue on
  that lock (for the length of one page's transaction); readers never wait for it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, text
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.compiled import execute
from store.models import Change
from store.sql import fetch
from store.types import utcnow

_CHANGES: Table = Change.__table__  # type: ignore[attr-defined]


_ADD = insert(_CHANGES)  # built once: the values travel as parameters
_FEED_LOCK = text("SELECT pg_advisory_xact_lock(2026112201)")


def feed_lock(session: Session) -> None:
    """PostgreSQL: serialize change-writing transactions up to their commit (reentrant; released at commit)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(_FEED_LOCK)


def add_change(session: Session, document_id: str, kind: str, detail: dict[str, Any]) -> None:
    feed_lock(session)
    values = {"document_id": document_id, "kind": kind, "detail": detail, "at": utcnow()}
    execute(session.connection(), _ADD, values)  # on the driver, as Core would (store.compiled)


_SINCE = (
    "SELECT seq, document_id, kind, detail, at FROM changes WHERE seq > :since ORDER BY seq LIMIT {limit}"
)


def changes_since(connection: Connection, *, since: int, limit: int) -> list[dict[str, Any]]:
    """A page of the feed (driver-level SQL: the API's hot path, see store.sql)."""
    return fetch(connection, _SINCE.format(limit=int(limit)), {"since": since})  # see queries.list_documents
