"""A report page's attachments: fetched through the crawl's own path, read in a bounded child, joined to the page.

Called for each detail page after its extraction (``attach``). The files of a report, or of a page whose title is
a report title, are fetched like pages (robots.txt, the host's slot and delay, retries, address checks, a
conditional GET with the validators stored for the URL), under their own byte cap (``max_attachment_bytes``) and
type allow-list (``attachment_types``), by one client per crawl (``client``); each is read in an extraction
worker under the file deadline (the worker is killed past it) and a memory bound (``ingest.files.read_in_place``). ``ingest.files.report`` decides what they change (an attachment-only report takes its file's
text as body); their rows are stored before the page's document (``store.attachments``), in the page's own
frontier step, so a crash re-does the page and nothing is half stored. A file that cannot be fetched or read is
recorded with its reason; it never fails its page.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import logging
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.errors import ExtractTimeout, PageError
from crawler.fetch import Fetcher, FetchResult
from ingest.classify import wants_attachments
from ingest.model import Attachment, ExtractedReport, SourceHints
from store.attachments import latest_by_url, save_attachments
from store.frontier import Entry
from store.types import utcnow

if TYPE_CHECKING:
    from crawler.engine import SourceCrawl
    from ingest.files import FileLimits, FileText
    from ingest.files.report import FetchedAttachment, ReadAttachment

# ingest.files (the file readers: ~0.1 s of CPU to import) is imported by the first page that has attachments:
# a crawl whose pages have none never pays for it

log = logging.getLogger("fazhi.crawler.attachments")

# the link types each type found in the bytes may come under (Kingsoft's .wps and .et are Word and Excel bytes)
SNIFFED_AS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"pdf"}),
    "docx": frozenset({"docx", "doc", "wps"}),
    "doc": frozenset({"doc", "wps"}),
    "wordml": frozenset({"doc", "wps"}),
    "mht": frozenset({"doc", "wps"}),
    "xls": frozenset({"xls", "et"}),
    "xlsx": frozenset({"xlsx", "xls", "et"}),
    "ofd": frozenset({"ofd"}),
    "rtf": frozenset({"rtf", "doc"}),
}


@dataclass
class Fetched:
    """One attachment after its request: a body to read, a stored row to reuse (304), or a reason."""

    link: Attachment
    result: FetchResult | None = None
    reused: dict[str, Any] | None = None
    reason: str | None = None
    status: str = "failed"


async def attach(crawl: SourceCrawl, entry: Entry, report: ExtractedReport) -> ExtractedReport:
    """The page's report with its attachments fetched, read and recorded (the page's own report when it has
    none to fetch). Their rows are stored when the report is one."""
    if not wants_attachments(report):
        return report
    from ingest.files.report import join_attachments

    source = crawl.source
    links, refused = _wanted(report.attachments, source.attachment_types, source.max_attachments)
    previous = await asyncio.to_thread(latest_by_url, crawl.db, [a.url for a in links])
    fetched = {id(item.link): item for item in await _fetch_all(crawl, entry, links, previous)}
    fetched.update({id(link): Fetched(link, reason=why, status="skipped") for link, why in refused})
    items = [fetched[id(link)] for link in report.attachments]
    files = [await _read(crawl, item) for item in items]
    hints = SourceHints(agency=source.agency, region=source.region)
    merged, body_index = await crawl.extractor.run(
        join_attachments, report, files, hints, timeout=crawl.config.extract_timeout
    )
    _count(crawl, files)
    if merged.is_report:
        keep = source.keep_attachments
        rows = [
            {"n": n, **_row(item, file, n == body_index, keep)}
            for n, (item, file) in enumerate(zip(items, files, strict=True))
        ]
        await asyncio.to_thread(save_attachments, crawl.db, document_id=merged.id, rows=rows)
    return merged


def _wanted(
    links: list[Attachment], types: Sequence[str], cap: int
) -> tuple[list[Attachment], list[tuple[Attachment, str]]]:
    """The links to fetch, and the others with the reason they are not fetched."""
    allowed = set(types)
    wanted: list[Attachment] = []
    refused: list[tuple[Attachment, str]] = []
    for link in links:
        if link.type.lower() not in allowed:
            refused.append((link, f"type not allowed: .{link.type}"))
        elif len(wanted) >= cap:
            refused.append((link, f"over max_attachments ({cap})"))
        else:
            wanted.append(link)
    return wanted, refused


# ---------------------------------------------------------------- fetching


class _Client:
    """A crawl's attachment client: the page path's settings with the attachment cap, opened on first use."""

    def __init__(self, crawl: SourceCrawl) -> None:
        self.policy = dataclasses.replace(crawl.policy, max_bytes=crawl.source.max_attachment_bytes)
        self.fetcher: Fetcher | None = None

    async def get(self) -> Fetcher:
        if self.fetcher is None:
            self.fetcher = await Fetcher(self.policy).__aenter__()
        return self.fetcher

    async def close(self) -> None:
        if self.fetcher is not None:
            await self.fetcher.aclose()


_CLIENTS: weakref.WeakKeyDictionary[SourceCrawl, _Client] = weakref.WeakKeyDictionary()


@contextlib.asynccontextmanager
async def client(crawl: SourceCrawl) -> AsyncIterator[None]:
    """The crawl's attachment client for the length of the block (``SourceCrawl._run``), closed at its end."""
    _CLIENTS[crawl] = holder = _Client(crawl)
    try:
        yield
    finally:
        _CLIENTS.pop(crawl, None)
        await holder.close()


