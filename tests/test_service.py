"""The service: operator recrawls through the API, run history, auth, missed runs, no concurrent crawls, metrics."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from fazhi.service import Crawls, Service, run_service
from fazhi.settings import Settings
from store import CrawlRun, write_session
from tests.netguard import loopback_only
from tests.servers import LoopThread, free_port

pytestmark = pytest.mark.integration
TOKEN = "s3cret-operator-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def service(
    portals: tuple[dict[str, Any], int], demo_sources: list[Any], db: Engine
) -> Iterator[dict[str, Any]]:
    settings = Settings(api_token=TOKEN, recrawl_poll_seconds=0.3, default_schedule="0 3 1 1 *", keywords=0)
    port = free_port()
    runner = LoopThread()
    with loopback_only():
        runner.submit(
            run_service(db=db, settings=settings, sources=demo_sources, host="127.0.0.1", port=port)
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz")
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        try:
            yield {"base": base, "db": db, "portals": portals[0]}
        finally:
            runner.stop()


def _wait_for_runs(
    base: str, count: int, source: str | None = None, timeout: float = 30
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        params = {"source_name": source} if source else {}
        runs = [
            r
            for r in httpx.get(f"{base}/-/runs", headers=AUTH, params=params).json()["runs"]
            if r["finished_at"]
        ]
        if len(runs) >= count:
            return runs
        time.sleep(0.2)
    raise AssertionError(f"fewer than {count} finished runs after {timeout} s")


@pytest.mark.parametrize(
    ("headers", "status", "says"),
    [({}, 401, "Authorization: Bearer"), ({"Authorization": "Bearer wrong"}, 403, "wrong token")],
)
def test_operator_endpoints_need_the_token(
    service: dict[str, Any], headers: dict[str, str], status: int, says: str
) -> None:
    for method, path in (("POST", "/-/recrawl"), ("GET", "/-/runs"), ("GET", "/-/sources")):
        response = httpx.request(method, f"{service['base']}{path}", headers=headers)
        body = response.json()
        assert response.status_code == status and body["status"] == status and body["ok"] is False
        assert says in body["error"]


@pytest.mark.parametrize("token", [None, ""])  # "" is what an unset ${FAZHI_API_TOKEN:-} becomes in compose
def test_without_a_configured_token_operator_endpoints_say_how_to_set_one(
    crawled: tuple[Any, list[Any]], token: str | None
) -> None:
    from api import create_app
    from tests.servers import running_app

    with running_app(create_app(engine=crawled[0], config=Settings(api_token=token).api_config())) as base:
        response = httpx.post(f"{base}/-/recrawl", headers=AUTH)
    assert response.status_code == 403 and "FAZHI_API_TOKEN" in response.json()["error"]


def test_recrawl_after_a_page_changed(service: dict[str, Any]) -> None:
    base, portal = service["base"], service["portals"]["jianghai"]
    assert (
        httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["jianghai-rsj"]}).status_code == 202
    )
    first = _wait_for_runs(base, 1, "jianghai-rsj")
    assert first[0]["trigger"] == "operator" and first[0]["stats"]["new"] == 1
    item = portal.reports()[0]
    original = portal.pages[item.path].body.decode()
    portal.replace_page(
        item.path, original.replace("2024年12月13日</p>", "2024年12月13日</p><p>(2025年1月修订)</p>")
    )
    try:
        started = time.monotonic()
        httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["jianghai-rsj"]})
        second = _wait_for_runs(base, 2, "jianghai-rsj")[0]
        assert time.monotonic() - started < 15
    finally:
        portal.replace_page(item.path, original)
    assert second["stats"]["new"] == 1  # the changed report: a new version
    assert second["stats"]["not_modified"] >= 1  # the unchanged decoy answered 304
    documents = httpx.get(f"{base}/documents").json()["items"]
    newest = httpx.get(f"{base}/documents/{documents[-1]['id']}").json()
    assert newest["body"].endswith("(2025年1月修订)") and len(newest["versions"]) == 1
    health = {s["source_name"]: s for s in httpx.get(f"{base}/-/sources", headers=AUTH).json()["sources"]}
    assert health["jianghai-rsj"]["last_success"] and health["jianghai-rsj"]["documents"] == 2
    assert health["jianghai-rsj"]["next_run"] and health["jianghai-rsj"]["consecutive_failures"] == 0


def test_requests_while_a_crawl_runs_do_not_start_a_second_one(service: dict[str, Any]) -> None:
    base = service["base"]
    for _ in range(3):
        httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["dongguan-rsj"]})
        time.sleep(0.4)  # the poll takes them one by one while the first crawl runs
    runs = _wait_for_runs(base, 1, "dongguan-rsj")
    time.sleep(3)
    runs = [
        r
        for r in httpx.get(f"{base}/-/runs", headers=AUTH, params={"source_name": "dongguan-rsj"}).json()[
            "runs"
        ]
    ]
    spans = sorted(
        (datetime.fromisoformat(r["started_at"]), datetime.fromisoformat(r["finished_at"] or r["started_at"]))
        for r in runs
    )
    assert len(runs) < 3  # requests that came while it ran did not each get a crawl
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(spans)), spans


def _counters(base: str) -> dict[str, float]:
    """new documents and list pages in this process's metrics (they are process-wide: compare deltas)."""
    families = {f.name: f for f in text_string_to_metric_families(httpx.get(f"{base}/metrics").text)}
    new = sum(
        s.value
        for s in families["fazhi_documents_ingested"].samples
        if s.name.endswith("_total") and s.labels["outcome"] == "new"
    )
    listed = sum(
        s.value
        for s in families["fazhi_pages"].samples
        if s.name.endswith("_total") and s.labels["kind"] == "list"
    )
    assert "fazhi_fetch_seconds" in families and "fazhi_frontier_urls" in families
    return {"new": new, "list_pages": listed}


