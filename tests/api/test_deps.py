"""Where the API's reads run (``api.deps``), through uvicorn on 127.0.0.1: on SQLite an unfiltered page and a
document are read inline on the event loop (they cost what an index read costs, whatever the store's size); a
filtered page or a count, whose cost may grow with every row, in the thread pool, so that the loop keeps serving
meanwhile, and at most ``SQLITE_THREADS`` of them at once. PostgreSQL's hot reads run in threads of their own
(store.reads.ThreadReads), never on the loop."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

import store.queries
from api import create_app
from api import deps as api_deps
from api import reports as reports_api
from api import responses as api_responses
from fazhi.settings import Settings
from store import Document, write_session
from store.documents import upsert_document
from tests.servers import running_app

pytestmark = pytest.mark.integration


def _on_the_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _two_documents(db: Engine) -> None:
    with write_session(db) as session:
        for n in range(2):
            document = Document(
                id=f"{n + 1:x}" * 64,
                title=f"报告{n}",
                body=f"正文{n}",
                url=f"http://127.0.0.2/{n}.html",
                source_name="deps",
                province="广东省",
            )
            upsert_document(session=session, document=document)


@pytest.fixture
def api(db: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[bool]]]:
    """The app over two documents, and where each read ran (True: on the event loop), in order."""
    if db.dialect.name != "sqlite":
        pytest.skip("SQLite only: its reads are the ones run inline")
    _two_documents(db)
    ran: list[bool] = []
    list_plan, document_plan = store.queries.list_plan, store.queries.document_plan
    list_reports = reports_api.list_reports

    def spied_plan(*args: Any, **kwargs: Any) -> Any:
        ran.append(_on_the_loop())  # a generator: this runs where the plan is run
        return (yield from list_plan(*args, **kwargs))

    def spied_document(*args: Any, **kwargs: Any) -> Any:
        ran.append(_on_the_loop())
        return (yield from document_plan(*args, **kwargs))

    def spied_reports(*args: Any, **kwargs: Any) -> Any:
        ran.append(_on_the_loop())
        return list_reports(*args, **kwargs)

    monkeypatch.setattr(store.queries, "list_plan", spied_plan)
    monkeypatch.setattr(store.queries, "document_plan", spied_document)
    monkeypatch.setattr(reports_api, "list_reports", spied_reports)
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        yield base, ran


@pytest.mark.parametrize(
    ("path", "params", "inline"),
    [
        ("/documents", {}, True),
        ("/documents", {"sort": "-publish_date", "limit": 1}, True),
        ("/documents", {"county": "某县"}, False),  # no index: every row read
        ("/documents", {"missing": "measures"}, False),
        ("/documents", {"published_after": "2024-01-01", "sort": "report_year"}, False),
        ("/documents", {"province": "广东省"}, False),
        ("/documents", {"count": "true"}, False),
        ("/reports", {}, True),
        ("/reports", {"county": "某县"}, False),
    ],
)
def test_only_reads_that_do_not_grow_with_the_store_run_on_the_event_loop(
    api: tuple[str, list[bool]], path: str, params: dict[str, str], inline: bool
) -> None:
    base, ran = api
    response = httpx.get(f"{base}{path}", params=params)
    assert response.status_code == 200, response.text
    assert ran == [inline]


def test_stats_are_counted_off_the_event_loop(
    api: tuple[str, list[bool]], monkeypatch: pytest.MonkeyPatch
) -> None:
    base, ran = api
    stats = store.queries.stats

    def spied(connection: Any) -> Any:
        ran.append(_on_the_loop())
        return stats(connection)

    monkeypatch.setattr(store.queries, "stats", spied)
    assert httpx.get(f"{base}/stats").json()["documents"] == 2
    assert ran == [False]


def test_a_document_is_read_on_the_event_loop(api: tuple[str, list[bool]]) -> None:
    base, ran = api
    assert httpx.get(f"{base}/documents/{'1' * 64}").json()["id"] == "1" * 64
    assert ran == [True]


def test_sqlite_threaded_reads_run_at_most_so_many_at_once(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Filtered pages (threaded on SQLite) asked for at once run one after the other with a limit of one."""
    if db.dialect.name != "sqlite":
        pytest.skip("SQLite only: the limit is of its threaded reads")
    monkeypatch.setattr(api_deps, "SQLITE_THREADS", 1)
    active, most, guard = [0], [0], threading.Lock()
    list_plan = store.queries.list_plan

    def slow_plan(*args: Any, **kwargs: Any) -> Any:
        with guard:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.1)  # long enough for the other requests to arrive meanwhile
        with guard:
            active[0] -= 1
        return (yield from list_plan(*args, **kwargs))

    monkeypatch.setattr(store.queries, "list_plan", slow_plan)
    with (
        running_app(create_app(engine=db, config=Settings().api_config())) as base,
        ThreadPoolExecutor(4) as pool,
    ):
        answers = list(
            pool.map(lambda _: httpx.get(f"{base}/documents", params={"county": "某县"}), range(4))
        )
    assert [a.status_code for a in answers] == [200] * 4
    assert most[0] == 1


