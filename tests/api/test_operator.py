"""``POST /-/recrawl`` takes the deployment's source names, and the OpenAPI document states them: a name the
deployment does not have is outside the schema and a 400 that lists the known ones."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select

from api import create_app
from api.config import ApiConfig
from ingest.tokens import tokenize
from store.models import RecrawlRequest
from store.operator import set_next_runs
from tests.servers import running_app

pytestmark = pytest.mark.integration
AUTH = {"Authorization": "Bearer op-token"}


def _names_schema(spec: dict) -> dict:  # type: ignore[type-arg]
    return spec["components"]["schemas"]["RecrawlBody"]["properties"]["sources"]


def _requested(db: Engine) -> list[str]:
    table = RecrawlRequest.__table__  # type: ignore[attr-defined]
    with db.connect() as connection:
        return sorted(r[0] for r in connection.execute(select(table.c.source_name)))


def test_the_configured_sources_are_the_schemas_enum_and_what_is_taken(db: Engine) -> None:
    set_next_runs(db, {"gone": None})  # the store knows a source the deployment no longer has
    config = ApiConfig(
        search_words=tokenize, api_token=SecretStr("op-token"), sources=("hedong", "huzhou-rsj")
    )
    with running_app(create_app(engine=db, config=config)) as base:
        spec = httpx.get(f"{base}/openapi.json").json()
        [names] = [c for c in _names_schema(spec)["anyOf"] if c.get("type") == "array"]
        assert names["items"]["enum"] == ["hedong", "huzhou-rsj"]
        taken = httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["hedong"]})
        assert taken.status_code == 202 and taken.json()["requested"] == [
            "hedong"
        ]  # never crawled yet: taken
        every = httpx.post(f"{base}/-/recrawl", headers=AUTH, json={})
        assert every.status_code == 202 and every.json()["requested"] == ["hedong", "huzhou-rsj"]
        unknown = httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["gone"]})
    assert unknown.status_code == 400
    assert unknown.json()["error"] == "unknown source(s): gone; known: hedong, huzhou-rsj"
    assert _requested(db) == ["hedong", "hedong", "huzhou-rsj"]


def test_no_configured_source_leaves_only_every_source(db: Engine) -> None:
    config = ApiConfig(search_words=tokenize, api_token=SecretStr("op-token"), sources=())
    with running_app(create_app(engine=db, config=config)) as base:
        spec = httpx.get(f"{base}/openapi.json").json()
        assert _names_schema(spec)["anyOf"] == [{"type": "null"}]
        assert httpx.post(f"{base}/-/recrawl", headers=AUTH, json={}).json()["requested"] == []


def test_a_deployment_that_states_no_sources_takes_the_stores(db: Engine) -> None:
    set_next_runs(db, {"hedong": None})
    with running_app(
        create_app(engine=db, config=ApiConfig(search_words=tokenize, api_token=SecretStr("op-token")))
    ) as base:
        spec = httpx.get(f"{base}/openapi.json").json()
        assert all("enum" not in c.get("items", {}) for c in _names_schema(spec)["anyOf"])
        assert httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["hedong"]}).status_code == 202
        refused = httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["hedng"]})
    assert refused.status_code == 400 and "(did you mean 'hedong'?)" in refused.json()["error"]
