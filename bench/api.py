"""API benchmark: a 20k-document store served by fazhi and by a bare handler doing the same SQL on the raw
driver (sqlite3, or psycopg for PostgreSQL), in one run. Prints requests/s and p50/p99 latency for list, search and
doc-by-id, and the ratio; asserts nothing.

    python bench/api.py [--documents 20000 --seconds 3 --connections 8]
    scripts/with-postgres python bench/api.py --backend postgresql     # a throw-away server; its own database

Both servers are uvicorn processes on 127.0.0.1 with sync handlers (the thread pool); the load comes from this
process over keep-alive connections, one endpoint and one server at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = """
import os, sqlite3, orjson, threading
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DB = os.environ["BENCH_DB"]
local = threading.local()

def db():
    if not hasattr(local, "c"):
        local.c = sqlite3.connect(DB, check_same_thread=False)
        local.c.row_factory = sqlite3.Row
    return local.c

SUMMARY = "id, seq, title, agency, report_year, publish_date, doc_number, province, city, county, url, source_name, fetched_at"

def listing(request):
    rows = db().execute(f"SELECT {SUMMARY} FROM documents WHERE seq > ? ORDER BY seq LIMIT 51", (int(request.query_params.get("after", 0)),)).fetchall()
    return Response(orjson.dumps({"items": [dict(r) for r in rows[:50]]}), media_type="application/json")

def search(request):
    rows = db().execute(f"SELECT {', '.join('documents.' + c.strip() for c in SUMMARY.split(','))} FROM documents JOIN documents_fts ON documents_fts.rowid = documents.seq "
                        "WHERE documents_fts MATCH ? ORDER BY bm25(documents_fts), documents.seq LIMIT 51", (request.query_params["match"],)).fetchall()
    return Response(orjson.dumps({"items": [dict(r) for r in rows[:50]]}), media_type="application/json")

def one(request):
    row = db().execute("SELECT * FROM documents WHERE id = ?", (request.path_params["id"],)).fetchone()
    sightings = db().execute("SELECT url, source_name, first_seen, last_seen FROM sightings WHERE document_id = ?", (row["id"],)).fetchall()
    data = dict(row); data["sightings"] = [dict(s) for s in sightings]
    return Response(orjson.dumps(data), media_type="application/json")

app = Starlette(routes=[Route("/documents", listing), Route("/search", search), Route("/documents/{id}", one)])
"""

BARE_PG = """
import os, threading, orjson, psycopg
from psycopg.rows import dict_row
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

DB = os.environ["BENCH_DB"]
local = threading.local()

def db():
    if not hasattr(local, "c"):
        local.c = psycopg.connect(DB, autocommit=True, row_factory=dict_row)
    return local.c

SUMMARY = "id, seq, title, agency, report_year, publish_date, doc_number, province, city, county, url, source_name, fetched_at"

def dumps(rows):
    return orjson.dumps({"items": rows[:50]}, default=str)

def listing(request):
    rows = db().execute(f"SELECT {SUMMARY} FROM documents WHERE seq > %s ORDER BY seq LIMIT 51", (int(request.query_params.get("after", 0)),)).fetchall()
    return Response(dumps(rows), media_type="application/json")

def search(request):
    columns = ", ".join("d." + c.strip() for c in SUMMARY.split(","))
    rows = db().execute(f"SELECT {columns} FROM documents d JOIN documents_fts f ON f.rowid = d.seq "
                        "WHERE f.vector @@ plainto_tsquery('simple', %s) "
                        "ORDER BY -ts_rank(f.vector, plainto_tsquery('simple', %s)), d.seq LIMIT 51",
                        (request.query_params["words"], request.query_params["words"])).fetchall()
    return Response(dumps(rows), media_type="application/json")

def one(request):
    row = db().execute("SELECT * FROM documents WHERE id = %s", (request.path_params["id"],)).fetchone()
    row["sightings"] = db().execute("SELECT url, source_name, first_seen, last_seen FROM sightings WHERE document_id = %s", (row["id"],)).fetchall()
    return Response(orjson.dumps(row, default=str), media_type="application/json")

