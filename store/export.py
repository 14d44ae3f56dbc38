"""Exports in the seeds' format: ``NNN_<first 16 hex of id>.txt`` (title line, then the body), and JSON lines."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from store.documents import iter_documents
from store.models import Document


def document_record(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "url": document.url,
        "title": document.title,
        "agency": document.agency,
        "report_year": document.report_year,
        "publish_date": document.publish_date.isoformat() if document.publish_date else None,
        "doc_number": document.doc_number,
        "index_no": document.index_no,
        "signer": document.signer,
        "addressee": document.addressee,
        "cc": document.cc,
        "source": document.source,
        "province": document.province,
        "city": document.city,
        "county": document.county,
        "breadcrumb": document.breadcrumb,
        "attachments": [{"name": a.get("name"), "url": a.get("url")} for a in document.attachments],
        "keywords": document.keywords,
        "body": document.body,
        "source_name": document.source_name,
        "fetched_at": document.fetched_at.isoformat(),
    }


def document_text(document: Document) -> str:
    return f"{document.title or ''}\n{document.body}\n"


def export_file_name(index: int, document_id: str, width: int = 3) -> str:
    return f"{index:0{width}d}_{document_id[:16]}.txt"


def export_txt(engine: Engine, out_dir: Path, total: int, on_item=None) -> list[Path]:
    """One file per document, numbered in ingest order from 000. ``total`` sets the width (≥ 3 digits)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(max(total - 1, 0))))
    written = []
    for index, document in enumerate(iter_documents(engine)):
        path = out_dir / export_file_name(index, document.id, width)
        _atomic_write(path, document_text(document))
        written.append(path)
        if on_item:
            on_item()
    return written


def jsonl_lines(documents: Iterable[Document]) -> Iterator[str]:
    for document in documents:
        yield json.dumps(document_record(document), ensure_ascii=False) + "\n"


def export_jsonl(engine: Engine, out: IO[str], on_item=None) -> int:
    count = 0
    for line in jsonl_lines(iter_documents(engine)):
        out.write(line)
        count += 1
        if on_item:
            on_item()
    return count


CSV_COLUMNS = (
    "id",
    "url",
    "title",
    "agency",
    "report_year",
    "publish_date",
    "doc_number",
    "index_no",
    "source",
    "province",
    "city",
    "county",
    "attachments",
    "body",
    "source_name",
    "fetched_at",
)


def export_csv(engine: Engine, out: IO[str], on_item=None) -> int:
    """The JSONL record's columns as CSV; attachments as their URLs separated by spaces."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for document in iter_documents(engine):
        record = document_record(document)
        record["attachments"] = " ".join(a["url"] or "" for a in record["attachments"])
        writer.writerow(record)
        count += 1
        if on_item:
            on_item()
    return count


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
