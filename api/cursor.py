"""Opaque keyset cursors: the client passes back what it was given and never builds one."""

from __future__ import annotations

import base64
import binascii
import json

from api.errors import BadRequest


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"s": seq}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        seq = data["s"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest("invalid cursor: pass back the `next` value of a previous page unchanged") from exc
    if not isinstance(seq, int) or not 0 <= seq < 2**62:
        raise BadRequest("invalid cursor: pass back the `next` value of a previous page unchanged")
    return seq