async def _fetch_all(
    crawl: SourceCrawl, entry: Entry, links: list[Attachment], previous: dict[str, dict[str, Any]]
) -> list[Fetched]:
    if not links:
        return []
    holder = _CLIENTS.get(crawl)
    if holder is None:  # outside a crawl's run: a client for this page only
        async with client(crawl):
            return await _fetch_all(crawl, entry, links, previous)
    fetcher = await holder.get()
    return [await _fetch_one(crawl, fetcher, entry, link, previous.get(link.url)) for link in links]


async def _fetch_one(
    crawl: SourceCrawl,
    fetcher: Fetcher,
    page: Entry,
    link: Attachment,
    previous: dict[str, Any] | None,
) -> Fetched:
    from crawler.engine import Attempts, status_reason  # the engine imports this module

    headers = {"Referer": page.url}
    if previous and previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous and previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    request = Entry(key="", source_name=page.source_name, run_id=page.run_id, url=link.url, kind="attachment")
    try:
        result, _attempts = await crawl._fetch(fetcher, request, headers)
    except Attempts as failure:
        return Fetched(link, reason=failure.error.reason)
    if result.status == 304 and previous is not None:
        return Fetched(link, result, reused=previous, status="reused")
    if result.status != 200:
        return Fetched(link, result, reason=status_reason(result))
    return Fetched(link, result, status="fetched")


# ---------------------------------------------------------------- reading


def limits_of(crawl: SourceCrawl) -> FileLimits:
    from ingest.files import FileLimits

    return FileLimits(max_bytes=crawl.source.max_attachment_bytes)


async def _read(crawl: SourceCrawl, item: Fetched) -> ReadAttachment:
    from ingest.files import FileText, sniff
    from ingest.files.report import ReadAttachment

    link = item.link
    if item.reused is not None:
        return _reused(link, item.reused)
    if item.result is None or item.status != "fetched":
        text = FileText("unknown", "skipped" if item.status == "skipped" else "failed", item.reason)
        return ReadAttachment(_record(link, None, text))
    content = item.result.content
    kind = sniff(content)
    allowed = SNIFFED_AS.get(kind)
    if allowed is not None and not allowed & set(crawl.source.attachment_types):
        text = FileText(kind, "skipped", f"type not allowed: the bytes are {kind}")
    elif kind == "unknown":  # nothing to read: no child process for it
        text = FileText(
            kind, "skipped", f"not a document type we read (served as {item.result.content_type})"
        )
    else:
        text = await _read_bounded(crawl, content, link.name)
    return ReadAttachment(_record(link, content, text), text.paragraphs if text.status == "extracted" else [])


