"""Reports and versions: how similar versions, different reports and year-over-year reports are, and what joining a
new document to its report costs as the store grows.

    python bench/reports.py [--sizes 10000 50000 --new 200]

Part 1 (similarity, from the five seed reports): exact Jaccard of character 5-shingle sets for edited copies (20
typos; a paragraph rewritten; one added; one removed), for the seeds against each other (different agencies, one
genre), and for a simulated next-year report of the same agency that keeps a share of the paragraphs (headings,
boilerplate) and writes the rest anew; and whether each pair shares an LSH band (a candidate).

Part 2 (cost): a SQLite store filled with N documents (bodies of 30 paragraphs drawn from the seeds' pool with
their own numbers, 500 agencies × 6 years) and their bands, then ``store.reports.assign_report`` for new
documents, half of them edited copies of stored ones: ms per new document at each N. The peer, measured in the
same run: comparing the new document's MinHash with every stored signature (a linear scan, in memory). Prints;
asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rensa import RMinHash  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from store import documents, make_engine, reports, write_session  # noqa: E402  # noqa: E402
from store.documents import upsert_document  # noqa: E402
from store.models import Document, ReportBand  # noqa: E402
from store.reports import (  # noqa: E402
    JOIN_JACCARD,
    PERMUTATIONS,
    SEED,
    band_keys,
    jaccard,
    shingles,
    signature,
)

CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可也你"


def seeds() -> list[list[str]]:
    data = json.loads((ROOT / "seeds" / "reports.json").read_text(encoding="utf-8"))
    return [r["paragraphs"] for r in data["reports"]]


def typos(paragraphs: list[str], count: int, rng: random.Random) -> list[str]:
    out = list(paragraphs)
    for _ in range(count):
        i = rng.randrange(len(out))
        if len(out[i]) > 2:
            j = rng.randrange(len(out[i]))
            out[i] = out[i][:j] + rng.choice(CHARS) + out[i][j + 1 :]
    return out


def rewritten(text: str, rng: random.Random) -> str:
    return "".join(rng.choice(CHARS) for _ in text)


def edits(paragraphs: list[str], rng: random.Random) -> dict[str, list[str]]:
    longest = max(range(len(paragraphs)), key=lambda i: len(paragraphs[i]))
    changed = list(paragraphs)
    changed[longest] = rewritten(changed[longest], rng)
    return {
        "20 typos": typos(paragraphs, 20, rng),
        "longest paragraph rewritten": changed,
        "paragraph added": [*paragraphs, "附:本报告于次年1月更正第三部分数据,特此说明。" * 3],
        "paragraph removed": [p for i, p in enumerate(paragraphs) if i != longest],
    }


def next_year(paragraphs: list[str], keep: float, rng: random.Random) -> list[str]:
    """Same agency, next year: headings and a share ``keep`` of the other paragraphs stay (boilerplate), the rest
    is new text of the same length; every year number moves on by one."""
    out = []
    for p in paragraphs:
        heading = len(p) <= 40
        kept = heading or rng.random() < keep
        out.append(p if kept else rewritten(p, rng))
    return [_shift_years(p) for p in out]


def _shift_years(text: str) -> str:
    for year in range(2026, 2014, -1):
        text = text.replace(str(year), str(year + 1))
    return text


def candidate(a: str, b: str) -> bool:
    return bool(set(band_keys(signature(shingles(a)))) & set(band_keys(signature(shingles(b)))))


def part_similarity() -> None:
    rng = random.Random(19)
    texts = ["\n".join(p) for p in seeds()]
    print(
        f"Part 1: exact Jaccard of 5-shingle sets (join threshold {JOIN_JACCARD}); 'cand' = shares an LSH band"
    )
    versions: dict[str, list[float]] = {}
    for paragraphs in seeds():
        base = "\n".join(paragraphs)
        for name, edited in edits(paragraphs, rng).items():
            other = "\n".join(edited)
            versions.setdefault(name, []).append(jaccard(shingles(base), shingles(other)))
            versions.setdefault(name + " cand", []).append(float(candidate(base, other)))
    for name in [n for n in versions if not n.endswith(" cand")]:
        values, cands = versions[name], versions[name + " cand"]
        print(
            f"  version, {name:28s} min {min(values):.3f}  max {max(values):.3f}  cand {sum(cands):.0f}/{len(cands)}"
        )
    pairs = [(jaccard(shingles(a), shingles(b)), candidate(a, b)) for a, b in combinations(texts, 2)]
    print(
        f"  different reports (10 seed pairs)     min {min(p[0] for p in pairs):.3f}  "
        f"max {max(p[0] for p in pairs):.3f}  cand {sum(p[1] for p in pairs)}/{len(pairs)}"
    )
    for keep in (0.0, 0.2, 0.4, 0.6, 0.8):
        scores, cands = [], 0
        for paragraphs in seeds():
            for _ in range(4):
                a, b = "\n".join(paragraphs), "\n".join(next_year(paragraphs, keep, rng))
                scores.append(jaccard(shingles(a), shingles(b)))
                cands += candidate(a, b)
        print(
            f"  next year, {keep:.0%} of paragraphs kept     min {min(scores):.3f}  max {max(scores):.3f}  "
            f"cand {cands}/{len(scores)}"
        )


def synthetic_body(pool: list[str], rng: random.Random, serial: int) -> str:
    paragraphs = rng.sample(pool, 30)
    return "\n".join(f"{p}(第{serial}-{i}号)" for i, p in enumerate(paragraphs))


def fill(engine: Any, count: int, rng: random.Random, pool: list[str]) -> list[dict[str, Any]]:
    """``count`` documents and their bands, written in bulk (the cost measured is the next document's)."""
    documents, bands = [], []
    signatures = []
    for n in range(count):
        body = synthetic_body(pool, rng, n)
        minhash = RMinHash(num_perm=PERMUTATIONS, seed=SEED)
        minhash.update(list(shingles(body)))
        digest = [int(v) for v in minhash.digest()]
        signatures.append(minhash)
        doc_id = f"{n:064x}"
        documents.append(
            {
                "id": doc_id,
                "body": body,
                "url": f"http://127.0.0.2/{n}",
                "source_name": "bench",
                "agency": f"机关{n % 500}",
                "report_year": 2019 + (n // 500) % 6,
                "report_id": doc_id,
                "version": 1,
                "breadcrumb": [],
                "attachments": [],
                "keywords": [],
                "provenance": {},
                "fetched_at": datetime.now(UTC),
            }
        )
        bands.extend({"band": k, "document_id": doc_id} for k in set(band_keys(digest)))
    with write_session(engine) as session:
        connection = session.connection()
        for i in range(0, len(documents), 2000):
            connection.execute(insert(Document.__table__), documents[i : i + 2000])  # type: ignore[attr-defined]
        for i in range(0, len(bands), 20000):
            connection.execute(insert(ReportBand.__table__), bands[i : i + 20000])  # type: ignore[attr-defined]
    return [{"doc": d, "sig": s} for d, s in zip(documents, signatures, strict=True)]


def new_documents(
    stored: list[dict[str, Any]], count: int, rng: random.Random, pool: list[str]
) -> list[dict[str, Any]]:
    out = []
    for n in range(count):
        if n % 2:  # an edited copy of a stored document: joins its report
            source = rng.choice(stored)["doc"]
            body = "\n".join(typos(source["body"].split("\n"), 20, rng))
            agency, year = source["agency"], source["report_year"]
        else:
            body, agency, year = synthetic_body(pool, rng, 10**7 + n), f"机关{n % 500}", 2020
        out.append(
            {
                "id": f"f{n:063x}",
                "body": body,
                "url": f"http://127.0.0.2/new/{n}",
                "source_name": "bench",
                "agency": agency,
                "report_year": year,
            }
        )
    return out


def linear_peer(stored: list[dict[str, Any]], new: list[dict[str, Any]]) -> float:
    minhashes = [entry["sig"] for entry in stored]
    started = time.perf_counter()
    for doc in new:
        m = RMinHash(num_perm=PERMUTATIONS, seed=SEED)
        m.update(list(shingles(doc["body"])))
        max(m.jaccard(other) for other in minhashes)
    return (time.perf_counter() - started) / len(new) * 1000


WARMUP = 5
ASSIGN_SECONDS: list[float] = []


def _timed_assign(*args: Any, **kwargs: Any) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        return reports.assign_report(*args, **kwargs)
    finally:
        ASSIGN_SECONDS.append(time.perf_counter() - started)


@dataclass
class Store:
    size: int
    engine: Any
    stored: list[dict[str, Any]]
    new: list[dict[str, Any]]
    assign: float = 0.0
    whole: float = 0.0
    joined: int = 0
    band_rows: int = 0


def _join(store: Store, docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        ASSIGN_SECONDS.clear()
        started = time.perf_counter()
        with write_session(store.engine) as session:
            upsert_document(session=session, document=Document(**doc))
        store.whole += time.perf_counter() - started
        store.assign += sum(ASSIGN_SECONDS)
        with store.engine.connect() as connection:
            version, shared = connection.execute(_CHECK, {"id": doc["id"]}).one()
        store.joined += version > 1
        store.band_rows += shared


_CHECK = text(
    "SELECT version, (SELECT count(*) FROM report_bands b WHERE b.band IN "
    "(SELECT band FROM report_bands WHERE document_id = :id) AND b.document_id <> :id) FROM documents WHERE id = :id"
)


def part_cost(sizes: list[int], count: int, rounds: int = 10) -> None:
    """Every store is filled first; then the new documents go in in rounds, the stores' order alternating, so
    that a busy machine slows each store alike."""
    pool = [p for paragraphs in seeds() for p in paragraphs if len(p) > 40]
    print(
        f"\nPart 2: joining a new document to its report (SQLite; {count} new documents, half edited copies)"
    )
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-reports-") as tmp:
        stores = []
        for size in sizes:
            rng = random.Random(size)
            engine = make_engine(f"sqlite:///{tmp}/bench-{size}.db")
            stored = fill(engine, size, rng, pool)
            new = new_documents(stored, count + WARMUP, rng, pool)
            for doc in new[:WARMUP]:  # first statements prepared, caches warm
                with write_session(engine) as session:
                    upsert_document(session=session, document=Document(**doc))
            stores.append(Store(size, engine, stored, new[WARMUP:]))
        step = max(1, count // rounds)
        for n, first in enumerate(range(0, count, step)):
            for store in stores if n % 2 == 0 else reversed(stores):
                _join(store, store.new[first : first + step])
        print(
            f"  {'stored':>8s} {'assign ms/doc':>13s} {'upsert+commit':>14s} {'joined':>7s} "
            f"{'band rows/doc':>13s} {'peer ms/doc':>12s}"
        )
        results = []
        for store in stores:
            peer = linear_peer(store.stored, store.new)
            ours, whole = store.assign / count * 1000, store.whole / count * 1000
            results.append((store.size, ours, peer))
            print(
                f"  {store.size:8d} {ours:13.2f} {whole:14.2f} {store.joined:4d}/{count // 2:<3d}"
                f" {store.band_rows / count:13.1f} {peer:12.2f}"
            )
            store.engine.dispose()
    (small, ours_small, peer_small), (large, ours_large, peer_large) = results[0], results[-1]
    print(
        f"  growth {small} → {large} stored ({large / small:.0f}×): fazhi {ours_large / ours_small:.2f}×, "
        f"linear peer {peer_large / peer_small:.2f}×; at {large}: fazhi/peer {ours_large / peer_large:.2f}"
    )


def main() -> None:
    documents.assign_report = _timed_assign  # type: ignore[assignment]  # the join's own time, commit aside
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--skip-cost", action="store_true")
    args = parser.parse_args()
    part_similarity()
    if not args.skip_cost:
        part_cost(args.sizes, args.new)


if __name__ == "__main__":
    main()
