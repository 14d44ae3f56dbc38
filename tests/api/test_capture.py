"""Evidence end to end: a crawl of the simulated portals archives every stored report in WARC files that warcio
reads back with matching digests; the documents, their exports and ``/documents/{id}/capture`` carry it. Both
backends."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text
from warcio.archiveiterator import ArchiveIterator

from api import create_app
from crawler.engine import CrawlConfig, crawl_sources
from crawler.warc import WarcOptions
from fazhi.settings import Settings
from store import Document, write_session
from store.documents import upsert_document
from store.export import export_csv, export_jsonl
from tests.conftest import BACKENDS, store_for
from tests.netguard import loopback_only
from tests.servers import running_app

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=BACKENDS)
def archived(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, demo_sources: list[Any]
) -> tuple[Engine, Path, list[Any]]:
    """The five simulated portals crawled with WARC archiving on."""
    db = store_for(request, tmp_path_factory, "archived")
    directory = tmp_path_factory.mktemp("warc")
    config = CrawlConfig(user_agent="fazhi-tests", keywords=0, warc=WarcOptions(directory))
    with loopback_only():
        stats = asyncio.run(crawl_sources(demo_sources, db=db, config=config))
    return db, directory, stats


@pytest.fixture(scope="module")
def api(archived: tuple[Engine, Path, list[Any]]) -> Iterator[str]:
    with running_app(
        create_app(engine=archived[0], config=Settings(warc_dir=archived[1]).api_config())
    ) as base:
        yield base


def _documents(db: Engine) -> list[dict[str, Any]]:
    with db.connect() as connection:
        rows = connection.execute(text("SELECT id, url, capture FROM documents ORDER BY seq")).mappings()
        out = [dict(r) for r in rows]
        seen = connection.execute(text("SELECT document_id, url FROM sightings")).all()
    for row in out:
        row["urls"] = {url for owner, url in seen if owner == row["id"]}
        if isinstance(row["capture"], str):  # SQLite hands JSON back as text here
            row["capture"] = json.loads(row["capture"])
    return out


def _record_at(directory: Path, capture: dict[str, Any]) -> tuple[Any, bytes, list[Any]]:
    """The response record at the capture's offset and its content, and the records after it."""
    with (directory / capture["warc_file"]).open("rb") as handle:
        handle.seek(capture["offset"])
        records = ArchiveIterator(handle, check_digests="raise")
        response = next(records)
        content = response.content_stream().read()
        following = [(r.rec_type, r.rec_headers, r.content_stream().read()) for r in records]
    return response, content, following


def test_every_stored_report_is_archived_and_reads_back_with_matching_digests(
    archived: tuple[Engine, Path, list[Any]],
) -> None:
    db, directory, stats = archived
    documents = _documents(db)
    assert len(documents) == 5 and all(d["capture"] for d in documents)
    runs = {s.run_id for s in stats}
    for document in documents:
        capture = document["capture"]
        response, content, following = _record_at(directory, capture)
        assert response.rec_type == "response" and response.http_headers.get_statuscode() == "200"
        assert hashlib.sha256(content).hexdigest() == capture["payload_sha256"]
        assert response.rec_headers.get_header("WARC-Target-URI") in document["urls"]  # the last one fetched
        kind, headers, fields = following[0]
        assert kind == "metadata"
        assert headers.get_header("WARC-Concurrent-To") == response.rec_headers.get_header("WARC-Record-ID")
        values = dict(line.split(": ", 1) for line in fields.decode().splitlines())
        assert values["fazhi-document-id"] == document["id"] and int(values["fazhi-run-id"]) in runs


def test_the_page_as_served_is_the_archived_payload(archived: tuple[Engine, Path, list[Any]]) -> None:
    for document in _documents(archived[0]):
        response, content, _ = _record_at(archived[1], document["capture"])
        with loopback_only():
            served = httpx.get(response.rec_headers.get_header("WARC-Target-URI")).content
        assert served == content
        assert hashlib.sha256(served).hexdigest() == document["capture"]["payload_sha256"]


def test_document_json_carries_the_capture(api: str, archived: tuple[Engine, Path, list[Any]]) -> None:
    document = _documents(archived[0])[0]
    body = httpx.get(f"{api}/documents/{document['id']}").json()
    assert body["capture"] == document["capture"]
    assert set(body["capture"]) == {"fetched_at", "payload_sha256", "warc_file", "offset"}


