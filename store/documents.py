"""Writing and reading documents, sightings and page records. Keyword-only functions, one session each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from store.changes import add_change, feed_lock
from store.compiled import execute
from store.errors import AmbiguousPrefix
from store.grams import Sketch
from store.models import Document, Sighting
from store.reports import record_report, report_fields
from store.search import index_document
from store.sql import insert_for
from store.types import utcnow

_DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
_SIGHTINGS: Table = Sighting.__table__  # type: ignore[attr-defined]


@cache
def _statements(dialect: str) -> tuple[Any, Any]:
    """Core statements, built once per dialect: the ORM's per-row bookkeeping is most of an insert's cost."""
    insert = insert_for(dialect)
    # RETURNING tells whether a row went in on every backend (rowcount is not reliable after ON CONFLICT)
    document = insert(_DOCUMENTS).on_conflict_do_nothing(index_elements=["id"]).returning(_DOCUMENTS.c.seq)
    sighting = insert(_SIGHTINGS).on_conflict_do_nothing(index_elements=["document_id", "url"])
    return document, sighting.returning(_SIGHTINGS.c.pk)


_KNOWN = select(_DOCUMENTS.c.seq).where(_DOCUMENTS.c.id == bindparam("id"))  # built once
_SEEN_AGAIN = (  # a known sighting's last_seen, built once
    update(_SIGHTINGS)
    .where(_SIGHTINGS.c.document_id == bindparam("doc_id"), _SIGHTINGS.c.url == bindparam("doc_url"))
    .values(last_seen=bindparam("seen_at", type_=_SIGHTINGS.c.last_seen.type))
)


def document_row(document: Document) -> dict[str, Any]:
    return {c.name: getattr(document, c.name) for c in _DOCUMENTS.columns if c.name != "seq"}


@dataclass(frozen=True)
class UpsertResult:
    document_id: str
    created: bool  # False: the body was already stored (a new sighting at most)


def upsert_document(
    *,
    session: Session,
    document: Document | dict[str, Any],
    seen_at: datetime | None = None,
    previous_id: str | None = None,
    search_tokens: tuple[str, str] | None = None,
    sketch: Sketch | None = None,
) -> UpsertResult:
    """Store ``document`` (a model, or a row of its columns) unless its id exists; always record where it was seen.

    The change feed gets ``created`` for a new body, ``updated`` for a known body seen at a new URL, and ``updated``
    on ``previous_id`` (the body this URL had before) with ``superseded_by``: all in the caller's transaction.
    ``search_tokens`` (title, body: jieba words joined by spaces) go into the full-text index with a new document.
    ``sketch``: the body's :func:`store.grams.sketch`, if the caller has it (else it is computed here).
    """
    seen_at = seen_at or utcnow()
    values = document if isinstance(document, dict) else document_row(document)
    doc_id, url = values["id"], values["url"]
    feed_lock(session)  # before any shared row: see store.changes
    connection = session.connection()
    created, report = False, dict[str, Any]()
    if not execute(connection, _KNOWN, {"id": doc_id}).rows:  # a known body costs no reports step
        # reports, versions, required parts, timeliness (store/reports.py): in the row as it is first written
        fields, own = report_fields(
            session, values, seen_at=seen_at, previous_id=previous_id, sketch_of=sketch
        )
        stored = execute(connection, _statements(connection.dialect.name)[0], values | fields).rows
        if stored:
            created = True
            report = record_report(session, values, fields, own, stored[0][0], previous_id=previous_id)
    new_url = record_sighting(
        session=session, document_id=doc_id, url=url, source_name=values["source_name"], seen_at=seen_at
    )
    if created:
        add_change(
            session,
            doc_id,
            "created",
            {"url": url, **({"supersedes": previous_id} if previous_id else {}), **report},
        )
        if search_tokens:
            index_document(session, doc_id, *search_tokens)
    elif new_url:
        add_change(session, doc_id, "updated", {"sighting": url})
    if previous_id and previous_id != doc_id:
        add_change(session, previous_id, "updated", {"superseded_by": doc_id, "url": url})
    return UpsertResult(doc_id, created=created)


def record_sighting(
    *, session: Session, document_id: str, url: str, source_name: str, seen_at: datetime
) -> bool:
    """Note that ``document_id`` was at ``url`` now; True when the URL is new for the document."""
    connection = session.connection()
    row = {
        "document_id": document_id,
        "url": url,
        "source_name": source_name,
        "first_seen": seen_at,
        "last_seen": seen_at,
    }
    if execute(connection, _statements(connection.dialect.name)[1], row).rows:
        return True
    execute(connection, _SEEN_AGAIN, {"doc_id": document_id, "doc_url": url, "seen_at": seen_at})
    return False


def resight_many(session: Session, sightings: list[dict[str, Any]], *, seen_at: datetime) -> None:
    """:func:`resight` for many unchanged pages (``document_id``, ``url``, ``source_name`` each) in one
    statement run for all; where fewer sightings were updated than asked, each is seen to one by one (a missing
    sighting is created)."""
    if not sightings:
        return
    params = [{"doc_id": s["document_id"], "doc_url": s["url"], "seen_at": seen_at} for s in sightings]
    if len(params) > 1 and execute(session.connection(), _SEEN_AGAIN, params).rowcount == len(params):
        return
    for sighting in sightings:
        resight(session=session, seen_at=seen_at, **sighting)


def resight(*, session: Session, document_id: str, url: str, source_name: str, seen_at: datetime) -> None:
    """An unchanged page seen again: its sighting's ``last_seen`` (one statement; the sighting is created if it
    is missing)."""
    updated = execute(
        session.connection(), _SEEN_AGAIN, {"doc_id": document_id, "doc_url": url, "seen_at": seen_at}
    )
    if not updated.rowcount:
        record_sighting(
            session=session, document_id=document_id, url=url, source_name=source_name, seen_at=seen_at
        )


def find_document(*, session: Session, id_or_prefix: str) -> Document | None:
    """By full id, or by a unique prefix (16 hex in exported file names). Ambiguous → :class:`AmbiguousPrefix`."""
    key = id_or_prefix.lower()
    if len(key) == 64:
        return session.scalars(select(Document).where(col(Document.id) == key)).first()
    matches = list(session.scalars(select(Document).where(col(Document.id).startswith(key)).limit(5)))
    if len(matches) > 1:
        raise AmbiguousPrefix(key, [m.id for m in matches])
    return matches[0] if matches else None


def newest_seq(connection: Connection) -> int | None:
    """The highest document ``seq`` (one index lookup): has anything been stored since the last look?"""
    return connection.execute(select(func.max(_DOCUMENTS.c.seq))).scalar()


def keywordless(connection: Connection, seqs: list[int]) -> set[int]:
    """Which of the documents ``seqs`` have no keywords yet (the indexing step fills them)."""
    if not seqs:
        return set()
    rows = connection.execute(
        select(_DOCUMENTS.c.seq, _DOCUMENTS.c.keywords).where(_DOCUMENTS.c.seq.in_(seqs))
    )
    return {int(seq) for seq, words in rows if not words}


def set_keywords(session: Session, keywords: dict[int, list[str]]) -> None:
    """Store the keywords the indexing step found, by document ``seq`` (in the caller's transaction)."""
    statement = (
        update(_DOCUMENTS).where(_DOCUMENTS.c.seq == bindparam("doc_seq")).values(keywords=bindparam("words"))
    )
    if keywords:
        session.connection().execute(statement, [{"doc_seq": s, "words": w} for s, w in keywords.items()])
