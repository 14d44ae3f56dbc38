"""WARC records and commits: one fsync for a commit group, before its transaction; a failed write or fsync fails
only the pages whose records are in that file; a new document's capture goes in with its row."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import select
from warcio.archiveiterator import ArchiveIterator

from crawler import warc
from crawler.warc import ArchiveFailure, WarcOptions, archive
from store import Document, write_session
from tests.crawler.test_warc import BODY, PAGE, _FullDisk, _logged_fsyncs, _records, _wire


@pytest.fixture
def options(tmp_path: Path) -> WarcOptions:
    return WarcOptions(tmp_path / "warc")


def test_pages_of_a_commit_group_share_one_fsync(
    options: WarcOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    syncs = _logged_fsyncs(monkeypatch)
    captures = [archive(options, None, _wire(), BODY, PAGE, sync=False) for _ in range(5)]
    assert syncs == [] and not options.directory.exists()  # queued: the page path does no I/O
    warc.sync_captures(captures)
    assert len(syncs) == 1
    warc.sync_captures(captures[:2])  # covered already
    assert len(syncs) == 1
    path = options.directory / captures[0]["warc_file"]
    assert [kind for kind, _, _ in _records(path)] == ["warcinfo"] + ["request", "response", "metadata"] * 5


def test_a_failed_fsync_before_a_commit_fails_every_group_pointing_into_that_file(
    options: WarcOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = (archive(options, None, _wire(), BODY, PAGE, sync=False) for _ in range(2))

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(warc.os, "fdatasync", failing)
    assert warc.sync_captures([first]) == {first["warc_file"]}
    monkeypatch.undo()
    assert warc.sync_captures([second]) == {second["warc_file"]}  # its records may be lost too: not committed
    after = archive(options, None, _wire(), BODY, PAGE, sync=False)
    assert set(after.values()) == {None}  # queued: filled in by the commit's sync
    assert warc.sync_captures([after]) == set()
    assert after["warc_file"] != first["warc_file"]


def test_a_failed_fsync_fails_only_the_pages_in_that_file_and_the_group_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.commit import commit
    from crawler.outcomes import Outcome
    from tests.conftest import make_db
    from tests.crawler.test_commit import _pages, _report
    from tests.rows import entries_of

    db = make_db(tmp_path / "c.db")
    options = WarcOptions(tmp_path / "warc")
    entries = _pages(db, "s", [f"http://127.0.0.2/{n}" for n in range(3)])
    pages = [_report(entry, f"正文{n}") for n, entry in enumerate(entries)]
    pages[0].capture = archive(options, None, _wire(), BODY, PAGE, sync=False)
    pages[1].capture = archive(options, None, _wire(), BODY, PAGE, sync=False)

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(warc.os, "fdatasync", failing)
    commit(db, pages)  # no exception: the crawl goes on
    assert [p.outcome for p in pages] == [Outcome.FAILED, Outcome.FAILED, Outcome.NEW]
    assert [p.reason for p in pages[:2]] == ["warc_write", "warc_write"]
    by_url = {e.url: e for e in entries_of(db, source_name="s")}
    assert [by_url[e.url].state for e in entries] == ["failed", "failed", "done"]
    with write_session(db) as session:
        assert [d.body for d in session.exec(select(Document))] == ["正文2"]  # no row points at lost records


def test_a_commit_puts_its_pages_records_on_disk_before_its_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    from crawler.commit import commit
    from tests.conftest import make_db
    from tests.crawler.test_commit import _pages, _report

    db = make_db(tmp_path / "c.db")
    options = WarcOptions(tmp_path / "warc")
    pages = []
    for n, entry in enumerate(_pages(db, "s", [f"http://127.0.0.2/{n}" for n in range(4)])):
        pages.append(_report(entry, f"正文{n}"))
        pages[-1].capture = archive(options, None, _wire(), BODY, PAGE, sync=False)  # as archive_page does
    events = _logged_fsyncs(monkeypatch, label="fsync")
    event.listen(db, "commit", lambda connection: events.append("commit"))
    commit(db, pages)
    assert events == ["fsync", "commit"]


def test_a_failed_write_in_the_commit_fails_only_the_pages_in_that_file_and_cuts_it_back(
    tmp_path: Path,
) -> None:
    from crawler.commit import commit
    from crawler.outcomes import Outcome
    from tests.conftest import make_db
    from tests.crawler.test_commit import _pages, _report

    db = make_db(tmp_path / "c.db")
    options = WarcOptions(tmp_path / "warc")
    kept = archive(options, None, _wire(), BODY, PAGE)  # the file exists, with one fetch in it
    path = options.directory / kept["warc_file"]
    size = path.stat().st_size
    current = warc.writer_for(options)._file
    assert current is not None
    current.handle = _FullDisk(current.handle)  # type: ignore[assignment]
    entries = _pages(db, "s", [f"http://127.0.0.2/{n}" for n in range(3)])
    pages = [_report(entry, f"正文{n}") for n, entry in enumerate(entries)]
    for page in pages[:2]:
        page.capture = archive(options, None, _wire(), BODY, PAGE, sync=False)
    commit(db, pages)
    assert [p.outcome for p in pages] == [Outcome.FAILED, Outcome.FAILED, Outcome.NEW]
    assert [p.reason for p in pages[:2]] == ["warc_write", "warc_write"]
    assert path.stat().st_size == size  # the half-written group is gone; the kept fetch reads back whole
    assert [kind for kind, _, _ in _records(path)] == ["warcinfo", "request", "response", "metadata"]
    after = archive(options, None, _wire(), BODY, PAGE)
    assert after["warc_file"] != kept["warc_file"]


def test_a_new_documents_capture_is_in_its_row_and_a_known_body_at_a_new_url_takes_the_new_capture(
    tmp_path: Path, db: Engine
) -> None:
    from sqlalchemy import event

    from crawler.commit import commit
    from crawler.outcomes import Outcome
    from tests.crawler.test_commit import _pages, _report

    options = WarcOptions(tmp_path / "warc")
    first, second = _pages(db, "s", ["http://127.0.0.2/a", "http://127.0.0.2/b"])
    pages = [_report(first, "正文甲"), _report(second, "正文甲")]  # one body at two URLs
    for page in pages:
        page.capture = archive(options, db, _wire(), BODY, PAGE, sync=False)
    commit(db, pages)
    assert [p.outcome for p in pages] == [Outcome.NEW, Outcome.SEEN]
    assert pages[0].capture != pages[1].capture
    with write_session(db) as session:
        stored = session.exec(select(Document)).one()
        assert stored.capture == pages[1].capture  # the last fetch that stored something
    new = _pages(db, "s", ["http://127.0.0.2/c"])[0]
    page = _report(new, "正文乙")
    page.capture = archive(options, db, _wire(), BODY, PAGE, sync=False)
    statements: list[str] = []

    def listener(connection: object, cursor: object, statement: str, *rest: object) -> None:
        statements.append(statement)

    event.listen(db, "before_cursor_execute", listener)
    commit(db, [page])
    event.remove(db, "before_cursor_execute", listener)
    assert not [q for q in statements if q.lstrip().upper().startswith("UPDATE DOCUMENTS SET CAPTURE")]
    with write_session(db) as session:
        row = session.exec(select(Document).where(Document.body == "正文乙")).one()
        assert row.capture == page.capture
    with (options.directory / page.capture["warc_file"]).open("rb") as handle:
        handle.seek(page.capture["offset"])
        record = next(iter(ArchiveIterator(handle, check_digests="raise")))
        assert hashlib.sha256(record.content_stream().read()).hexdigest() == page.capture["payload_sha256"]


def test_a_fetch_whose_records_cannot_be_built_fails_alone(tmp_path: Path, options: WarcOptions) -> None:
    from crawler.commit import commit
    from crawler.outcomes import Outcome
    from tests.conftest import make_db
    from tests.crawler.test_commit import _pages, _report

    db = make_db(tmp_path / "c.db")
    entries = _pages(db, "s", [f"http://127.0.0.2/{n}" for n in range(2)])
    pages = [_report(entry, f"正文{n}") for n, entry in enumerate(entries)]
    odd = _wire()
    odd.method = "GÉT"  # not ASCII: no request line can be written
    pages[0].capture = archive(options, None, odd, BODY, PAGE, sync=False)
    pages[1].capture = archive(options, None, _wire(), BODY, PAGE, sync=False)
    commit(db, pages)
    assert [p.outcome for p in pages] == [Outcome.FAILED, Outcome.NEW]
    assert pages[0].reason == "warc_write"
    assert pages[1].capture is not None
    kinds = [kind for kind, _, _ in _records(options.directory / pages[1].capture["warc_file"])]
    assert kinds == ["warcinfo", "request", "response", "metadata"]  # nothing of the first fetch
    with pytest.raises(ArchiveFailure, match="could not be built"):
        archive(options, None, odd, BODY, PAGE)


def test_a_group_that_fills_files_rotates_inside_one_write(tmp_path: Path) -> None:
    options = WarcOptions(tmp_path / "warc", max_file_bytes=1_000)  # a fetch's records are over 1,000 bytes
    captures = [archive(options, None, _wire(), BODY, PAGE, sync=False) for _ in range(4)]
    assert warc.sync_captures(captures) == set()
    assert len({c["warc_file"] for c in captures}) == 4
    for capture in captures:
        path = options.directory / capture["warc_file"]
        assert [kind for kind, _, _ in _records(path)] == ["warcinfo", "request", "response", "metadata"]
        with path.open("rb") as handle:
            handle.seek(capture["offset"])
            record = next(iter(ArchiveIterator(handle, check_digests="raise")))
            assert hashlib.sha256(record.content_stream().read()).hexdigest() == capture["payload_sha256"]


class _HashedBytes:
    """A spy on the SHA-256 of crawler.warcrecords: how many bytes each hash was fed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from crawler import warcrecords

        self.fed: list[int] = []
        real = hashlib.sha256
        fed = self.fed

        class Counted:
            def __init__(self, data: bytes = b"") -> None:
                self.hash = real(data)
                fed.append(len(data))

            def update(self, data: bytes) -> None:
                self.hash.update(data)
                fed[-1] += len(data)

            def digest(self) -> bytes:
                return self.hash.digest()

            def hexdigest(self) -> str:
                return self.hash.hexdigest()

        monkeypatch.setattr(warcrecords.hashlib, "sha256", Counted)

    def over(self, size: int) -> int:
        """How many hashes read at least ``size`` bytes (the body's)."""
        return sum(1 for n in self.fed if n >= size)


