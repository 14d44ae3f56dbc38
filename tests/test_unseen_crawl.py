"""A crawl of the six unseen-template portals (portalsim/unseen, designed apart from the extractor) stores every
report and no decoy: v1 lost every report of one unseen table-layout site, classing each page "not a report"."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select

from crawler.sources import Source
from portalsim.unseen import HOSTS, build_unseen_portals
from store import Document, FrontierEntry
from tests.conftest import crawl, make_db
from tests.servers import free_port, serving

pytestmark = pytest.mark.integration

CASES = json.loads((Path(__file__).parent / "gold" / "unseen" / "cases.json").read_text(encoding="utf-8"))


def test_every_report_of_every_unseen_template_is_stored(tmp_path: Path) -> None:
    port = free_port(tuple(HOSTS.values()))
    portals = build_unseen_portals(port)
    sources = [
        Source(
            name=key,
            start_urls=[f"http://{portal.host}{path}" for path in portal.start_paths],
            allow_private=True,
            delay=0,
            region=portal.region,
        )
        for key, portal in portals.items()
    ]
    db = make_db(tmp_path / "fazhi.db")
    with serving(portals, port):
        stats = crawl(db, sources)
    assert all(not s.error and not s.failed for s in stats), stats
    with Session(db) as session:
        documents = list(session.exec(select(Document)))
        details = [e for e in session.exec(select(FrontierEntry)) if e.kind == "detail"]
    outcome = {
        (
            e.source_name,
            urlsplit(e.url).path + (f"?{urlsplit(e.url).query}" if urlsplit(e.url).query else ""),
        ): e
        for e in details
    }
    for key, portal in portals.items():
        for item in portal.items:
            if item.kind == "filler":
                continue
            entry = outcome.get((key, item.path))
            if item.kind == "report":
                assert entry is not None, (key, item.title, "never fetched")
                assert entry.outcome in ("report", "unchanged"), (key, item.title, entry.reason)
            else:  # a decoy is rejected by its list title, or fetched and classed not a report
                assert entry is None or entry.outcome == "not_report", (key, item.title, entry.reason)
    # the five seed reports, each one document (identity is the body) seen on every portal that published it
    truth = {"\n".join(c["body"]) for c in CASES if c["kind"] == "report"}
    assert {d.body for d in documents} == truth
