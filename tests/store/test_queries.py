"""store.queries: the date and year orders page through every document once, in order, undated ones first, on
both backends (0009's indexes serve them); a search's count equals its matches, filtered or not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine

from store import Document, write_session
from store.documents import upsert_document
from store.queries import Filters, count_documents, list_documents
from store.search import index_document

# ties on purpose: three undated, two on one date, two of no year
DATES = [None, date(2024, 3, 1), None, date(2024, 3, 1), date(2023, 12, 31), None, date(2025, 1, 2)]
YEARS = [None, 2023, 2023, None, 2022, 2024, 2023]


def _fill(db: Engine) -> None:
    with write_session(db) as session:
        for n, (published, year) in enumerate(zip(DATES, YEARS, strict=True)):
            words = "法治 政府" if n % 2 else "法治"
            upsert_document(
                session=session,
                document=Document(
                    id=f"{n:x}" * 64,
                    title=f"报告{n}",
                    body=words,
                    url=f"http://127.0.0.2/{n}",
                    source_name="s",
                    province="广东省" if n < 4 else "浙江省",
                    publish_date=published,
                    report_year=year,
                ),
            )
            index_document(session, f"{n:x}" * 64, f"报告 {n}", words)


def _pages(db: Engine, sort: str, limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    after = None
    for _ in range(20):  # loop guard
        with db.connect() as connection:
            rows = list_documents(connection, filters=Filters(), sort=sort, after=after, limit=limit + 1)
        out += rows[:limit]
        if len(rows) <= limit:
            return out
        after = (rows[limit - 1]["sort_key"], rows[limit - 1]["seq"])
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("sort", ["publish_date", "-publish_date", "report_year", "-report_year"])
@pytest.mark.parametrize("limit", [1, 2, 3])
def test_date_and_year_orders_page_through_everything_once(db: Engine, sort: str, limit: int) -> None:
    _fill(db)
    name = sort.lstrip("-")
    undated = date(1, 1, 1) if name == "publish_date" else 0
    got = [(row[name] if row[name] is not None else undated, row["seq"]) for row in _pages(db, sort, limit)]
    expected = sorted(
        (
            (value if value is not None else undated, seq + 1)
            for seq, value in enumerate(DATES if name == "publish_date" else YEARS)
        ),
        reverse=sort.startswith("-"),
    )
    assert got == expected


def _expected_count(filters: Filters, words: tuple[str, ...]) -> int:
    def kept(n: int) -> bool:
        has = {"法治", "政府"} if n % 2 else {"法治"}
        province = "广东省" if n < 4 else "浙江省"
        return (
            set(words) <= has
            and filters.province in (None, province)
            and filters.report_year in (None, YEARS[n])
        )

    return sum(kept(n) for n in range(len(DATES)))


@pytest.mark.parametrize("filters", [Filters(), Filters(province="广东省"), Filters(report_year=2023)])
@pytest.mark.parametrize("words", [("法治",), ("法治", "政府"), ("不在",)])
def test_a_search_count_is_its_matches(db: Engine, filters: Filters, words: tuple[str, ...]) -> None:
    _fill(db)
    with db.connect() as connection:
        matches = list_documents(connection, filters=filters, sort="seq", match=words, limit=100)
        counted = count_documents(connection, filters=filters, match=words)
    assert counted == len(matches) == _expected_count(filters, words)


def test_sqlite_reads_the_orders_and_counts_from_indexes(tmp_path: Any) -> None:
    """The plans of the statements run (SQLite plans without statistics, so they hold on a small file): the
    orders seek 0009's indexes, a keyset page included, and a search count reads the search index alone."""
    from store import make_engine

    db = make_engine(f"sqlite:///{tmp_path / 'plans.db'}")
    _fill(db)
    with db.connect() as connection:
        raw: Any = connection.connection.dbapi_connection
        statements: list[str] = []
        raw.set_trace_callback(statements.append)  # each statement with its values written in

        def plan_of_last() -> str:
            sql = [s for s in statements if not s.startswith("--")][-1]  # "--": FTS5's own statements
            raw.set_trace_callback(None)
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
            raw.set_trace_callback(statements.append)
            return " | ".join(str(r[3]) for r in rows)

        for sort, index in [("-publish_date", "date"), ("publish_date", "date"), ("-report_year", "year")]:
            list_documents(connection, filters=Filters(), sort=sort, limit=3)
            first = plan_of_last()
            assert f"ix_documents_{index}_order" in first and "TEMP B-TREE" not in first, first
            list_documents(
                connection, filters=Filters(), sort=sort, after=(date(2024, 3, 1).isoformat(), 4), limit=3
            )
            after = plan_of_last()
            assert f"SEARCH documents USING INDEX ix_documents_{index}_order" in after, after
        count_documents(connection, filters=Filters(), match=("法治",))
        counted = plan_of_last()
        assert "documents_fts" in counted and "documents USING" not in counted, counted
        count_documents(connection, filters=Filters(province="广东省"), match=("法治",))
        assert "ix_documents_province" in plan_of_last()
    db.dispose()
