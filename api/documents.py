"""``/documents``: filtered, searchable, keyset-paged lists; one document as JSON or seed-format text; streamed
exports (JSON lines, CSV) of any filtered set."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from functools import partial
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Connection

from api.cursor import decode_cursor, encode_cursor
from api.deps import read
from api.errors import BadRequest, Conflict, NotFound
from api.links import page_link
from api.responses import cached, json_response
from api.schemas import ERRORS, NO_NUL, DocumentPublic, DocumentsPage, example
from ingest.tokens import tokenize
from store import queries
from store.errors import AmbiguousPrefix
from store.export import CSV_COLUMNS, RECORD_COLUMNS, csv_safe

router = APIRouter(tags=["documents"])
MAX_LIMIT = 200
_ID = re.compile(r"^[0-9a-fA-F]{8,64}$")
# declared; lookup() checks it with a message that says what an id is
DocumentId = Annotated[
    str, Path(json_schema_extra={"pattern": _ID.pattern}, description="id or a prefix of 8+")
]
Sort = Literal["seq", "-seq", "publish_date", "-publish_date", "report_year", "-report_year", "rank"]
EXPORT_COLUMNS = RECORD_COLUMNS


# a date is written YYYY-MM-DD: pydantic's lax date parsing would also take "0" (a Unix timestamp)
DateQuery = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        json_schema_extra={"format": "date"},
        description="YYYY-MM-DD, inclusive",
    ),
]


def _iso_date(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name}={value!r} is not a calendar date (YYYY-MM-DD)") from exc


async def document_filters(
    source_name: Annotated[
        str | None, Query(max_length=64, pattern=NO_NUL, description="the source's name")
    ] = None,
    report_year: Annotated[int | None, Query(ge=1949, le=2100, description="the year reported on")] = None,
    province: Annotated[str | None, Query(max_length=32, pattern=NO_NUL, examples=["广东省"])] = None,
    city: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    county: Annotated[str | None, Query(max_length=32, pattern=NO_NUL)] = None,
    agency: Annotated[str | None, Query(max_length=100, pattern=NO_NUL)] = None,
    published_after: DateQuery = None,
    published_before: DateQuery = None,
) -> queries.Filters:
    after, before = (
        _iso_date("published_after", published_after),
        _iso_date("published_before", published_before),
    )
    # after > before is a range with nothing in it: an empty page, like any filter that matches nothing
    return queries.Filters(
        source_name=source_name,
        report_year=report_year,
        province=province,
        city=city,
        county=county,
        agency=agency,
        published_after=after,
        published_before=before,
    )


FiltersDep = Annotated[queries.Filters, Depends(document_filters)]
# declared (not validated: search_match says why better): at least one letter or digit, the words a search needs
SEARCHABLE = r"^[^\x00]*[0-9A-Za-z_\u00c0-\u024f\u0370-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff][^\x00]*$"
SearchQuery = Annotated[
    str | None,
    Query(
        max_length=200,
        pattern=NO_NUL,
        json_schema_extra={"pattern": SEARCHABLE},
        description="full-text search (Chinese: jieba words)",
    ),
]


def search_match(q: str | None) -> tuple[str, ...] | None:
    if q is None:
        return None
    words = tokenize(q)
    if not words:
        raise BadRequest("q has no searchable words: give Chinese or latin words, e.g. q=行政复议")
    return tuple(words)


@router.get(
    "/documents", response_model=DocumentsPage, responses=ERRORS, openapi_extra=example("documents_page")
)
async def get_documents(
    request: Request,
    filters: FiltersDep,
    q: SearchQuery = None,
    sort: Annotated[
        Sort | None,
        Query(
            description="seq (ingest order, default), publish_date, report_year, "
            "a leading - for descending; rank (default with q)"
        ),
    ] = None,
    limit: Annotated[
        int,
        Query(ge=1, description=f"page size, at most {MAX_LIMIT}", json_schema_extra={"maximum": MAX_LIMIT}),
    ] = 50,
    cursor: Annotated[str | None, Query(max_length=300, description="`next` of the previous page")] = None,
    count: Annotated[
        bool, Query(description="also return the total number of matches (costs a count)")
    ] = False,
) -> Response:
    if limit > MAX_LIMIT:
        raise BadRequest(f"limit {limit} is above the maximum of {MAX_LIMIT}: page with `next` instead")
    match = search_match(q)
    order = sort or ("rank" if match else "seq")
    if order == "rank" and not match:
        raise BadRequest("sort=rank needs a search: add q")
    after = decode_cursor(cursor, order)

    def query(connection: Connection) -> tuple[list[dict[str, Any]], int | None]:
        rows = queries.list_documents(
            connection, filters=filters, sort=order, after=after, limit=limit + 1, match=match
        )
        total = queries.count_documents(connection, filters=filters, match=match) if count else None
        return rows, total

    rows, total = await read(request, query, slow=bool(match))
    items = rows[:limit]
    next_cursor = encode_cursor(order, items[-1]["sort_key"], items[-1]["seq"]) if len(rows) > limit else None
    for item in items:
        item.pop("sort_key")
    payload: dict[str, Any] = {"ok": True, "items": items, "next": next_cursor, "next_url": None}
    headers = {}
    if next_cursor:
        payload["next_url"] = page_link(request, cursor=next_cursor)
        headers["Link"] = f'<{payload["next_url"]}>; rel="next"'
    if total is not None:
        payload["count"] = total
    return json_response(request, payload, headers)


def _export_rows(request: Request, filters: queries.Filters, q: str | None) -> Iterator[dict[str, Any]]:
    return queries.iter_documents(
        request.app.state.engine, filters=filters, columns=EXPORT_COLUMNS, match=search_match(q)
    )


def _jsonl(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        row["attachments"] = [{"name": a.get("name"), "url": a.get("url")} for a in row["attachments"]]
        yield orjson.dumps(row, option=orjson.OPT_UTC_Z) + b"\n"


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    yield ("\ufeff" + buffer.getvalue()).encode(
        "utf-8"
    )  # BOM: spreadsheets then read UTF-8 Chinese correctly
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        row["attachments"] = " ".join(a.get("url", "") for a in row["attachments"])
        writer.writerow(csv_safe(row))
        yield buffer.getvalue().encode("utf-8")


@router.get(
    "/documents.jsonl",
    responses=ERRORS,
    response_class=StreamingResponse,
    openapi_extra={"responses": {"200": {"content": {"application/x-ndjson": {}}}}},
)
async def export_jsonl(request: Request, filters: FiltersDep, q: SearchQuery = None) -> StreamingResponse:
    """Every matching document, one JSON object a line, streamed in ingest order."""
    return StreamingResponse(_jsonl(_export_rows(request, filters, q)), media_type="application/x-ndjson")


@router.get(
    "/documents.csv",
    responses=ERRORS,
    response_class=StreamingResponse,
    openapi_extra={"responses": {"200": {"content": {"text/csv": {}}}}},
)
async def export_csv(request: Request, filters: FiltersDep, q: SearchQuery = None) -> StreamingResponse:
    """Every matching document as CSV (UTF-8 with BOM), streamed in ingest order."""
    return StreamingResponse(
        _csv(_export_rows(request, filters, q)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="documents.csv"'},
    )


def lookup(connection: Connection, document_id: str) -> dict[str, Any]:
    if not _ID.match(document_id):
        raise BadRequest(
            "a document id is 64 hex characters, or a unique prefix of at least 8 (e.g. 16 from a file name)"
        )
    try:
        document = queries.get_document(connection, document_id)
    except AmbiguousPrefix as exc:
        raise Conflict(f"id prefix {document_id!r} is ambiguous: use more characters", exc.matches) from exc
    if document is None:
        raise NotFound(f"no document with id {document_id!r}")
    return document


@router.get(
    "/documents/{document_id}.txt",
    responses=ERRORS,
    response_class=Response,
    openapi_extra={"responses": {"200": {"content": {"text/plain": {}}}}},
)
async def get_document_text(request: Request, document_id: DocumentId) -> Response:
    """The seed-file format: the title line, then the clean body."""
    document = await read(request, partial(lookup, document_id=document_id))
    body = f"{document['title'] or ''}\n{document['body']}\n".encode()
    return cached(request, body, media_type="text/plain; charset=utf-8")


@router.get(
    "/documents/{document_id}",
    response_model=DocumentPublic,
    responses=ERRORS,
    openapi_extra=example("document"),
)
async def get_document(request: Request, document_id: DocumentId) -> Response:
    """One document by its id or a unique prefix (≥ 8 hex; the 16 of an exported file name)."""

    def work(connection: Connection) -> dict[str, Any]:  # no dependency machinery on the hottest path
        document = lookup(connection, document_id)
        document["sightings"], document["versions"] = queries.sightings_and_versions(
            connection, document["id"]
        )
        return document

    document = await read(request, work)
    document.pop("provenance", None)
    return json_response(request, document)
