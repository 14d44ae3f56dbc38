"""The common HTTP/1.1 exchange without h11's per-event machinery: a GET's request bytes, and an answer's head
with a Content-Length body, for :class:`crawler.http1.Connection`.

Only what h11 reads and writes the same way is taken here: a request whose method, target and headers pass h11's
own grammar (one Host, no body framing headers), and an answer whose status line is ``HTTP/1.1`` with a status from
200 to 599, whose header lines each match h11's field grammar (no line folding, no bare line feeds), with exactly
one Content-Length (none needed for a 204 or a 304: no body) and no Transfer-Encoding. Anything else, including an answer cut off
before its head ends or a head over the limit, is handed to h11 with every byte read so far, and h11 decides as
it always did (a chunked body, a body read until close, a 1xx, a malformed line and its error).
``tests/crawler/test_http1wire.py`` holds both halves to h11 byte for byte, on generated and mutated exchanges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# h11's grammar (h11/_abnf.py), as bytes patterns matched whole
_TOKEN = rb"[-!#$%&'*+.^_`|~0-9a-zA-Z]+"
_VCHAR = rb"[^\x00\s]"  # a visible character or obs-text
_VALUE = rb"(?:" + _VCHAR + rb"+(?:[ \t]+" + _VCHAR + rb"+)*)?"
_NAME_RE = re.compile(_TOKEN)
_VALUE_RE = re.compile(_VALUE)
_TARGET_RE = re.compile(rb"[\x21-\x7e]+")
_STATUS_RE = re.compile(rb"HTTP/1\.1 ([2-5][0-9][0-9])(?: ((?:[ \t]|" + _VCHAR + rb")*))?")
_FIELD_RE = re.compile(rb"(" + _TOKEN + rb"):[ \t]*(" + _VALUE + rb")[ \t]*")
MAX_LENGTH_DIGITS = 20  # h11's bound on a Content-Length's digits


@dataclass(slots=True)
class Head:
    """An answer's head, read as h11 reads it: what ``crawler.fetch`` reads of an ``h11.Response`` (the
    headers as ``head.headers.raw_items()``), its body's length, and whether the connection may carry another."""

    status_code: int
    reason: bytes
    items: list[tuple[bytes, bytes]]
    length: int
    keep_alive: bool
    http_version: bytes = b"1.1"

    @property
    def headers(self) -> Head:
        return self

    def raw_items(self) -> list[tuple[bytes, bytes]]:
        return self.items


def request_bytes(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]]
) -> tuple[bytes, bool] | None:
    """``(the bytes h11 writes for this bodiless request, whether it lets the connection be kept)``; None when
    h11 must write it (a header it would refuse or rework, a missing or repeated Host)."""
    if not (_NAME_RE.fullmatch(method) and _TARGET_RE.fullmatch(target)):
        return None
    hosts: list[bytes] = []
    others: list[bytes] = []
    keep = True
    for name, value in headers:
        if type(name) is not bytes or type(value) is not bytes:
            return None
        if not (_NAME_RE.fullmatch(name) and _VALUE_RE.fullmatch(value)):
            return None
        lower = name.lower()
        if lower in (b"content-length", b"transfer-encoding"):
            return None
        if lower == b"connection" and _closes(value):
            keep = False
        (hosts if lower == b"host" else others).append(b"%s: %s\r\n" % (name, value))
    if len(hosts) != 1:
        return None
    return b"".join([b"%s %s HTTP/1.1\r\n" % (method, target), *hosts, *others, b"\r\n"]), keep


def parse_head(head: bytes) -> Head | None:
    """The answer's head (its bytes before the blank line that ends it), or None when h11 must read it."""
    lines = head.split(b"\r\n")
    status = _STATUS_RE.fullmatch(lines[0])
    if status is None:
        return None
    code = int(status[1])
    items: list[tuple[bytes, bytes]] = []
    length: int | None = None
    keep = True
    for line in lines[1:]:
        field = _FIELD_RE.fullmatch(line)
        if field is None:  # an empty line (a bare line feed before), a folded or malformed one
            return None
        name, value = field[1], field[2]
        lower = name.lower()
        if lower == b"content-length":
            if length is not None or not value.isdigit() or len(value) > MAX_LENGTH_DIGITS:
                return None
            length = int(value)
        elif lower == b"transfer-encoding":
            return None
        elif lower == b"connection" and _closes(value):
            keep = False
        items.append((name, value))
    if code in (204, 304):  # no body, whatever a (valid) Content-Length says
        length = 0
    elif length is None:  # read until the server closes: h11's
        return None
    return Head(code, status[2] or b"", items, length, keep)


def _closes(value: bytes) -> bool:
    """Whether a Connection header's value holds the ``close`` token (as h11's ``get_comma_header`` reads it)."""
    return any(token.strip() == b"close" for token in value.lower().split(b","))
