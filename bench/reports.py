"""Reports and versions: how similar versions, different reports and year-over-year reports are, and what joining a
new document to its report costs as the store grows.

    python bench/reports.py [--sizes 10000 25000 50000 --new 200 --backend sqlite|postgresql]

Part 1 (similarity): exact Jaccard of character 5-shingle sets for edited copies of the five seed reports, for the
seeds against each other (different agencies, one genre) and for a simulated next year of one agency; whether each
pair shares an LSH band (a candidate); and the same for the synthetic corpus of part 2, beside the seeds' figures
(bench/report_corpus.py says how it is made).

Part 2 (cost): a store of N documents from that corpus (agencies × the years 2019-2024, one report in twenty with a
second version), with their bands; then the reports step (``store.reports.report_fields`` and ``record_report``) for new documents, half an edited copy of
a stored report (must join it), half an agency's 2025 report (must not join its 2024 one): the CPU ms per new
document at each N (on PostgreSQL: this process plus the server process, from /proc/<pid>/schedstat), split into
the candidates query (band lookup and the candidates' sketches), the confirmations (MinHash estimates, then the
bodies read and the exact Jaccard for those not pruned) and the rest, with the band rows the lookup met and the
candidates it returned. The stores take the new documents in interleaved rounds. The peer, measured in the same
run: comparing the new document's MinHash with every stored signature (a linear scan, in memory). Prints; asserts
nothing.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rensa import RMinHash  # noqa: E402
from sqlalchemy import Engine, bindparam, create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

from bench.report_corpus import Corpus, Layout, Report, layout, new_documents, seed_paragraphs  # noqa: E402
from store import documents, make_engine, reports, write_session  # noqa: E402
from store.documents import upsert_document  # noqa: E402
from store.models import Document, ReportBand, ReportSketch  # noqa: E402
from store.reports import JOIN_JACCARD, PERMUTATIONS, SEED, band_keys, jaccard, shingles, signature  # noqa: E402


def candidate(a: str, b: str) -> bool:
    return bool(set(band_keys(signature(shingles(a)))) & set(band_keys(signature(shingles(b)))))


def _line(label: str, pairs: list[tuple[str, str]]) -> None:
    scores = sorted(jaccard(shingles(a), shingles(b)) for a, b in pairs)
    cands = sum(candidate(a, b) for a, b in pairs)
    print(
        f"  {label:50s} min {scores[0]:.3f}  median {scores[len(scores) // 2]:.3f}  max {scores[-1]:.3f}"
        f"  cand {cands}/{len(pairs)}"
    )


def part_similarity(corpus: Corpus) -> None:
    print(
        f"Part 1: exact Jaccard of 5-shingle sets (join threshold {JOIN_JACCARD}); 'cand' = shares an LSH band"
    )
    rng = corpus.rng
    seeds = [Report("seed", 2020, (0,) * 5, [paragraphs]) for paragraphs in seed_paragraphs()]
    texts = ["\n".join(r.parts[0]) for r in seeds]
    for rewrite in (False, True):
        what = "20 typos" + (", a paragraph rewritten" if rewrite else "")
        pairs = [
            (t, "\n".join(corpus.edited(r, rewrite).parts[0])) for t, r in zip(texts, seeds, strict=True)
        ]
        _line(f"seed versions: {what}", pairs)
    _line("seeds against each other (different agencies)", list(combinations(texts, 2)))
    for keep in (0.2, 0.4, 0.6):
        pairs = [
            (t, "\n".join(corpus.next_year(r, keep).parts[0])) for t, r in zip(texts, seeds, strict=True)
        ]
        _line(f"seeds, next year keeping {keep:.0%} of paragraphs", pairs)
    firsts = [corpus.first(f"机关{n}", 2020) for n in range(20)]
    _line("corpus: different agencies, one year", [(a.body, b.body) for a, b in combinations(firsts[:12], 2)])
    nexts = [(r, corpus.next_year(r, rng.uniform(0.2, 0.6))) for r in firsts]
    _line("corpus: one agency, consecutive years", [(a.body, b.body) for a, b in nexts])
    _line(
        "corpus: versions (typos; every other rewritten)",
        [(r.body, corpus.edited(r, n % 2 == 1).body) for n, r in enumerate(firsts)],
    )


# ---- part 2


def fill(engine: Engine, plan: Layout) -> None:
    """The documents, their bands and MinHashes, written in bulk (the cost measured is the next document's)."""
    table, bands = Document.__table__, ReportBand.__table__  # type: ignore[attr-defined]
    sketches = ReportSketch.__table__  # type: ignore[attr-defined]
    with write_session(engine) as session:
        connection = session.connection()
        for i in range(0, len(plan.rows), 1000):
            chunk = plan.rows[i : i + 1000]
            connection.execute(insert(table), [{k: v for k, v in r.items() if k[0] != "_"} for r in chunk])
            seqs = dict(
                connection.execute(
                    text("SELECT id, seq FROM documents WHERE id IN :ids").bindparams(
                        bindparam("ids", expanding=True)
                    ),
                    {"ids": [r["id"] for r in chunk]},
                ).all()
            )
            rows = [{"band": k, "seq": seqs[r["id"]]} for r in chunk for k in set(r["_keys"])]
            connection.execute(insert(bands), rows)
            kept = [
                {"seq": seqs[r["id"]], "minhash": r["_minhash"]} for r in chunk if r["_minhash"] is not None
            ]
            connection.execute(insert(sketches), kept)


@dataclass
class Meter:
    """CPU seconds (this process, plus the database server's process on PostgreSQL) in the timed functions."""

    seconds: dict[str, float] = field(default_factory=dict)
    candidates: int = 0
    server_pid: int | None = None

    def cpu(self) -> float:
        return time.process_time() + (_schedstat(self.server_pid) if self.server_pid else 0.0)

    def wrap(self, module: Any, name: str, after: Callable[[Any], None] | None = None) -> None:
        original = getattr(module, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = self.cpu()
            try:
                result = original(*args, **kwargs)
                if after:
                    after(result)
                return result
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + self.cpu() - started

        setattr(module, name, timed)

    def count(self, rows: list[dict[str, Any]]) -> None:
        self.candidates += len(rows)


def _schedstat(pid: int) -> float:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


METER = Meter()


@dataclass
class Store:
    size: int
    engine: Engine
    plan: Layout
    new: list[tuple[dict[str, Any], str | None]]
    seconds: dict[str, float] = field(default_factory=dict)
    wall: float = 0.0
    candidates: int = 0
    band_rows: int = 0
    right: int = 0
    measured: int = 0


_CHECK = text("SELECT seq, report_id FROM documents WHERE id = :id")
_HITS = text("SELECT count(*) FROM report_bands WHERE band IN :keys AND seq <> :seq").bindparams(
    bindparam("keys", expanding=True)
)


def _join(store: Store, batch: list[tuple[dict[str, Any], str | None]], measured: bool) -> None:
    for values, report_id in batch:
        METER.seconds, METER.candidates = {}, 0
        with write_session(store.engine) as session:
            connection = session.connection()
            if connection.dialect.name == "postgresql":
                METER.server_pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            started = time.perf_counter()
            upsert_document(session=session, document=Document(**values))
            wall = time.perf_counter() - started
        METER.server_pid = None
        if not measured:
            continue
        with store.engine.connect() as connection:
            seq, joined = connection.execute(_CHECK, {"id": values["id"]}).one()
            keys = band_keys(signature(shingles(values["body"])))
            store.band_rows += connection.execute(_HITS, {"keys": keys, "seq": seq}).scalar_one()
        store.right += joined == (report_id or values["id"])
        store.wall += wall
        store.candidates += METER.candidates
        store.measured += 1
        for name, seconds in METER.seconds.items():
            store.seconds[name] = store.seconds.get(name, 0.0) + seconds


@contextmanager
def databases(backend: str, postgres_url: str | None) -> Iterator[Callable[[int], Engine]]:
    """A factory of empty stores, one per size: SQLite files in a temporary directory, or PostgreSQL databases."""
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-reports-") as tmp:
        if backend == "sqlite":
            yield lambda size: make_engine(f"sqlite:///{tmp}/bench-{size}.db")
            return
        url = make_url(postgres_url or os.environ["FAZHI_TEST_POSTGRES_URL"])
        admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        names: list[str] = []

        def create(size: int) -> Engine:
            names.append(f"bench_reports_{size}")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{names[-1]}" WITH (FORCE)'))
                connection.execute(
                    text(f"CREATE DATABASE \"{names[-1]}\" ENCODING 'UTF8' TEMPLATE template0")
                )
            return make_engine(url.set(database=names[-1]).render_as_string(hide_password=False))

        try:
            yield create
        finally:
            with admin.connect() as connection:
                for name in names:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def band_bytes(engine: Engine) -> int:
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = "SELECT sum(pgsize) FROM dbstat WHERE name LIKE '%report_bands%'"
        else:
            sql = "SELECT pg_total_relation_size('report_bands')"
        return int(connection.exec_driver_sql(sql).scalar_one())


WARMUP = 6


def part_cost(corpus: Corpus, sizes: list[int], count: int, backend: str, url: str | None) -> None:
    """Every store is filled first; then the new documents go in in rounds, the stores' order alternating, so
    that a busy machine slows each store alike."""
    METER.wrap(
        documents, "report_fields"
    )  # the join's own cost (with record_report), the insert and commit aside
    METER.wrap(documents, "record_report")
    METER.wrap(reports, "_best_match")
    METER.wrap(reports, "candidates", METER.count)  # called by _best_match: its SQL
    print(
        f"\nPart 2: joining a new document to its report ({backend}; {count} new documents; load {_load()})"
    )
    with databases(backend, url) as new_store:
        stores = []
        for size in sizes:
            started = time.perf_counter()
            plan = layout(corpus, size, count)
            engine = new_store(size)
            fill(engine, plan)
            new = new_documents(corpus, plan, count + WARMUP)
            _join(
                Store(size, engine, plan, []), new[:WARMUP], measured=False
            )  # statements prepared, caches warm
            stores.append(Store(size, engine, plan, new[WARMUP:]))
            print(f"  filled {size} documents in {time.perf_counter() - started:.0f} s")
        step = max(1, count // 10)
        for n, first in enumerate(range(0, count, step)):
            for store in stores if n % 2 == 0 else reversed(stores):
                _join(store, store.new[first : first + step], measured=True)
        _report(stores)
    print(f"  load {_load()}")


def _report(stores: list[Store]) -> None:
    print(
        f"  {'stored':>7s} {'CPU ms/doc':>10s} {'SQL':>6s} {'confirm':>7s} {'rest':>6s} {'wall ms':>8s} "
        f"{'band hits':>9s} {'cands':>6s} {'right':>8s} {'band B/doc':>10s} {'peer CPU ms':>11s}"
    )
    results = []
    for store in stores:
        n, s = store.measured, store.seconds
        total = (s["report_fields"] + s["record_report"]) / n * 1000
        sql = s["candidates"] / n * 1000  # the band lookup with the candidates' sketches (no bodies)
        confirm = (s["_best_match"] - s["candidates"]) / n * 1000  # estimates, bodies read, exact Jaccards
        started = time.process_time()
        for values, _ in store.new:
            minhash = RMinHash(num_perm=PERMUTATIONS, seed=SEED)
            minhash.update(list(shingles(values["body"])))
            max(minhash.jaccard(other) for other in store.plan.minhashes)
        peer = (time.process_time() - started) / len(store.new) * 1000
        results.append((store.size, total, peer))
        print(
            f"  {store.size:7d} {total:10.2f} {sql:6.2f} {confirm:7.2f} {total - sql - confirm:6.2f} "
            f"{store.wall / n * 1000:8.2f} {store.band_rows / n:9.2f} {store.candidates / n:6.2f} "
            f"{store.right:4d}/{n:<3d} {band_bytes(store.engine) / store.size:10.0f} {peer:11.2f}"
        )
        store.engine.dispose()
    (small, ours_small, peer_small), (large, ours_large, peer_large) = results[0], results[-1]
    print(
        f"  growth {small} → {large} stored ({large / small:.0f}×): fazhi {ours_large / ours_small:.2f}×, "
        f"linear peer {peer_large / peer_small:.2f}×, log(n) {math.log(large) / math.log(small):.2f}×; "
        f"at {large}: fazhi/peer {ours_large / peer_large:.2f}"
    )


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 50_000])
    parser.add_argument("--new", type=int, default=200)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", help="an admin URL (default: $FAZHI_TEST_POSTGRES_URL)")
    parser.add_argument("--skip-cost", action="store_true")
    args = parser.parse_args()
    corpus = Corpus(random.Random(19))
    part_similarity(corpus)
    if not args.skip_cost:
        part_cost(corpus, args.sizes, args.new, args.backend, args.postgres_url)


if __name__ == "__main__":
    main()
