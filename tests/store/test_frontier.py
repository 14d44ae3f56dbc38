"""The frontier takes what a page lists, however much: inserts are chunked under the backends' variable limits
(one INSERT of more than ~19,000 rows failed on SQLite: too many SQL variables)."""

from __future__ import annotations

from sqlalchemy import Engine

from store import write_session
from store.frontier import NewEntry, enqueue, pending, start_run


def test_a_page_with_20000_links_is_queued_whole(db: Engine) -> None:
    run, _ = start_run(db, source_name="many", trigger="manual", seeds=[NewEntry("http://a.test/", "list")])
    assert run.id is not None
    links = [NewEntry(f"http://a.test/art/{i}.html", "detail", title="年度报告") for i in range(20_000)]
    with write_session(db) as session:
        enqueue(session, run_id=run.id, source_name="many", entries=links)
    assert len(pending(db, run_id=run.id, kind="detail")) == 20_000
