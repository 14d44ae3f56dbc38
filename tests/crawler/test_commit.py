"""One transaction per group of pages, each page's effects together; a failing page stays with its own crawl."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from crawler.commit import Committer, commit
from crawler.outcomes import Outcome, PageOutcome
from store import Document, FrontierEntry, read_session
from store.frontier import NewEntry, start_run
from store.types import utcnow
from tests.conftest import make_db
from tests.rows import entries_of


def _pages(db: Engine, source: str, urls: list[str]) -> list[FrontierEntry]:
    run, _ = start_run(db, source_name=source, trigger="test", seeds=[NewEntry(u, "detail") for u in urls])
    return [e for e in entries_of(db, source_name=source) if e.run_id == run.id]


def _report(entry: FrontierEntry, body: str) -> PageOutcome:
    document = dict(id=body.encode().hex().ljust(64, "0")[:64], body=body, url=entry.url, source_name="s")
    document.update(fetched_at=utcnow(), keywords=[], attachments=[], provenance={}, breadcrumb=[])
    changes = dict(state="done", outcome="report", reason="", document_id=document["id"])
    return PageOutcome(entry, Outcome.NEW, changes, document=document)


def test_a_group_commits_every_page_with_its_document(tmp_path: Path) -> None:
    db = make_db(tmp_path / "c.db")
    a, b = _pages(db, "s", ["http://127.0.0.2/a", "http://127.0.0.2/b"])
    pages = commit(db, [_report(a, "正文甲"), _report(b, "正文甲")])  # one body at two URLs
    assert [p.outcome for p in pages] == [Outcome.NEW, Outcome.SEEN]
    assert {e.state for e in entries_of(db, source_name="s")} == {"done"}
    with read_session(db) as session:
        assert len(list(session.scalars(select(Document)))) == 1


def test_a_page_that_cannot_commit_fails_its_crawl_alone(tmp_path: Path) -> None:
    db = make_db(tmp_path / "c.db")
    (good,) = _pages(db, "good", ["http://127.0.0.2/g"])
    (bad,) = _pages(db, "bad", ["http://127.0.0.2/x"])
    broken = _report(bad, "正文乙")
    broken.changes["no_such_column"] = 1  # its UPDATE raises
    done: list[str] = []

    async def main() -> BaseException | None:
        committer = Committer(db)
        await committer.submit("bad", broken, lambda p: done.append("bad"))
        await committer.submit("good", _report(good, "正文丙"), lambda p: done.append("good"))
        await committer.drain("good")
        try:
            await committer.drain("bad")
        except Exception as exc:
            return exc
        return None

    assert asyncio.run(main()) is not None
    assert done == ["good"]
    states = {e.source_name: e.state for e in entries_of(db)}
    assert states == {"good": "done", "bad": "pending"}  # the bad page is fetched again by the next run


def _resight(entry: FrontierEntry) -> PageOutcome:
    changes = dict(state="done", outcome="report", reason="not_modified (304)")
    return PageOutcome(entry, Outcome.NOT_MODIFIED, changes, resight=True)


def test_an_unchanged_page_refreshes_its_sighting_or_creates_a_missing_one(db: Engine) -> None:
    from tests.rows import sightings_of

    a, b = _pages(db, "s", ["http://127.0.0.2/a", "http://127.0.0.2/b"])
    commit(db, [_report(a, "正文丁")])
    (known,) = [e for e in entries_of(db, source_name="s") if e.url == a.url]
    assert known.document_id
    b.document_id = known.document_id  # as if the body had been seen at b too, its sighting lost
    with read_session(db) as session:
        (before,) = sightings_of(session=session, document_id=known.document_id)
    commit(db, [_resight(known), _resight(b)])
    with read_session(db) as session:
        after = {s.url: s for s in sightings_of(session=session, document_id=known.document_id)}
    assert set(after) == {a.url, b.url}
    assert after[a.url].first_seen == before.first_seen and after[a.url].last_seen > before.last_seen


def test_a_small_group_gathers_pages_and_a_drain_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page handed in alone waits for more (here until the group is full), so they commit in one transaction;
    a crawl draining its pages is never held by that wait (the gather here is far longer than the test)."""
    import crawler.commit as module

    db = make_db(tmp_path / "c.db")
    entries = _pages(db, "s", [f"http://127.0.0.2/{n}" for n in range(4)])
    groups: list[int] = []
    real = module.commit

    def counted(engine: Engine, pages: list[PageOutcome]) -> list[PageOutcome]:
        groups.append(len(pages))
        return real(engine, pages)

    monkeypatch.setattr(module, "commit", counted)
    done: list[str] = []

    async def main() -> None:
        committer = Committer(db, gather=600, fill=3)
        await committer.submit("s", _report(entries[0], "正文一"), lambda p: done.append(p.entry.url))
        await asyncio.sleep(0.2)  # the group is open, waiting: the next two pages join it
        for n in (1, 2):
            await committer.submit("s", _report(entries[n], f"正文{n}"), lambda p: done.append(p.entry.url))
        await asyncio.wait_for(committer.drain("s"), 60)
        await committer.submit("s", _report(entries[3], "正文四"), lambda p: done.append(p.entry.url))
        await asyncio.wait_for(committer.drain("s"), 60)  # one page, gather 600 s: the drain cuts it short

    asyncio.run(main())
    assert groups == [3, 1]
    assert sorted(done) == sorted(e.url for e in entries)
    assert {e.state for e in entries_of(db, source_name="s")} == {"done"}


