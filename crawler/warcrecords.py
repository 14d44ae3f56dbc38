"""WARC/1.1 records (ISO 28500:2017), each one gzip member: warcinfo, request, response, metadata.

:class:`Wire` is one HTTP exchange as ``crawler.fetch`` saw it: the request as sent and the response as received
(status line, headers in their order and case, body after transfer decoding and before content decoding). A
chunked response is stored as one chunk under its original headers, so the record is a valid HTTP message. Digests
are SHA-256 in base 32: the block over the record's block, the payload over the body bytes that follow the headers
(what ``warcio`` and the other WARC readers compute).
"""

from __future__ import annotations

import base64
import hashlib
import socket
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from importlib import metadata

GZIP_LEVEL = 1  # zlib's fastest: 3 % larger members than its default 6, at about two thirds of the CPU
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


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


@lru_cache(maxsize=16)  # the three records of one fetch share its date
def warc_date(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # WARC/1.1 allows the fraction


def digest(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def _field(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def _member(fields: list[tuple[str, str]], block: bytes, level: int = GZIP_LEVEL) -> bytes:
    """One record as a gzip member: the version line, header fields, the block, two CRLFs."""
    head = "WARC/1.1\r\n" + "".join(f"{name}: {_field(value)}\r\n" for name, value in fields)
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return zlib.compress(head.encode("utf-8") + block + CRLF + CRLF, level, wbits=zlib.MAX_WBITS | 16)


def _headers(lines: list[tuple[bytes, bytes]]) -> bytes:
    return b"".join(name + b": " + value + CRLF for name, value in lines)


def _is_chunked(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(n.lower() == b"transfer-encoding" and b"chunked" in v.lower() for n, v in headers)


def _is_compressed(headers: list[tuple[bytes, bytes]]) -> bool:
    """The body is served compressed (gzip, deflate, br, zstd): deflating it again would gain nothing."""
    return any(
        n.lower() == b"content-encoding" and v.strip().lower() not in (b"", b"identity") for n, v in headers
    )


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
    fields = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(datetime.now(UTC))),
        ("WARC-Filename", filename),
        ("Content-Type", "application/warc-fields"),
        ("WARC-Block-Digest", digest(info)),
    ]
    return record_id, _member(fields, info)


def _common(kind: str, wire: Wire, record_id: str, warcinfo_id: str) -> list[tuple[str, str]]:
    fields = [
        ("WARC-Type", kind),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(wire.at)),
        ("WARC-Target-URI", wire.url),
    ]
    return fields + ([("WARC-Warcinfo-ID", warcinfo_id)] if warcinfo_id else [])


def response_record(wire: Wire, warcinfo_id: str) -> tuple[str, bytes]:
    record_id = _record_id()
    status_line = f"{wire.http_version} {wire.status} ".encode("ascii") + wire.reason + CRLF
    payload = _framed(wire.body, _is_chunked(wire.response_headers))
    block = status_line + _headers(wire.response_headers) + CRLF + payload
    fields = [
        *_common("response", wire, record_id, warcinfo_id),
        ("Content-Type", "application/http;msgtype=response"),
        ("WARC-Block-Digest", digest(block)),
        ("WARC-Payload-Digest", digest(payload)),
    ]
    level = 0 if _is_compressed(wire.response_headers) else GZIP_LEVEL  # 0: stored in the member as it is
    return record_id, _member(fields, block, level)


def request_record(wire: Wire, response_id: str, warcinfo_id: str) -> bytes:
    request_line = wire.method.encode("ascii") + b" " + wire.target + b" " + wire.http_version.encode() + CRLF
    block = request_line + _headers(wire.request_headers) + CRLF + wire.request_body
    fields = [
        *_common("request", wire, _record_id(), warcinfo_id),
        ("WARC-Concurrent-To", response_id),
        ("Content-Type", "application/http;msgtype=request"),
        ("WARC-Block-Digest", digest(block)),
    ]
    return _member(fields, block)


def metadata_record(wire: Wire, response_id: str, warcinfo_id: str, values: list[tuple[str, str]]) -> bytes:
    block = "".join(f"{name}: {_field(value)}\r\n" for name, value in values).encode("utf-8")
    fields = [
        *_common("metadata", wire, _record_id(), warcinfo_id),
        ("WARC-Concurrent-To", response_id),
        ("Content-Type", "application/warc-fields"),
        ("WARC-Block-Digest", digest(block)),
    ]
    return _member(fields, block)
