"""Evidence: every fetch that creates or updates a document, written to WARC/1.1 files before the document commits.

The engine calls :func:`archive_page` once per stored report page (after extraction, before the page's outcome is
handed to the committer): it only queues the fetch and returns the page's ``capture``, still empty. The committer
calls :func:`sync_captures` before the transaction that stores a group of pages: the queued fetches' records (a
request, a response with the status line and headers as received and the body as served, still content-encoded,
and a metadata record with the crawl run and the document id; three gzip members) are built, appended to the
process's current file in one write, and fsynced, one fsync for the group; then their captures (file name, offset
of the response record, payload SHA-256, which the committer passes when the crawl has it: its change checksum)
are filled in, and no capture commits before its records are on disk. The page path does no I/O and no thread
hop (``bench/warc.py`` measures both paths). A kill mid-write leaves at most a partial tail that no capture points
at; a failed write or fsync retires the file, and the pages pointing into it fail (``warc_write``). Files rotate by
size and age; retention deletes old files that no document's capture still points at. The record layout is
:mod:`crawler.warcrecords`.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import re
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Engine

from crawler.errors import PageError
from crawler.warcrecords import Wire, fetch_records, field_value, warc_date, warcinfo_record
from store.captures import referenced_warc_files

if TYPE_CHECKING:
    from crawler.fetch import FetchResult
    from crawler.pipeline import Extracted
    from store.frontier import Entry

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


CAPTURE_KEYS = ("fetched_at", "payload_sha256", "warc_file", "offset")
# a document's capture: when the fetch went out; the SHA-256 of the body after content decoding; a name in the WARC
# directory, and where the response record's gzip member starts in it. Queued, its values are None until its
# records are written (sync_captures).


class Page(NamedTuple):
    """What one archived fetch says about itself in its metadata record."""

    url: str  # the URL asked for (redirects lead to the response's target URI)
    redirects: list[str]
    run_id: int
    source_name: str
    document_id: str


_Fetch = tuple[dict[str, Any], Wire, bytes, Page, Engine | None]
# a fetch queued for archiving: its capture (filled in once its records are written), the exchange, the body after
# content decoding, what its metadata record says, and the database its file's retention asks (a plain tuple: the
# page path makes one per page)


@dataclass(eq=False)
class _File:
    handle: IO[bytes]
    name: str
    warcinfo_id: str
    written: int  # the end of the last complete write
    end: int  # the end of the records given offsets in this file (written or about to be)
    synced: int = 0  # what an fsync has covered
    broken: bool = False  # a write or fsync failed (Linux may have dropped what it held): retired
    opened: float = field(default_factory=time.monotonic)

    def usable(self) -> bool:
        fresh = time.monotonic() - self.opened < MAX_FILE_SECONDS
        return fresh and not self.broken and os.fstat(self.handle.fileno()).st_nlink > 0


class WarcWriter:
    """One process's current WARC file. :meth:`queue` (the page path) only takes a fetch in; :meth:`flush` (the
    committer, before its transaction) builds the records of every fetch queued so far, appends them in one write
    per file and fills in their captures; :meth:`sync_files` fsyncs them: one fsync for every page queued meanwhile
    (group commit). A file whose write or fsync failed is retired, and the captures pointing into it are lost."""

    def __init__(self, options: WarcOptions) -> None:
        self.options = options
        self._lock = threading.Lock()  # _lost (held for no I/O)
        self._io_lock = threading.Lock()  # building, writing, fsyncs and files (taken before _lock)
        self._file: _File | None = None
        self._queue: deque[_Fetch] = deque()  # appended and popped without a lock (each call is atomic)
        self._serial = 0
        self._lost: dict[str, str] = {}  # files retired with records that may not be on disk: the error

    def queue(self, fetch: _Fetch) -> None:
        self._queue.append(fetch)

    def lost(self, name: str) -> str | None:
        """Why the records of the file ``name`` may not be on disk (None: they are, or are still queued)."""
        with self._lock:
            return self._lost.get(name)

    def flush(self) -> None:
        """Build and write the records of every fetch queued so far, each file's in one write."""
        with self._io_lock:
            queue = self._queue
            chunk: list[bytes] = []
            for n in range(len(queue)):  # what is queued now; later pages go to the next flush
                capture, wire, content, page, db = queue.popleft()
                if not self._takes_more(checked=n > 0):
                    self._end_file(chunk)
                    chunk = []
                    name = self._open(db)
                    if self._file is None:  # it could not be started: the capture names the lost file
                        capture["warc_file"] = name
                        continue
                file = self._file
                assert file is not None
                try:  # a payload_sha256 given by sync_captures: the content's, computed by the crawl already
                    members, sha256 = fetch_records(
                        wire, content, file.warcinfo_id, _metadata(page), capture["payload_sha256"]
                    )
                except Exception:  # its capture stays empty: that page fails (warc_write), the others go on
                    log.exception("WARC records of %s could not be built", wire.url)
                    capture["payload_sha256"] = None
                    continue
                request, response, metadata = members
                offset = file.end + len(request)  # the response's member follows the request's
                capture.update(
                    fetched_at=warc_date(wire.at), payload_sha256=sha256, warc_file=file.name, offset=offset
                )
                file.end = offset + len(response) + len(metadata)
                chunk += members
            if self._file is not None:
                self._write(self._file, chunk)

    def _takes_more(self, *, checked: bool) -> bool:
        """The current file takes the next records: there is one, under the size limit, and (once a flush: a
        ``stat``) not a day old, failed or deleted under us (by hand, another machine)."""
        file = self._file
        return file is not None and file.end < self.options.max_file_bytes and (checked or file.usable())

    def sync_files(self, names: set[str]) -> set[str]:
        """Everything queued so far written, and for the files ``names`` on disk (``fsync``): the current file is
        fsynced now, a replaced one was when it closed. Returns the names whose records may not be on disk: files
        retired after a failed write or fsync."""
        self.flush()
        return self.sync_written(names)

    def sync_written(self, names: set[str]) -> set[str]:
        """:meth:`sync_files` for records written already (no flush)."""
        with self._io_lock:
            if self._file is not None and self._file.name in names:
                self._sync(self._file)
        with self._lock:
            return names & self._lost.keys()

    def _write(self, file: _File, members: list[bytes]) -> None:
        if file.broken or not members:
            return
        chunk = b"".join(members)
        try:
            _write_all(file.handle, chunk)
        except OSError as exc:
            self._fail(file, exc, cut=True)
            return
        file.written += len(chunk)

    def _sync(self, file: _File) -> None:
        if not self.options.fsync or file.broken or file.synced >= file.written:
            return  # no fsync asked for (written whole, fsynced when the file closes), failed, or covered
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
        file.broken = True
        with self._lock:
            self._lost[file.name] = str(exc)
        if cut:
            try:
                file.handle.truncate(file.written)
            except OSError:
                log.warning("could not cut %s back after a failed write", file.name)
        with contextlib.suppress(OSError):
            file.handle.close()
        if self._file is file:
            self._file = None

    def _end_file(self, chunk: list[bytes]) -> None:
        """Write the current file's last records, fsync and close it."""
        file, self._file = self._file, None
        if file is None:
            return
        self._write(file, chunk)
        if file.broken:
            return
        if file.synced < file.written:
            try:
                os.fdatasync(file.handle.fileno())
            except OSError as exc:
                self._fail(file, exc, cut=False)
                return
            file.synced = file.written
        file.handle.close()

    def _open(self, db: Engine | None) -> str:
        """Start a file: its warcinfo record and its name on disk (fsync of the file and the directory); returns
        its name (in ``_lost`` if that failed). Retention runs once a file is started."""
        directory = self.options.directory
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        host = _UNSAFE.sub("-", socket.gethostname())[:40] or "host"
        name = f"fazhi-{stamp}-{self._serial:05d}-{host}-{os.getpid()}{SUFFIX}"
        warcinfo_id, member = warcinfo_record(name)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            handle = (directory / name).open("xb", buffering=0)  # unbuffered: a failed write leaves no bytes
        except OSError as exc:
            log.error("WARC file could not be created in %s: %s", directory, exc)
            with self._lock:
                self._lost[name] = str(exc)
            return name
        self._file = file = _File(handle, name, warcinfo_id, 0, len(member))
        self._write(file, [member])
        try:
            if not file.broken:
                os.fsync(handle.fileno())
                _fsync_directory(directory)
                file.synced = file.written
        except OSError as exc:
            self._fail(file, exc, cut=False)
        if db is not None and self.options.retention_days:
            try:
                prune(self.options, db, keep=name)
            except Exception:  # housekeeping: the records are written all the same; retention runs next file
                log.exception("WARC retention failed in %s", directory)
        return name

    def close(self) -> None:
        """Write what is queued, fsync and close the current file."""
        self.flush()
        with self._io_lock:
            self._end_file([])


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
    writer = _writers.get(options)  # every page: no lock once made
    if writer is not None:
        return writer
    with _writers_lock:
        writer = _writers.get(options)
        if writer is None:
            writer = _writers[options] = WarcWriter(options)
            atexit.register(writer.close)
        return writer


