"""``/documents``: filtered, searchable, keyset-paged lists; one document as JSON or seed-format text; streamed
exports (JSON lines, CSV) of any filtered set."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.engine import Connection
from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import Route

from api.cursor import encode_cursor, resume
from api.deps import read, run_plan
from api.errors import BadRequest, Conflict, NotFound
from api.links import next_page
from api.params import MAX_LIMIT, ExportParams, ListParams, openapi_parameters, parse, reject_unknown
from api.responses import Answer, answered, cached, json_response, send
from api.schemas import ERRORS, DocumentPublic, DocumentsPage, example
from store import export, queries, ranking
from store.errors import AmbiguousPrefix
from store.sql import Plan

router = APIRouter(tags=["documents"])
_ID = re.compile(r"^[0-9a-fA-F]{8,64}$")
# declared; lookup() checks it with a message that says what an id is
DocumentId = Annotated[
    str, Path(json_schema_extra={"pattern": _ID.pattern}, description="id or a prefix of 8+")
]


def search_match(request: Request, q: str | None) -> tuple[str, ...] | None:
    """The words of the query ``q``, split by the deployment's segmenter (``ApiConfig.search_words``)."""
    if q is None:
        return None
    words = request.app.state.settings.search_words(q)
    if not words:
        raise BadRequest("q has no searchable words: give Chinese or latin words, e.g. q=行政复议")
    return tuple(words)


@router.get(
    "/documents",
    response_model=DocumentsPage,
    responses=ERRORS,
    openapi_extra={**example("documents_page"), **openapi_parameters(ListParams)},
)
async def get_documents(request: Request) -> Response:
    """Documents in ingest order (or by date, year); with ``q``, search hits ranked: title matches first, then
    relevance, each with its ``score`` and a highlighted ``snippet``."""
    params = parse(ListParams, request)
    limit, filters = params.limit, params.filters()
    if limit > MAX_LIMIT:
        raise BadRequest(f"limit {limit} is above the maximum of {MAX_LIMIT}: page with `next` instead")
    match = search_match(request, params.q)
    order, after = resume(params.cursor, params.sort or ("rank" if match else "seq"), searching=bool(match))

    def query(connection: Connection) -> tuple[list[dict[str, Any]], int | None]:
        rows = queries.list_documents(
            connection, filters=filters, sort=order, after=after, limit=limit + 1, match=match
        )
        if match and order != "rank":  # ranked pages come with their score and snippet
            ranking.annotate(connection, rows[:limit], match)
        total = queries.count_documents(connection, filters=filters, match=match) if params.count else None
        return rows, total

    def answer(rows: list[dict[str, Any]], total: int | None) -> Answer:
        items = rows[:limit]
        last = items[-1] if len(rows) > limit else None
        next_cursor = encode_cursor(order, last["sort_key"], last["seq"]) if last is not None else None
        for item in items:
            item.pop("sort_key")
        links, headers = next_page(request, next_cursor)
        payload: dict[str, Any] = {"ok": True, "items": items, **links}
        if total is not None:
            payload["count"] = total
        return answered(payload, headers)

    def page(dialect: str) -> Plan[Answer]:  # no search: the hot path, its answer built where it is read
        rows = yield from queries.list_plan(
            dialect, filters=filters, sort=order, after=after, limit=limit + 1
        )
        total = (yield from queries.count_plan(dialect, filters=filters)) if params.count else None
        return answer(rows, total)

    # SQLite: only an unfiltered page is read inline (off an index: its cost does not grow with the store); a
    # filtered one or a count may read every row to find its page, which would block the event loop meanwhile,
    # and goes to the thread pool as searches do. PostgreSQL: the hot reads' thread builds the body and its ETag
    # too (store.reads.ThreadReads), and the loop only sends it: one hand-over of the GIL each way a request
    slow = params.count or not filters.none()
    if match:
        found = answer(*await read(request, query, slow=True))
    else:
        found = await run_plan(request, page, slow=slow)
    return send(request, found)


