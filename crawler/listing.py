"""A source crawl's listings: what each column claims, what its pages gave, and what to ask when it comes up short.

A *column* is a listing with its pagination (a start URL, a year sub-column, a gkmlpt category). Each list page
belongs to the column of the page that found it, unless its dialect opened a new one. The column records the
entries it claims (``count=``, ``totalRecord``, ``post_count``…) and the pages it claims, against the distinct
entries and pages read. A column that is short (fewer entries or pages than it claims, or nothing at all) gets
the generic fallback's requests once, at the end of the list phase; what is still missing is its ``shortfall``.

Request metadata (XHR, probe, column, Referer) lives here for the crawl's lifetime: a resumed run reads its
pending list pages without it (plain requests, each its own column), and leaves those pages out of the
completeness figures and of the fallback (they are counted as ``resumed_pages``).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from crawler.candidates import looks_like_report, on_source_hosts
from crawler.discover import ListPage, ListRequest
from store import write_session
from store.frontier import Entry, NewEntry, enqueue

log = logging.getLogger("fazhi.crawler")
XHR_HEADERS = {
    "X-Requested-With": "XMLHttpRequest",
    "Accept": "application/json, text/javascript, */*; q=0.01",
}
BROWSER_HEADERS = {
    **XHR_HEADERS,
    "Accept-Language": "zh-CN,zh;q=0.9",
    "Sec-Fetch-Mode": "cors",
    "Sec-Fetch-Site": "same-origin",
    "Sec-Fetch-Dest": "empty",
}
_PAGE_NUMBER = re.compile(r"[?&](pageNo|pageNum|pageIndex|page|startrecord|curPage)=\d", re.I)
STUB_BYTES = 600  # a list page this small without links is a broken deep-page stub


@dataclass
class Column:
    url: str
    expected: int | None = None
    pages_stated: int | None = None
    pages_read: int = 0
    found: set[str] = field(default_factory=set)
    children: int = 0
    fallback: list[ListRequest] = field(default_factory=list)
    fell_back: bool = False
    problems: list[str] = field(default_factory=list)
    resumed: bool = False  # a page of a resumed run whose column this process did not see start

    @property
    def missing_entries(self) -> int:
        return max((self.expected or 0) - len(self.found), 0)

    @property
    def missing_pages(self) -> int:
        return max((self.pages_stated or 0) - self.pages_read, 0)

    @property
    def short(self) -> bool:
        return bool(self.missing_entries or self.missing_pages or (not self.found and not self.children))

    def as_dict(self) -> dict[str, Any]:
        return {
            "column": self.url,
            "expected": self.expected,
            "found": len(self.found),
            "pages_stated": self.pages_stated,
            "pages_read": self.pages_read,
            "fallback": self.fell_back,
            "shortfall": self.missing_entries,
            "problems": self.problems[:10],
        }


class Listing:
    """The list phase's memory: one per source crawl."""

    def __init__(self, hosts: frozenset[str], seeds: list[str]) -> None:
        self.hosts, self.seeds = hosts, set(seeds)
        self.columns: dict[str, Column] = {}
        self._requests: dict[str, ListRequest] = {}
        self._column_of: dict[str, str] = {}
        self._referer: dict[str, str] = {}  # list request key or detail URL → the HTML page a browser is on
        self._fingerprints: set[str] = set()
        self._retried: set[str] = set()
        self.dialects: Counter[str] = Counter()  # list pages read, by the dialect that read them
        self.problems: Counter[str] = Counter()  # parse errors, capped claims, refused URLs, by kind

    # ---------------------------------------------------------------- requests

    def request(self, entry: Entry) -> ListRequest:
        data = tuple((str(k), str(v)) for k, v in entry.data)
        plain = ListRequest(entry.url, entry.dialect, entry.method, data)
        request = self._requests.get(plain.key, plain)
        if request.key not in self._column_of:  # a seed, or a page of a resumed run
            self._column_of[request.key] = request.url
        url = self._column_of[request.key]
        self.columns.setdefault(
            url, Column(url, resumed=url not in self.seeds and plain.key not in self._requests)
        )
        return request

    def headers(self, request: ListRequest, *, browser: bool = False) -> dict[str, str]:
        if not (request.xhr or browser):
            return {}
        referer = self._referer.get(request.key)
        extra = BROWSER_HEADERS if browser else XHR_HEADERS
        return {**extra, **({"Referer": referer} if referer else {})}

    def detail_headers(self, entry: Entry) -> dict[str, str]:
        referer = self._referer.get(entry.url)
        return {"Referer": referer} if referer else {}

    def retry_as_browser(self, request: ListRequest, page: ListPage) -> bool:
        """The same page came back for a page number: ask once more, as the browser's XHR would."""
        if request.probe or request.key in self._retried or not _PAGE_NUMBER.search(request.url):
            return False
        if not page.links or page.fingerprint() not in self._fingerprints:
            return False
        self._retried.add(request.key)
        return True

    # ---------------------------------------------------------------- pages

    def read(self, request: ListRequest, page: ListPage, size: int) -> tuple[str, list[NewEntry]]:
        """What a list page adds to the frontier; stubs, empty and repeated pages add nothing."""
        column = self.columns[self._column_of[request.key]]
        column.problems += page.problems
        self.problems.update(p.split(":", 1)[0] for p in page.problems)
        self.dialects[page.dialect] += 1
        if not page.links and not page.requests:
            return ("stub" if size < STUB_BYTES else "empty"), []
        if request.probe and not page.entry_urls():  # a guessed page past the end: nothing listed
            return "empty", []
        fingerprint = page.fingerprint()
        if page.links and fingerprint in self._fingerprints:
            return "repeated", []
        self._fingerprints.add(fingerprint)
        self._account(column, request, page)
        found = [self._queue(r, request, column) for r in page.requests]
        found += self._details(page, request)
        return "listed", found

    def absent(self, request: ListRequest, status: int) -> bool:
        """A probe that found no page (404/410): not a failure."""
        return request.probe and status in (404, 410)

    def _account(self, column: Column, request: ListRequest, page: ListPage) -> None:
        column.pages_read += 1
        column.found.update(page.entry_urls())
        if column.expected is None and page.expected is not None:
            column.expected = page.expected
        if column.pages_stated is None and page.pages:
            column.pages_stated = page.pages
        known = {r.key for r in column.fallback}
        column.fallback += [r for r in page.fallback if r.key not in known]

    def _queue(self, request: ListRequest, parent: ListRequest, column: Column) -> NewEntry:
        self._requests.setdefault(request.key, request)
        if request.column:
            column.children += 1
            self.columns.setdefault(request.column, Column(request.column))
        self._column_of.setdefault(request.key, request.column or column.url)
        self._referer.setdefault(request.key, self._page_of(parent))
        return NewEntry(request.url, "list", request.method, [list(p) for p in request.data], request.dialect)

    def _page_of(self, request: ListRequest) -> str:
        """The HTML page a browser would be on when it made ``request``."""
        return self._referer.get(request.key, request.url) if request.xhr else request.url

    def _details(self, page: ListPage, request: ListRequest) -> list[NewEntry]:
        out = []
        for link in page.links:
            if looks_like_report(link.title) and on_source_hosts(link.url, self.hosts):
                self._referer.setdefault(link.url, self._page_of(request))
                out.append(NewEntry(link.url, "detail", title=link.title))
        return out

    # ---------------------------------------------------------------- the end of the list phase

    def fallbacks(self) -> list[NewEntry]:
        """The fallback's requests for every short column that has not had them yet."""
        out = []
        for column in list(self.columns.values()):
            if column.short and not column.fell_back and column.fallback and not column.resumed:
                column.fell_back = True
                parent = ListRequest(column.url, "fallback")
                out += [self._queue(r, parent, column) for r in column.fallback]
        return out

    def summary(self, *, log_as: str | None = None) -> dict[str, Any]:
        """``expected`` (what the columns claim, where they do), ``found``, ``shortfall`` and the short columns;
        an incomplete listing is logged as a warning for source ``log_as``."""
        summary = self._summary()
        if log_as is not None and (summary["shortfall"] or summary["pages_missing"]):
            log.warning(
                "incomplete listing: %s of %s entries found, %s pages missing",
                summary["found"],
                summary["expected"],
                summary["pages_missing"],
                extra={"source": log_as, "listing": summary},
            )
        return summary

    def _summary(self) -> dict[str, Any]:
        resumed = [c for c in self.columns.values() if c.resumed]  # partial: claims not comparable
        columns = [c for c in self.columns.values() if not c.resumed]
        stated = [c for c in columns if c.expected is not None]
        short = [c for c in columns if c.missing_entries or c.missing_pages]
        return {
            "expected": sum(c.expected or 0 for c in stated) if stated else None,
            "found": sum(len(c.found) for c in (stated or columns)),
            "entries": sum(len(c.found) for c in columns),
            "columns": len(columns),
            "fallbacks": sum(c.fell_back for c in columns),
            "shortfall": sum(c.missing_entries for c in columns),
            "pages_missing": sum(c.missing_pages for c in columns),
            "resumed_pages": sum(c.pages_read for c in resumed),
            "dialects": dict(self.dialects),
            "problems": dict(self.problems),
            "short_columns": [c.as_dict() for c in short][:20],
        }


def queue_fallbacks(db: Engine, *, run_id: int, source_name: str, entries: list[NewEntry]) -> None:
    with write_session(db) as session:
        enqueue(session, run_id=run_id, source_name=source_name, entries=entries)