@pytest.mark.parametrize("gzipped", [False, True])
def test_the_crawls_checksum_of_the_content_is_not_hashed_again(
    options: WarcOptions, monkeypatch: pytest.MonkeyPatch, gzipped: bool
) -> None:
    body = BODY + os.urandom(2000).hex().encode()  # served gzipped, still larger than any other block
    wire = _wire(gzipped=gzipped, body=body)
    checksum = hashlib.sha256(body).hexdigest()
    hashed = _HashedBytes(monkeypatch)
    given = archive(options, None, wire, body, PAGE, sync=False)
    assert warc.sync_captures([given], [checksum]) == set()
    # the block digest reads the payload as served; the payload digest too when it is compressed; never the content
    assert hashed.over(len(wire.body)) == (2 if gzipped else 1)
    hashed.fed.clear()
    computed = archive(options, None, wire, body, PAGE, sync=False)
    assert warc.sync_captures([computed]) == set()
    assert hashed.over(len(wire.body)) == (2 if gzipped else 1) + 1  # with no checksum: one more
    monkeypatch.undo()
    for capture in (given, computed):
        assert capture["payload_sha256"] == checksum
        with (options.directory / capture["warc_file"]).open("rb") as handle:
            handle.seek(capture["offset"])
            record = next(iter(ArchiveIterator(handle, check_digests="raise")))  # digests match
            assert record.content_stream().read() == body


def test_a_checksum_never_replaces_a_capture_already_written(options: WarcOptions) -> None:
    capture = archive(options, None, _wire(), BODY, PAGE)  # written and synced
    before = dict(capture)
    assert warc.sync_captures([capture], ["0" * 64]) == set()
    assert capture == before


def test_a_commit_passes_its_pages_checksums_to_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.commit import commit
    from tests.conftest import make_db
    from tests.crawler.test_commit import _pages, _report

    db = make_db(tmp_path / "c.db")
    options = WarcOptions(tmp_path / "warc")
    pages = [_report(entry, f"正文{n}") for n, entry in enumerate(_pages(db, "s", ["http://127.0.0.2/a"]))]
    pages[0].changes["checksum"] = hashlib.sha256(BODY).hexdigest()  # as decide_detail sets it
    pages[0].capture = archive(options, None, _wire(), BODY, PAGE, sync=False)
    hashed = _HashedBytes(monkeypatch)
    commit(db, pages)
    assert hashed.over(len(BODY)) == 1  # the block digest only
    assert pages[0].capture["payload_sha256"] == pages[0].changes["checksum"]