def test_a_drain_waits_for_its_own_pages_not_for_those_handed_in_after_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Crawls share the committer: a crawl between two list pages drains its page and goes on while another
    crawl's later pages are still being written (it used to wait until the queue was empty, which a busy crawl
    beside it keeps from happening)."""
    import threading

    import crawler.commit as module

    db = make_db(tmp_path / "c.db")
    (mine,) = _pages(db, "a", ["http://127.0.0.2/a"])
    theirs = _pages(db, "b", ["http://127.0.0.2/b1", "http://127.0.0.2/b2"])
    real, held = module.commit, threading.Event()
    writing: list[str] = []

    def slow_for_b(engine: Engine, pages: list[PageOutcome]) -> list[PageOutcome]:
        owners = {p.entry.source_name for p in pages}
        writing.append("+".join(sorted(owners)))
        if "b" in owners:
            held.wait(60)  # their group is still being written while the first crawl drains
        return real(engine, pages)

    monkeypatch.setattr(module, "commit", slow_for_b)
    order: list[str] = []

    async def main() -> None:
        committer = Committer(db, gather=0)
        await committer.submit("a", _report(mine, "正文甲"), lambda p: order.append("a written"))
        while not writing:  # its group is taken alone
            await asyncio.sleep(0.01)
        for n, entry in enumerate(theirs):
            await committer.submit("b", _report(entry, f"正文乙{n}"), lambda p: order.append("b written"))
        release = asyncio.get_running_loop().call_later(10, held.set)  # (were it to wait for b's pages)
        await asyncio.wait_for(committer.drain("a"), 60)
        order.append("a drained")
        held.set()
        release.cancel()
        await asyncio.wait_for(committer.drain("b"), 60)

    asyncio.run(main())
    assert order == ["a written", "a drained", "b written", "b written"]
    assert {e.state for e in entries_of(db)} == {"done"}


def test_a_done_callback_that_raises_fails_its_own_crawl_only(tmp_path: Path) -> None:
    """A crawl's ``done`` (its progress display, say) raising is that crawl's failure, raised at its next step; the
    other crawls' pages in the same group are counted and their drains return, and the committer's count of
    written pages stays whole (a drain after it still waits for its own pages only)."""
    db = make_db(tmp_path / "c.db")
    (mine,) = _pages(db, "a", ["http://127.0.0.2/a1"])
    (theirs,) = _pages(db, "b", ["http://127.0.0.2/b1"])
    counted: list[str] = []

    def broken(page: PageOutcome) -> None:
        raise BrokenPipeError("the progress display's stdout went away")

    async def main() -> BaseException | None:
        committer = Committer(db, gather=0)
        await committer.submit("a", _report(mine, "正文甲"), broken)
        await committer.submit("b", _report(theirs, "正文乙"), lambda p: counted.append(p.entry.url))
        await asyncio.wait_for(committer.drain("b"), 60)
        assert committer._written == committer._handed == 2
        try:
            await asyncio.wait_for(committer.drain("a"), 60)
        except BrokenPipeError as exc:
            return exc
        return None

    assert isinstance(asyncio.run(main()), BrokenPipeError)
    assert counted == [theirs.url]
    assert {e.state for e in entries_of(db)} == {"done"}  # both pages committed: only the count failed


def test_unchanged_pages_of_one_group_refresh_every_sighting(db: Engine) -> None:
    """A group's unchanged pages are seen again in one statement, and their frontier states in one more: every
    sighting's ``last_seen`` moves, each entry is done with its own outcome and reason."""
    from tests.rows import sightings_of

    entries = _pages(db, "s", [f"http://127.0.0.2/u{n}" for n in range(3)])
    commit(db, [_report(entry, f"正文{n}") for n, entry in enumerate(entries)])
    known = {e.url: e for e in entries_of(db, source_name="s")}
    with read_session(db) as session:
        before = {
            e.url: sightings_of(session=session, document_id=e.document_id)[0].last_seen
            for e in known.values()
        }
    pages = [_resight(e) for e in known.values()]
    pages[0].changes["reason"] = "not_modified (304)"
    pages[1].changes.pop("reason")  # no reason given: the entry's is emptied
    commit(db, pages)
    with read_session(db) as session:
        for entry in known.values():
            (sighting,) = sightings_of(session=session, document_id=entry.document_id)
            assert sighting.last_seen > before[entry.url]
    after = {e.url: e for e in entries_of(db, source_name="s")}
    assert {e.state for e in after.values()} == {"done"}
    assert [after[p.entry.url].reason for p in pages] == ["not_modified (304)", "", "not_modified (304)"]
