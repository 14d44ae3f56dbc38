"""``/documents/{id}/attachments/{n}``: an attachment's extracted text, or (``?raw=1``) the file as it was fetched
when its bytes were kept. ``n`` is the attachment's index in the document's ``attachments``."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.engine import Connection

from api.deps import read
from api.documents import DocumentId, lookup
from api.errors import NotFound
from api.responses import cached
from api.schemas import ERRORS, TEXT_EXAMPLES
from store.attachments import attachment_of

router = APIRouter(tags=["documents"])
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wordml": "application/msword",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ofd": "application/ofd",
    "rtf": "application/rtf",
    "html": "text/html",
    "mht": "multipart/related",
}


def _attachment(connection: Connection, document_id: str, n: int) -> dict[str, Any]:
    document = lookup(connection, document_id)
    count = len(document["attachments"])
    row = attachment_of(connection, document["id"], n)
    if row is None:
        held = f"it has {count}" if count else "it has none"
        raise NotFound(f"document {document['id'][:16]} has no attachment {n} ({held}, numbered from 0)")
    return row


@router.get(
    "/documents/{document_id}/attachments/{n}",
    responses=ERRORS,
    response_class=Response,
    openapi_extra={
        "responses": {
            "200": {
                "description": "the cleaned text; with `raw=1` the file as fetched, under its own type",
                "content": {
                    "text/plain": {"example": TEXT_EXAMPLES["attachment"]},
                    **{media: {} for media in sorted(set(MEDIA_TYPES.values()))},
                    "application/octet-stream": {},
                },
            }
        }
    },
)
async def get_attachment(
    request: Request,
    document_id: DocumentId,
    n: Annotated[int, Path(ge=0, le=10_000, description="the attachment's index in `attachments`")],
    raw: Annotated[bool, Query(description="the original bytes (when kept) instead of the text")] = False,
) -> Response:
    """An attachment's cleaned text (paragraphs by newlines); with ``raw=1`` the file itself."""
    row = await read(request, partial(_attachment, document_id=document_id, n=n))
    if raw:
        return _raw(request, row)
    if row["status"] != "extracted":
        raise NotFound(f"attachment {n} has no text: {row['status']} ({row['reason'] or 'no reason given'})")
    return cached(request, (row["text"] + "\n").encode(), media_type="text/plain; charset=utf-8")


def _raw(request: Request, row: dict[str, Any]) -> Response:
    if row["content"] is None:
        raise NotFound(
            f"attachment {row['n']}'s bytes were not kept ({row['status']}: {row['reason'] or 'ok'})"
        )
    disposition = f"attachment; filename*=UTF-8''{quote(row['name'])}"
    return cached(
        request,
        bytes(row["content"]),
        media_type=MEDIA_TYPES.get(row["type"], "application/octet-stream"),
        headers={"Content-Disposition": disposition},
    )
