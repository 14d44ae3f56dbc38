"""The cursor grammar (api/cursor.py) is the OpenAPI pattern: every string the pattern admits decodes to a
position, every other string is the clear 400, and the cursors the API hands out read back as the row's position."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date

import httpx
import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from api import create_app
from api.cursor import (
    MAX_LENGTH,
    PATTERN,
    SEQ_CURSOR,
    encode_cursor,
    parse_cursor,
    resume,
    seq_cursor,
)
from api.errors import BadRequest
from fazhi.settings import Settings
from store import Document, write_session
from store.documents import upsert_document
from tests.servers import running_app

ADMITS = jsonschema_rs.validator_for({"type": "string", "pattern": PATTERN, "maxLength": MAX_LENGTH}).is_valid
ORDERS = ["seq", "-seq", "publish_date", "-publish_date", "report_year", "-report_year", "rank"]


@settings(max_examples=300, deadline=None)
@given(st.from_regex(PATTERN, fullmatch=True))
def test_every_string_the_pattern_admits_is_a_position(cursor: str) -> None:
    assert ADMITS(cursor)  # what a JSON Schema validator (schemathesis's) reads the same pattern as
    order, (key, seq) = parse_cursor(cursor)
    assert order in ORDERS and isinstance(seq, int)
    if 0 <= seq < 10**18:  # (a day outside the calendar is the position at its end: see below)
        again = parse_cursor(
            encode_cursor(order, key, seq)
        )  # a position the API could have handed out itself
        assert again == (order, (key, seq))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="-.0123456789eqrsnkapublih_dty\n٣", max_size=40))
def test_the_decoder_takes_exactly_what_the_pattern_admits(text: str) -> None:
    try:
        parse_cursor(text)
    except BadRequest:
        assert not ADMITS(text), text
    else:
        assert ADMITS(text), text


@pytest.mark.parametrize(
    ("order", "key", "seq", "expected"),
    [
        ("seq", 57, 57, "seq.57"),
        ("-seq", 3, 3, "-seq.3"),
        ("publish_date", date(2024, 3, 31), 9, f"publish_date.{date(2024, 3, 31).toordinal()}.9"),
        (
            "-publish_date",
            "2024-03-31",
            9,
            f"-publish_date.{date(2024, 3, 31).toordinal()}.9",
        ),  # SQLite's text
        ("publish_date", date(1, 1, 1), 4, "publish_date.1.4"),  # undated documents sort as 0001-01-01
        ("report_year", 2023, 5, "report_year.2023.5"),
        ("-report_year", 0, 5, "-report_year.0.5"),  # no year sorts as 0
        ("rank", [0, 12.5], 7, "rank.0.125e-1.7"),
        ("rank", [2, 0.0], 7, "rank.2.0e0.7"),
    ],
)
def test_cursors_handed_out_read_back_as_the_rows_position(
    order: str, key: object, seq: int, expected: str
) -> None:
    cursor = encode_cursor(order, key, seq)
    assert cursor == expected and ADMITS(cursor)
    sorted_by, (read_key, read_seq) = parse_cursor(cursor)
    assert sorted_by == order and read_seq == seq
    if order == "rank":
        assert list(read_key) == key
    elif order.endswith("publish_date"):
        assert read_key == (key if isinstance(key, date) else date.fromisoformat(str(key)))
    else:
        assert read_key == key


@pytest.mark.parametrize(
    "score", [1e-7, -3.25, 0.1 + 0.2, 5e-324, 1.7976931348623157e308, 4.123456789012345, -0.0, 123456789.0]
)
def test_a_score_reads_back_as_exactly_the_same_float(score: float) -> None:
    (_, ((tier, read), _)) = parse_cursor(encode_cursor("rank", [1, score], 3))
    assert tier == 1 and read == score and len(encode_cursor("rank", [1, score], 3)) <= MAX_LENGTH


def test_days_outside_the_calendar_are_the_positions_at_its_ends() -> None:
    # day 0 lies before every row (undated ones too: they are 0001-01-01 with a seq of at least 1)
    assert parse_cursor("publish_date.0.5") == ("publish_date", (date.min, -1))
    # past 9999-12-31 lies after every row, whatever its seq
    assert parse_cursor("-publish_date.9999999.5") == ("-publish_date", (date.max, 2**63 - 1))
    assert parse_cursor(f"publish_date.{date.max.toordinal()}.5") == ("publish_date", (date.max, 5))


def test_a_score_past_every_real_one_is_a_position_too() -> None:
    assert parse_cursor("rank.0.99999999999999999e999.1") == ("rank", ((0, float("inf")), 1))
    assert parse_cursor("rank.0.-99999999999999999e999.1") == ("rank", ((0, float("-inf")), 1))


OLD = base64.urlsafe_b64encode(b'{"o":"seq","k":4,"s":4}').decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "seq",
        "seq.",
        "seq.1.2",
        "seq.-1",
        "seq.١",  # an Arabic-Indic digit: int() would read it, the pattern does not
        "seq.1\n",
        "seq.1234567890123456789",
        "publish_date.1",
        "publish_date.12345678.1",
        "report_year.x.1",
        "rank.3.1e0.1",
        "rank.0.1.5.1",
        "rank.0.1e1234.1",
        "rank.1e0.1",
        "-rank.0.1e0.1",
        "Seq.1",
        OLD,  # the earlier base64 JSON form
    ],
)
def test_anything_else_is_the_clear_400(cursor: str) -> None:
    assert not ADMITS(cursor)
    with pytest.raises(BadRequest, match=r"^invalid cursor: pass back the `next` value"):
        parse_cursor(cursor)


def test_the_cursors_order_wins_over_the_requests_sort() -> None:
    assert resume("-publish_date.700000.4", "seq", searching=False) == (
        "-publish_date",
        (date.fromordinal(700000), 4),
    )
    assert resume("seq.9", "rank", searching=True) == ("seq", (9, 9))
    assert resume(None, "report_year", searching=False) == ("report_year", None)


def test_rank_without_a_search_is_newest_first() -> None:
    assert resume(None, "rank", searching=False) == ("-seq", None)
    assert resume("rank.1.25e-1.12", "rank", searching=False) == (
        "-seq",
        (12, 12),
    )  # every rank equal: by seq
    assert resume("rank.1.25e-1.12", "seq", searching=True) == ("rank", ((1, 2.5), 12))


def test_a_listing_in_ingest_order_alone_takes_seq_cursors() -> None:
    assert seq_cursor("seq.5") == 5 and seq_cursor(None) is None
    with pytest.raises(BadRequest, match=re.escape("seq.<seq>")):
        seq_cursor("report_year.2020.5")
    assert jsonschema_rs.validator_for({"pattern": SEQ_CURSOR}).is_valid("seq.5")
    assert not jsonschema_rs.validator_for({"pattern": SEQ_CURSOR}).is_valid("-seq.5")


@pytest.fixture
def api_with_gaps(db: Engine) -> Iterator[str]:
    """Seven documents on each backend, three undated and two without a year (NULL sort keys)."""
    dates = [date(2024, 3, 1), None, date(2023, 1, 5), None, date(2024, 3, 1), None, date(2022, 7, 9)]
    years = [2023, None, 2022, 2023, None, 2021, 2021]
    with write_session(db) as session:
        for n, (day, year) in enumerate(zip(dates, years, strict=True)):
            document = Document(
                id=f"{n + 1:x}" * 64,
                title=f"第{n}号 法治政府建设年度报告",
                body=f"依法行政 第{n}段 {'甲乙丙丁戊己庚'[n] * 40}",
                url=f"http://127.0.0.2/{n}.html",
                source_name="gaps",
                report_year=year,
                publish_date=day,
            )
            upsert_document(session=session, document=document)
    with running_app(create_app(engine=db, config=Settings().api_config())) as base:
        yield base


@pytest.mark.integration
@pytest.mark.parametrize("sort", ["publish_date", "-publish_date", "report_year", "-report_year"])
def test_null_sort_keys_page_once_each_in_order(api_with_gaps: str, sort: str) -> None:
    """Undated documents sort as 0001-01-01, documents without a year as 0: first ascending, last descending,
    in seq order among themselves, and a page boundary among them loses or repeats none."""
    page = httpx.get(f"{api_with_gaps}/documents", params={"sort": sort, "limit": 1}).json()
    items, cursors = list(page["items"]), [page["next"]]
    while page["next"]:
        page = httpx.get(f"{api_with_gaps}/documents", params={"cursor": page["next"], "limit": 1}).json()
        items += page["items"]
        cursors.append(page["next"])
        assert len(items) <= 7
    name, descending = sort.lstrip("-"), sort.startswith("-")
    lowest = "0001-01-01" if name == "publish_date" else 0
    keys = [(i[name] if i[name] is not None else lowest, i["seq"]) for i in items]
    assert len({i["id"] for i in items}) == 7 and keys == sorted(keys, reverse=descending)
    assert all(c.startswith(f"{sort}.") for c in cursors[:-1]) and cursors[-1] is None


@pytest.mark.integration
def test_the_reports_browser_takes_cursors_and_rank_without_words_as_the_api(api_with_gaps: str) -> None:
    assert httpx.get(f"{api_with_gaps}/", params={"sort": "rank"}).status_code == 200  # was a 500
    assert httpx.get(f"{api_with_gaps}/", params={"sort": "seq", "cursor": "-seq.5"}).status_code == 200
    refused = httpx.get(f"{api_with_gaps}/", params={"cursor": "garbage"})
    assert refused.status_code == 400 and "invalid cursor" in refused.text
