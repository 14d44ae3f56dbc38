"""Attachment rows (store.attachments): written before their document, replaced until it exists, then kept."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from store import write_session
from store.attachments import attachment_of, latest_by_url, public_attachment, save_attachments
from store.documents import upsert_document
from store.types import utcnow

DOC = "b" * 64


def _row(n: int, text: str, url: str = "http://127.0.0.2/a.pdf", etag: str | None = None) -> dict[str, Any]:
    return {
        "n": n,
        "name": f"附件{n}.pdf",
        "url": url,
        "type": "pdf",
        "bytes": 3,
        "sha256": "0" * 64,
        "text_chars": len(text),
        "status": "extracted",
        "reason": None,
        "is_body": False,
        "text": text,
        "tokens": text,
        "content": b"%PD",
        "etag": etag,
    }


def _store_document(db: Engine) -> None:
    document = {
        "id": DOC,
        "title": "t",
        "body": "正文",
        "url": "http://127.0.0.2/p.html",
        "source_name": "s",
        "breadcrumb": [],
        "attachments": [{"name": "附件0.pdf", "url": "http://127.0.0.2/a.pdf", "type": "pdf"}],
        "keywords": [],
        "provenance": {},
        "fetched_at": utcnow(),
    }
    with write_session(db) as session:
        upsert_document(session=session, document=document)


def test_rows_of_a_document_not_stored_yet_are_replaced(db: Engine) -> None:
    assert save_attachments(db, document_id=DOC, rows=[_row(0, "第一次"), _row(1, "表")])
    assert save_attachments(db, document_id=DOC, rows=[_row(0, "第二次")])  # a crash before the document
    with db.connect() as connection:
        assert attachment_of(connection, DOC, 0)["text"] == "第二次"
        assert attachment_of(connection, DOC, 1) is None


def test_rows_of_a_stored_document_are_kept(db: Engine) -> None:
    save_attachments(db, document_id=DOC, rows=[_row(0, "原文")])
    _store_document(db)
    assert not save_attachments(db, document_id=DOC, rows=[_row(0, "别的")])
    with db.connect() as connection:
        row = attachment_of(connection, DOC, 0)
    assert row is not None and row["text"] == "原文" and bytes(row["content"]) == b"%PD"


def test_the_newest_row_of_a_url_gives_its_validators(db: Engine) -> None:
    save_attachments(db, document_id="c" * 64, rows=[_row(0, "旧", etag='"1"')])
    save_attachments(
        db, document_id=DOC, rows=[_row(0, "新", etag='"2"'), _row(1, "x", url="http://127.0.0.2/b.pdf")]
    )
    found = latest_by_url(db, ["http://127.0.0.2/a.pdf", "http://127.0.0.2/none.pdf"])
    assert list(found) == ["http://127.0.0.2/a.pdf"] and found["http://127.0.0.2/a.pdf"]["etag"] == '"2"'


def test_old_records_show_every_public_field() -> None:
    shown = public_attachment({"name": "a.pdf", "url": "http://127.0.0.2/a.pdf", "type": "pdf"})
    assert list(shown) == ["name", "url", "type", "bytes", "sha256", "text_chars", "status", "reason"]
    assert shown["status"] is None
