"""WARC/1.1 records (ISO 28500:2017), each one gzip member: warcinfo, request, response, metadata.

:class:`Wire` is one HTTP exchange as ``crawler.fetch`` saw it: the request as sent and the response as received
(status line, headers in their order and case, body after transfer decoding and before content decoding). A
chunked response is stored as one chunk under its original headers, so the record is a valid HTTP message. Digests
are SHA-256 in base 32: the block over the record's block, the payload over the body bytes that follow the headers
(what ``warcio`` and the other WARC readers compute).

Cost (``bench/warc.py``): the records are built as one header string each (no field list, the fields a fetch's
three records share formatted once) and compressed by ISA-L's igzip (``isal``): 40 µs for an 8.5 KB report page
against 66–140 µs for zlib's fastest level, for 3 % more bytes; a body served compressed is stored in its member
as it is (zlib level 0). The payload's SHA-256 is computed once, for the digest and for the capture's
``payload_sha256`` when the body was served uncompressed and unchunked.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata

from isal import isal_zlib

GZIP_LEVEL = 2  # igzip's default: as fast as its level 1 on report pages, 1 % smaller (zlib's 1: 3 % smaller)
GZIP = zlib.MAX_WBITS | 16  # a gzip member (header and CRC trailer), not a raw deflate stream
CRLF = b"\r\n"


@dataclass
class Wire:
    """One request and its response, as on the wire (the last hop of a fetch: redirects are followed first)."""

    url: str  # the request's URL, percent-encoded
    method: str
    target: bytes  # the request line's target: path and query
    request_headers: list[tuple[bytes, bytes]]
    request_body: bytes
    http_version: str  # "HTTP/1.1"
    status: int
    reason: bytes
    response_headers: list[tuple[bytes, bytes]]
    body: bytes  # as served: still gzip/deflate if the server compressed it
    at: datetime = field(default_factory=lambda: datetime.now(UTC))  # when the request went out


@dataclass(frozen=True)
class Response:
    """The response record and what the capture takes from it."""

    record_id: str
    member: bytes
    payload_sha256: bytes  # the raw digest of the payload (the body as served, chunk framing included)
    plain: bool  # the payload is the body after content decoding (served uncompressed, not chunked)


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def _record_ids() -> tuple[str, str, str]:
    """A fetch's three record ids: random (version 4) UUIDs, from one read of the system's random source."""
    raw = os.urandom(48)
    first, second, third = (f"<urn:uuid:{uuid.UUID(bytes=raw[k : k + 16], version=4)}>" for k in (0, 16, 32))
    return first, second, third


@lru_cache(maxsize=64)  # a fetch's capture and its three records share its date
def warc_date(at: datetime) -> str:
    """UTC, to the microsecond (WARC/1.1 allows the fraction): ``isoformat``, a third cheaper than ``strftime``."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def digest(data: bytes) -> str:
    return _b32(hashlib.sha256(data).digest())


def _b32(raw: bytes) -> str:
    return "sha256:" + base64.b32encode(raw).decode("ascii")


