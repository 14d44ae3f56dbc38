"""Operator endpoints (``/-/…``, bearer token) and ``/metrics`` (Prometheus text).

A recrawl is a row in the store that the scheduler takes within seconds: the API never imports the crawler and
never changes state on GET.
"""

from __future__ import annotations

import difflib
import hmac
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select

from api.deps import ConnectionDep
from api.errors import ApiError, BadRequest
from api.responses import json_response
from api.schemas import NO_NUL, ErrorBody, example
from store.models import SourceState
from store.operator import frontier_size, health_by_source, request_recrawl, runs_page, sources_health

router = APIRouter(prefix="/-", tags=["operator"])
_bearer = HTTPBearer(auto_error=False, description="FAZHI_API_TOKEN")
OPERATOR_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "bad parameters, an unknown key or source name, an empty list"},
    413: {"model": ErrorBody, "description": "request body over 8 KB (read no further)"},
    401: {"model": ErrorBody, "description": "no bearer token"},
    403: {"model": ErrorBody, "description": "wrong token, or operator endpoints not configured"},
}


class Unauthorized(ApiError):
    status = 401


class Forbidden(ApiError):
    status = 403


def operator_denial(settings: Any, authorization: str | None) -> ApiError | None:
    """Why a request with this ``Authorization`` header may not use operator endpoints (``None``: it may).
    Checked before the body is read (``api.guard``) and again by the routes."""
    token = settings.api_token
    if token is None or not token.get_secret_value():  # unset, or set to "" (compose's default)
        return Forbidden(
            "operator endpoints are off: set FAZHI_API_TOKEN for the service, then send "
            "'Authorization: Bearer <token>'"
        )
    scheme, _, credentials = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return Unauthorized("send 'Authorization: Bearer <FAZHI_API_TOKEN>'")
    if not hmac.compare_digest(credentials.strip().encode(), token.get_secret_value().encode()):
        return Forbidden("wrong token")
    return None