async def _read_bounded(crawl: SourceCrawl, content: bytes, name: str) -> FileText:
    from ingest.files import FileText
    from ingest.files.runner import read_in_place

    limits = limits_of(crawl)
    try:
        bounded = await crawl.extractor.run(read_in_place, content, name, limits, timeout=limits.timeout_s)
    except ExtractTimeout:
        return FileText(
            "unknown", "failed", f"timeout: no result within {limits.timeout_s:g} s (worker stopped)"
        )
    except PageError as exc:  # the worker died (a crash in a native reader)
        return FileText("unknown", "failed", f"reader crashed: {exc}"[:300])
    _note_rss(crawl, name, bounded.peak_rss_bytes)
    return bounded.text


def _record(link: Attachment, content: bytes | None, text: FileText) -> FetchedAttachment:
    from ingest.files.report import FetchedAttachment

    known = text.type if text.type != "unknown" else link.type
    return FetchedAttachment(
        name=link.name,
        url=link.url,
        type=known,
        bytes=len(content) if content is not None else 0,
        sha256=hashlib.sha256(content).hexdigest() if content is not None else "",
        text_chars=text.text_chars if text.status == "extracted" else 0,
        status=text.status,
        reason=text.reason,
    )


def _reused(link: Attachment, row: dict[str, Any]) -> ReadAttachment:
    """A 304: the stored reading of the same file."""
    from ingest.files.report import FetchedAttachment, ReadAttachment

    record = FetchedAttachment(
        name=link.name,
        url=link.url,
        type=row["type"],
        bytes=row["bytes"],
        sha256=row["sha256"],
        text_chars=row["text_chars"],
        status=row["status"],
        reason=row["reason"],
    )
    paragraphs = row["text"].split("\n") if row["status"] == "extracted" and row["text"] else []
    return ReadAttachment(record, paragraphs)


def _note_rss(crawl: SourceCrawl, name: str, rss: int | None) -> None:
    if rss is None:
        return
    peak = max(crawl.stats.attachments.get("peak_rss_mb", 0), rss // (1024 * 1024))
    crawl.stats.attachments["peak_rss_mb"] = peak
    log.debug("read %s: peak RSS %d MB", name, rss // (1024 * 1024), extra={"source": crawl.source.name})


def _count(crawl: SourceCrawl, files: list[ReadAttachment]) -> None:
    counts: Counter[str] = crawl.stats.attachments
    for file in files:
        counts[file.record.status] += 1
        if file.record.status in ("failed", "skipped"):
            log.info(
                "attachment %s: %s",
                file.record.status,
                file.record.reason,
                extra={"source": crawl.source.name, "url": file.record.url, "reason": file.record.reason},
            )


# ---------------------------------------------------------------- storing


def _row(item: Fetched, file: ReadAttachment, is_body: bool, keep: bool) -> dict[str, Any]:
    record, result = file.record, item.result
    content = result.content if result is not None and item.status == "fetched" else None
    if item.reused is not None:
        content = item.reused.get("content")
    headers = result.headers if result is not None else {}
    reused = item.reused or {}
    return {
        **{f.name: getattr(record, f.name) for f in dataclasses.fields(record)},
        "is_body": is_body,
        "text": file.text,
        "tokens": "",  # search words come from the indexing step (crawler.indexer reads the text itself)
        "content": content if keep else None,
        "etag": headers.get("etag") or reused.get("etag"),
        "last_modified": headers.get("last-modified") or reused.get("last_modified"),
        "fetched_at": utcnow(),
    }
