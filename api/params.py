"""The query parameters of ``/documents`` and its exports, as models validated in one pydantic call.

FastAPI's own parameter handling inspects every declared parameter's annotation on every request: about 30 µs a
parameter, 400 µs for the list's thirteen, more than the query it serves (bench/api.py). These handlers take the
``Request`` and :func:`parse` its query string instead; :func:`openapi_parameters` puts the same parameters in the
OpenAPI document, and a bad value is the same 400 as FastAPI's (``RequestValidationError``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal, TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from api import cursor as cursors
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
    province: str | None = Field(
        None,
        max_length=32,
        pattern=NO_NUL,
        examples=["广东省"],
        description="full (广东省) or short (广东) name",
    )
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
            province=full_province(self.province),
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
        "rank (default with q: title matches first, then relevance; without q every document matches the "
        "empty search equally: newest first, as -seq)",
    )
    limit: int = Field(
        50, ge=1, json_schema_extra={"maximum": MAX_LIMIT}, description=f"page size, at most {MAX_LIMIT}"
    )
    cursor: str | None = Field(
        None,
        max_length=cursors.MAX_LENGTH,
        json_schema_extra=cursors.declare_pattern,  # declared; api.cursor checks it with a clear message
        description="`next` of the previous page: `<order>.<key>.<seq>` (api/cursor.py); its order wins over "
        "`sort`",
    )
    count: bool = Field(False, description="also return the total number of matches (costs a count)")


Params = TypeVar("Params", bound=BaseModel)


def parse(model: type[Params], request: Request) -> Params:
    """``model`` from the request's query string (the last value of a repeated parameter); a parameter the
    model does not have is a 400 naming it."""
    query = dict(request.query_params)
    reject_unknown(query, model.model_fields)
    try:
        return model.model_validate(query)
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


def reject_unknown(given: Iterable[str], allowed: Iterable[str]) -> None:
    """A 400 naming the parameters of ``given`` that are not ``allowed`` (with the nearest known name)."""
    known = sorted(allowed)
    unknown = [name for name in given if name not in known]
    if not unknown:
        return
    hints = []
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
    accepted = f"takes {', '.join(known)}" if known else "takes no query parameters"
    raise BadRequest(
        f"unknown query parameter {', '.join(hints)}: this endpoint {accepted}",
        [
            {"loc": ["query", name], "msg": "unknown parameter", "type": "unknown_parameter"}
            for name in unknown
        ],
    )


_ROUTE_PARAMETERS: dict[tuple[str, frozenset[str]], frozenset[str]] = {}  # by path and methods


def _route_parameters(route: Any) -> frozenset[str]:
    """The query parameters a FastAPI route declares, as its own or in its OpenAPI ``parameters``."""
    key = (route.path, frozenset(route.methods or ()))
    names = _ROUTE_PARAMETERS.get(key)
    if names is None:
        declared = {field.alias for field in route.dependant.query_params}
        extra = (route.openapi_extra or {}).get("parameters", [])
        declared |= {p["name"] for p in extra if p.get("in") == "query"}
        names = _ROUTE_PARAMETERS[key] = frozenset(declared)
    return names


async def known_parameters(request: Request) -> None:
    """App-wide dependency: a query parameter the route does not take is a 400, never silently ignored. The
    browser pages (``api.web``, outside the OpenAPI document) read their forms themselves and are left alone."""
    route = request.scope.get("route")
    if route is not None and route.include_in_schema and request.query_params:
        reject_unknown(request.query_params.keys(), _route_parameters(route))


# The 34 provincial-level divisions by their full names; a filter may give the short form (广东 for 广东省).
PROVINCES = [
    "北京市",
    "天津市",
    "上海市",
    "重庆市",
    "河北省",
    "山西省",
    "辽宁省",
    "吉林省",
    "黑龙江省",
    "江苏省",
    "浙江省",
    "安徽省",
    "福建省",
    "江西省",
    "山东省",
    "河南省",
    "湖北省",
    "湖南省",
    "广东省",
    "海南省",
    "四川省",
    "贵州省",
    "云南省",
    "陕西省",
    "甘肃省",
    "青海省",
    "台湾省",
    "内蒙古自治区",
    "广西壮族自治区",
    "西藏自治区",
    "宁夏回族自治区",
    "新疆维吾尔自治区",
    "香港特别行政区",
    "澳门特别行政区",
]
_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
SHORT_PROVINCES = {p.removesuffix(next(x for x in _SUFFIXES if p.endswith(x))): p for p in PROVINCES}


def full_province(name: str | None) -> str | None:
    """The full name of a province given by its short form (广东 → 广东省, 广西 → 广西壮族自治区); else ``name``."""
    return SHORT_PROVINCES.get(name, name) if name else name
