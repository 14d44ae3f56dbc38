"""The change feed under concurrent writers: a consumer looping on next_since sees every change exactly once."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from sqlalchemy import Engine

from api import create_app
from fazhi.settings import Settings
from store import Document, write_session
from store.documents import upsert_document
from tests.servers import running_app

pytestmark = pytest.mark.integration
WRITERS, PER_WRITER = 4, 60


def _writer(db: object, number: int) -> None:
    for i in range(PER_WRITER):
        with write_session(db) as session:  # type: ignore[arg-type]
            doc_id = f"{number:02d}{i:062d}"
            upsert_document(
                session=session,
                document=Document(
                    id=doc_id,
                    body=f"正文 {number}-{i}",
                    url=f"http://127.0.0.2/{number}/{i}.html",
                    source_name=f"w{number}",
                ),
            )
            if i % 3 == 0:  # and a second sighting: an "updated" change
                upsert_document(
                    session=session,
                    document=Document(
                        id=doc_id,
                        body=f"正文 {number}-{i}",
                        url=f"http://127.0.0.2/{number}/{i}-copy.html",
                        source_name=f"w{number}",
                    ),
                )


def test_consumer_sees_every_change_once_while_writers_run(db: Engine) -> None:
    writers = [threading.Thread(target=_writer, args=(db, n)) for n in range(WRITERS)]
    expected = WRITERS * PER_WRITER + WRITERS * len(range(0, PER_WRITER, 3))
    seen: list[int] = []
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        for thread in writers:
            thread.start()
        since, deadline = 0, time.monotonic() + 60
        with httpx.Client() as client:
            while time.monotonic() < deadline:
                page = client.get(f"{base}/changes", params={"since": since, "limit": 7}).json()
                seen += [c["seq"] for c in page["changes"]]
                since = page["next_since"]
                if not page["changes"] and not any(t.is_alive() for t in writers) and len(seen) >= expected:
                    break
        for thread in writers:
            thread.join()
    assert len(seen) == len(set(seen)) == expected
    assert seen == sorted(seen)


def _one_document(db: Engine, name: str) -> None:
    with write_session(db) as session:
        upsert_document(
            session=session,
            document=Document(
                id=name * 64, body=f"正文 {name}", url=f"http://127.0.0.2/{name}.html", source_name="w"
            ),
        )


def test_a_change_that_commits_later_gets_the_later_seq(db: Engine) -> None:
    """Writer A takes its seq and stays open while writer B writes: a reader must not see B's change first
    (on PostgreSQL, sequence values are handed out before commit; the feed lock restores commit order)."""
    from store.changes import changes_since

    def read() -> list[str]:
        with db.connect() as connection:
            return [c["document_id"][0] for c in changes_since(connection, since=0, limit=10)]

    second = threading.Thread(target=_one_document, args=(db, "b"))
    with write_session(db) as session:
        upsert_document(
            session=session,
            document=Document(id="a" * 64, body="正文 a", url="http://127.0.0.2/a.html", source_name="w"),
        )
        second.start()
        time.sleep(0.5)  # B has had every chance to take a number and commit
        assert read() == []
    second.join(timeout=10)
    assert not second.is_alive()
    assert read() == ["a", "b"]
