"""Evidence: every fetch that creates or updates a document, written to WARC/1.1 files before the document commits.

The engine calls :func:`archive_page` once per stored report page (after extraction, before the page's outcome is
handed to the committer): a request, a response (status line and headers as received, body as served: still
content-encoded) and a metadata record (crawl run, document id) go into the process's current file as three gzip
members, written whole and flushed to the operating system. The committer calls :func:`sync_captures` before the
transaction that stores a group of pages' ``capture`` (file name, offset of the response record, payload SHA-256):
one fsync covers every page of the group, off the page path, and no capture commits before its records are on disk.
A kill mid-write leaves at most a partial tail that no capture points at. Files rotate by size; retention deletes
old files that no document's capture still points at. The record layout is :mod:`crawler.warcrecords`.
"""

from __future__ import annotations

import atexit
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
    handle: IO[bytes]
    name: str
    warcinfo_id: str
    written: int  # the end of the last complete write
    synced: int = 0  # what an fsync has covered
    broken: bool = False  # an fsync failed: Linux may have dropped what it held, so the file is retired
    opened: float = field(default_factory=time.monotonic)

    def usable(self) -> bool:
        fresh = time.monotonic() - self.opened < MAX_FILE_SECONDS
        return fresh and not self.broken and os.fstat(self.handle.fileno()).st_nlink > 0


