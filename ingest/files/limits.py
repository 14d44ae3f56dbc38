"""Zip-bomb bounds, checked on the central directory before any entry is inflated."""

from __future__ import annotations

import zipfile

from ingest.files.errors import LimitError
from ingest.files.model import FileLimits


def check_zip(archive: zipfile.ZipFile, limits: FileLimits) -> None:
    """Raise :class:`LimitError` when the package has too many entries, too many bytes or a bomb's ratio."""
    infos = archive.infolist()
    if len(infos) > limits.max_zip_entries:
        raise LimitError(f"zip: {len(infos)} entries > {limits.max_zip_entries}")
    total = sum(i.file_size for i in infos)
    if total > limits.max_zip_total:
        raise LimitError(f"zip: {total} bytes uncompressed > {limits.max_zip_total}")
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > limits.max_zip_ratio:
            raise LimitError(f"zip: {info.filename} inflates {ratio:.0f}:1 > {limits.max_zip_ratio:.0f}:1")


def read_entry(archive: zipfile.ZipFile, name: str, limits: FileLimits) -> bytes:
    """One entry, never more than the declared size allows (a lying header cannot inflate past the total)."""
    with archive.open(name) as stream:
        data = stream.read(limits.max_zip_total + 1)
    if len(data) > limits.max_zip_total:
        raise LimitError(f"zip: {name} inflates past {limits.max_zip_total} bytes")
    return data
