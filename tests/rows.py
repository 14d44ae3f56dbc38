"""Reading the store's rows in tests: what a crawl left in the frontier and where a document was seen."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from store.db import read_session
from store.models import FrontierEntry, Sighting


def entries_of(engine: Engine, *, source_name: str | None = None) -> list[FrontierEntry]:
    with read_session(engine) as session:
        statement = select(FrontierEntry)
        if source_name:
            statement = statement.where(col(FrontierEntry.source_name) == source_name)
        rows = list(session.scalars(statement))
        for row in rows:
            session.expunge(row)
        return rows


def sightings_of(*, session: Session, document_id: str) -> list[Sighting]:
    statement = (
        select(Sighting).where(col(Sighting.document_id) == document_id).order_by(col(Sighting.first_seen))
    )
    return list(session.scalars(statement))
