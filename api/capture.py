"""``/documents/{id}/capture``: the archived response of the fetch that created or last updated a document.

The document's ``capture`` names a WARC file (in ``FAZHI_WARC_DIR``) and the offset of its response record
(written by ``crawler.warc``). The body comes back as served, after content decoding, checked against the
capture's ``payload_sha256``, with the archived status line and headers in ``X-Archive-*`` headers;
``format=warc`` returns the response record itself (a one-record WARC file for any WARC tool).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import zlib
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from warcio.archiveiterator import ArchiveIterator

from api.deps import read
from api.documents import DocumentId, lookup
from api.errors import ApiError, NotFound
from api.schemas import ERRORS, TEXT_EXAMPLES

router = APIRouter(tags=["documents"])
READ_BYTES = 1 << 16
MAX_RECORD = 64 << 20  # a record holds one page (the crawler's cap: 20 MB): anything bigger is not ours
# archived pages are someone else's HTML: never run their scripts on the API's origin
SANDBOX = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}


class ArchiveUnreadable(ApiError):
    """The capture's record is missing its bytes or does not match its digest: the archive was damaged."""

    status = 500


@dataclass(frozen=True)
class Archived:
    record: bytes  # the WARC record, uncompressed
    fields: list[tuple[str, str]]  # the record's WARC header fields
    status_line: str
    headers: list[tuple[str, str]]  # the HTTP response's, as received
    body: bytes  # after transfer and content decoding


def read_member(path: Path, offset: int) -> bytes:
    """The uncompressed gzip member (one WARC record) that starts at ``offset`` of ``path``."""
    inflater, out = zlib.decompressobj(zlib.MAX_WBITS | 16), bytearray()
    with path.open("rb") as handle:
        handle.seek(offset)
        while not inflater.eof:
            chunk = handle.read(READ_BYTES)
            if not chunk:
                raise ArchiveUnreadable(f"the WARC record at {path.name}:{offset} is cut short")
            try:
                out += inflater.decompress(chunk, MAX_RECORD + 1 - len(out))
            except zlib.error as exc:
                raise ArchiveUnreadable(f"no WARC record starts at {path.name}:{offset} ({exc})") from exc
            if len(out) > MAX_RECORD or inflater.unconsumed_tail:
                raise ArchiveUnreadable(f"the WARC record at {path.name}:{offset} is over {MAX_RECORD} bytes")
    return bytes(out)


def parse_response(record: bytes, where: str) -> Archived:
    records = ArchiveIterator(io.BytesIO(record), check_digests="raise")
    try:
        found = next(iter(records))
        body = found.content_stream().read()
    except Exception as exc:  # warcio raises its own and plain errors for a damaged record
        raise ArchiveUnreadable(f"the WARC record at {where} cannot be read: {exc}") from exc
    if found.rec_type != "response" or found.http_headers is None:
        raise ArchiveUnreadable(f"the WARC record at {where} is a {found.rec_type} record, not a response")
    http = found.http_headers
    return Archived(
        record, list(found.rec_headers.headers), f"{http.protocol} {http.statusline}", http.headers, body
    )


def load_capture(directory: Path, capture: dict[str, Any]) -> Archived:
    name, offset = str(capture.get("warc_file") or ""), int(capture.get("offset") or 0)
    path = directory / name
    if not name or Path(name).name != name or not path.is_file():
        raise NotFound(
            f"the WARC file {name!r} is not in the WARC directory (deleted, or on another machine?)"
        )
    archived = parse_response(read_member(path, offset), f"{name}:{offset}")
    if hashlib.sha256(archived.body).hexdigest() != capture.get("payload_sha256"):
        raise ArchiveUnreadable(f"the WARC record at {name}:{offset} does not match the capture's digest")
    return archived


def _archive_headers(archived: Archived, capture: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    fields = dict(archived.fields)
    mine = {
        "X-Archive-Status": archived.status_line,
        "X-Archive-Target-URI": fields.get("WARC-Target-URI", ""),
        "X-Archive-Date": fields.get("WARC-Date", ""),
        "X-Archive-Record-ID": fields.get("WARC-Record-ID", ""),
        "X-Archive-File": str(capture["warc_file"]),
        "X-Archive-Offset": str(capture["offset"]),
        "X-Archive-Payload-SHA256": str(capture["payload_sha256"]),
        **SANDBOX,
    }
    pairs = list(mine.items()) + [(f"X-Archive-Orig-{n}", v) for n, v in archived.headers]
    return [(n.lower().encode("latin-1"), v.encode("latin-1", "replace")) for n, v in pairs]


@router.get(
    "/documents/{document_id}/capture",
    responses={
        **ERRORS,
        500: {"description": "the archived record is damaged"},
    },
    response_class=Response,
    openapi_extra={
        "responses": {
            "200": {"content": {"*/*": {"example": TEXT_EXAMPLES["capture"]}, "application/warc": {}}}
        },
    },
)
async def get_capture(
    request: Request,
    document_id: DocumentId,
    as_: Annotated[
        Literal["body", "warc"],
        Query(alias="format", description="`body`: the page as served; `warc`: its WARC response record"),
    ] = "body",
) -> Response:
    """The archived response of the fetch that created or last updated the document (its ``capture``)."""
    document = await read(request, partial(lookup, document_id=document_id))
    capture = document.get("capture")
    if not capture:
        raise NotFound(
            f"document {document['id']} has no capture (stored before archiving, or archiving is off)"
        )
    directory = request.app.state.settings.warc_directory
    if directory is None:
        raise NotFound(f"document {document['id']} has a capture, but this API was given no WARC directory")
    archived = await asyncio.to_thread(load_capture, directory, capture)
    if as_ == "warc":
        name = f"{document['id'][:16]}.warc"
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(archived.record, media_type="application/warc", headers=headers)
    response = Response(archived.body)
    content_type = dict((n.lower(), v) for n, v in archived.headers).get("content-type")
    response.raw_headers = [
        (b"content-length", str(len(archived.body)).encode()),
        (b"content-type", (content_type or "application/octet-stream").encode("latin-1", "replace")),
        *_archive_headers(archived, capture),
    ]
    return response
