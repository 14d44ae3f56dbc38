"""The one exporter: text files in the seeds' format that replace an earlier export's, JSON lines with RFC 3339
timestamps, CSV with every field."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from store.export import export_jsonl, export_txt


def test_a_txt_export_replaces_the_files_of_an_earlier_one(
    crawled: tuple[Any, list[Any]], tmp_path: Path
) -> None:
    db = crawled[0]
    out = tmp_path / "out"
    out.mkdir()
    stale = out / "099_0123456789abcdef.txt"  # an earlier export's file, of a document since gone
    stale.write_text("old\n")
    mine = [
        out / "notes.txt",
        out / "099_readme.txt",
        out / "12_0123456789abcdef.txt",
    ]  # not an export's names
    for path in mine:
        path.write_text("keep me\n")
    written = export_txt(db, out, total=5)
    assert not stale.exists()
    assert all(path.read_text() == "keep me\n" for path in mine)
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [*(p.name for p in written), *(p.name for p in mine)]
    )
    again = export_txt(db, out, total=5)  # the same export twice: the same files
    assert again == written and all(p.exists() for p in written)


def test_jsonl_timestamps_are_rfc3339_with_z(crawled: tuple[Any, list[Any]]) -> None:
    buffer = io.BytesIO()
    assert export_jsonl(crawled[0], buffer) == 5
    for line in buffer.getvalue().decode("utf-8").splitlines():
        record = json.loads(line)
        assert record["fetched_at"].endswith("Z") and "+00:00" not in record["fetched_at"]
        assert isinstance(record["keywords"], list) and isinstance(record["breadcrumb"], list)
