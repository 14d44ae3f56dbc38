"""API benchmark: a 20k-document store served by fazhi, by a bare handler doing the same SQL on the raw driver
(sqlite3, or psycopg for PostgreSQL), and on SQLite by Datasette on the same file, in one run. Prints requests/s
and p50/p99 latency for a keyset list page, doc-by-id and search, and every ratio; asserts nothing.

    python bench/api.py [--documents 20000 --seconds 10.5 --rounds 7 --connections 8]
    scripts/with-postgres python bench/api.py --backend postgresql     # a throw-away server; its own database
    python bench/api.py --store sqlite:///path/store.db                # measure a store built before, as it is

Datasette comes with the ``bench`` extra (``pip install -e '.[bench]'``); without it that column is left out.
The search cell cycles through the 20 most frequent words of the corpus (by documents containing them, words of
two characters or more): the words every report has. The bare search ranks every match, as a plain
``ORDER BY bm25`` / ``ts_rank`` does.

The servers are uvicorn processes on 127.0.0.1 (Datasette runs its own), all started at once; the load comes from
this process over keep-alive connections, one endpoint and one server at a time, each cell's time cut into turns
taken in rotation (a shared machine's load then falls on every server alike). Each ratio is the median of the
per-turn ratios, with their range, for req/s and for the server's CPU time per request: with the load generator on
the same machine, CPU per request is the more honest of the two.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bare import BARE, BARE_PG  # noqa: E402
from bench.load import free_port, load, serve, summary  # noqa: E402


def build_store(url: str, count: int) -> tuple[list[str], list[str]]:
    """``count`` documents made of seed paragraphs, with search tokens composed from pre-tokenized paragraphs;
    returns their ids and the 20 most frequent words (by documents containing them, two characters or more)."""
    from ingest.tokens import token_text
    from portalsim.content import seed_paragraphs
    from store import Document, make_engine, write_session
    from store.documents import upsert_document

    engine = make_engine(url)
    pool = [p for body in seed_paragraphs().values() for p in body if len(p) > 30]
    tokens = {p: token_text(p) for p in pool}
    rng = random.Random(1)
    provinces = ["广东省", "浙江省", "天津市", "重庆市", "江苏省"]
    ids: list[str] = []
    frequency: Counter[str] = Counter()
    for start in range(0, count, 500):
        with write_session(engine) as session:
            for n in range(start, min(start + 500, count)):
                paragraphs = rng.sample(pool, 8)
                body = "\n".join([f"第{n}号单位报告如下:", *paragraphs])
                doc = Document(
                    id=f"{n:016x}" + "0" * 48,
                    title=f"第{n}号单位{2019 + n % 6}年法治政府建设年度报告",
                    body=body,
                    url=f"http://127.0.0.2/{n}.html",
                    source_name=f"s{n % 40}",
                    report_year=2019 + n % 6,
                    province=provinces[n % 5],
                    agency=f"第{n}号单位",
                )
                words = (f"第 {n} 号 单位 法治 政府 年度 报告", " ".join(tokens[p] for p in paragraphs))
                upsert_document(session=session, document=doc, search_tokens=words)
                ids.append(doc.id)
                frequency.update({w for w in " ".join(words).split() if len(w) >= 2})
    engine.dispose()
    return ids, [word for word, _ in frequency.most_common(20)]


def stored_store(url: str) -> tuple[list[str], list[str]]:
    """What :func:`build_store` returns, read from a store it built earlier (``--store``): the ids, and the 20
    words of two characters or more in the most documents (FTS5's vocabulary; PostgreSQL's ``ts_stat``)."""
    from sqlalchemy import text

    from store import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        ids = [r[0] for r in connection.execute(text("SELECT id FROM documents ORDER BY seq"))]
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.bench_vocab USING fts5vocab(main, documents_fts, 'row')"
            )
            frequent = (
                "SELECT term FROM temp.bench_vocab WHERE length(term) >= 2 ORDER BY doc DESC, term LIMIT 20"
            )
        else:
            frequent = (
                "SELECT word FROM ts_stat('SELECT vector FROM documents_fts') WHERE length(word) >= 2 "
                "ORDER BY ndoc DESC, word LIMIT 20"
            )
        words = [r[0] for r in connection.execute(text(frequent))]
    engine.dispose()
    return ids, words


def postgres_database() -> str:
    """A fresh database on the server of FAZHI_TEST_POSTGRES_URL (``scripts/with-postgres`` exports it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin_url = os.environ.get("FAZHI_TEST_POSTGRES_URL")
    if not admin_url:
        sys.exit("no PostgreSQL: run it as `scripts/with-postgres python bench/api.py --backend postgresql`")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS bench_api WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE bench_api"))
    admin.dispose()
    return make_url(admin_url).set(database="bench_api").render_as_string(hide_password=False)


def fazhi_command(port: int, work: Path) -> list[str]:
    """The read API alone (no scheduler: the peers run none either)."""
    return [sys.executable, "-m", "fazhi", "serve", "--api-only", "--port", str(port)]


def bare_command(port: int, work: Path) -> list[str]:
    return [
        sys.executable, "-m", "uvicorn", "--app-dir", str(work), "bare:app", "--port", str(port),
        "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip


def datasette_command(port: int, work: Path) -> list[str]:
    """Datasette's best case for these reads: no facet suggestions, and the pages ask for no count or facets."""
    return [
        sys.executable, "-m", "datasette", "serve", str(work / "store.db"), "--host", "127.0.0.1",
        "--port", str(port), "--setting", "suggest_facets", "off",
    ]  # fmt: skip


def has_datasette() -> bool:
    return importlib.util.find_spec("datasette") is not None


SUMMARY = "id, seq, title, agency, report_year, publish_date, doc_number, province, city, county, url, source_name, fetched_at"
DATASETTE = "_shape=objects&_nocount=1&_nofacet=1"


def make_cells(
    ids: list[str], seqs: list[int], words: list[str], datasette: bool
) -> dict[str, dict[str, list[str]]]:
    """Per endpoint, the request paths of each server (the same rows for every server)."""
    from api.cursor import encode_cursor
    from ingest.tokens import tokenize
    from store.search import match_expression

    sample = random.Random(2).sample(range(len(ids)), 200)
    columns = "&".join(f"_col={c.strip()}" for c in SUMMARY.split(",") if c.strip() != "seq")
    cells: dict[str, dict[str, list[str]]] = {
        "list": {
            "fazhi": [f"/documents?cursor={encode_cursor('seq', seqs[i], seqs[i])}" for i in sample],
            "bare": [f"/documents?after={seqs[i]}" for i in sample],
            "datasette": [
                f"/store/documents.json?_size=50&_next={seqs[i]}&{columns}&{DATASETTE}" for i in sample
            ],
        },
        "doc-by-id": {
            "fazhi": [f"/documents/{ids[i]}" for i in sample],
            "bare": [f"/documents/{ids[i]}" for i in sample],
            "datasette": [f"/store/documents.json?id={ids[i]}&{DATASETTE}" for i in sample],
        },
        "search": {
            "fazhi": [f"/documents?q={w}" for w in words],
            "bare": [
                f"/search?match={quote(match_expression(tokenize(w)))}&words={quote(' '.join(tokenize(w)))}"
                for w in words
            ],
        },
    }
    if not datasette:
        for paths in cells.values():
            paths.pop("datasette", None)
    return cells


def cpu_seconds(pid: int) -> float:
    """The user + system CPU time of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Result = tuple[float, float, float, float]  # req/s, p50 ms, p99 ms, server CPU µs per request
Turn = tuple[float, float]  # one turn's req/s and server CPU µs per request


def measure(
    commands: dict[str, list[str]], cells: dict[str, dict[str, list[str]]], env: dict[str, str], args: Any
) -> tuple[dict[str, dict[str, Result]], dict[tuple[str, str], list[Turn]]]:
    """Every server runs at once (idle but for its turn); each cell's time is cut into ``args.rounds`` turns
    taken by the servers in rotation, so that the load of a shared machine falls on all of them alike. Each
    server's own CPU time per request is counted too (PostgreSQL's is not: the same SQL for fazhi and bare).
    Returns the totals of each server and cell, and each turn's (req/s, CPU µs per request)."""
    ports = {name: int(command[command.index("--port") + 1]) for name, command in commands.items()}
    processes = {name: serve(command, ports[name], env) for name, command in commands.items()}
    totals: dict[tuple[str, str], tuple[float, list[float], float]] = {}
    turns: dict[tuple[str, str], list[Turn]] = {}
    try:
        for cell, servers in cells.items():
            names = [name for name in servers if name in ports]
            for name in names:
                load(ports[name], servers[name][:5], 0.5, args.connections)  # warm-up: jieba, caches
            for turn in range(args.rounds):
                for name in names[turn % len(names) :] + names[: turn % len(names)]:
                    cpu = cpu_seconds(processes[name].pid)
                    elapsed, latencies = load(
                        ports[name], servers[name], args.seconds / args.rounds, args.connections
                    )
                    cpu = cpu_seconds(processes[name].pid) - cpu
                    before = totals.get((name, cell), (0.0, [], 0.0))
                    totals[(name, cell)] = (before[0] + elapsed, before[1] + latencies, before[2] + cpu)
                    turns.setdefault((name, cell), []).append(
                        (len(latencies) / elapsed, cpu / max(len(latencies), 1) * 1e6)
                    )
    finally:
        for process in processes.values():
            process.terminate()
            process.wait(timeout=30)
    results: dict[str, dict[str, Result]] = {name: {} for name in commands}
    for (name, cell), (elapsed, latencies, cpu) in totals.items():
        results[name][cell] = (*summary(elapsed, latencies), cpu / len(latencies) * 1e6)
    return results, turns


def _ratios(ours: list[Turn], theirs: list[Turn], index: int, invert: bool) -> str:
    """The median over turns of fazhi's / the peer's value (CPU: the peer's / fazhi's), and the range."""
    values = sorted(
        (t[index] / o[index]) if invert else (o[index] / t[index]) for o, t in zip(ours, theirs, strict=True)
    )
    return f"{statistics.median(values):.2f}x ({values[0]:.2f}-{values[-1]:.2f})"


def report(
    backend: str, results: dict[str, dict[str, Result]], turns: dict[tuple[str, str], list[Turn]]
) -> None:
    servers = [name for name in ("fazhi", "bare", "datasette") if name in results]
    print(f"backend: {backend}")
    print(
        f"{'endpoint':<11}"
        + "".join(f"{name + ' req/s':>16}{'p50 ms':>9}{'p99 ms':>9}{'CPU µs':>8}" for name in servers)
    )
    for cell in results["fazhi"]:
        line = f"{cell:<11}"
        for name in servers:
            r = results[name].get(cell)
            line += f"{r[0]:>16.0f}{r[1]:>9.2f}{r[2]:>9.2f}{r[3]:>8.0f}" if r else f"{'-':>16}{'':>26}"
        print(line)
    print()
    print("fazhi / peer, median of the turns (range): req/s, and CPU per request (the peer's / fazhi's)")
    for cell in results["fazhi"]:
        for peer in servers[1:]:
            if (peer, cell) in turns:
                ours, theirs = turns[("fazhi", cell)], turns[(peer, cell)]
                print(
                    f"ratio {cell:<11} vs {peer:<10} req/s {_ratios(ours, theirs, 0, False):<19}"
                    f"CPU {_ratios(ours, theirs, 1, True)}"
                )
    print(
        "(CPU µs: the server process's own CPU time per request, the honest measure with the load generator on "
        "the same machine. The bare handler has no filters, validation, ETags or error bodies; its search ranks "
        "every match. Datasette: no count, no facets)"
    )


def prepare(args: Any, work: Path) -> tuple[str, str, list[str], list[int], list[str]]:
    """The store: its URL, the bare handler's database, document ids, seqs and the 20 most frequent words."""
    if args.store:
        url = args.store
    elif args.backend == "sqlite":
        url = f"sqlite:///{work / 'store.db'}"
    else:
        url = postgres_database()
    if args.backend == "sqlite":
        bare_db = url.removeprefix("sqlite:///")
        if args.store:  # Datasette serves work/store.db
            (work / "store.db").symlink_to(Path(bare_db).resolve())
    else:
        bare_db = url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    ids, words = stored_store(url) if args.store else build_store(url, args.documents)
    print(
        f"store: {len(ids)} documents {'read' if args.store else 'built'} in {time.perf_counter() - started:.1f} s; "
        f"{args.connections} keep-alive connections, {args.seconds:g} s per server and cell in {args.rounds} turns"
    )
    print("search words (the 20 most frequent): " + " ".join(words))
    from sqlalchemy import text

    from store import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        seqs = [r[0] for r in connection.execute(text("SELECT seq FROM documents ORDER BY seq"))]
    # the steady state of a store: SQLite's WAL folded into the file (one file for every server), PostgreSQL's
    # statistics gathered (as autovacuum would after a bulk load)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        if args.backend == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return url, bare_db, ids, seqs, words


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=10.5, help="per server and cell, in --rounds turns")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--store", help="the URL of a store an earlier run built (kept): measured as it is, not rebuilt"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-api-bench-"))
    try:
        run(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # a 20k-document store is ~330 MB


def run(args: Any, work: Path) -> None:
    url, bare_db, ids, seqs, words = prepare(args, work)
    datasette = args.backend == "sqlite" and has_datasette()
    if args.backend == "sqlite" and not datasette:
        print("datasette is not installed (pip install -e '.[bench]'): its column is left out")
    cells = make_cells(ids, seqs, words, datasette)
    (work / "bare.py").write_text(BARE if args.backend == "sqlite" else BARE_PG, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env |= {"FAZHI_DATABASE_URL": url, "FAZHI_LOG_LEVEL": "WARNING", "BENCH_DB": bare_db}
    commands = {"fazhi": fazhi_command, "bare": bare_command, "datasette": datasette_command}
    chosen = {
        name: command(free_port(), work)
        for name, command in commands.items()
        if name != "datasette" or datasette
    }
    print(f"load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results, turns = measure(chosen, cells, env, args)
    report(args.backend, results, turns)
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
