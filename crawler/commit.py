"""Writing pages' outcomes: each page's frontier state, document, sightings and discovered links in one
transaction, so that a crash at any point loses nothing and duplicates nothing (a page whose transaction did not
commit is still pending and is fetched again). Several pages may share one transaction (:class:`Committer`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from crawler import warc
from crawler.decide import failed
from crawler.outcomes import Outcome, PageOutcome
from store import write_session
from store.captures import set_capture
from store.changes import feed_lock
from store.documents import resight_many, upsert_document
from store.frontier import enqueue, mark_many
from store.types import utcnow


def commit(db: Engine, pages: list[PageOutcome]) -> list[PageOutcome]:
    """Write ``pages`` in one transaction; a report whose body was already held becomes ``SEEN``."""
    captures = [page.capture for page in pages if page.capture]
    if captures:  # their WARC records on disk before the rows that point at them (one fsync for the group)
        checksums = [page.changes.get("checksum") for page in pages if page.capture]  # the content's SHA-256
        lost = warc.sync_captures(captures, checksums)  # (the crawl's change checksum: not hashed again)
        for page in pages:
            if page.capture and page.capture["warc_file"] in lost:
                _unarchived(page)
    with write_session(db) as session:
        if any(p.document is not None for p in pages):
            feed_lock(session)  # before any shared row (store.changes)
        marks: list[tuple[str, dict[str, Any]]] = []
        sightings: list[dict[str, Any]] = []
        held = [page for page in pages if not write(session, page, marks, sightings)]
        resight_many(session, sightings, seen_at=utcnow())
        mark_many(session, marks)
    for page in held:  # only once committed: a transaction that failed is tried again page by page
        page.outcome = Outcome.SEEN
    return pages


def _unarchived(page: PageOutcome) -> None:
    """A report whose WARC records may not be on disk fails as a failed WARC write does: no document, no capture;
    the page is fetched again by the next crawl. The group's other pages commit."""
    reason = warc.ArchiveFailure.reason
    attempts = int(page.changes.get("attempts") or 0)
    as_failed = failed(
        page.entry, reason, status=page.http_status, attempts=attempts, detail=f"{reason}: WARC write failed"
    )
    page.outcome, page.changes, page.reason, page.detail = (
        as_failed.outcome,
        as_failed.changes,
        as_failed.reason,
        as_failed.detail,
    )
    page.document = page.capture = page.search_tokens = page.previous_id = page.sketch = None
    page.resight = False


def write(
    session: Session,
    page: PageOutcome,
    marks: list[tuple[str, dict[str, Any]]],
    sightings: list[dict[str, Any]],
) -> bool:
    """One page's effects, in the caller's transaction; False when its report's body was already held. Its
    frontier state and an unchanged page's sighting are added to ``marks`` and ``sightings``, written for the
    whole group at its end (:func:`store.frontier.mark_many`, :func:`store.documents.resight_many`)."""
    entry = page.entry
    created = True
    if page.document is not None:
        if page.capture:  # a new document's row carries it (no UPDATE); a known one's is set below
            page.document["capture"] = page.capture
        created = upsert_document(
            session=session,
            document=page.document,
            previous_id=page.previous_id,
            search_tokens=page.search_tokens,
            sketch=page.sketch,
        ).created
        if page.capture and not created:
            set_capture(session, document_id=page.document["id"], capture=page.capture)
    elif page.resight and entry.document_id:
        sightings.append(
            {"document_id": entry.document_id, "url": entry.url, "source_name": entry.source_name}
        )
    marks.append((entry.key, page.changes))
    if page.found:
        enqueue(session, run_id=entry.run_id, source_name=entry.source_name, entries=page.found)
    return created


Done = Callable[[PageOutcome], None]