def _field(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def _member(head: str, block: bytes, *, stored: bool = False) -> bytes:
    """One record as a gzip member: ``head`` (the version line and header fields), its length, the block, two
    CRLFs; ``stored``: the block is compressed already (deflating it again would gain nothing)."""
    data = b"".join((head.encode("utf-8"), b"Content-Length: %d\r\n\r\n" % len(block), block, CRLF + CRLF))
    if stored:
        return zlib.compress(data, 0, wbits=GZIP)
    return isal_zlib.compress(data, GZIP_LEVEL, wbits=GZIP)


def _headers(lines: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + CRLF for name, value in lines)


def _encodings(headers: list[tuple[bytes, bytes]]) -> tuple[bool, bool]:
    """Whether the body is sent chunked, and whether it is served compressed (gzip, deflate, br, zstd)."""
    chunked = compressed = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"transfer-encoding":
            chunked = chunked or b"chunked" in value.lower()
        elif lowered == b"content-encoding":
            compressed = compressed or value.strip().lower() not in (b"", b"identity")
    return chunked, compressed


def _framed(body: bytes, chunked: bool) -> bytes:
    if not chunked:
        return body
    return (f"{len(body):x}\r\n".encode("ascii") + body + CRLF if body else b"") + b"0\r\n\r\n"


def _software() -> str:
    try:
        return f"fazhi/{metadata.version('fazhi')}"
    except metadata.PackageNotFoundError:
        return "fazhi"


def warcinfo_record(filename: str) -> tuple[str, bytes]:
    record_id = _record_id()
    info = (
        f"software: {_software()}\r\nformat: WARC File Format 1.1\r\n"
        "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
        f"hostname: {_field(socket.gethostname())}\r\n"
    ).encode()
    head = (
        f"WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: {record_id}\r\n"
        f"WARC-Date: {warc_date(datetime.now(UTC))}\r\nWARC-Filename: {_field(filename)}\r\n"
        f"Content-Type: application/warc-fields\r\nWARC-Block-Digest: {digest(info)}\r\n"
    )
    return record_id, _member(head, info)


def _shared(wire: Wire, warcinfo_id: str) -> str:
    """The fields that a fetch's three records share, after their type and id."""
    warcinfo = f"WARC-Warcinfo-ID: {warcinfo_id}\r\n" if warcinfo_id else ""
    return f"WARC-Date: {warc_date(wire.at)}\r\nWARC-Target-URI: {_field(wire.url)}\r\n{warcinfo}"


def _head(kind: str, record_id: str, shared: str) -> str:
    return f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: {record_id}\r\n{shared}"


def response_record(wire: Wire, record_id: str, shared: str) -> Response:
    chunked, compressed = _encodings(wire.response_headers)
    payload = _framed(wire.body, chunked)
    status_line = f"{wire.http_version} {wire.status} ".encode("ascii")
    http_head = b"".join((status_line, wire.reason, CRLF, _headers(wire.response_headers), CRLF))
    block_hash = hashlib.sha256(http_head)
    block_hash.update(payload)
    payload_hash = hashlib.sha256(payload).digest()
    head = (
        f"{_head('response', record_id, shared)}Content-Type: application/http;msgtype=response\r\n"
        f"WARC-Block-Digest: {_b32(block_hash.digest())}\r\nWARC-Payload-Digest: {_b32(payload_hash)}\r\n"
    )
    member = _member(head, http_head + payload, stored=compressed)
    return Response(record_id, member, payload_hash, plain=not (chunked or compressed))


def request_record(wire: Wire, record_id: str, shared: str, response_id: str) -> bytes:
    request_line = b" ".join((wire.method.encode("ascii"), wire.target, wire.http_version.encode("ascii")))
    block = b"".join((request_line, CRLF, _headers(wire.request_headers), CRLF, wire.request_body))
    head = (
        f"{_head('request', record_id, shared)}WARC-Concurrent-To: {response_id}\r\n"
        f"Content-Type: application/http;msgtype=request\r\nWARC-Block-Digest: {digest(block)}\r\n"
    )
    return _member(head, block)


def metadata_record(record_id: str, shared: str, response_id: str, values: list[tuple[str, str]]) -> bytes:
    block = "".join(f"{name}: {_field(value)}\r\n" for name, value in values).encode("utf-8")
    head = (
        f"{_head('metadata', record_id, shared)}WARC-Concurrent-To: {response_id}\r\n"
        f"Content-Type: application/warc-fields\r\nWARC-Block-Digest: {digest(block)}\r\n"
    )
    return _member(head, block)


def fetch_records(
    wire: Wire, content: bytes, warcinfo_id: str, values: list[tuple[str, str]]
) -> tuple[list[bytes], str]:
    """A fetch's request, response and metadata members, and the SHA-256 (hex) of ``content``, the body after
    content decoding: the payload's digest when the body was served as it is (one hash for both)."""
    response_id, request_id, metadata_id = _record_ids()
    shared = _shared(wire, warcinfo_id)
    response = response_record(wire, response_id, shared)
    plain = response.plain and content == wire.body
    sha256 = response.payload_sha256.hex() if plain else hashlib.sha256(content).hexdigest()
    request = request_record(wire, request_id, shared, response_id)
    metadata = metadata_record(metadata_id, shared, response_id, values)
    return [request, response.member, metadata], sha256
