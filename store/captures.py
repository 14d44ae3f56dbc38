"""A document's capture: where the fetch that created or last updated it lies in the WARC files (crawler.warc).

``capture`` is one JSON column on ``documents``: ``{"fetched_at", "payload_sha256", "warc_file", "offset"}``, set
in the transaction that stores the document, after its records are on disk.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, Table, select, update
from sqlmodel import Session

from store.models import Document

_DOCUMENTS: Table = Document.__table__  # type: ignore[attr-defined]
CAPTURE_FIELDS = ("fetched_at", "payload_sha256", "warc_file", "offset")


def set_capture(session: Session, *, document_id: str, capture: dict[str, Any]) -> None:
    session.connection().execute(
        update(_DOCUMENTS).where(_DOCUMENTS.c.id == document_id).values(capture=capture)
    )


def referenced_warc_files(engine: Engine) -> set[str]:
    """The WARC file names that some document's capture points at (retention keeps them)."""
    column = _DOCUMENTS.c.capture["warc_file"].as_string()
    with engine.connect() as connection:
        rows = connection.execute(select(column).distinct().where(_DOCUMENTS.c.capture.is_not(None)))
        return {name for (name,) in rows if name}


def capture_columns(capture: dict[str, Any] | None) -> dict[str, Any]:
    """The capture as flat CSV columns ``capture_fetched_at`` …"""
    return {f"capture_{name}": (capture or {}).get(name) for name in CAPTURE_FIELDS}


CSV_CAPTURE_COLUMNS = tuple(f"capture_{name}" for name in CAPTURE_FIELDS)