def test_capture_endpoint_returns_the_archived_response(
    api: str, archived: tuple[Engine, Path, list[Any]]
) -> None:
    for document in _documents(archived[0]):
        capture = document["capture"]
        response = httpx.get(f"{api}/documents/{document['id'][:16]}/capture")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == capture["payload_sha256"]
        assert response.headers["x-archive-status"] == "HTTP/1.1 200 OK"
        assert response.headers["x-archive-target-uri"] in document["urls"]
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["content-security-policy"] == "sandbox"
        assert response.headers["x-archive-orig-content-type"] == response.headers["content-type"]


def test_capture_as_warc_is_a_one_record_warc_file(
    api: str, archived: tuple[Engine, Path, list[Any]]
) -> None:
    document = _documents(archived[0])[1]
    response = httpx.get(f"{api}/documents/{document['id']}/capture", params={"format": "warc"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/warc"
    records = list(ArchiveIterator(io.BytesIO(response.content), check_digests="raise"))
    assert [r.rec_type for r in records] == ["response"]


def test_exports_carry_the_capture(api: str, archived: tuple[Engine, Path, list[Any]]) -> None:
    db = archived[0]
    expected = {d["id"]: d["capture"] for d in _documents(db)}
    lines = httpx.get(f"{api}/documents.jsonl").text.splitlines()
    assert {r["id"]: r["capture"] for r in map(json.loads, lines)} == expected
    out = io.BytesIO()
    export_jsonl(db, out)
    assert {r["id"]: r["capture"] for r in map(json.loads, out.getvalue().splitlines())} == expected
    for text_ in (httpx.get(f"{api}/documents.csv").content.decode("utf-8-sig"), _csv(db)):
        rows = list(csv.DictReader(io.StringIO(text_)))
        assert {r["id"]: r["capture_payload_sha256"] for r in rows} == {
            k: v["payload_sha256"] for k, v in expected.items()
        }
        assert all(r["capture_warc_file"] and int(r["capture_offset"]) > 0 for r in rows)


def _csv(db: Engine) -> str:
    out = io.StringIO()
    export_csv(db, out)
    return out.getvalue()


def test_a_document_without_capture_or_file_is_a_clear_404(db: Engine, tmp_path: Path) -> None:
    with write_session(db) as session:
        for key in "de":
            document = Document(
                id=key * 64, body=f"正文{key}", url=f"http://127.0.0.2/{key}", source_name="s"
            )
            upsert_document(session=session, document=document)
        gone = {"fetched_at": "2026-01-01T00:00:00.000000Z", "payload_sha256": "0" * 64}
        gone |= {"warc_file": "fazhi-gone.warc.gz", "offset": 0}
        session.connection().execute(
            Document.__table__.update().where(Document.__table__.c.id == "e" * 64).values(capture=gone)  # type: ignore[attr-defined]
        )
    with running_app(create_app(engine=db, config=Settings(warc_dir=tmp_path).api_config())) as base:
        none = httpx.get(f"{base}/documents/{'d' * 64}/capture")
        missing = httpx.get(f"{base}/documents/{'e' * 64}/capture")
        unknown = httpx.get(f"{base}/documents/{'f' * 64}/capture")
        assert httpx.get(f"{base}/documents/{'d' * 64}").json()["capture"] is None
    assert none.status_code == 404 and "has no capture" in none.json()["error"]
    assert missing.status_code == 404 and "fazhi-gone.warc.gz" in missing.json()["error"]
    assert unknown.status_code == 404 and unknown.json()["ok"] is False


def test_a_damaged_record_is_an_error_not_a_wrong_page(
    api: str, archived: tuple[Engine, Path, list[Any]], tmp_path: Path
) -> None:
    db, directory, _ = archived
    document = _documents(db)[2]
    capture = document["capture"]
    damaged_dir = tmp_path / "damaged"
    damaged_dir.mkdir()
    data = bytearray((directory / capture["warc_file"]).read_bytes())
    data[capture["offset"] + 40] ^= 0xFF  # one byte inside the response record's compressed stream
    (damaged_dir / capture["warc_file"]).write_bytes(bytes(data))
    with running_app(create_app(engine=db, config=Settings(warc_dir=damaged_dir).api_config())) as base:
        response = httpx.get(f"{base}/documents/{document['id']}/capture")
    assert response.status_code == 500 and response.json()["ok"] is False
    assert capture["warc_file"] in response.json()["error"]


def test_a_record_that_inflates_past_any_page_is_refused(tmp_path: Path) -> None:
    import gzip

    from api.capture import MAX_RECORD, ArchiveUnreadable, read_member

    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(b"junk" + gzip.compress(b"\0" * (MAX_RECORD + 10), compresslevel=1))
    with pytest.raises(ArchiveUnreadable, match="over"):
        read_member(path, 4)
    with pytest.raises(ArchiveUnreadable, match="no WARC record starts"):
        read_member(path, 0)
