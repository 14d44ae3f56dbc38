"""Property-based checks of the API against its own OpenAPI document (bounded examples): no server error, every
response conforms to the schema, every schema-valid request is served (cursors, sort=rank without q and recrawl
names included: the schema states their rules), every error has the one error body."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import SecretStr
from schemathesis.config import SchemathesisConfig
from sqlalchemy import Engine

from api import create_app
from api.config import ApiConfig
from ingest.tokens import tokenize
from store import Document, write_session
from store.documents import upsert_document

# 413 (a body over the 8 KB limit, which no schema-valid body reaches) is a rejection too: schemathesis's default
# list of the statuses that reject a schema-violating request lacks it
REJECTIONS = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": REJECTIONS}}}
)


@pytest.fixture
def api_schema(db: Engine):  # type: ignore[no-untyped-def]
    """The API over a small store, on each backend."""
    with write_session(db) as session:
        for n in range(6):
            document = Document(
                id=f"{n:x}" * 64,
                title=f"第{n}号 2023年法治政府建设年度报告",
                body=f"依法行政 第{n}段",
                url=f"http://127.0.0.2/{n}.html",
                source_name="st",
                report_year=2020 + n % 3,
                province="广东省",
                publish_date=date(2024, 1, n + 1),
            )
            upsert_document(
                session=session, document=document, search_tokens=("法治 政府", f"依法 行政 第{n}段")
            )
    return schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(
            engine=db,
            config=ApiConfig(search_words=tokenize, api_token=SecretStr("st-token"), sources=("st", "other")),
        ),
        config=CONFIG,
    )


def test_api_conforms_to_its_schema(api_schema) -> None:  # type: ignore[no-untyped-def]
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            # every check, schemathesis's positive-data acceptance among them: no schema-valid request refused
            response = case.call_and_validate(headers={"Authorization": "Bearer st-token"})
            if response.status_code >= 400:
                body = response.json()
                assert (
                    body["ok"] is False
                    and body["status"] == response.status_code
                    and isinstance(body["errors"], list)
                )

        check()
