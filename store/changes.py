"""The change feed. A change's ``seq`` comes from the ``changes`` table inside the writing transaction.

On SQLite writers are serialized (``BEGIN IMMEDIATE``), so ``seq`` order is commit order and a reader that
pages on ``seq > since`` can never skip a change that commits later with a smaller number.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from store.models import Change
from store.types import utcnow

_CHANGES: Table = Change.__table__  # type: ignore[attr-defined]


_ADD = insert(_CHANGES)  # built once: the values travel as parameters


def add_change(session: Session, document_id: str, kind: str, detail: dict[str, Any]) -> None:
    session.connection().execute(
        _ADD, {"document_id": document_id, "kind": kind, "detail": detail, "at": utcnow()}
    )


def changes_since(connection: Connection, *, since: int, limit: int) -> list[dict[str, Any]]:
    statement = select(_CHANGES).where(_CHANGES.c.seq > since).order_by(_CHANGES.c.seq).limit(limit)
    return [dict(row) for row in connection.execute(statement).mappings()]
