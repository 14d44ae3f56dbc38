"""The API's small promises: a parameter it does not take is a 400 naming it, HEAD answers like GET without a body,
a document says ``ok``, provinces by their short names, the OpenAPI document describes the real 400, recrawl
bodies are checked, and the exports are the CLI's exporter byte for byte."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest
from pydantic import SecretStr

from api import create_app
from api.config import ApiConfig
from ingest.tokens import tokenize
from store.export import export_csv, export_jsonl
from tests.servers import running_app

pytestmark = pytest.mark.integration
TOKEN = "gaps-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def api(crawled: tuple[Any, list[Any]]) -> Iterator[str]:
    with running_app(
        create_app(engine=crawled[0], config=ApiConfig(search_words=tokenize, api_token=SecretStr(TOKEN)))
    ) as base:
        yield base


def _first_id(api: str) -> str:
    return str(httpx.get(f"{api}/documents", params={"limit": 1}).json()["items"][0]["id"])


@pytest.mark.parametrize(
    ("path", "wrong", "nearest"),
    [
        ("/documents", "provice", "province"),
        ("/documents.jsonl", "reportyear", "report_year"),
        ("/documents.csv", "agnecy", "agency"),
        ("/changes", "sinse", "since"),
        ("/stats", "province", None),
        ("/healthz", "verbose", None),
    ],
)
def test_an_unknown_query_parameter_is_a_400_naming_it(
    api: str, path: str, wrong: str, nearest: str | None
) -> None:
    response = httpx.get(f"{api}{path}", params={wrong: "广东省"})
    body = response.json()
    assert response.status_code == 400 and body["status"] == 400 and body["ok"] is False
    assert f"unknown query parameter {wrong!r}" in body["error"]
    if nearest:
        assert f"did you mean {nearest!r}?" in body["error"]
    assert body["errors"] == [
        {"loc": ["query", wrong], "msg": "unknown parameter", "type": "unknown_parameter"}
    ]


def test_an_unknown_parameter_on_one_document_is_a_400(api: str) -> None:
    response = httpx.get(f"{api}/documents/{_first_id(api)}", params={"fields": "title"})
    assert response.status_code == 400 and "'fields'" in response.json()["error"]


def test_known_parameters_still_work(api: str) -> None:
    assert httpx.get(f"{api}/changes", params={"since": 0, "limit": 2}).status_code == 200
    assert httpx.get(f"{api}/documents", params={"limit": 2, "count": "true"}).json()["count"] == 5


@pytest.mark.parametrize(
    "path", ["/documents", "/documents/{id}", "/documents/{id}.txt", "/healthz", "/stats"]
)
def test_head_answers_like_get_without_a_body(api: str, path: str) -> None:
    url = api + path.format(id=_first_id(api))
    get, head = httpx.get(url), httpx.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers.get("etag") == get.headers.get("etag")


def test_head_of_an_export_and_of_a_missing_document(api: str) -> None:
    assert httpx.head(f"{api}/documents.csv").status_code == 200
    missing = httpx.head(f"{api}/documents/{'0' * 64}")
    assert missing.status_code == 404 and missing.content == b""


def test_a_document_says_ok_like_the_lists(api: str) -> None:
    document = httpx.get(f"{api}/documents/{_first_id(api)}").json()
    assert document["ok"] is True and document["body"]


@pytest.mark.parametrize(("short", "full"), [("广东", "广东省"), ("浙江", "浙江省")])
def test_a_province_by_its_short_name(api: str, short: str, full: str) -> None:
    by_full = httpx.get(f"{api}/documents", params={"province": full}).json()["items"]
    by_short = httpx.get(f"{api}/documents", params={"province": short}).json()["items"]
    assert by_full and [i["id"] for i in by_short] == [i["id"] for i in by_full]
    exported = httpx.get(f"{api}/documents.jsonl", params={"province": short}).text.splitlines()
    assert len(exported) == len(by_full)


def test_openapi_describes_the_real_400(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    assert "HTTPValidationError" not in str(spec) and "'422'" not in str(spec)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert "400" in operation["responses"], (method, path)
    schema = {**spec["components"]["schemas"]["ErrorBody"], "components": spec["components"]}
    real = httpx.get(f"{api}/documents", params={"limit": 0}).json()
    jsonschema.validate(real, schema)
    assert real["error"] == "invalid query.limit: Input should be greater than or equal to 1"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"source": ["hedong"]}, "unknown key 'source' (did you mean 'sources'?)"),
        ({"sources": []}, "an empty list names no source"),
        ({"sources": ["hedng"]}, "unknown source(s): hedng"),
    ],
)
def test_a_recrawl_body_is_checked(api: str, body: dict[str, Any], expected: str) -> None:
    response = httpx.post(f"{api}/-/recrawl", headers=AUTH, json=body)
    assert response.status_code == 400 and expected in response.json()["error"], response.text


def test_exports_are_the_cli_exporter_byte_for_byte(crawled: tuple[Any, list[Any]], api: str) -> None:
    db = crawled[0]
    jsonl = io.BytesIO()
    export_jsonl(db, jsonl)
    assert httpx.get(f"{api}/documents.jsonl").content == jsonl.getvalue()
    assert b'+00:00"' not in jsonl.getvalue() and b'Z"' in jsonl.getvalue()
    text = io.StringIO()
    export_csv(db, text)
    served = httpx.get(f"{api}/documents.csv").content.decode("utf-8")
    assert served == "\ufeff" + text.getvalue()
    rows = list(csv.DictReader(io.StringIO(text.getvalue())))
    assert {"signer", "addressee", "cc", "keywords", "attachment_names", "attachments"} <= set(rows[0])
    hedong = next(r for r in rows if r["source_name"] == "hedong")
    assert hedong["attachment_names"] and hedong["attachments"].endswith(".pdf")
    assert any(r["keywords"] for r in rows)  # the crawl stored keywords (tests.conftest.crawl: 4 a document)


def test_every_endpoint_has_an_example(api: str) -> None:
    spec = httpx.get(f"{api}/openapi.json").json()
    missing = set()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            if not any("example" in c or "examples" in c for c in success.get("content", {}).values()):
                missing.add((method, path))
    assert missing == set()
