"""Opaque keyset cursors: the client passes back what it was given and never builds one.

A cursor is checked against its sort before it reaches a query, the same way on both backends: a key of the
wrong type (a string for ``rank``, a float for ``seq`` …) is a 400 with the one error body, never a database
error.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import date
from typing import Any

from api.errors import BadRequest

_INVALID = "invalid cursor: pass back the `next` value of a previous page unchanged, with the same sort"
_BIG = 2**62  # seq and integer keys stay well inside a signed 64-bit integer


def encode_cursor(order: str, key: Any, seq: int) -> str:
    if isinstance(key, date):
        key = key.isoformat()
    raw = json.dumps({"o": order, "k": key, "s": seq}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _integer(value: Any, bound: int = _BIG) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < bound


def _rank_key(key: Any) -> tuple[int, float]:
    """``[tier, score]``: a tier of store.ranking (0, 1, 2) and a finite number."""
    if not (isinstance(key, list) and len(key) == 2 and key[0] in (0, 1, 2) and _integer(key[0])):
        raise BadRequest(_INVALID)
    score = key[1]
    if not (_integer(score) or isinstance(score, float)) or not math.isfinite(score):
        raise BadRequest(_INVALID)
    return int(key[0]), float(score)


def _key(order: str, key: Any) -> Any:
    """The sort key of the cursor as the query compares it; a 400 when it is not of the sort's type."""
    name = order.lstrip("-")
    if name == "rank":
        return _rank_key(key)
    if name == "publish_date":
        try:
            return date.fromisoformat(key) if isinstance(key, str) else _fail()
        except ValueError as exc:
            raise BadRequest(_INVALID) from exc
    if name == "report_year" and _integer(key, 2**31):
        return key
    if name == "seq" and _integer(key):
        return key
    return _fail()


def _fail() -> Any:
    raise BadRequest(_INVALID)


def decode_cursor(cursor: str | None, order: str) -> tuple[Any, int] | None:
    """``(sort key, seq)`` of the last row the client saw, or None for the first page."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, seq, sorted_by = data["k"], data["s"], data["o"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(_INVALID) from exc
    if sorted_by != order or not _integer(seq) or seq < 0:
        raise BadRequest(_INVALID)
    return _key(order, key), seq
