"""The one exporter, used by ``fazhi export`` and the API's ``/documents.jsonl`` and ``/documents.csv``.

One record per document (:func:`document_record`: dates ``YYYY-MM-DD``, timestamps RFC 3339 in UTC with ``Z``),
written as JSON lines (:func:`jsonl_lines`), CSV rows (:func:`csv_lines`: list cells joined, formula-looking cells
made plain text) or the seeds' text files (:func:`export_txt`: ``NNN_<first 16 hex of id>.txt``, title line then
body; the folder keeps no file of an earlier export).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import orjson
from sqlalchemy import Engine

from store.attachments import public_attachment
from store.captures import CSV_CAPTURE_COLUMNS, capture_columns
from store.queries import Filters, iter_documents
from store.reports import REPORT_FIELDS

# The columns of a JSON-lines record, in order.
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
    *REPORT_FIELDS,  # reports, required parts, timeliness
    "capture",
)
# A CSV row: the record's columns, lists joined (breadcrumb with " > ", keywords with spaces), attachments as two
# cells: their names joined with " | " and their URLs with spaces.
CSV_COLUMNS = (
    *RECORD_COLUMNS[:16],
    "attachment_names",
    "attachments",
    *(c for c in RECORD_COLUMNS[17:] if c != "capture"),
    *CSV_CAPTURE_COLUMNS,  # the capture flat: capture_fetched_at …
)
# what spreadsheets read as a formula (OWASP: CSV injection)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# the files an earlier txt export wrote (and only those: a folder's other files are left alone)
EXPORT_FILE = re.compile(r"^\d{3,}_[0-9a-f]{16}\.txt$")

OnItem = Callable[[], None] | None


def export_rows(
    engine: Engine, *, filters: Filters | None = None, match: tuple[str, ...] | None = None
) -> Iterator[dict[str, Any]]:
    """The matching documents' rows (all of them by default), in ingest order, fetched in batches."""
    return iter_documents(engine, filters=filters or Filters(), columns=RECORD_COLUMNS, match=match)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def document_record(row: dict[str, Any]) -> dict[str, Any]:
    record = {name: row.get(name) for name in RECORD_COLUMNS}
    record["publish_date"] = row["publish_date"].isoformat() if row.get("publish_date") else None
    record["fetched_at"] = rfc3339(row["fetched_at"])
    record["deadline"] = row["deadline"].isoformat() if row.get("deadline") else None
    record["first_seen"] = rfc3339(row["first_seen"]) if row.get("first_seen") else None
    record["breadcrumb"] = list(row.get("breadcrumb") or [])
    record["keywords"] = list(row.get("keywords") or [])
    record["attachments"] = [public_attachment(a) for a in row.get("attachments") or []]
    return record


def jsonl_lines(rows: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    for row in rows:
        yield orjson.dumps(document_record(row)) + b"\n"


def csv_safe(row: dict[str, Any]) -> dict[str, Any]:
    """The row with every text cell that a spreadsheet would run as a formula made plain text (a leading ')."""
    return {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v for k, v in row.items()}


def csv_record(row: dict[str, Any]) -> dict[str, Any]:
    record = document_record(row)
    attachments = record.pop("attachments")
    record["attachment_names"] = " | ".join(a["name"] or "" for a in attachments)
    record["attachments"] = " ".join(a["url"] or "" for a in attachments)
    record["breadcrumb"] = " > ".join(record["breadcrumb"])
    record["keywords"] = " ".join(record["keywords"])
    record["sections"] = sections_cell(record["sections"])
    record.update(capture_columns(record.pop("capture")))
    return csv_safe(record)


def sections_cell(sections: dict[str, bool] | None) -> str | None:
    """A CSV cell: the required parts found, comma-separated (null when unknown)."""
    return None if sections is None else ",".join(k for k, found in sections.items() if found)


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header, then one CSV line per row (no BOM: the caller adds one for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(csv_record(row))
        yield buffer.getvalue()


def export_jsonl(engine: Engine, out: IO[bytes], on_item: OnItem = None) -> int:
    return _write(jsonl_lines(export_rows(engine)), out.write, on_item)


def export_csv(engine: Engine, out: IO[str], on_item: OnItem = None) -> int:
    lines = csv_lines(export_rows(engine))
    out.write(next(lines))
    return _write(lines, out.write, on_item)


def _write(lines: Iterator[Any], write: Callable[[Any], object], on_item: OnItem) -> int:
    count = 0
    for line in lines:
        write(line)
        count += 1
        if on_item:
            on_item()
    return count


def document_text(row: dict[str, Any]) -> str:
    return f"{row.get('title') or ''}\n{row['body']}\n"


def export_file_name(index: int, document_id: str, width: int = 3) -> str:
    return f"{index:0{width}d}_{document_id[:16]}.txt"


def export_txt(engine: Engine, out_dir: Path, total: int, on_item: OnItem = None) -> list[Path]:
    """One file per document, numbered in ingest order from 000 (``total`` sets the width, ≥ 3 digits). Files
    named like an export's that this one did not write (an earlier export's) are removed once it is complete."""
    out_dir.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(max(total - 1, 0))))
    written = []
    for index, document in enumerate(export_rows(engine)):
        path = out_dir / export_file_name(index, document["id"], width)
        _atomic_write(path, document_text(document))
        written.append(path)
        if on_item:
            on_item()
    _remove_stale(out_dir, {p.name for p in written})
    return written


def _remove_stale(out_dir: Path, kept: set[str]) -> None:
    for path in out_dir.iterdir():
        if EXPORT_FILE.match(path.name) and path.name not in kept and path.is_file():
            path.unlink()


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