def test_postgres_hot_reads_run_in_threads_of_their_own(db: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: a list page and a document are read in the hot reads' threads (store.reads.ThreadReads), not on
    the event loop, whose one thread a shared machine gives its slice and no more (see ThreadReads)."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads these inline")
    _two_documents(db)
    threads: list[str] = []
    list_plan, document_plan = store.queries.list_plan, store.queries.document_plan

    def spied_plan(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)  # a generator: this runs where the plan is run
        return (yield from list_plan(*args, **kwargs))

    def spied_document(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return (yield from document_plan(*args, **kwargs))

    monkeypatch.setattr(store.queries, "list_plan", spied_plan)
    monkeypatch.setattr(store.queries, "document_plan", spied_document)
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        assert [item["id"] for item in httpx.get(f"{base}/documents").json()["items"]] == ["1" * 64, "2" * 64]
        assert httpx.get(f"{base}/documents/{'2' * 64}").json()["title"] == "报告1"
    assert len(threads) == 2
    assert all(name.startswith("fazhi-read") for name in threads), threads


def test_postgres_list_page_answer_is_built_in_the_read_thread(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a list page's JSON body and its ETag are made in the hot read's thread too, so that the event
    loop only sends it (one hand-over of the GIL each way a request); the answer is the same, 304 included."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite reads these inline")
    _two_documents(db)
    threads: list[str] = []
    dumps = api_responses.dumps

    def spied_dumps(payload: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return dumps(payload)

    monkeypatch.setattr(api_responses, "dumps", spied_dumps)
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        first = httpx.get(f"{base}/documents", params={"limit": 1})
        again = httpx.get(
            f"{base}/documents", params={"limit": 1}, headers={"If-None-Match": first.headers["etag"]}
        )
    assert first.status_code == 200 and again.status_code == 304
    assert first.json()["items"][0]["id"] == "1" * 64 and first.json()["next"]
    assert first.headers["etag"] == api_responses.etag_of(first.content) == again.headers["etag"]
    assert len(threads) == 2
    assert all(name.startswith("fazhi-read") for name in threads), threads


def test_postgres_slow_plans_run_apart_from_the_hot_reads(
    db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a filtered page and a count (plans whose cost grows with the store) run in threads of their own,
    so that the hot reads' few threads are never all held up by them."""
    if db.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite sends these to anyio's thread pool")
    _two_documents(db)
    threads: list[str] = []
    list_plan = store.queries.list_plan

    def spied_plan(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return (yield from list_plan(*args, **kwargs))

    monkeypatch.setattr(store.queries, "list_plan", spied_plan)
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        hot = httpx.get(f"{base}/documents").json()
        filtered = httpx.get(f"{base}/documents", params={"county": "某县"}).json()
        counted = httpx.get(f"{base}/documents", params={"count": "true"}).json()
    assert len(hot["items"]) == 2 and counted["count"] == 2 and filtered["ok"]
    assert len(threads) == 3
    assert threads[0].startswith("fazhi-read_"), threads
    assert all(name.startswith("fazhi-read-slow_") for name in threads[1:]), threads