app = Starlette(routes=[Route("/documents", listing), Route("/search", search), Route("/documents/{id}", one)])
"""


def build_store(url: str, count: int) -> list[str]:
    """``count`` documents made of seed paragraphs, with search tokens composed from pre-tokenized paragraphs."""
    from ingest.tokens import token_text
    from portalsim.content import seed_paragraphs
    from store import Document, make_engine, write_session
    from store.documents import upsert_document

    engine = make_engine(url)
    pool = [p for body in seed_paragraphs().values() for p in body if len(p) > 30]
    tokens = {p: token_text(p) for p in pool}
    rng = random.Random(1)
    provinces = ["广东省", "浙江省", "天津市", "重庆市", "江苏省"]
    ids = []
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
                upsert_document(
                    session=session,
                    document=doc,
                    search_tokens=(
                        f"第 {n} 号 单位 法治 政府 年度 报告",
                        " ".join(tokens[p] for p in paragraphs),
                    ),
                )
                ids.append(doc.id)
    return ids


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _one_connection(port: int, paths: list[str], stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < stop:
            path = quote(paths[i % len(paths)], safe="/?=&%")
            i += 1
            started = time.perf_counter()
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise RuntimeError(f"{path}: {head[:40]!r}")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


def load(port: int, paths: list[str], seconds: float, connections: int) -> tuple[float, float, float]:
    latencies: list[float] = []

    async def main() -> None:
        stop = time.perf_counter() + seconds
        await asyncio.gather(
            *(
                _one_connection(port, paths[k::connections] or paths, stop, latencies)
                for k in range(connections)
            )
        )

    started = time.perf_counter()
    asyncio.run(main())
    elapsed = time.perf_counter() - started
    cut = sorted(latencies)
    return len(latencies) / elapsed, statistics.median(cut) * 1000, cut[int(len(cut) * 0.99) - 1] * 1000


def serve(command: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"server did not start: {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-api-bench-"))
    if args.backend == "sqlite":
        url = f"sqlite:///{work / 'store.db'}"
        bare_db = str(work / "store.db")
    else:
        url = postgres_database()
        bare_db = url.replace("postgresql+psycopg://", "postgresql://")
    started = time.perf_counter()
    ids = build_store(url, args.documents)
    print(
        f"store: {args.documents} documents in {time.perf_counter() - started:.1f} s; "
        f"{args.connections} keep-alive connections, {args.seconds:g} s per cell"
    )
    from sqlalchemy import text

    from store import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        seqs = [r[0] for r in connection.execute(text("SELECT seq FROM documents ORDER BY seq"))]
    engine.dispose()
    rng = random.Random(2)
    words = ["行政复议", "法治政府", "劳动争议", "执法", "普法", "依法行政", "规范性文件", "行政处罚"]
    from api.cursor import encode_cursor
    from ingest.tokens import tokenize
    from store.search import match_expression

    sample = rng.sample(range(len(ids)), 200)
    cells = {
        "list": (
            [f"/documents?cursor={encode_cursor('seq', seqs[i], seqs[i])}" for i in sample],
            [f"/documents?after={seqs[i]}" for i in sample],
        ),
        "search": (
            [f"/documents?q={w}" for w in words],
            [
                f"/search?match={quote(match_expression(tokenize(w)))}&words={quote(' '.join(tokenize(w)))}"
                for w in words
            ],
        ),
        "doc-by-id": ([f"/documents/{ids[i]}" for i in sample], [f"/documents/{ids[i]}" for i in sample]),
    }
    (work / "bare.py").write_text(BARE if args.backend == "sqlite" else BARE_PG, encoding="utf-8")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")},
        "FAZHI_DATABASE_URL": url,
        "FAZHI_LOG_LEVEL": "WARNING",
    }
    env["BENCH_DB"] = bare_db
    results = {}
    for name in ("fazhi", "bare"):
        port = free_port()
        if name == "fazhi":
            command = [
                sys.executable,
                "-m",
                "fazhi",
                "serve",
                "--port",
                str(port),
                "--sources",
                str(ROOT / "seeds" / "demo.toml"),
            ]
        else:
            command = [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                str(work),
                "bare:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
            ]
        process = serve(command, port, env)
        try:
            for cell, (ours, bare) in cells.items():
                paths = ours if name == "fazhi" else bare
                load(port, paths[:5], 0.5, args.connections)  # warm-up: jieba, caches
                results[(name, cell)] = load(port, paths, args.seconds, args.connections)
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(f"backend: {args.backend}")
    print(
        f"{'endpoint':<12}{'fazhi req/s':>13}{'p50 ms':>9}{'p99 ms':>9}{'bare req/s':>12}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}"
    )
    for cell in cells:
        f, b = results[("fazhi", cell)], results[("bare", cell)]
        print(
            f"{cell:<12}{f[0]:>13.0f}{f[1]:>9.2f}{f[2]:>9.2f}{b[0]:>12.0f}{b[1]:>9.2f}{b[2]:>9.2f}{f[0] / b[0]:>8.2f}"
        )
    print(
        "(ratio = fazhi req/s ÷ bare req/s; the bare handler has no filters, validation, ETags or error bodies)"
    )


if __name__ == "__main__":
    main()
