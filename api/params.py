"""The query parameters of ``/documents`` and its exports, as models validated in one pydantic call.

FastAPI's own parameter handling inspects every declared parameter's annotation on every request: about 30 µs a
parameter, 400 µs for the list's thirteen, more than the query it serves (bench/api.py). These handlers take the
``Request`` and :func:`parse` its query string instead; :func:`openapi_parameters` puts the same parameters in the
OpenAPI document, and a bad value is the same 400 as FastAPI's (``RequestValidationError``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from api.errors import BadRequest
from api.schemas import NO_NUL
from store import queries

MAX_LIMIT = 200
Part = Literal["measures", "shortcomings", "leader_duties", "next_year", "other"]  # store.reports.PARTS
Sort = Literal["seq", "-seq", "publish_date", "-publish_date", "report_year", "-report_year", "rank"]
# a date is written YYYY-MM-DD: pydantic's lax date parsing would also take "0" (a Unix timestamp)
_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _iso_date(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest(f"{name}={value!r} is not a calendar date (YYYY-MM-DD)") from exc


class FilterParams(BaseModel):
    source_name: str | None = Field(None, max_length=64, pattern=NO_NUL, description="the source's name")
    report_year: int | None = Field(None, ge=1949, le=2100, description="the year reported on")
    province: str | None = Field(None, max_length=32, pattern=NO_NUL, examples=["广东省"])
    city: str | None = Field(None, max_length=32, pattern=NO_NUL)
    county: str | None = Field(None, max_length=32, pattern=NO_NUL)
    agency: str | None = Field(None, max_length=100, pattern=NO_NUL)
    published_after: str | None = Field(
        None, pattern=_DATE, json_schema_extra={"format": "date"}, description="YYYY-MM-DD, inclusive"
    )
    published_before: str | None = Field(
        None, pattern=_DATE, json_schema_extra={"format": "date"}, description="YYYY-MM-DD, inclusive"
    )
    missing: Part | None = Field(None, description="only reports that lack this required part")

    def filters(self) -> queries.Filters:
        after = _iso_date("published_after", self.published_after)
        before = _iso_date("published_before", self.published_before)
        # after > before is a range with nothing in it: an empty page, like any filter that matches nothing
        return queries.Filters(
            source_name=self.source_name,
            report_year=self.report_year,
            province=self.province,
            city=self.city,
            county=self.county,
            agency=self.agency,
            published_after=after,
            published_before=before,
            missing=self.missing,
        )


# declared (not validated: search_match says why better): at least one letter or digit, the words a search needs
SEARCHABLE = (
    r"^[^\x00]*[0-9A-Za-z_\u00c0-\u024f\u0370-\u04ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
    r"\uf900-\ufaff][^\x00]*$"
)


class ExportParams(FilterParams):
    q: str | None = Field(
        None,
        max_length=200,
        pattern=NO_NUL,
        json_schema_extra={"pattern": SEARCHABLE},
        description="full-text search (Chinese: jieba words)",
    )


class ListParams(ExportParams):
    sort: Sort | None = Field(
        None,
        description="seq (ingest order, default), publish_date, report_year, a leading - for descending; "
        "rank (default with q: title matches first, then relevance)",
    )
    limit: int = Field(
        50, ge=1, json_schema_extra={"maximum": MAX_LIMIT}, description=f"page size, at most {MAX_LIMIT}"
    )
    cursor: str | None = Field(None, max_length=300, description="`next` of the previous page")
    count: bool = Field(False, description="also return the total number of matches (costs a count)")


Params = TypeVar("Params", bound=BaseModel)


def parse(model: type[Params], request: Request) -> Params:
    """``model`` from the request's query string (the last value of a repeated parameter)."""
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = [{**error, "loc": ("query", *error["loc"])} for error in exc.errors()]
        raise RequestValidationError(errors) from exc


_SCHEMA_ONLY = ("title", "description", "examples", "default")


def openapi_parameters(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model``'s fields as the operation's query parameters."""
    parameters = []
    for name, field in model.model_json_schema()["properties"].items():
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": False,
            "schema": {k: v for k, v in field.items() if k not in _SCHEMA_ONLY[1:]},
        }
        if "description" in field:
            parameter["description"] = field["description"]
        if "examples" in field:
            parameter["example"] = field["examples"][0]
        parameters.append(parameter)
    return {"parameters": parameters}
