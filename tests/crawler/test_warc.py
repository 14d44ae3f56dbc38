"""WARC files: records that warcio reads back with their digests, rotation by size, retention, failed writes."""

from __future__ import annotations

import gzip
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from warcio.archiveiterator import ArchiveIterator

from crawler import warc
from crawler.warc import ArchiveFailure, Page, WarcOptions, archive, prune
from crawler.warcrecords import Wire
from store import Document, write_session
from store.captures import set_capture
from store.documents import upsert_document

BODY = "<html><body><p>2023年法治政府建设年度报告</p></body></html>".encode() * 40


def _wire(*, gzipped: bool = False, chunked: bool = False, body: bytes = BODY) -> Wire:
    served = gzip.compress(body) if gzipped else body
    headers = [(b"Content-Type", b"text/html; charset=utf-8"), (b"X-Odd-Case", b"kept")]
    if gzipped:
        headers.append((b"Content-Encoding", b"gzip"))
    headers.append(
        (b"Transfer-Encoding", b"chunked") if chunked else (b"Content-Length", b"%d" % len(served))
    )
    return Wire(
        url="http://127.0.0.2/a/b.html?x=1",
        method="GET",
        target=b"/a/b.html?x=1",
        request_headers=[(b"Host", b"127.0.0.2"), (b"User-Agent", b"fazhi-tests")],
        request_body=b"",
        http_version="HTTP/1.1",
        status=200,
        reason=b"OK",
        response_headers=headers,
        body=served,
    )


PAGE = Page("http://127.0.0.2/a/b.html?x=1", ["http://127.0.0.2/old"], 7, "src", "ab" * 32)


@pytest.fixture
def options(tmp_path: Path) -> WarcOptions:
    return WarcOptions(tmp_path / "warc")


def _records(path: Path) -> list[tuple[str, object, bytes]]:
    """(type, record, content) of every record, each one's digests checked (warcio raises on a mismatch)."""
    out = []
    with path.open("rb") as handle:
        for record in ArchiveIterator(handle, check_digests="raise"):
            out.append((record.rec_type, record, record.content_stream().read()))
    return out


def _logged_fsyncs(
    monkeypatch: pytest.MonkeyPatch, log: list[Any] | None = None, label: Any = None
) -> list[Any]:
    """Every fsync of a WARC file, still done, noted in ``log`` (its fd, or ``label``); returns the log."""
    log = [] if log is None else log
    real = os.fdatasync

    def logged(fd: int) -> None:
        log.append(fd if label is None else label)
        real(fd)

    monkeypatch.setattr(warc.os, "fdatasync", logged)
    return log


@pytest.mark.parametrize(("gzipped", "chunked"), [(False, False), (True, False), (False, True), (True, True)])
def test_records_read_back_by_warcio_with_matching_digests(
    options: WarcOptions, gzipped: bool, chunked: bool
) -> None:
    wire = _wire(gzipped=gzipped, chunked=chunked)
    capture = archive(options, None, wire, BODY, PAGE)
    assert capture["payload_sha256"] == hashlib.sha256(BODY).hexdigest()
    records = _records(options.directory / capture["warc_file"])
    assert [kind for kind, _, _ in records] == ["warcinfo", "request", "response", "metadata"]
    _, response, content = records[2]
    assert content == BODY  # warcio undoes the chunking and the gzip: the page after content decoding
    assert response.rec_headers.get_header("WARC-Target-URI") == wire.url
    assert response.http_headers.statusline == "200 OK"
    assert response.http_headers.headers == [(n.decode(), v.decode()) for n, v in wire.response_headers]
    response_id = response.rec_headers.get_header("WARC-Record-ID")
    for _, record, _ in (records[1], records[3]):
        assert record.rec_headers.get_header("WARC-Concurrent-To") == response_id
    metadata = records[3][2].decode()
    assert "fazhi-run-id: 7\r\n" in metadata and f"fazhi-document-id: {'ab' * 32}\r\n" in metadata
    assert "via: http://127.0.0.2/old\r\n" in metadata


def test_the_capture_offset_is_where_the_response_record_starts(options: WarcOptions) -> None:
    first = archive(options, None, _wire(), BODY, PAGE)
    other = b"<html>another page</html>"
    second = archive(options, None, _wire(gzipped=True, body=other), other, PAGE)
    assert first["warc_file"] == second["warc_file"] and second["offset"] > first["offset"]
    for capture, body in ((first, BODY), (second, other)):
        with (options.directory / capture["warc_file"]).open("rb") as handle:
            handle.seek(capture["offset"])
            record = next(iter(ArchiveIterator(handle, check_digests="raise")))
            assert record.rec_type == "response"
            assert hashlib.sha256(record.content_stream().read()).hexdigest() == capture["payload_sha256"]
            assert body and capture["fetched_at"].endswith("Z")


