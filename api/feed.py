"""``/changes`` (the change feed: poll with ``since``, never miss a change) and ``/stats``."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import read
from api.errors import BadRequest
from api.responses import json_response
from api.schemas import ERRORS, ChangesPage, Stats, example
from store import queries
from store.changes import changes_since

router = APIRouter()
MAX_CHANGES = 1000


@router.get(
    "/changes",
    response_model=ChangesPage,
    responses=ERRORS,
    tags=["changes"],
    openapi_extra=example("changes"),
)
async def get_changes(
    request: Request,
    since: Annotated[
        int, Query(ge=0, lt=2**62, description="the `next_since` of your last call (0 at first)")
    ] = 0,
    limit: Annotated[
        int, Query(ge=1, description=f"at most {MAX_CHANGES}", json_schema_extra={"maximum": MAX_CHANGES})
    ] = 100,
) -> Response:
    """Every create and update, in order. Loop on ``next_since``: each change is seen exactly once."""
    if limit > MAX_CHANGES:
        raise BadRequest(f"limit {limit} is above the maximum of {MAX_CHANGES}")
    changes = await read(request, partial(changes_since, since=since, limit=limit))
    next_since = changes[-1]["seq"] if changes else since
    return json_response(request, {"ok": True, "changes": changes, "next_since": next_since})


@router.get("/stats", response_model=Stats, responses=ERRORS, tags=["stats"], openapi_extra=example("stats"))
async def get_stats(request: Request) -> Response:
    """Documents by report year × province, and per source the years found."""
    # counts over every document, off the event loop (store.queries.stats on the store of bench/api.py, SQLite:
    # 91 ms at 20k documents, load 3.9)
    return json_response(request, {"ok": True, **await read(request, queries.stats, slow=True)})
