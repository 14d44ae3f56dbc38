"""Attachments' texts (and bytes, when kept) beside their document; the last validators seen for a file's URL.

A page's attachments are written in their own transaction just before the page's document (``save_attachments``):
a crash between the two leaves rows for a document that does not exist yet, which the next crawl of the page
replaces. Rows of a document that exists are never replaced: ``documents.attachments`` (the public record) was
written with them. ``n`` is the attachment's index in ``documents.attachments``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, delete, exists, func, insert, select
from sqlalchemy.engine import Connection

from store.db import read_session, write_session
from store.models import AttachmentFile, Document
from store.types import utcnow

ATTACHMENTS: Table = AttachmentFile.__table__  # type: ignore[attr-defined]
_DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
PUBLIC_FIELDS = ("name", "url", "type", "bytes", "sha256", "text_chars", "status", "reason")


def public_attachment(record: dict[str, Any]) -> dict[str, Any]:
    """An attachment as the API and the exports show it (documents stored before attachments were fetched have
    only a name, a URL and a type: the rest is ``None``)."""
    return {name: record.get(name) for name in PUBLIC_FIELDS}


def save_attachments(engine: Engine, *, document_id: str, rows: list[dict[str, Any]]) -> bool:
    """Store ``rows`` (columns of :class:`AttachmentFile`, ``n`` in order) for a document not stored yet;
    False (nothing written) when the document exists."""
    with write_session(engine) as session:
        connection = session.connection()
        if connection.execute(select(exists().where(_DOCUMENTS.c.id == document_id))).scalar():
            return False
        connection.execute(delete(ATTACHMENTS).where(ATTACHMENTS.c.document_id == document_id))
        if rows:
            now = utcnow()
            defaults = {
                "etag": None,
                "last_modified": None,
                "content": None,
                "reason": None,
                "fetched_at": now,
            }
            connection.execute(
                insert(ATTACHMENTS), [{**defaults, **row, "document_id": document_id} for row in rows]
            )
    return True


def latest_by_url(engine: Engine, urls: list[str]) -> dict[str, dict[str, Any]]:
    """The newest stored row of each URL (for If-None-Match / If-Modified-Since, and to reuse on a 304)."""
    if not urls:
        return {}
    newest = select(func.max(ATTACHMENTS.c.pk)).where(ATTACHMENTS.c.url.in_(urls)).group_by(ATTACHMENTS.c.url)
    with read_session(engine) as session:
        rows = session.connection().execute(select(ATTACHMENTS).where(ATTACHMENTS.c.pk.in_(newest)))
        return {row.url: dict(row._mapping) for row in rows}


def attachment_of(connection: Connection, document_id: str, n: int) -> dict[str, Any] | None:
    """The ``n``-th attachment's row of a document (with its text and bytes), or ``None``."""
    row = connection.execute(
        select(ATTACHMENTS).where(ATTACHMENTS.c.document_id == document_id, ATTACHMENTS.c.n == n)
    ).first()
    return dict(row._mapping) if row is not None else None


def search_texts(connection: Connection, seqs: list[int]) -> dict[int, str]:
    """Per document ``seq``: the extracted text of its attachments that is not already its body."""
    if not seqs:
        return {}
    rows = connection.execute(
        select(_DOCUMENTS.c.seq, ATTACHMENTS.c.text)
        .join(_DOCUMENTS, _DOCUMENTS.c.id == ATTACHMENTS.c.document_id)
        .where(_DOCUMENTS.c.seq.in_(seqs), ATTACHMENTS.c.status == "extracted", ~ATTACHMENTS.c.is_body)
        .order_by(ATTACHMENTS.c.n)
    )
    texts: dict[int, list[str]] = {}
    for seq, text in rows:
        texts.setdefault(int(seq), []).append(text)
    return {seq: "\n".join(parts) for seq, parts in texts.items()}


def search_tokens(connection: Connection, document_id: str) -> str:
    """The search words of a document's attachments that are not its body (jieba words joined by spaces)."""
    rows = connection.execute(
        select(ATTACHMENTS.c.tokens)
        .where(
            ATTACHMENTS.c.document_id == document_id,
            ATTACHMENTS.c.status == "extracted",
            ~ATTACHMENTS.c.is_body,
        )
        .order_by(ATTACHMENTS.c.n)
    )
    return " ".join(t for (t,) in rows if t)