def test_files_rotate_by_size_and_each_opens_with_warcinfo(tmp_path: Path) -> None:
    options = WarcOptions(tmp_path / "warc", max_file_bytes=1_000)
    captures = [archive(options, None, _wire(), BODY, PAGE) for _ in range(3)]
    names = [c["warc_file"] for c in captures]
    assert len(set(names)) == 3  # each record set is over 1,000 bytes: one file each
    for name in names:
        kinds = [kind for kind, _, _ in _records(options.directory / name)]
        assert kinds == ["warcinfo", "request", "response", "metadata"]


def test_retention_deletes_old_files_no_capture_points_at(tmp_path: Path, db: Engine) -> None:
    options = WarcOptions(tmp_path / "warc", max_file_bytes=1_000, retention_days=30)
    old = [archive(options, db, _wire(), BODY, PAGE) for _ in range(3)]
    with write_session(db) as session:
        document = Document(id="c" * 64, body="正文", url="http://127.0.0.2/c", source_name="s")
        upsert_document(session=session, document=document)
        set_capture(session, document_id="c" * 64, capture=old[1])
    long_ago = os.path.getmtime(options.directory / old[0]["warc_file"]) - 31 * 86400
    for capture in old:
        os.utime(options.directory / capture["warc_file"], (long_ago, long_ago))
    fresh = archive(options, db, _wire(), BODY, PAGE)  # a new file: retention runs
    left = {p.name for p in options.directory.iterdir()}
    assert left == {old[1]["warc_file"], fresh["warc_file"]}  # the referenced one and the new one stay
    assert prune(options, db) == []


