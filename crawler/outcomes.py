"""What a fetched page came to: one :class:`Outcome`, and the :class:`PageOutcome` that carries everything
``crawler.commit`` writes for it. :class:`SourceStats` counts outcomes; metrics and the run history read it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from store.frontier import Entry, NewEntry
from store.grams import Sketch


class Outcome(StrEnum):
    """A page's outcome; the value is its key in the run's stats and its label in the metrics."""

    LISTED = "list_pages"  # a list page answered (whatever it listed: stub, empty, repeated, absent…)
    NEW = "new"  # a report whose body we did not hold
    SEEN = "seen"  # a report whose body we held (a sighting at most)
    UNCHANGED = "unchanged"  # same bytes as the last time we read it: not read again
    NOT_MODIFIED = "not_modified"  # 304 to our conditional request
    NOT_REPORT = "not_reports"  # read, and not a report
    BLOCKED = "blocked"  # a WAF or captcha page instead of the page
    FAILED = "failed"  # given up on: the reason says why


DETAIL_OUTCOMES = (
    Outcome.NEW,
    Outcome.SEEN,
    Outcome.UNCHANGED,
    Outcome.NOT_MODIFIED,
    Outcome.NOT_REPORT,
    Outcome.BLOCKED,
)


@dataclass
class PageOutcome:
    """One page's outcome with its effects: the frontier entry's new state (``changes``), and for a report the
    document row (``document``), the body the URL had before (``previous_id``) and its search tokens; for an
    unchanged page a refreshed sighting (``resight``); for a list page the entries it found."""

    entry: Entry
    outcome: Outcome
    changes: dict[str, Any]
    reason: str = ""
    http_status: int | None = None
    document: dict[str, Any] | None = None
    previous_id: str | None = None
    search_tokens: tuple[str, str] | None = None
    resight: bool = False
    capture: dict[str, Any] | None = None  # the page's WARC record (crawler.warc), written before it commits
    sketch: Sketch | None = None  # the body's LSH band keys and MinHash, computed beside its extraction
    found: list[NewEntry] = field(default_factory=list)
    detail: str = ""  # a longer account for the log

    @property
    def answered(self) -> bool:
        """The server answered (a status), whatever the outcome."""
        return self.http_status is not None


@dataclass
class SourceStats:
    """A source crawl's counts; ``as_dict()`` is what the run history (``/-/runs``) and ``--json`` show."""

    name: str
    run_id: int | None = None
    resumed: bool = False
    candidates: int = 0
    bytes: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    error: str | None = None
    listing: dict[str, Any] = field(default_factory=dict)  # expected vs found entries (crawler.listing)
    attachments: Counter[str] = field(
        default_factory=Counter
    )  # by status, and peak_rss_mb (crawler.attachments)

    def count(self, page: PageOutcome) -> None:
        """Count a page's outcome (a list page counts as answered or not; its failure by reason only)."""
        if page.entry.kind == "list":
            if page.answered:
                self.outcomes[Outcome.LISTED] += 1
        else:
            self.outcomes[page.outcome] += 1
        if page.outcome in (Outcome.FAILED, Outcome.BLOCKED):
            self.failed[page.reason] += 1

    def __getitem__(self, outcome: Outcome) -> int:
        return self.outcomes[outcome]

    @property
    def list_pages(self) -> int:
        return self.outcomes[Outcome.LISTED]

    @property
    def details_done(self) -> int:
        return sum(self.outcomes[o] for o in (*DETAIL_OUTCOMES, Outcome.FAILED))

    @property
    def new(self) -> int:
        return self.outcomes[Outcome.NEW]

    @property
    def seen(self) -> int:
        return self.outcomes[Outcome.SEEN]

    @property
    def unchanged(self) -> int:
        return self.outcomes[Outcome.UNCHANGED]

    @property
    def not_modified(self) -> int:
        return self.outcomes[Outcome.NOT_MODIFIED]

    @property
    def not_reports(self) -> int:
        return self.outcomes[Outcome.NOT_REPORT]

    @property
    def blocked(self) -> int:
        return self.outcomes[Outcome.BLOCKED]

    @property
    def failures(self) -> int:
        return sum(self.failed.values())

    def as_dict(self) -> dict[str, Any]:
        counts = {o.value: self.outcomes[o] for o in (Outcome.LISTED, *DETAIL_OUTCOMES)}
        return {
            "name": self.name,
            "run_id": self.run_id,
            "resumed": self.resumed,
            "candidates": self.candidates,
            "details_done": self.details_done,
            **counts,
            "bytes": self.bytes,
            "error": self.error,
            "listing": self.listing,
            "failed": dict(self.failed),
            "attachments": dict(self.attachments),
        }