def _export_rows(request: Request, params: ExportParams) -> Iterator[dict[str, Any]]:
    return export.export_rows(
        request.app.state.engine, filters=params.filters(), match=search_match(request, params.q)
    )


def _csv(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    lines = export.csv_lines(rows)
    yield ("\ufeff" + next(lines)).encode("utf-8")  # BOM: spreadsheets then read UTF-8 Chinese correctly
    for line in lines:
        yield line.encode("utf-8")


@router.get(
    "/documents.jsonl",
    responses=ERRORS,
    response_class=StreamingResponse,
    openapi_extra={
        **example("documents_jsonl", media_type="application/x-ndjson"),
        **openapi_parameters(ExportParams),
    },
)
async def export_jsonl(request: Request) -> StreamingResponse:
    """Every matching document, one JSON object a line, streamed in ingest order."""
    rows = _export_rows(request, parse(ExportParams, request))
    return StreamingResponse(export.jsonl_lines(rows), media_type="application/x-ndjson")


@router.get(
    "/documents.csv",
    responses=ERRORS,
    response_class=StreamingResponse,
    openapi_extra={**example("documents_csv", media_type="text/csv"), **openapi_parameters(ExportParams)},
)
async def export_csv(request: Request) -> StreamingResponse:
    """Every matching document as CSV (UTF-8 with BOM), streamed in ingest order."""
    return StreamingResponse(
        _csv(_export_rows(request, parse(ExportParams, request))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="documents.csv"'},
    )


def lookup(connection: Connection, document_id: str, *, with_sightings: bool = False) -> dict[str, Any]:
    _check_id(document_id)
    try:
        find = queries.document_with_sightings if with_sightings else queries.get_document
        document = find(connection, document_id)
    except AmbiguousPrefix as exc:
        raise _ambiguous(document_id, exc) from exc
    return _found(document_id, document)


def _check_id(document_id: str) -> None:
    if not _ID.match(document_id):
        raise BadRequest(
            "a document id is 64 hex characters, or a unique prefix of at least 8 (e.g. 16 from a file name)"
        )


def _ambiguous(document_id: str, exc: AmbiguousPrefix) -> Conflict:
    return Conflict(f"id prefix {document_id!r} is ambiguous: use more characters", exc.matches)


def _found(document_id: str, document: dict[str, Any] | None) -> dict[str, Any]:
    if document is None:
        raise NotFound(f"no document with id {document_id!r}")
    return document


@router.get(
    "/documents/{document_id}.txt",
    responses=ERRORS,
    response_class=Response,
    openapi_extra=example("document_text", media_type="text/plain"),
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
    _check_id(document_id)
    try:  # no dependency machinery on the hottest path
        found = await run_plan(
            request, lambda dialect: queries.document_plan(document_id, with_sightings=True, dialect=dialect)
        )
    except AmbiguousPrefix as exc:
        raise _ambiguous(document_id, exc) from exc
    document = _found(document_id, found)
    document.pop("provenance", None)
    return json_response(request, {"ok": True, **document})


async def _get_document_plain(request: Request) -> Response:
    if request.query_params:  # the FastAPI twin's app-wide check (api.params.known_parameters), done here
        reject_unknown(request.query_params.keys(), ())
    return await get_document(request, request.path_params["document_id"])


class _HexId(Convertor[str]):
    """A document id or prefix in a path: a ``.txt`` path or a malformed id goes on to the FastAPI routes."""

    regex = "[0-9a-fA-F]{8,64}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("fazhi_hex_id", _HexId())

# The hottest reads as plain Starlette routes, mounted by create_app ahead of the routers; their FastAPI twins above
# stay for the OpenAPI document (and answer what these leave: a malformed id's 400). These handlers take the
# request alone (they parse their own parameters): FastAPI's per-request machinery, an included router's above
# all, cost about 90 µs of a doc-by-id's 230 on SQLite (bench/api.py). Errors are the app's, as everywhere.
PLAIN_ROUTES = [
    Route("/documents", get_documents, methods=["GET"]),
    Route("/documents/{document_id:fazhi_hex_id}", _get_document_plain, methods=["GET"]),
]
