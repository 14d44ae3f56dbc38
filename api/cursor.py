"""Keyset cursors written out, whose grammar is the OpenAPI ``pattern`` of the ``cursor`` parameter.

A cursor names a position in a listing: ``<order>.<key>.<seq>``, the order of the listing it continues, the sort
key of the last row the client saw and that row's ``seq``:

- ``seq.57``, ``-seq.57``: ingest order (the key is the seq itself);
- ``publish_date.739252.57``, ``-publish_date.…``: the key is a day number (``date.toordinal``: 1 is 0001-01-01,
  where undated documents sort); 0 lies before every day, a number past 9999-12-31 after every day;
- ``report_year.2023.57``, ``-report_year.…``: the year (0 for documents without one, which sort first);
- ``rank.1.8125e-4.57``: a search's rank, ``<tier>.<score>``: the tier of store.ranking (0, 1, 2) and the score
  as ``<integer>e<exponent>`` (exactly the float it was; a huge exponent is a score past every real one).

Every string the pattern admits names a position (it need not be a row's), so any well-formed cursor is answered;
a position is compared the same way on both backends and never reaches the database as a value of the wrong type.
Anything else is a 400 saying to pass ``next`` back unchanged.

The cursor's order wins: a cursor continues the listing it came from, whatever ``sort`` the request also gives.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from api.errors import BadRequest

_SEQ = "[0-9]{1,18}"  # seq stays well inside a signed 64-bit integer
_DAY = "[0-9]{1,7}"
_YEAR = "[0-9]{1,9}"  # inside a signed 32-bit integer
_SCORE = "-?[0-9]{1,17}e-?[0-9]{1,3}"
_GRAMMAR = (
    rf"(?P<order>-?seq)\.(?P<seq_only>{_SEQ})"
    rf"|(?P<dated>-?publish_date)\.(?P<day>{_DAY})\.(?P<day_seq>{_SEQ})"
    rf"|(?P<yearly>-?report_year)\.(?P<year>{_YEAR})\.(?P<year_seq>{_SEQ})"
    rf"|rank\.(?P<tier>[012])\.(?P<score>{_SCORE})\.(?P<rank_seq>{_SEQ})"
)
_CURSOR = re.compile(_GRAMMAR, re.ASCII)
# the OpenAPI pattern: the same grammar with plain groups (read alike by ECMA-262, Python and Rust regexes)
PATTERN = "^(?:" + re.sub(r"\(\?P<\w+>", "(?:", _GRAMMAR) + ")$"


def _in_string_branch(pattern: str) -> Callable[[dict[str, Any]], None]:
    """Puts ``pattern`` in a parameter's string branch (an optional cursor is ``anyOf`` string or null), where
    client generators read it."""

    def declare(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):
            if branch.get("type") == "string":
                branch["pattern"] = pattern

    return declare


MAX_LENGTH = 64  # the longest the grammar admits is a rank cursor of 49 characters
SEQ_CURSOR = f"^seq\\.{_SEQ}$"  # listings in ingest order alone (/reports)
declare_pattern = _in_string_branch(PATTERN)  # the json_schema_extra of a cursor field
declare_seq_pattern = _in_string_branch(SEQ_CURSOR)

_INVALID = "invalid cursor: pass back the `next` value of a previous page unchanged"
_BELOW, _ABOVE = -1, 2**63 - 1  # seqs before and after every row's (seqs are positive)
_FIRST_DAY, _LAST_DAY = date.min.toordinal(), date.max.toordinal()


def encode_cursor(order: str, key: Any, seq: int) -> str:
    """The cursor after the row with sort key ``key`` and ``seq`` in ``order``."""
    name = order.lstrip("-")
    if name == "seq":
        return f"{order}.{int(seq)}"
    if name == "publish_date":
        day = key if isinstance(key, date) else date.fromisoformat(str(key))  # SQLite answers the ISO text
        return f"{order}.{day.toordinal()}.{int(seq)}"
    if name == "report_year":
        return f"{order}.{int(key)}.{int(seq)}"
    tier, score = key
    return f"rank.{int(tier)}.{_score_text(float(score))}.{int(seq)}"


def _score_text(score: float) -> str:
    """``score`` as ``<integer>e<exponent>``: its shortest decimal form, which reads back as the same float."""
    if math.isinf(score):  # only a hand-made cursor's: beyond every real score
        return f"{'-' if score < 0 else ''}99999999999999999e999"
    sign, digits, exponent = Decimal(repr(score)).normalize().as_tuple()
    mantissa = int("".join(map(str, digits)))
    return f"{'-' if sign and mantissa else ''}{mantissa}e{exponent}"


def _day(text: str, seq: int) -> tuple[date, int]:
    """A day number as the date it is; before or after every date: the equivalent position at the ends."""
    day = int(text)
    if day < _FIRST_DAY:
        return date.min, _BELOW
    if day > _LAST_DAY:
        return date.max, _ABOVE
    return date.fromordinal(day), seq


def parse_cursor(cursor: str) -> tuple[str, tuple[Any, int]]:
    """``(order, (sort key, seq))`` of a cursor; a 400 when it is not one."""
    found = _CURSOR.fullmatch(cursor)
    if found is None:
        raise BadRequest(_INVALID)
    part = found.groupdict()
    if part["order"] is not None:
        seq = int(part["seq_only"])
        return part["order"], (seq, seq)
    if part["dated"] is not None:
        return part["dated"], _day(part["day"], int(part["day_seq"]))
    if part["yearly"] is not None:
        return part["yearly"], (int(part["year"]), int(part["year_seq"]))
    return "rank", ((int(part["tier"]), float(part["score"])), int(part["rank_seq"]))


def resume(cursor: str | None, order: str, *, searching: bool) -> tuple[str, tuple[Any, int] | None]:
    """The order of a page and the position it starts after: the cursor's (its order wins over ``order``, the
    request's sort), or ``order`` from the start. ``rank`` without a search is newest first: an empty search
    matches every document equally, and equal ranks go to the newer document."""
    after = None
    if cursor is not None:  # "" is not a cursor either
        order, after = parse_cursor(cursor)
    if order == "rank" and not searching:
        order = "-seq"
        after = (after[1], after[1]) if after is not None else None
    return order, after


def seq_cursor(cursor: str | None) -> int | None:
    """The seq of a ``seq.<seq>`` cursor (listings in ingest order alone); a 400 for anything else."""
    if cursor is None:
        return None
    order, (_, seq) = parse_cursor(cursor)
    if order != "seq":
        raise BadRequest(f"{_INVALID}: this listing's cursors are seq.<seq>")
    return seq
