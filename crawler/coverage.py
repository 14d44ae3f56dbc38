"""What a source expects to find (``agencies``, ``since``, ``deadline``), handed to the store for ``/coverage``."""

from __future__ import annotations

from sqlalchemy import Engine

from crawler.sources import Source
from ingest.region import region_from_hint
from store import write_session
from store.coverage import Expectation, declare


def expectation(source: Source) -> Expectation:
    province, city, _county = region_from_hint(source.region)
    return Expectation(
        source_name=source.name,
        agencies=tuple(source.expected_agencies()),
        since=source.since,
        deadline=source.deadline,
        province=province,
        city=city,
    )


def declare_source(db: Engine, source: Source) -> None:
    with write_session(db) as session:
        declare(session, expectation(source))
