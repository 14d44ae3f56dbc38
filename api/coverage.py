"""``/coverage`` (and ``/coverage.csv``): per expected agency and due report year, ``on_time | late | missing``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.engine import Connection

from api.deps import read
from api.errors import BadRequest
from api.params import openapi_parameters, parse
from api.report_schemas import CoveragePage
from api.responses import cached, json_response
from api.schemas import ERRORS, NO_NUL, example
from store.coverage import CoverageFilters, coverage_csv, coverage_rows, declared

router = APIRouter(tags=["coverage"])


class CoverageParams(BaseModel):
    source_name: str | None = Field(None, max_length=64, pattern=NO_NUL, description="the source's name")
    province: str | None = Field(None, max_length=32, pattern=NO_NUL, examples=["广东省"])
    city: str | None = Field(None, max_length=32, pattern=NO_NUL)
    agency: str | None = Field(None, max_length=100, pattern=NO_NUL)
    report_year: int | None = Field(None, ge=1949, le=2100, description="the year reported on")
    status: Literal["on_time", "late", "missing"] | None = None
    as_of: str | None = Field(
        None,
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        json_schema_extra={"format": "date"},  # as published_after: a calendar date, not only its shape
        description="YYYY-MM-DD: the years due by then (default today)",
    )

    def filters(self) -> CoverageFilters:
        return CoverageFilters(
            source_name=self.source_name,
            province=self.province,
            city=self.city,
            agency=self.agency,
            report_year=self.report_year,
            status=self.status,
        )

    def today(self) -> date:
        if self.as_of is None:
            return datetime.now(UTC).date()
        try:
            return date.fromisoformat(self.as_of)
        except ValueError as exc:
            raise BadRequest(f"as_of={self.as_of!r} is not a calendar date (YYYY-MM-DD)") from exc


async def _rows(request: Request) -> tuple[date, list[dict[str, Any]]]:
    params = parse(CoverageParams, request)
    today, filters = params.today(), params.filters()

    def query(connection: Connection) -> list[dict[str, Any]]:
        return coverage_rows(connection, declared(connection), today=today, filters=filters)

    return today, await read(request, query, slow=True)


@router.get(
    "/coverage",
    response_model=CoveragePage,
    responses=ERRORS,
    openapi_extra={**openapi_parameters(CoverageParams), **example("coverage")},
)
async def get_coverage(request: Request) -> Response:
    """Every expected agency (declared by a source's ``agencies``, or seen publishing) × every report year from its
    first (``since``, or the first seen) to the latest already due: ``on_time``, ``late`` or ``missing``, with the
    document that shows it."""
    today, rows = await _rows(request)
    return json_response(request, {"ok": True, "as_of": today, "rows": rows})


@router.get(
    "/coverage.csv",
    responses=ERRORS,
    response_class=Response,
    openapi_extra={**openapi_parameters(CoverageParams), **example("coverage_csv", media_type="text/csv")},
)
async def get_coverage_csv(request: Request) -> Response:
    """The rows of ``/coverage`` as CSV (UTF-8 with BOM)."""
    _today, rows = await _rows(request)
    return cached(request, coverage_csv(rows).encode("utf-8"), media_type="text/csv; charset=utf-8")