def require_operator(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    header = f"Bearer {credentials.credentials}" if credentials else None
    denial = operator_denial(request.app.state.settings, header)
    if denial is not None:
        raise denial


Operator = Depends(require_operator)


SOURCE_NAME = r"^[a-z0-9][a-z0-9_-]{0,63}$"  # as in a sources file


class RecrawlBody(BaseModel):
    """At most 100 names: the largest valid body stays under the request body limit (``api.guard``). An empty
    list is refused (it would otherwise read as "every source"), and so is any other key."""

    model_config = ConfigDict(extra="forbid")
    sources: list[Annotated[str, Field(pattern=SOURCE_NAME)]] | None = Field(
        None,
        max_length=100,
        json_schema_extra={"minItems": 1},
        description="source names; omitted: every source",
    )

    @field_validator("sources")
    @classmethod
    def _some(cls, names: list[str] | None) -> list[str] | None:
        if names is not None and not names:
            raise ValueError(
                "an empty list names no source: name one or more, or send {} to recrawl every source"
            )
        return names

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise ValueError(f"unknown key {key!r}{_nearest(str(key), cls.model_fields)}")
        return data


def declare_sources(app: FastAPI, names: Sequence[str] | None) -> None:
    """State the deployment's source names in the OpenAPI document, as the enum of the recrawl body's names: a
    name the deployment does not have is outside the schema (and still a 400 that lists the known ones)."""
    if names is None:
        return
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        field = schema["components"]["schemas"]["RecrawlBody"]["properties"]["sources"]
        lists = [choice for choice in field["anyOf"] if choice.get("type") == "array"]
        if names:
            for choice in lists:
                choice["items"]["enum"] = sorted(names)
        else:  # no source to name: only "every source" (none) is left
            field["anyOf"] = [choice for choice in field["anyOf"] if choice not in lists]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _nearest(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class RecrawlAccepted(BaseModel):
    ok: bool = True
    requested: list[str]
    request_ids: list[int]


@router.post(
    "/recrawl",
    response_model=RecrawlAccepted,
    status_code=202,
    responses=OPERATOR_ERRORS,
    dependencies=[Operator],
    openapi_extra=example("recrawl", status="202"),
)
def post_recrawl(request: Request, connection: ConnectionDep, body: RecrawlBody | None = None) -> Response:
    """Ask the scheduler to crawl now (all sources, or the named ones: the deployment's, listed in the body
    schema). A source already crawling is not crawled twice at once."""
    configured = request.app.state.settings.sources
    if configured is not None:
        known = set(configured)
    else:  # a deployment that does not state its sources: the names the store knows
        known = {r[0] for r in connection.execute(select(SourceState.source_name))}  # type: ignore[call-overload]
    names = sorted(set(body.sources)) if body and body.sources else sorted(known)
    unknown = [n for n in names if n not in known]
    if unknown:
        hint = "".join(_nearest(n, known) for n in unknown[:1])
        raise BadRequest(
            f"unknown source(s): {', '.join(unknown)}{hint}; known: {', '.join(sorted(known)) or 'none yet'}",
            [{"known": sorted(known)}],
        )
    connection.close()
    ids = request_recrawl(request.app.state.engine, names)
    response = json_response(request, {"ok": True, "requested": names, "request_ids": ids})
    response.status_code = 202
    return response


@router.get("/runs", responses=OPERATOR_ERRORS, dependencies=[Operator], openapi_extra=example("runs"))
def get_runs(
    request: Request,
    connection: ConnectionDep,
    before: Annotated[
        int | None, Query(ge=1, lt=2**62, description="`next_before` of the previous page")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    source_name: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
) -> Response:
    """Crawl runs, newest first: trigger, start, end, the worker (host:pid) that ran it, pages by outcome,
    failures by reason, documents."""
    runs = runs_page(connection, before=before, limit=limit + 1, source_name=source_name)
    page = runs[:limit]
    next_before = page[-1]["id"] if len(runs) > limit else None
    return json_response(request, {"ok": True, "runs": page, "next_before": next_before})


@router.get("/sources", responses=OPERATOR_ERRORS, dependencies=[Operator], openapi_extra=example("sources"))
def get_sources(request: Request, connection: ConnectionDep) -> Response:
    """Per source: last success, last error, consecutive failures, next scheduled run, documents held, and its
    health (``state`` healthy/unhealthy, ``reason``, ``message`` naming the URL and what to do, ``since``)."""
    return json_response(request, {"ok": True, "sources": sources_health(connection)})


metrics_router = APIRouter(tags=["service"])


@metrics_router.get(
    "/metrics", response_class=Response, openapi_extra=example("metrics", media_type="text/plain")
)
def get_metrics(connection: ConnectionDep) -> Response:
    """Prometheus text: this process's fetches, bytes, latencies, documents, runs; the store's frontier size and
    each source's health (``fazhi_source_healthy``, ``fazhi_source_health_reason``)."""
    frontier = GaugeMetricFamily(
        "fazhi_frontier_urls", "URLs in the crawl frontier, by state", labels=["state"]
    )
    for state, count in frontier_size(connection).items():
        frontier.add_metric([state], count)
    store_registry = CollectorRegistry()
    store_registry.register(_Fixed([frontier, *_health_families(connection)]))
    body = generate_latest(REGISTRY) + generate_latest(store_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def _health_families(connection: Any) -> list[GaugeMetricFamily]:
    """Per source, from the store (so every process agrees): 1 when its newest judged run found it healthy, and
    that run's reason (``ok``, ``start_http_4xx`` … see crawler.health) as a label of a gauge of value 1."""
    healthy = GaugeMetricFamily(
        "fazhi_source_healthy", "1 when the source's last run found it healthy, else 0", labels=["source"]
    )
    reasons = GaugeMetricFamily(
        "fazhi_source_health_reason",
        "the reason of the source's health at its last run (value 1; reason ok when healthy)",
        labels=["source", "reason"],
    )
    for name, (state, reason) in sorted(health_by_source(connection).items()):
        healthy.add_metric([name], 1.0 if state == "healthy" else 0.0)
        reasons.add_metric([name, reason], 1.0)
    return [healthy, reasons]


class _Fixed:
    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self.families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self.families