def test_metrics_parse_and_agree_with_the_run_history(service: dict[str, Any]) -> None:
    base = service["base"]
    before = _counters(base)
    httpx.post(f"{base}/-/recrawl", headers=AUTH, json={"sources": ["huzhou-rsj", "hedong"]})
    runs = _wait_for_runs(base, 2)
    after = _counters(base)
    assert after["new"] - before["new"] == sum(r["stats"]["new"] for r in runs) == 2
    assert after["list_pages"] - before["list_pages"] == sum(r["stats"]["list_pages"] for r in runs)
    text = httpx.get(f"{base}/metrics").text
    assert 'fazhi_last_success_timestamp_seconds{source="hedong"}' in text


def test_a_run_due_while_down_runs_once_after_restart(
    portals: tuple[dict[str, Any], int], demo_sources: list[Any], db: Engine
) -> None:
    source = next(s for s in demo_sources if s.name == "hedong")
    with write_session(db) as session:  # the last run was two days ago; the schedule fires daily at 03:00
        session.add(
            CrawlRun(
                source_name="hedong",
                trigger="schedule",
                state="finished",
                started_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
    settings = Settings(default_schedule="0 3 * * *", keywords=0)

    async def start_once() -> list[str]:
        crawls = Crawls([source], db=db, settings=settings)
        service = Service(crawls, settings)
        service.start()  # looks for runs missed while down
        await asyncio.gather(*crawls.tasks)
        service.scheduler.shutdown(wait=False)
        return sorted(crawls.sources)

    with loopback_only():
        asyncio.run(start_once())
        asyncio.run(start_once())  # a restart right after: nothing is due any more
    with db.connect() as connection:
        from sqlalchemy import text

        triggers = [r[0] for r in connection.execute(text("SELECT trigger FROM crawl_runs ORDER BY id"))]
    assert triggers == ["schedule", "startup"]
