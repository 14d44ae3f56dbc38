"""Exports in the seeds' format: ``NNN_<first 16 hex of id>.txt`` (title line, then the body), and JSON lines."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from store.attachments import public_attachment
from store.queries import Filters, iter_documents

# The columns of a JSON-lines record and of a CSV row (the API's exports use the same).
RECORD_COLUMNS = (
    "id",
    "url",
    "title",
    "agency",
    "report_year",
    "publish_date",
    "doc_number",
    "index_no",
    "signer",
    "addressee",
    "cc",
    "source",
    "province",
    "city",
    "county",
    "breadcrumb",
    "attachments",
    "keywords",
    "body",
    "source_name",
    "fetched_at",
)


FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
)  # what spreadsheets read as a formula (OWASP: CSV injection)


def csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every text cell that a spreadsheet would run as a formula made plain text (a leading ')."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for k, v in row.items()}


def all_documents(engine: Engine) -> Iterator[dict[str, Any]]:
    return iter_documents(engine, filters=Filters(), columns=RECORD_COLUMNS)


def document_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {name: row.get(name) for name in RECORD_COLUMNS}
    record["publish_date"] = row["publish_date"].isoformat() if row.get("publish_date") else None
    record["fetched_at"] = row["fetched_at"].isoformat()
    record["attachments"] = [public_attachment(a) for a in row.get("attachments") or []]
    return record


def document_text(row: dict[str, Any]) -> str:
    return f"{row.get('title') or ''}\n{row['body']}\n"


def export_file_name(index: int, document_id: str, width: int = 3) -> str:
    return f"{index:0{width}d}_{document_id[:16]}.txt"


def export_txt(engine: Engine, out_dir: Path, total: int, on_item=None) -> list[Path]:
    """One file per document, numbered in ingest order from 000. ``total`` sets the width (≥ 3 digits)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(max(total - 1, 0))))
    written = []
    for index, document in enumerate(all_documents(engine)):
        path = out_dir / export_file_name(index, document["id"], width)
        _atomic_write(path, document_text(document))
        written.append(path)
        if on_item:
            on_item()
    return written


def jsonl_lines(documents: Iterable[dict[str, Any]]) -> Iterator[str]:
    for document in documents:
        yield json.dumps(document_record(document), ensure_ascii=False) + "\n"


def export_jsonl(engine: Engine, out: IO[str], on_item=None) -> int:
    count = 0
    for line in jsonl_lines(all_documents(engine)):
        out.write(line)
        count += 1
        if on_item:
            on_item()
    return count


CSV_COLUMNS = tuple(
    c for c in RECORD_COLUMNS if c not in ("signer", "addressee", "cc", "breadcrumb", "keywords")
)


def export_csv(engine: Engine, out: IO[str], on_item=None) -> int:
    """The JSONL record's columns as CSV; attachments as their URLs separated by spaces."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for document in all_documents(engine):
        record = document_record(document)
        record["attachments"] = " ".join(a["url"] or "" for a in record["attachments"])
        writer.writerow(csv_safe(record))
        count += 1
        if on_item:
            on_item()
    return count


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