class _FullDisk:
    """A file whose next write stores half its bytes, then fails as a full disk does."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def test_a_failed_write_is_cut_back_to_the_last_complete_record(options: WarcOptions) -> None:
    kept = archive(options, None, _wire(), BODY, PAGE)
    path = options.directory / kept["warc_file"]
    size = path.stat().st_size
    current = warc.writer_for(options)._file
    assert current is not None
    current.handle = _FullDisk(current.handle)  # type: ignore[assignment]
    with pytest.raises(ArchiveFailure, match="No space left"):
        archive(options, None, _wire(), BODY, PAGE)
    assert path.stat().st_size == size  # the half record is gone
    assert [kind for kind, _, _ in _records(path)] == ["warcinfo", "request", "response", "metadata"]
    after = archive(options, None, _wire(), BODY, PAGE)
    assert after["warc_file"] != kept["warc_file"]  # and the next write starts a new file


def test_a_failed_fsync_fails_the_page_and_the_file_is_not_used_again(
    options: WarcOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = archive(options, None, _wire(), BODY, PAGE)

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(warc.os, "fdatasync", failing)
    with pytest.raises(ArchiveFailure, match="Input/output error"):
        archive(options, None, _wire(), BODY, PAGE)
    monkeypatch.undo()
    after = archive(options, None, _wire(), BODY, PAGE)
    assert after["warc_file"] != kept["warc_file"]
    assert _records(options.directory / after["warc_file"])[0][0] == "warcinfo"


def test_concurrent_pages_with_rotations_leave_every_record_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    options = WarcOptions(tmp_path / "warc", max_file_bytes=40_000)  # rotations while pages are written
    syncs = _logged_fsyncs(monkeypatch)
    with ThreadPoolExecutor(8) as pool:
        captures = list(pool.map(lambda _: archive(options, None, _wire(), BODY, PAGE), range(80)))
    assert len(syncs) <= 80 + len(
        {c["warc_file"] for c in captures}
    )  # at most one fsync a page (+ one a closed file)
    for capture in captures:
        with (options.directory / capture["warc_file"]).open("rb") as handle:
            handle.seek(capture["offset"])
            record = next(iter(ArchiveIterator(handle, check_digests="raise")))
            assert hashlib.sha256(record.content_stream().read()).hexdigest() == capture["payload_sha256"]
    for path in options.directory.iterdir():
        kinds = [kind for kind, _, _ in _records(path)]
        assert kinds[0] == "warcinfo" and kinds[1:] == ["request", "response", "metadata"] * (len(kinds) // 3)


def test_a_file_deleted_under_the_writer_is_replaced(options: WarcOptions) -> None:
    first = archive(options, None, _wire(), BODY, PAGE)
    (options.directory / first["warc_file"]).unlink()
    second = archive(options, None, _wire(), BODY, PAGE)
    assert second["warc_file"] != first["warc_file"]
    assert _records(options.directory / second["warc_file"])[0][0] == "warcinfo"


def _streaming_app() -> object:
    """A server whose page is gzip-compressed and sent chunked (a StreamingResponse), with a cookie."""
    from starlette.applications import Starlette
    from starlette.responses import StreamingResponse
    from starlette.routing import Route

    async def page(request: object) -> StreamingResponse:
        compressed = gzip.compress(BODY)

        async def pieces():  # type: ignore[no-untyped-def]
            for start in range(0, len(compressed), 100):
                yield compressed[start : start + 100]

        headers = {"Content-Encoding": "gzip", "Set-Cookie": "a=1", "X-Server-Said": "so"}
        return StreamingResponse(pieces(), media_type="text/html; charset=utf-8", headers=headers)

    return Starlette(routes=[Route("/page.html", page)])


def test_a_real_fetch_is_archived_as_it_came_over_the_wire(options: WarcOptions) -> None:
    import asyncio

    from crawler.fetch import Fetcher, FetchPolicy
    from tests.servers import running_app

    with running_app(_streaming_app()) as base:
        policy = FetchPolicy(user_agent="fazhi-tests", allow_private_hosts=frozenset({"127.0.0.1"}))

        async def fetch():  # type: ignore[no-untyped-def]
            async with Fetcher(policy) as fetcher:
                return await fetcher.fetch(f"{base}/page.html?q=%E6%B3%95")

        result = asyncio.run(fetch())
    assert result.content == BODY and result.wire is not None
    capture = archive(options, None, result.wire, result.content, PAGE)
    records = _records(options.directory / capture["warc_file"])
    _, request, _ = records[1]
    _, response, content = records[2]
    assert content == BODY and hashlib.sha256(content).hexdigest() == capture["payload_sha256"]
    assert request.http_headers.protocol == "GET"
    assert request.http_headers.statusline == "/page.html?q=%E6%B3%95 HTTP/1.1"
    assert request.http_headers.get_header("User-Agent") == "fazhi-tests"
    received = {n.lower(): v for n, v in response.http_headers.headers}
    assert received["transfer-encoding"] == "chunked" and received["content-encoding"] == "gzip"
    assert received["x-server-said"] == "so" and received["set-cookie"] == "a=1"
    assert response.rec_headers.get_header("WARC-Target-URI") == f"{base}/page.html?q=%E6%B3%95"


def test_without_fsync_records_are_still_whole_before_archive_returns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = WarcOptions(tmp_path / "warc", fsync=False)
    syncs = []
    monkeypatch.setattr(warc.os, "fdatasync", syncs.append)
    captures = [archive(options, None, _wire(), BODY, PAGE) for _ in range(3)]
    assert syncs == []  # none before the commits (the file's creation is fsynced: os.fsync)
    path = options.directory / captures[0]["warc_file"]
    assert [kind for kind, _, _ in _records(path)] == ["warcinfo"] + ["request", "response", "metadata"] * 3
    warc.writer_for(options).close()
    assert len(syncs) == 1  # the close


def test_a_file_is_written_to_for_a_day_at_most(options: WarcOptions) -> None:
    first = archive(options, None, _wire(), BODY, PAGE)
    current = warc.writer_for(options)._file
    assert current is not None
    current.opened -= warc.MAX_FILE_SECONDS  # opened a day ago
    second = archive(options, None, _wire(), BODY, PAGE)
    assert second["warc_file"] != first["warc_file"]  # a file idle past a day of retention is never reopened


def test_a_directory_that_cannot_be_written_fails_the_pages(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the WARC directory should be")
    options = WarcOptions(blocked / "warc")
    queued = archive(options, None, _wire(), BODY, PAGE, sync=False)
    assert warc.sync_captures([queued]) == {queued["warc_file"]}
    with pytest.raises(ArchiveFailure, match="WARC write failed"):
        archive(options, None, _wire(), BODY, PAGE)


def test_digests_are_written_in_base_32_as_b32encode_writes_them() -> None:
    import base64

    from crawler.warcrecords import digest, labelled

    raws = [hashlib.sha256(os.urandom(16)).digest() for _ in range(9)]
    for count in range(1, 10):  # four are encoded at once; more in batches
        assert labelled(*raws[:count]) == ["sha256:" + base64.b32encode(raw).decode() for raw in raws[:count]]
    assert digest(b"") == "sha256:" + base64.b32encode(hashlib.sha256(b"").digest()).decode()
    assert labelled(b"\xff" * 32, b"\0" * 32) == [
        "sha256:" + base64.b32encode(b"\xff" * 32).decode(),
        "sha256:" + base64.b32encode(b"\0" * 32).decode(),
    ]


def test_record_ids_are_random_version_4_uuids() -> None:
    import uuid

    from crawler.warcrecords import record_ids

    ids = record_ids(3) + record_ids(3)
    assert len(set(ids)) == 6
    for record_id in ids:
        assert record_id.startswith("<urn:uuid:") and record_id.endswith(">")
        value = uuid.UUID(record_id[len("<urn:uuid:") : -1])
        assert value.version == 4 and value.variant == uuid.RFC_4122
        assert str(value) == record_id[len("<urn:uuid:") : -1]
