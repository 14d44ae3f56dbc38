"""Coverage rows: their order and filters (both backends)."""

from __future__ import annotations

from datetime import date
from itertools import product

from sqlalchemy import Engine

from store import Document, write_session
from store.coverage import CoverageFilters, Expectation, coverage_csv, coverage_rows
from store.documents import upsert_document

EXPECTED = [
    Expectation("b", ("乙局", "甲局"), since=2020, province="浙江省", city="湖州市"),
    Expectation("a", ("丙局",), since=2021, province="广东省", city="江门市"),
    Expectation("c", ("丁局", "=HYPERLINK()"), since=2019, deadline="06-30", province="广东省"),
]


def _store_one(db: Engine) -> str:
    """A report of 丙局 for 2021 and one of an agency nobody declared, in a third province."""
    with write_session(db) as session:
        for n, (agency, province) in enumerate((("丙局", "广东省"), ("戊局", "天津市"))):
            document = Document(
                id=f"{n:064x}",
                body=f"第{n}份报告。" * 40,
                url=f"http://127.0.0.2/{n}.html",
                source_name="a",
                title="2021年法治政府建设年度报告",
                agency=agency,
                report_year=2021,
                province=province,
                publish_date=date(2022, 3, 1),
            )
            upsert_document(session=session, document=document)
    return f"{0:064x}"


def test_rows_run_by_province_city_agency_and_year(db: Engine) -> None:
    found = _store_one(db)
    with db.connect() as connection:
        rows = coverage_rows(connection, EXPECTED, today=date(2023, 5, 1))
    keys = [(r["province"] or "", r["city"] or "", r["agency"], r["report_year"]) for r in rows]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
    assert {r["agency"] for r in rows} == {"甲局", "乙局", "丙局", "丁局", "=HYPERLINK()", "戊局"}
    assert [r["report_year"] for r in rows if r["agency"] == "丁局"] == [
        2019,
        2020,
        2021,
    ]  # 2022 is due 2023-06-30
    assert [r["report_year"] for r in rows if r["agency"] == "甲局"] == [2020, 2021, 2022]
    assert [(r["status"], r["document_id"]) for r in rows if r["agency"] == "丙局"] == [
        ("on_time", found),
        ("missing", None),
    ]


def test_each_filter_keeps_the_rows_it_matches(db: Engine) -> None:
    _store_one(db)
    with db.connect() as connection:
        every = coverage_rows(connection, EXPECTED, today=date(2023, 5, 1))
        for province, city, status in product(
            (None, "广东省", "天津市", "江苏省"), (None, "江门市"), (None, "missing", "on_time")
        ):
            chosen = CoverageFilters(province=province, city=city, status=status)
            kept = coverage_rows(connection, EXPECTED, today=date(2023, 5, 1), filters=chosen)
            assert kept == [r for r in every if chosen.keep(r)], chosen
        for chosen in (CoverageFilters(source_name="c"), CoverageFilters(agency="乙局", report_year=2021)):
            kept = coverage_rows(connection, EXPECTED, today=date(2023, 5, 1), filters=chosen)
            assert kept and kept == [r for r in every if chosen.keep(r)], chosen


def test_the_csv_has_a_line_per_row_and_no_formula(db: Engine) -> None:
    _store_one(db)
    with db.connect() as connection:
        rows = coverage_rows(connection, EXPECTED, today=date(2023, 5, 1))
    lines = coverage_csv(rows).splitlines()
    assert lines[0] == "\ufeffsource_name,province,city,agency,report_year,deadline,status,document_id"
    assert len(lines) == len(rows) + 1
    assert "c,广东省,,'=HYPERLINK(),2019,2020-06-30,missing," in lines
    assert f"a,广东省,江门市,丙局,2021,2022-04-01,on_time,{0:064x}" in lines
