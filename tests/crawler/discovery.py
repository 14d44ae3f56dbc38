"""Found/expected reports per simulated portal: shared by the discovery tests, and a table for people.

``python -m tests.crawler.discovery`` serves the five seed portals and the variant portals on 127.0.0.x,
crawls them with every dialect on, then with every dialect off, and prints found/expected per portal.
A report is *found* when its detail page was listed, fetched and classified a report; reports with the same
body (a static and a gkmlpt copy) count once.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from crawler.engine import CrawlConfig, SourceStats, crawl_sources
from crawler.sources import Source
from portalsim.portal import Portal
from tests.rows import entries_of

CONFIG = CrawlConfig(user_agent="fazhi-tests", keywords=0)


def variant_sources(portals: dict[str, Portal], **overrides: Any) -> list[Source]:
    return [
        Source.model_validate(
            {
                "name": key,
                "start_urls": [f"http://{portal.host}{path}" for path in portal.start_paths],
                "allow_private": True,
                "delay": 0,
                "max_list_pages": 80,
                "retries": 1,
                "backoff": 0.05,
                **overrides,
            }
        )
        for key, portal in portals.items()
    ]


def with_options(sources: list[Source], **overrides: Any) -> list[Source]:
    return [Source.model_validate({**s.model_dump(), **overrides}) for s in sources]


def portal_of(source: Source, portals: dict[str, Portal]) -> Portal:
    netloc = urlsplit(source.start_urls[0]).netloc
    return next(p for p in portals.values() if p.host == netloc)


def report_groups(portal: Portal) -> dict[str, str]:
    """Report URL path → its body's identity (copies of one report share it)."""
    return {
        item.path: hashlib.sha256("\n".join(item.paragraphs).encode()).hexdigest()[:16]
        for item in portal.reports()
    }


@dataclass(frozen=True)
class Tally:
    fetched: int  # distinct reports whose detail page was listed and fetched (discovery's part)
    stored: int  # … and classified a report by ingest/
    expected: int

    @property
    def share(self) -> float:
        return self.fetched / self.expected if self.expected else 1.0


def tally(db: Any, source: Source, portal: Portal) -> Tally:
    """Distinct reports of ``portal`` that ``source``'s crawl fetched, and stored as reports."""
    groups = report_groups(portal)
    details = [e for e in entries_of(db, source_name=source.name) if e.kind == "detail" and e.state == "done"]
    mine = [(groups[urlsplit(e.url).path], e) for e in details if urlsplit(e.url).path in groups]
    fetched = {group for group, _ in mine}
    stored = {group for group, e in mine if e.outcome == "report"}
    return Tally(len(fetched), len(stored), len(set(groups.values())))


def crawl(db: Any, sources: list[Source]) -> list[SourceStats]:
    return asyncio.run(crawl_sources(sources, db=db, config=CONFIG))


def table(db_dir: Path, portals: dict[str, Portal], sources: list[Source]) -> list[tuple[str, ...]]:
    """One crawl with dialects on, one with all off (fresh stores); rows of (source, on, off, list pages
    on/off, listing)."""
    from store import make_engine

    rows = []
    results = {}
    for label, batch in (("on", sources), ("off", with_options(sources, disabled_dialects=["all"]))):
        db = make_engine(f"sqlite:///{db_dir / label}.db")
        stats = {s.name: s for s in crawl(db, batch)}
        results[label] = {s.name: (tally(db, s, portal_of(s, portals)), stats[s.name]) for s in batch}
    for source in sources:
        (on, on_stats), (off, off_stats) = results["on"][source.name], results["off"][source.name]
        listing = on_stats.listing
        rows.append(
            (
                source.name,
                f"{on.fetched}/{on.expected} ({on.stored})",
                f"{off.fetched}/{off.expected} ({off.stored})",
                f"{on_stats.list_pages}/{off_stats.list_pages}",
                f"expected={listing['expected']} found={listing['found']} shortfall={listing['shortfall']}",
            )
        )
    return rows


def main() -> int:
    from fazhi.commands.demo import demo_sources as _demo_sources
    from portalsim import HOSTS, build_portals
    from portalsim.variants import VARIANT_HOSTS, build_variants
    from tests.netguard import loopback_only
    from tests.servers import free_port, serving

    port = free_port((*HOSTS.values(), *VARIANT_HOSTS.values()))
    portals = {**build_portals(port), **build_variants(port)}
    sources = [*with_options(_demo_sources(port), delay=0), *variant_sources(build_variants(port))]
    with loopback_only(), serving(portals, port), tempfile.TemporaryDirectory() as tmp:
        rows = table(Path(tmp), portals, sources)
    print("found/expected reports (fetched; in parentheses: stored as reports by ingest/)")
    print(f"{'source':<16} {'dialects on':>12} {'all off':>10} {'list pages':>11}   listing, dialects on")
    for name, on, off, pages, listing in rows:
        print(f"{name:<16} {on:>12} {off:>10} {pages:>11}   {listing}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