class WarcWriter:
    """One process's current WARC file. Records are compressed outside the lock, appended under it, and fsynced
    before :meth:`write` returns (``sync``) or by :meth:`sync_files`; writes that land while an fsync runs share
    the next one (group commit)."""

    def __init__(self, options: WarcOptions) -> None:
        self.options = options
        self._lock = threading.Lock()  # appends, rotation
        self._sync_lock = threading.Lock()  # fsyncs (taken after _lock, never before it)
        self._file: _File | None = None
        self._serial = 0
        self._lost: set[str] = set()  # files retired with writes an fsync never covered

    def write(self, build: Callable[[str], list[bytes]], *, sync: bool = True) -> tuple[str, list[int], bool]:
        """Append the gzip members ``build(warcinfo_id)`` makes; returns (file name, their offsets, whether a new
        file was started) once they are written whole, and (``sync``) on disk."""
        with self._lock:
            opened = self._ensure_file()
            warcinfo_id = self._current().warcinfo_id
        members = build(warcinfo_id)  # compression in parallel with other pages' writes
        with self._lock:
            opened = self._ensure_file() or opened
            current = self._current()
            if (
                current.warcinfo_id != warcinfo_id
            ):  # the file rotated meanwhile: the records name their file's
                members = build(current.warcinfo_id)
            offsets = self._append(current, members)
            end = current.written
        if sync:
            self._sync(current, end)
        return current.name, offsets, opened

    def sync_files(self, names: set[str]) -> set[str]:
        """Everything written so far to the files ``names`` (of this writer) on disk: the current file is fsynced
        now, a closed one was when it closed. Returns the names whose records may not be on disk: a file retired
        after a failed fsync, or the current one when its fsync fails now."""
        with self._lock:
            current, end = self._file, self._file.written if self._file else 0
            lost = names & self._lost
        if current is not None and current.name in names and current.name not in lost:
            try:
                self._sync(current, end)
            except OSError as exc:
                log.error("WARC fsync failed in %s: %s", self.options.directory, exc)
                lost.add(current.name)
        return lost

    def _current(self) -> _File:
        assert self._file is not None
        return self._file

    def _append(self, current: _File, members: list[bytes]) -> list[int]:
        offsets, position = [], current.written
        try:
            for member in members:
                offsets.append(position)
                current.handle.write(member)
                position += len(member)
            current.handle.flush()
        except OSError:
            self._abandon(current)
            raise
        current.written = position
        if position >= self.options.max_file_bytes:
            self._close()
        return offsets

    def _sync(self, current: _File, end: int) -> None:
        if not self.options.fsync:  # written whole and flushed to the OS; the file is fsynced when it closes
            return
        with self._sync_lock:
            if current.synced >= end:  # another page's fsync (or the file's close) covered this write
                return
            if current.broken or current.handle.closed:
                raise OSError(f"{current.name} was closed or failed before this write reached the disk")
            covered = current.written
            try:
                os.fdatasync(current.handle.fileno())
            except OSError:
                current.broken = True
                self._lost.add(current.name)
                raise
            current.synced = covered

    def _ensure_file(self) -> bool:
        if self._file is not None and self._file.usable():
            return False
        self._close()  # none yet, a day old, failed, or deleted under us (by hand, another machine): anew
        self._open()
        return True

    def _open(self) -> None:
        directory = self.options.directory
        directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
        host = _UNSAFE.sub("-", socket.gethostname())[:40] or "host"
        name = f"fazhi-{stamp}-{self._serial:05d}-{host}-{os.getpid()}{SUFFIX}"
        handle = (directory / name).open("xb")
        warcinfo_id, member = warcinfo_record(name)
        handle.write(member)
        handle.flush()
        os.fsync(handle.fileno())
        _fsync_directory(directory)  # the new file's name survives a power cut too
        self._file = _File(handle, name, warcinfo_id, len(member), len(member))

    def _abandon(self, current: _File) -> None:
        """A failed write: cut the file back to its last complete record, and start a new file next time."""
        try:
            current.handle.truncate(current.written)
        except OSError:
            log.warning("could not cut %s back after a failed write", current.name)
        self._close()

    def _close(self) -> None:
        """Close the current file, fsynced first: a write waiting for its fsync then finds it covered."""
        current, self._file = self._file, None
        if current is None:
            return
        with self._sync_lock:
            try:
                if not current.broken:
                    os.fdatasync(current.handle.fileno())
                    current.synced = current.written
            except OSError:
                current.broken = True
                raise
            finally:
                if current.broken and current.synced < current.written:
                    self._lost.add(current.name)
                current.handle.close()

    def close(self) -> None:
        with self._lock:
            self._close()


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
    options: WarcOptions, db: Engine, wire: Wire, content: bytes, page: Page, *, sync: bool = True
) -> dict[str, Any]:
    """Write one fetch's request, response and metadata records (and fsync them: ``sync`` and the options ask
    for it; else :func:`sync_captures` must run before the capture commits); returns the document's ``capture``."""
    writer = writer_for(options)

    def build(warcinfo_id: str) -> list[bytes]:
        response_id, response = response_record(wire, warcinfo_id)
        request = request_record(wire, response_id, warcinfo_id)
        return [request, response, metadata_record(wire, response_id, warcinfo_id, _metadata_fields(page))]

    try:
        name, offsets, opened = writer.write(build, sync=sync and options.fsync)
    except OSError as exc:
        raise ArchiveFailure(f"WARC write failed in {options.directory}: {exc}") from exc
    if opened and options.retention_days:
        prune(options, db, keep=name)
    return Capture(wire.at, payload_sha256(content), name, offsets[1]).as_json()


def archive_page(
    options: WarcOptions, db: Engine, entry: FrontierEntry, result: FetchResult, read: Extracted
) -> dict[str, Any] | None:
    """The engine's call: archive a report page about to be stored; its capture (None: nothing on the wire). The
    records are written whole, not yet fsynced: the committer's :func:`sync_captures` does that for its group."""
    if result.wire is None:
        return None
    page = Page(entry.url, result.redirects, entry.run_id, entry.source_name, read.report.id)
    return archive(options, db, result.wire, result.content, page, sync=False)


def sync_captures(captures: list[dict[str, Any]]) -> set[str]:
    """Put the records that ``captures`` point at on disk, before the transaction that stores them: one fsync per
    file for a whole commit group (writers whose options ask for none are left alone). Returns the files that
    could not be synced: the committer fails the pages pointing into them (``warc_write``), the others commit."""
    names = {capture["warc_file"] for capture in captures}
    with _writers_lock:
        writers = [w for w in _writers.values() if w.options.fsync]
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