class Committer:
    """Group commit: pages handed in while a transaction runs go into the next one (one thread hop per group, not
    per page); several source crawls may share one. ``submit`` returns at once (it waits only while ``limit``
    pages are queued); ``done`` is called for each page after its transaction committed. When a group's
    transaction fails, its pages are committed one by one, so a failure stays with the crawl (``owner``) whose
    page caused it: that crawl's ``drain`` and later ``submit`` calls raise it.

    A group of fewer than ``fill`` pages waits up to ``gather`` seconds for more (a transaction, a WARC write and
    fsync and a thread hop cost about as much for one page as for thirty: a commit thread that got faster made
    ever smaller groups); a ``drain`` cuts that wait short, so a crawl waiting for its pages never waits for it.
    Groups are taken in the order pages came: a ``drain`` waits for its owner's last page, not for the queue to
    empty (other crawls keep it full: a crawl between two list pages would wait for their pages too)."""

    def __init__(
        self, db: Engine, *, limit: int = 500, group: int = 200, gather: float = 0.1, fill: int = 64
    ) -> None:
        self.db, self.limit, self.group, self.gather, self.fill = db, limit, group, gather, fill
        self._queue: list[tuple[str, PageOutcome, Done]] = []
        self._task: asyncio.Task[None] | None = None
        self._room = asyncio.Event()
        self._wake = asyncio.Event()  # the gathering group is full, or someone drains
        self._draining = 0
        self._errors: dict[str, BaseException] = {}
        self._handed = 0  # pages handed in so far: a page's number is the count when it came
        self._written = 0  # pages whose group has ended (committed or failed): all up to this number
        self._last: dict[str, int] = {}  # each owner's last page's number
        self._wrote: asyncio.Future[None] | None = None  # resolved when the next group has ended

    async def submit(self, owner: str, page: PageOutcome, done: Done) -> None:
        while len(self._queue) >= self.limit:
            self._room.clear()
            await self._room.wait()
        self._raise(owner)
        self._queue.append((owner, page, done))
        self._handed += 1
        self._last[owner] = self._handed
        if len(self._queue) >= self.fill:
            self._wake.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._flush())

    async def drain(self, owner: str) -> None:
        """Wait until every page ``owner`` handed in so far (and so every page before) has been written; raise
        ``owner``'s failure, if any."""
        wanted = self._last.get(owner, 0)
        self._draining += 1
        self._wake.set()
        try:
            while self._written < wanted and self._task is not None and not self._task.done():
                if self._wrote is None:
                    self._wrote = asyncio.get_running_loop().create_future()
                await asyncio.wait((self._task, self._wrote), return_when=asyncio.FIRST_COMPLETED)
            if self._written < wanted and self._task is not None:
                await self._task  # it ended before writing them: its error (else they are written)
        finally:
            self._draining -= 1
        self._raise(owner)

    def _ended(self, count: int) -> None:
        self._written += count
        wrote, self._wrote = self._wrote, None
        if wrote is not None and not wrote.done():
            wrote.set_result(None)

    def _raise(self, owner: str) -> None:
        error = self._errors.pop(owner, None)
        if error is not None:
            raise error

    async def _flush(self) -> None:
        while self._queue:
            if self.gather > 0 and len(self._queue) < self.fill and not self._draining:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.gather)
            taken, self._queue = self._queue[: self.group], self._queue[self.group :]
            self._room.set()
            try:
                await asyncio.to_thread(commit, self.db, [page for _, page, _ in taken])
            except Exception:
                await self._one_by_one(taken)
            else:
                for owner, page, done in taken:
                    self._done(owner, page, done)
            finally:  # (cancelled: the thread's transaction may still commit; the run is resumed either way)
                self._ended(len(taken))

    def _done(self, owner: str, page: PageOutcome, done: Done) -> None:
        """``done(page)``; its failure (a progress display that cannot print, say) is its crawl's, raised at that
        crawl's next step, and neither stops the flush nor reaches the other crawls."""
        try:
            done(page)
        except Exception as exc:
            self._errors.setdefault(owner, exc)

    async def _one_by_one(self, taken: list[tuple[str, PageOutcome, Done]]) -> None:
        for owner, page, done in taken:
            if owner in self._errors:
                continue  # that crawl stops at its next step: its remaining pages stay pending
            try:
                await asyncio.to_thread(commit, self.db, [page])
            except Exception as exc:  # the page stays pending in the store: a later run fetches it again
                self._errors[owner] = exc
            else:
                self._done(owner, page, done)
