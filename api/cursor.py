"""Opaque keyset cursors: the client passes back what it was given and never builds one."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from typing import Any

from api.errors import BadRequest

_INVALID = "invalid cursor: pass back the `next` value of a previous page unchanged, with the same sort"


def encode_cursor(order: str, key: Any, seq: int) -> str:
    if isinstance(key, date):
        key = key.isoformat()
    raw = json.dumps({"o": order, "k": key, "s": seq}, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, order: str) -> tuple[Any, int] | None:
    """``(sort key, seq)`` of the last row the client saw, or None for the first page."""
    if not cursor:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        key, seq, sorted_by = data["k"], data["s"], data["o"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(_INVALID) from exc
    if sorted_by != order or not isinstance(seq, int) or not 0 <= seq < 2**62:
        raise BadRequest(_INVALID)
    if (
        not isinstance(key, int | float | str)
        or isinstance(key, bool)
        or (isinstance(key, int) and abs(key) >= 2**62)
    ):
        raise BadRequest(_INVALID)
    if order.lstrip("-") == "report_year" and not (isinstance(key, int) and abs(key) < 2**31):
        raise BadRequest(_INVALID)
    if order.lstrip("-") == "publish_date":
        try:
            key = date.fromisoformat(str(key))
        except ValueError as exc:
            raise BadRequest(_INVALID) from exc
    return key, seq