def archive(
    options: WarcOptions, db: Engine | None, wire: Wire, content: bytes, page: Page, *, sync: bool = True
) -> dict[str, Any]:
    """One fetch's request, response and metadata records; returns the document's ``capture``. ``sync``: written
    (and fsynced, when the options ask for it) before this returns; else only queued: the capture's values are None
    until :func:`sync_captures` (which must run before it commits) has written its records."""
    writer = writer_for(options)
    capture: dict[str, Any] = dict.fromkeys(CAPTURE_KEYS)
    writer.queue((capture, wire, content, page, db))
    if sync:
        writer.flush()
        name = capture["warc_file"]
        if name is None or name in writer.sync_files({name}):
            why = writer.lost(name) if name else "its records could not be built"
            raise ArchiveFailure(f"WARC write failed in {options.directory}: {why}")
    return capture


def archive_page(
    options: WarcOptions, db: Engine, entry: Entry, result: FetchResult, read: Extracted
) -> dict[str, Any] | None:
    """The engine's call: archive a report page about to be stored; its capture (None: nothing on the wire). The
    page path only queues the fetch: the committer's :func:`sync_captures` builds, writes and fsyncs the records
    of its group's pages and fills in their captures, before its transaction."""
    wire = result.wire
    if wire is None:
        return None
    capture = dict.fromkeys(CAPTURE_KEYS)
    page = Page(entry.url, result.redirects, entry.run_id, entry.source_name, read.report.id)
    writer_for(options).queue((capture, wire, result.content, page, db))  # what archive(sync=False) does
    return capture


