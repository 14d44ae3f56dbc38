"""``/documents``: keyset-paged lists with filters, and one document by id or 16-hex prefix."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from sqlmodel import Session

from api.cursor import decode_cursor, encode_cursor
from api.deps import SessionDep
from api.errors import BadRequest, Conflict, NotFound
from api.schemas import DocumentPublic, DocumentsPage, DocumentSummary, ErrorBody
from store.documents import DocumentFilter, find_document, list_documents, sightings_of
from store.errors import AmbiguousPrefix
from store.models import Document

router = APIRouter(tags=["documents"])
MAX_LIMIT = 200
_ID = re.compile(r"^[0-9a-fA-F]{8,64}$")
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
}


@router.get("/documents", response_model=DocumentsPage, responses=_ERRORS)
def get_documents(
    request: Request,
    response: Response,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, description=f"page size, at most {MAX_LIMIT}")] = 50,
    cursor: Annotated[str | None, Query(max_length=200, description="`next` of the previous page")] = None,
    source_name: Annotated[str | None, Query(max_length=64)] = None,
    report_year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    province: Annotated[str | None, Query(max_length=32)] = None,
    city: Annotated[str | None, Query(max_length=32)] = None,
    county: Annotated[str | None, Query(max_length=32)] = None,
    agency: Annotated[str | None, Query(max_length=100)] = None,
    published_after: date | None = None,
    published_before: date | None = None,
) -> DocumentsPage:
    if limit > MAX_LIMIT:
        raise BadRequest(f"limit {limit} is above the maximum of {MAX_LIMIT}: page with `next` instead")
    filters = DocumentFilter(
        source_name=source_name,
        report_year=report_year,
        province=province,
        city=city,
        county=county,
        agency=agency,
        published_after=published_after,
        published_before=published_before,
    )
    rows = list_documents(session=session, after_seq=decode_cursor(cursor), limit=limit + 1, filters=filters)
    items = [DocumentSummary.model_validate(row, from_attributes=True) for row in rows[:limit]]
    next_cursor = encode_cursor(items[-1].seq) if len(rows) > limit else None
    next_url = str(request.url.include_query_params(cursor=next_cursor)) if next_cursor else None
    if next_url:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return DocumentsPage(items=items, next=next_cursor, next_url=next_url)


@router.get("/documents/{document_id}", response_model=DocumentPublic, responses=_ERRORS)
def get_document(document_id: str, session: SessionDep) -> DocumentPublic:
    document = lookup(session, document_id)
    sightings = sightings_of(session=session, document_id=document.id)
    data = document.model_dump()
    data["sightings"] = [s.model_dump() for s in sightings]
    return DocumentPublic.model_validate(data)


def lookup(session: Session, document_id: str) -> Document:
    if not _ID.match(document_id):
        raise BadRequest(
            "a document id is 64 hex characters, or a unique prefix of at least 8 (e.g. 16 from a file name)"
        )
    try:
        document = find_document(session=session, id_or_prefix=document_id)
    except AmbiguousPrefix as exc:
        raise Conflict(f"id prefix {document_id!r} is ambiguous: use more characters", exc.matches) from exc
    if document is None:
        raise NotFound(f"no document with id {document_id!r}")
    return document
