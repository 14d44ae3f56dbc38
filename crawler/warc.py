"""Evidence: every fetch that creates or updates a document, written to WARC/1.1 files before the document commits.

The engine calls :func:`archive_page` once per stored report page (after extraction, before the page's outcome is
handed to the committer): a request, a response (status line and headers as received, body as served: still
content-encoded) and a metadata record (crawl run, document id) are built as three gzip members, given their
offsets in the process's current file and queued; the page path does no I/O. The committer calls
:func:`sync_captures` before the transaction that stores a group of pages' ``capture`` (file name, offset of the
response record, payload SHA-256): one write and one fsync cover every page queued meanwhile, and no capture
commits before its records are on disk. A kill mid-write leaves at most a partial tail that no capture points at;
a failed write or fsync retires the file, and the pages pointing into it fail (``warc_write``). Files rotate by
size; retention deletes old files that no document's capture still points at. The record layout is
:mod:`crawler.warcrecords`.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy import Engine

from crawler.errors import PageError
from crawler.warcrecords import Wire, metadata_record, request_record, response_record, warcinfo_record
from store.captures import referenced_warc_files

if TYPE_CHECKING:
    from crawler.fetch import FetchResult
    from crawler.pipeline import Extracted
    from store import FrontierEntry

log = logging.getLogger("fazhi.crawler")
SUFFIX = ".warc.gz"
MAX_FILE_SECONDS = 86400  # a file is written to for a day at most: never again once older (retention)
_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


class ArchiveFailure(PageError):
    """The WARC records could not be written (disk full, permissions): the page is failed, fetched again later."""

    reason = "warc_write"


@dataclass(frozen=True)
class WarcOptions:
    directory: Path
    max_file_bytes: int = 1_000_000_000  # rotate once a file reaches this size (Heritrix's default)
    retention_days: int = 0  # delete files older than this that no capture points at; 0 keeps every file
    fsync: bool = True  # False: written whole before the commit (kill-safe), no fsync (not power-cut-safe)


@dataclass(frozen=True)
class Capture:
    fetched_at: datetime
    payload_sha256: str  # of the body after content decoding
    warc_file: str  # a name in the WARC directory
    offset: int  # where the response record's gzip member starts

    def as_json(self) -> dict[str, Any]:
        return {
            "fetched_at": self.fetched_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "payload_sha256": self.payload_sha256,
            "warc_file": self.warc_file,
            "offset": self.offset,
        }


@dataclass(frozen=True)
class Page:
    """What one archived fetch says about itself in its metadata record."""

    url: str  # the URL asked for (redirects lead to the response's target URI)
    redirects: list[str]
    run_id: int
    source_name: str
    document_id: str


@dataclass(eq=False)
class _File:
    """A WARC file: named and given its warcinfo record when the first record is handed to it, created on disk by
    the first write."""

    name: str
    warcinfo_id: str
    reserved: int  # where the next record handed to this file starts
    prune: Engine | None = None  # retention runs with this database once the file is created
    handle: IO[bytes] | None = None
    written: int = 0  # the end of the last complete write
    synced: int = 0  # what an fsync has covered
    broken: bool = False  # a write or fsync failed (Linux may have dropped what it held): retired
    opened: float = field(default_factory=time.monotonic)

    def usable(self) -> bool:
        if self.broken or time.monotonic() - self.opened >= MAX_FILE_SECONDS:
            return False
        try:  # deleted under us (by hand, another machine)?
            return self.handle is None or os.fstat(self.handle.fileno()).st_nlink > 0
        except (OSError, ValueError):  # closed meanwhile by a failed write
            return False


class WarcWriter:
    """One process's current WARC file. :meth:`reserve` (the page path: no I/O) builds a page's records, gives them
    their offsets in the current file and queues them; :meth:`flush` (the committer, before its transaction)
    appends everything queued in one write per file and :meth:`sync_files` fsyncs it, one fsync for all the pages
    queued meanwhile (group commit). A file whose write or fsync failed is retired, and every record queued for it
    is lost: the pages pointing into it are failed, never committed."""

    def __init__(self, options: WarcOptions) -> None:
        self.options = options
        self._lock = threading.Lock()  # the current file, the queue (held for no I/O: the page path takes it)
        self._io_lock = threading.Lock()  # writes, fsyncs and closes (taken before _lock, never after it)
        self._file: _File | None = None
        self._queue: list[tuple[_File, bytes]] = []  # records handed in, in file order, not yet written
        self._retired: list[_File] = []  # replaced by a newer file, to be closed once their queue is written
        self._serial = 0
        self._lost: dict[str, str] = {}  # retired files with records never on disk: the error

    def reserve(
        self, build: Callable[[str], list[bytes]], *, db: Engine | None = None
    ) -> tuple[str, list[int]]:
        """Queue the gzip members ``build(warcinfo_id)`` makes for the current file; (file name, their offsets)."""
        with self._lock:
            warcinfo_id = self._ensure_file(db).warcinfo_id
        members = build(warcinfo_id)  # compression in parallel with other threads' pages, if any
        with self._lock:
            current = self._ensure_file(db)
            if current.warcinfo_id != warcinfo_id:  # rotated meanwhile: the records name their file's
                members = build(current.warcinfo_id)
            offsets = []
            for member in members:
                offsets.append(current.reserved)
                self._queue.append((current, member))
                current.reserved += len(member)
            if current.reserved >= self.options.max_file_bytes:
                self._retire()
        return current.name, offsets

    def lost(self, name: str) -> str | None:
        """Why the records queued for the file ``name`` are not on disk (None: they are, or are still queued)."""
        with self._lock:
            return self._lost.get(name)

    def flush(self) -> None:
        """Write everything queued so far (each file's records in one write), close the files it replaced."""
        with self._io_lock:
            with self._lock:
                queue, self._queue = self._queue, []
                retired, self._retired = self._retired, []
            for file, members in _by_file(queue):
                self._write(file, members)
            for file in retired:
                self._close(file)

    def sync_files(self, names: set[str]) -> set[str]:
        """Everything handed in so far for the files ``names`` (of this writer) written, and on disk (``fsync``):
        the current file is fsynced now, a replaced one was when it closed. Returns the names whose records may
        not be on disk: a file retired after a failed write or fsync."""
        self.flush()
        with self._io_lock:
            with self._lock:
                current = self._file
            if current is not None and current.name in names:
                self._sync(current)
        with self._lock:
            return names & self._lost.keys()

    def _write(self, file: _File, members: list[bytes]) -> None:
        if file.broken:
            return  # retired by an earlier failure: its records are lost (the file is in _lost)
        try:
            if file.handle is None:
                self._create(file)
            assert file.handle is not None
            chunk = b"".join(members)
            _write_all(file.handle, chunk)
        except OSError as exc:
            self._fail(file, exc, cut=True)
            return
        file.written += len(chunk)

    def _create(self, file: _File) -> None:
        directory = self.options.directory
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / file.name
        file.handle = path.open("xb", buffering=0)  # unbuffered: a failed write leaves no bytes behind
        _fsync_directory(directory)  # the new file's name survives a power cut too
        if file.prune is not None:
            try:
                prune(self.options, file.prune, keep=file.name)
            except Exception:  # housekeeping: the records are written all the same, retention runs next file
                log.exception("WARC retention failed in %s", directory)

    def _sync(self, file: _File) -> None:
        if not self.options.fsync or file.broken or file.synced >= file.written:
            return  # no fsync asked for (written whole, fsynced when the file closes), failed, or covered
        assert file.handle is not None
        covered = file.written
        try:
            os.fdatasync(file.handle.fileno())
        except OSError as exc:
            self._fail(file, exc, cut=False)
            return
        file.synced = covered

    def _fail(self, file: _File, exc: OSError, *, cut: bool) -> None:
        """A failed write (``cut``: back to its last complete record) or fsync: the file is never used again."""
        log.error("WARC %s failed in %s: %s", "write" if cut else "fsync", self.options.directory, exc)
        with self._lock:
            file.broken = True
            self._lost[file.name] = str(exc)
            if self._file is file:
                self._file = None
        if file.handle is not None:
            if cut:
                try:
                    file.handle.truncate(file.written)
                except OSError:
                    log.warning("could not cut %s back after a failed write", file.name)
            with contextlib.suppress(OSError):
                file.handle.close()

    def _close(self, file: _File) -> None:
        """Close a file whose records are all written, fsynced first."""
        if file.handle is None or file.broken:
            return
        if file.synced < file.written:
            try:
                os.fdatasync(file.handle.fileno())
            except OSError as exc:
                self._fail(file, exc, cut=False)
                return
            file.synced = file.written
        file.handle.close()

    def _ensure_file(self, db: Engine | None) -> _File:
        if self._file is None or not self._file.usable():
            self._retire()  # none yet, a day old, failed, or deleted under us: anew
            self._serial += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            host = _UNSAFE.sub("-", socket.gethostname())[:40] or "host"
            name = f"fazhi-{stamp}-{self._serial:05d}-{host}-{os.getpid()}{SUFFIX}"
            warcinfo_id, member = warcinfo_record(name)
            pruning = db if self.options.retention_days else None
            self._file = _File(name, warcinfo_id, len(member), prune=pruning)
            self._queue.append((self._file, member))
        return self._file

    def _retire(self) -> None:
        if self._file is not None:
            self._retired.append(self._file)
            self._file = None

    def close(self) -> None:
        """Write what is queued, fsync and close every file."""
        with self._lock:
            self._retire()
        self.flush()


def _by_file(queue: list[tuple[_File, bytes]]) -> list[tuple[_File, list[bytes]]]:
    """The queue's records as runs of one file each, in order."""
    runs: list[tuple[_File, list[bytes]]] = []
    for file, member in queue:
        if runs and runs[-1][0] is file:
            runs[-1][1].append(member)
        else:
            runs.append((file, [member]))
    return runs


def _write_all(handle: IO[bytes], data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[handle.write(view) :]


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_writers: dict[WarcOptions, WarcWriter] = {}
_writers_lock = threading.Lock()


def writer_for(options: WarcOptions) -> WarcWriter:
    """The process's writer for ``options`` (one file at a time per process and directory)."""
    with _writers_lock:
        writer = _writers.get(options)
        if writer is None:
            writer = _writers[options] = WarcWriter(options)
            atexit.register(writer.close)
        return writer


def payload_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def archive(
    options: WarcOptions, db: Engine | None, wire: Wire, content: bytes, page: Page, *, sync: bool = True
) -> dict[str, Any]:
    """One fetch's request, response and metadata records; returns the document's ``capture``. ``sync``: written
    (and fsynced, when the options ask for it) before this returns, else only queued: :func:`sync_captures` must
    run before the capture commits."""
    writer = writer_for(options)
    digests: list[str] = []

    def build(warcinfo_id: str) -> list[bytes]:
        response = response_record(wire, warcinfo_id)
        plain = response.plain and content == wire.body  # the payload is the page: one SHA-256 for both
        digests[:] = [response.payload_sha256.hex() if plain else payload_sha256(content)]
        request = request_record(wire, response.record_id, warcinfo_id)
        metadata = metadata_record(wire, response.record_id, warcinfo_id, _metadata_fields(page))
        return [request, response.member, metadata]

    name, offsets = writer.reserve(build, db=db)
    if sync and name in writer.sync_files({name}):
        raise ArchiveFailure(f"WARC write failed in {options.directory}: {writer.lost(name)}")
    return Capture(wire.at, digests[0], name, offsets[1]).as_json()


def archive_page(
    options: WarcOptions, db: Engine, entry: FrontierEntry, result: FetchResult, read: Extracted
) -> dict[str, Any] | None:
    """The engine's call: archive a report page about to be stored; its capture (None: nothing on the wire). No
    I/O: the records are queued, and the committer's :func:`sync_captures` writes and fsyncs them for its group."""
    if result.wire is None:
        return None
    page = Page(entry.url, result.redirects, entry.run_id, entry.source_name, read.report.id)
    return archive(options, db, result.wire, result.content, page, sync=False)


def sync_captures(captures: list[dict[str, Any]]) -> set[str]:
    """Put the records that ``captures`` point at on disk, before the transaction that stores them: one write and
    one fsync per file for a whole commit group (no fsync for writers whose options ask for none). Returns the
    files whose records could not be written or synced: the committer fails the pages pointing into them
    (``warc_write``), the others commit."""
    names = {capture["warc_file"] for capture in captures}
    with _writers_lock:
        writers = list(_writers.values())
    lost: set[str] = set()
    for writer in writers:
        lost |= writer.sync_files(names)
    return lost


def _metadata_fields(page: Page) -> list[tuple[str, str]]:
    fields = [
        ("fazhi-run-id", str(page.run_id)),
        ("fazhi-source", page.source_name),
        ("fazhi-document-id", page.document_id),
        ("fazhi-requested-url", page.url),
    ]
    return fields + [("via", url) for url in page.redirects]


def prune(options: WarcOptions, db: Engine, *, keep: str = "") -> list[str]:
    """Delete WARC files older than the retention that no document's capture points at; returns their names."""
    cutoff = time.time() - options.retention_days * 86400
    candidates = [
        path
        for path in options.directory.glob(f"*{SUFFIX}")
        if path.name != keep and path.stat().st_mtime < cutoff
    ]
    if not candidates:
        return []
    referenced = referenced_warc_files(db)
    deleted = []
    for path in candidates:
        if path.name not in referenced:
            path.unlink(missing_ok=True)
            deleted.append(path.name)
    if deleted:
        log.info("WARC retention: deleted %d files older than %d days", len(deleted), options.retention_days)
    return deleted
