"""Attachment benchmark: ms/file and char-bigram F1 per format and per library, in one run. Asserts nothing.

    pip install -e '.[bench]' && python bench/attachments.py [--rounds 5]

Files: tests/data/files (made by LibreOffice, see its README); truth: the paragraphs each was made from. "fazhi" is
``ingest.files.extract_file`` (reader + cleaning); the peers are the raw text of pypdf, pdfminer.six and
python-docx (``Document.paragraphs``), and pypdfium2's raw text without our cleaning. Time: median CPU time
(``time.process_time``) per file over the rounds; F1 after whitespace removal (tests.gold.score.bigram_prf), so
page chrome a peer keeps (headers, 「— 3 —」) costs it precision.

A second table compares the two bounded ways of reading a file (deadline + memory limit in a child process), wall
ms per file: ``read_bounded`` (a fresh interpreter per file, as ``fazhi extract``) and ``read_in_place`` (in a
process that is already a killable worker, as the crawler's extraction workers).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ingest.files import extract_file
from tests.gold.score import bigram_prf

FILES = Path(__file__).resolve().parents[1] / "tests" / "data" / "files"
CASES = [
    ("pdf", "report.pdf", "report"),
    ("pdf", "dongguan.pdf", "dongguan"),
    ("pdf 32 pages", "long.pdf", "long"),
    ("docx", "report.docx", "report"),
    ("doc", "report.doc", "report"),
    ("wps", "dongguan.wps", "dongguan"),
    ("rtf", "report.rtf", "report"),
    ("ofd", "report.ofd", "report"),
    ("html as .doc", "report-html.doc", "report"),
    ("mht as .doc", "report-mht.doc", "report"),
    ("wordml as .doc", "report-wordml.doc", "report"),
    ("xlsx", "stats.xlsx", "stats"),
    ("xls", "stats.xls", "stats"),
]


def fazhi(content: bytes) -> str:
    return "\n".join(extract_file(content).paragraphs)


def pypdfium2_raw(content: bytes) -> str:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(document[i].get_textpage().get_text_bounded() for i in range(len(document)))
    finally:
        document.close()


def pypdf_raw(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def pdfminer_raw(content: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(content))


def python_docx(content: bytes) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)


def legacy_doc_text(content: bytes) -> str:
    import legacy_doc

    return legacy_doc.extract_text(content).text


def striprtf_raw(content: bytes) -> str:
    from striprtf.striprtf import rtf_to_text

    return rtf_to_text(content.decode("ascii", errors="replace"), encoding="cp936", errors="replace")


PEERS: dict[str, dict[str, Callable[[bytes], str]]] = {
    "pdf": {"pypdfium2 raw": pypdfium2_raw, "pypdf": pypdf_raw, "pdfminer.six": pdfminer_raw},
    "docx": {"python-docx paragraphs": python_docx},
    "doc": {"legacy-doc extract_text": legacy_doc_text},
    "wps": {"legacy-doc extract_text": legacy_doc_text},
    "rtf": {"striprtf raw": striprtf_raw},
}


def measure(read: Callable[[bytes], str], content: bytes, truth: str, rounds: int) -> tuple[float, float]:
    times, text = [], ""
    for _ in range(rounds):
        start = time.process_time()
        text = read(content)
        times.append(time.process_time() - start)
    return statistics.median(times) * 1000, bigram_prf(truth, text)[2]


def parse_rounds() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    return int(parser.parse_args().rounds)


def main() -> None:
    rounds = parse_rounds()
    print(f"{'format':14} {'file':16} {'library':24} {'ms/file':>8} {'F1':>7} {'vs fazhi':>9}")
    for label, name, truth_name in CASES:
        content = (FILES / name).read_bytes()
        truth = (FILES / "truth" / f"{truth_name}.txt").read_text(encoding="utf-8")
        ours_ms, ours_f1 = measure(fazhi, content, truth, rounds)
        print(f"{label:14} {name:16} {'fazhi (ingest.files)':24} {ours_ms:8.1f} {ours_f1:7.4f} {'1.00x':>9}")
        for peer, read in PEERS.get(label.split()[0], {}).items():
            try:
                ms, f1 = measure(read, content, truth, rounds)
            except ImportError:
                print(f"{'':14} {'':16} {peer:24} {'not installed (pip install -e .[bench])':>30}")
                continue
            print(f"{'':14} {'':16} {peer:24} {ms:8.1f} {f1:7.4f} {ms / ours_ms:8.2f}x")


def bounded(rounds: int) -> None:
    from ingest.files import read_bounded
    from ingest.files.runner import read_in_place

    print(f"\n{'bounded reading':16} {'file':16} {'way':24} {'ms/file':>8} {'vs in place':>11}")
    for name in ("report.docx", "report.pdf"):
        content = (FILES / name).read_bytes()
        warm = _wall(partial(read_in_place, content, name), rounds)
        fresh = _wall(partial(read_bounded, content, name), rounds)
        print(f"{'':16} {name:16} {'read_in_place (worker)':24} {warm:8.1f} {'1.00x':>11}")
        print(f"{'':16} {name:16} {'read_bounded (spawn)':24} {fresh:8.1f} {fresh / warm:10.2f}x")


def _wall(run: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


if __name__ == "__main__":
    main()
    bounded(parse_rounds())
