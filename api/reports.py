"""``/reports``: one row per report (its latest version and how many there are), and one report's versions with
what changed between consecutive ones."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from pydantic import Field
from sqlalchemy.engine import Connection

from api import cursor as cursors
from api.deps import read
from api.errors import BadRequest, NotFound
from api.links import next_page
from api.params import MAX_LIMIT, FilterParams, openapi_parameters, parse
from api.report_schemas import ReportDetail, ReportsPage
from api.responses import json_response
from api.schemas import ERRORS, example
from store.reports import list_reports, report_versions

router = APIRouter(tags=["reports"])
_REPORT_ID = re.compile(r"^[0-9a-f]{64}$")


class ReportParams(FilterParams):
    limit: int = Field(
        50, ge=1, json_schema_extra={"maximum": MAX_LIMIT}, description=f"page size, at most {MAX_LIMIT}"
    )
    cursor: str | None = Field(
        None,
        max_length=cursors.MAX_LENGTH,
        # declared; api.cursor checks it with a clear message
        json_schema_extra=cursors.declare_seq_pattern,
        description="`next` of the previous page: `seq.<seq>` (api/cursor.py)",
    )


@router.get(
    "/reports",
    response_model=ReportsPage,
    responses=ERRORS,
    openapi_extra={**openapi_parameters(ReportParams), **example("reports_page")},
)
async def get_reports(request: Request) -> Response:
    """Reports in the ingest order of their latest version: that version's fields, ``versions`` (how many), and
    the filters of ``/documents`` (applied to the latest version), ``missing=<part>`` among them."""
    params = parse(ReportParams, request)
    if params.limit > MAX_LIMIT:
        raise BadRequest(
            f"limit {params.limit} is above the maximum of {MAX_LIMIT}: page with `next` instead"
        )
    after = cursors.seq_cursor(params.cursor)
    filters, limit = params.filters(), params.limit

    def query(connection: Connection) -> list[dict[str, Any]]:
        return list_reports(connection, filters=filters, after=after, limit=limit + 1)

    rows = await read(request, query, slow=not filters.none())  # as /documents: a filtered page off the loop
    items = rows[:limit]
    next_cursor = cursors.encode_cursor("seq", None, items[-1]["seq"]) if len(rows) > limit else None
    links, headers = next_page(request, next_cursor)  # as /documents': from FAZHI_PUBLIC_URL, else relative
    return json_response(request, {"ok": True, "items": items, **links}, headers)


@router.get(
    "/reports/{report_id}", response_model=ReportDetail, responses=ERRORS, openapi_extra=example("report")
)
async def get_report(
    request: Request,
    report_id: Annotated[
        str,
        Path(
            json_schema_extra={"pattern": _REPORT_ID.pattern},  # declared; checked below with a clear message
            description="a report's id: its first version's document id (64 hex)",
        ),
    ],
) -> Response:
    """A report's versions in the order they were first seen, each with ``version_diff``: paragraphs added,
    removed and changed since the version before."""
    if not _REPORT_ID.match(report_id):
        raise BadRequest("a report id is 64 lowercase hex characters (its first version's document id)")
    versions = await read(request, lambda connection: report_versions(connection, report_id))
    if not versions:
        raise NotFound(f"no report with id {report_id!r}")
    latest = versions[-1]
    payload = {
        "ok": True,
        "report_id": report_id,
        "versions": versions,
        "latest": latest["id"],
        "first_seen": versions[0]["first_seen"],
    }
    return json_response(request, payload)
