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


def bands_of(engine: Engine) -> dict[str, tuple[list[int], list[int], bytes | None, bytes | None]]:
    """Each stored document's band rows and the band keys its body gives, both sorted, and its stored MinHash and
    the one its body gives (``store.grams.sketch``): a crawl computes them in its extraction workers, and they must
    be the body's."""
    from sqlalchemy import text

    from store.grams import sketch

    with engine.connect() as connection:
        bodies = dict(connection.execute(text("SELECT id, body FROM documents")).all())
        stored: dict[str, list[int]] = {}
        for doc_id, band in connection.execute(
            text("SELECT d.id, b.band FROM report_bands b JOIN documents d ON d.seq = b.seq")
        ):
            stored.setdefault(doc_id, []).append(int(band))
        minhashes = dict(
            connection.execute(
                text("SELECT d.id, s.minhash FROM report_sketches s JOIN documents d ON d.seq = s.seq")
            ).all()
        )
    found = {}
    for doc_id, body in bodies.items():
        own = sketch(body)
        kept = minhashes.get(doc_id)
        found[doc_id] = (
            sorted(stored.get(doc_id, [])),
            sorted(set(own.bands)),
            bytes(kept) if kept is not None else None,
            own.minhash,
        )
    return found
