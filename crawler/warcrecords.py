"""WARC/1.1 records (ISO 28500:2017), each one gzip member: warcinfo, request, response, metadata.

:class:`Wire` is one HTTP exchange as ``crawler.fetch`` saw it: the request as sent and the response as received
(status line, headers in their order and case, body after transfer decoding and before content decoding). A
chunked response is stored as one chunk under its original headers, so the record is a valid HTTP message. Digests
are SHA-256 in base 32: the block over the record's block, the payload over the body bytes that follow the headers
(what ``warcio`` and the other WARC readers compute).

Cost per fetch of an 8.8 KB report page, in a loop of its own: 93 µs for the three records (151 µs for last
session's code, the two interleaved; ``bench/warc.py`` measures them in a crawl), of which 42 µs compress the
response's member by ISA-L's igzip (``isal``) at its default level (zlib's fastest level: 66–140 µs); the request
and metadata members (under 1 KB each) at igzip's level 0, 1.4 µs each where levels 1–3 take 10 µs for their
Huffman set-up (≈ 180 bytes more each); a body served compressed is stored in its member as it is (zlib level 0).
The four digests are base-32 encoded at once (:func:`labelled`: 6 µs where ``base64.b32encode`` takes 4–6 µs a
digest), the three record ids come from one read of the random source without ``uuid``, the heads from one set of
shared fields. One SHA-256 of the payload serves its digest and the capture's ``payload_sha256`` when the body was
served uncompressed and unchunked, and none when the crawl passes the content's SHA-256 it computed already (its
change checksum): the body is then read once, for the block digest.
"""

from __future__ import annotations

import hashlib
import os
import socket
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata

from isal import isal_zlib

GZIP_LEVEL = 2  # igzip's default: as fast as its level 1 on report pages, 1 % smaller (zlib's 1: 3 % smaller)
SMALL_LEVEL = 0  # request and metadata records: no per-call Huffman set-up (5× faster than 1–3 under 1 KB)
GZIP = zlib.MAX_WBITS | 16  # a gzip member (header and CRC trailer), not a raw deflate stream
CRLF = b"\r\n"
_REQUEST, _FIELDS = "application/http;msgtype=request", "application/warc-fields"  # the small records' types
_END = b"\r\n\r\n"  # after a record's block


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


def _uuid(hexed: str, at: int) -> str:
    h = hexed[at : at + 32]
    return f"<urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}>"


def record_ids(count: int) -> list[str]:
    """Random (version 4) UUIDs as WARC record ids, from one read of the system's random source."""
    raw = bytearray(os.urandom(16 * count))
    for start in range(0, 16 * count, 16):
        raw[start + 6] = raw[start + 6] & 0x0F | 0x40  # version 4
        raw[start + 8] = raw[start + 8] & 0x3F | 0x80  # the RFC 4122 variant
    hexed = raw.hex()
    return [_uuid(hexed, 32 * k) for k in range(count)]