def sync_captures(
    captures: list[dict[str, Any]], checksums: list[str | None] | None = None
) -> set[str | None]:
    """Build and write the records that ``captures`` stand for (filling them in) and put them on disk, before the
    transaction that stores them: one write and one fsync per file for a whole commit group (no fsync for writers
    whose options ask for none). ``checksums``: the SHA-256 (hex) of each capture's content, when the crawl has it
    (its change checksum of the same bytes): not computed again. Returns the files whose records could not be
    written or synced: the committer fails the pages pointing into them (``warc_write``), the others commit; and
    None when some capture is still empty (its records could not be built)."""
    for capture, checksum in zip(captures, checksums or [None] * len(captures), strict=True):
        if capture["warc_file"] is None and checksum:  # still queued: its records take it
            capture["payload_sha256"] = checksum
    with _writers_lock:
        writers = list(_writers.values())
    for writer in writers:
        writer.flush()
    names = {capture["warc_file"] for capture in captures}
    lost: set[str | None] = {None} if None in names else set()
    names.discard(None)
    for writer in writers:
        lost |= writer.sync_written(names)
    return lost


def _metadata(page: Page) -> bytes:
    """The metadata record's block: the crawl run, the source, the document, the URL asked for and its redirects."""
    url, redirects, run_id, source_name, document_id = page
    via = "".join([f"via: {field_value(hop)}\r\n" for hop in redirects])
    return (
        f"fazhi-run-id: {run_id}\r\nfazhi-source: {field_value(source_name)}\r\n"
        f"fazhi-document-id: {field_value(document_id)}\r\nfazhi-requested-url: {field_value(url)}\r\n{via}"
    ).encode()


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