@lru_cache(maxsize=64)  # a fetch's capture and its three records share its date
def warc_date(at: datetime) -> str:
    """UTC, to the microsecond (WARC/1.1 allows the fraction): ``isoformat``, a third cheaper than ``strftime``."""
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _spreading_masks(groups: int) -> tuple[tuple[int, int, int], ...]:
    """Steps that move ``groups`` 5-bit groups of an integer apart to one a byte: each step shifts the upper half
    of every block of groups up by 3 bits a group (blocks of all the groups, then halves, quarters …)."""
    steps = []
    size = groups
    while size > 1:
        half = size // 2
        ones = (1 << 5 * half) - 1
        low = sum(ones << 8 * size * k for k in range(groups // size))
        steps.append((low, low << 5 * half, 3 * half))
        size = half
    return tuple(steps)


_GROUPS = 256  # 5-bit groups: up to four digests at once (each 32 bytes and 3 of padding: 56 groups)
_SPREAD = _spreading_masks(_GROUPS)
_TO_BASE32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".ljust(256, b"\0")  # RFC 4648's alphabet, by 5-bit value
_PAD = b"\0\0\0"  # 32 bytes and 3: a whole number of 5-byte (8-character) groups


def labelled(*raws: bytes) -> list[str]:
    """SHA-256 digests as WARC digest fields' values: ``sha256:`` and base 32, as ``base64.b32encode`` gives them.
    All at once, a few operations on one integer (``b32encode``'s loop of 5-byte groups: 4 µs a digest)."""
    if len(raws) > 4:
        return labelled(*raws[:4]) + labelled(*raws[4:])
    bits = int.from_bytes(_PAD.join(raws) + _PAD, "big")
    for low, high, shift in _SPREAD:
        bits = (bits & low) | (bits & high) << shift
    text = bits.to_bytes(_GROUPS, "big").translate(_TO_BASE32).decode("ascii")
    first = _GROUPS - 56 * len(raws)
    return [f"sha256:{text[at : at + 52]}====" for at in range(first, _GROUPS, 56)]


def digest(data: bytes) -> str:
    return labelled(hashlib.sha256(data).digest())[0]


def field_value(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def _member(head: str, *block: bytes, level: int | None = GZIP_LEVEL) -> bytes:
    """One record as a gzip member: ``head`` (the version line and header fields), its length, the block, two
    CRLFs; ``level`` None: the block is compressed already (deflating it again would gain nothing)."""
    length = sum(len(part) for part in block)
    data = b"".join((f"{head}Content-Length: {length}\r\n\r\n".encode(), *block, _END))
    if level is None:
        return zlib.compress(data, 0, wbits=GZIP)
    return isal_zlib.compress(data, level, wbits=GZIP)


def _headers(lines: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join([name + b": " + value + CRLF for name, value in lines])


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


@lru_cache(maxsize=1)  # once a process: reading the package's metadata takes milliseconds
def _software() -> str:
    try:
        return f"fazhi/{metadata.version('fazhi')}"
    except metadata.PackageNotFoundError:
        return "fazhi"


def warcinfo_record(filename: str) -> tuple[str, bytes]:
    (record_id,) = record_ids(1)
    info = (
        f"software: {_software()}\r\nformat: WARC File Format 1.1\r\n"
        "conformsTo: http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/\r\n"
        f"hostname: {field_value(socket.gethostname())}\r\n"
    ).encode()
    head = (
        f"WARC/1.1\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: {record_id}\r\n"
        f"WARC-Date: {warc_date(datetime.now(UTC))}\r\nWARC-Filename: {field_value(filename)}\r\n"
        f"Content-Type: application/warc-fields\r\nWARC-Block-Digest: {digest(info)}\r\n"
    )
    return record_id, _member(head, info)


def _shared(wire: Wire, warcinfo_id: str) -> str:
    """The fields that a fetch's three records share, after their type and id."""
    warcinfo = f"WARC-Warcinfo-ID: {warcinfo_id}\r\n" if warcinfo_id else ""
    return f"WARC-Date: {warc_date(wire.at)}\r\nWARC-Target-URI: {field_value(wire.url)}\r\n{warcinfo}"


def _http_head(wire: Wire) -> bytes:
    """The response's status line and headers, as received."""
    status_line = f"{wire.http_version} {wire.status} ".encode("ascii")
    return b"".join((status_line, wire.reason, CRLF, _headers(wire.response_headers), CRLF))


def request_block(wire: Wire) -> bytes:
    request_line = b" ".join((wire.method.encode("ascii"), wire.target, wire.http_version.encode("ascii")))
    return b"".join((request_line, CRLF, _headers(wire.request_headers), CRLF, wire.request_body))


def _concurrent_head(kind: str, ids: list[str], shared: str, content_type: str, block_digest: str) -> str:
    """A request's or metadata record's head: ``ids`` are the response's and this record's."""
    return (
        f"WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Record-ID: {ids[1]}\r\n{shared}WARC-Concurrent-To: {ids[0]}\r\n"
        f"Content-Type: {content_type}\r\nWARC-Block-Digest: {block_digest}\r\n"
    )


def _response_head(record_id: str, shared: str, block_digest: str, payload_digest: str) -> str:
    return (
        f"WARC/1.1\r\nWARC-Type: response\r\nWARC-Record-ID: {record_id}\r\n{shared}"
        "Content-Type: application/http;msgtype=response\r\n"
        f"WARC-Block-Digest: {block_digest}\r\nWARC-Payload-Digest: {payload_digest}\r\n"
    )


def fetch_records(
    wire: Wire, content: bytes, warcinfo_id: str, metadata: bytes, content_sha256: str | None = None
) -> tuple[list[bytes], str]:
    """A fetch's request, response and metadata members (``metadata``: that record's block, ``application/warc-
    fields``), and the SHA-256 (hex) of ``content``, the body after content decoding (``content_sha256``: that
    digest, computed by the crawl already; it must be the SHA-256 of exactly ``content``, as it is written in
    unchecked). When the body was served as it is, that digest is the payload's: one hash for both, or none."""
    chunked, compressed = _encodings(wire.response_headers)
    payload = _framed(wire.body, chunked)
    as_served = not (chunked or compressed) and (content is wire.body or content == wire.body)
    if as_served and content_sha256 is not None:
        payload_sha256 = bytes.fromhex(content_sha256)
    else:
        payload_sha256 = hashlib.sha256(payload).digest()
    if content_sha256 is None:
        content_sha256 = payload_sha256.hex() if as_served else hashlib.sha256(content).hexdigest()
    http_head, request = _http_head(wire), request_block(wire)
    block_hash = hashlib.sha256(http_head)
    block_hash.update(payload)
    digests = labelled(
        block_hash.digest(),
        payload_sha256,
        hashlib.sha256(request).digest(),
        hashlib.sha256(metadata).digest(),
    )
    ids, shared = record_ids(3), _shared(wire, warcinfo_id)  # the response's, the request's, the metadata's
    members = [
        _member(
            _concurrent_head("request", ids[:2], shared, _REQUEST, digests[2]), request, level=SMALL_LEVEL
        ),
        _member(
            _response_head(ids[0], shared, digests[0], digests[1]),
            http_head,
            payload,
            level=None if compressed else GZIP_LEVEL,
        ),
        _member(
            _concurrent_head("metadata", ids[::2], shared, _FIELDS, digests[3]), metadata, level=SMALL_LEVEL
        ),
    ]
    return members, content_sha256
