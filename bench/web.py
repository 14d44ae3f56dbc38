"""Web pages benchmark: each page of the browser and the console beside the JSON endpoint that reads the same
rows (its peer), served by one ``fazhi serve --api-only`` process, on the demo store (a crawl of the five
simulated portals) and on a 20k-document store. Prints p50/p99 and requests/s of each and the p50 ratio; asserts
nothing.

    python bench/web.py [--documents 20000 --seconds 2 --rounds 2 --connections 4] [--store URL]

The load comes from this process over keep-alive connections; page and peer take turns (``--rounds``), so that a
shared machine's load falls on both alike. The console's pages are asked with a signed session cookie, their
peers with the bearer token.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "bench-web-token"
_spec = importlib.util.spec_from_file_location("bench_api", ROOT / "bench" / "api.py")
assert _spec and _spec.loader
bench_api: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_api)  # the API benchmark's store and server command

from bench.load import free_port, load, serve, summary  # noqa: E402


def demo_store(url: str) -> None:
    """The demo's store: one crawl of the five simulated portals (as ``fazhi run`` starts)."""
    from crawler.engine import CrawlConfig, crawl_sources
    from fazhi.commands.demo import demo_sources as _demo_sources
    from store import make_engine
    from tests.servers import running_portals

    engine = make_engine(url)
    with running_portals() as (_, port):
        asyncio.run(
            crawl_sources(_demo_sources(port), db=engine, config=CrawlConfig(user_agent="bench", keywords=4))
        )
    engine.dispose()


def ensure_versions(url: str, count: int = 20) -> None:
    """Give the store ``count`` reports of two versions unless it has some (``build_store``'s documents are one
    version each): each a copy of an early document with its last paragraph rewritten, seen later at its URL."""
    from datetime import timedelta

    from sqlalchemy import text

    from store import Document, make_engine, write_session
    from store.documents import upsert_document
    from store.types import utcnow

    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.execute(text(_PAIRS + " LIMIT 1")).first() is not None:
            engine.dispose()
            return
        rows = connection.execute(
            text("SELECT * FROM documents WHERE agency IS NOT NULL ORDER BY seq LIMIT :n"), {"n": count}
        ).mappings()
        originals = [dict(row) for row in rows]
    later = utcnow() + timedelta(minutes=1)
    with write_session(engine) as session:
        for old in originals:
            body = "\n".join([*old["body"].splitlines()[:-1], "本报告第二版：补充了上一年度的整改情况。"])
            fields = {k: old[k] for k in ("title", "url", "source_name", "report_year", "province", "city")}
            new = Document(id=old["id"][:-16] + "f" * 16, body=body, agency=old["agency"], **fields)
            upsert_document(session=session, document=new, seen_at=later, previous_id=old["id"])
    engine.dispose()


_PAIRS = (
    "SELECT new.id, old.id, new.report_id FROM documents new JOIN documents old "
    "ON old.report_id = new.report_id AND old.version < new.version ORDER BY new.seq"
)


def cells(url: str) -> list[tuple[str, list[str], str, list[str], str]]:
    """(name, page paths, page headers, peer paths, peer headers)."""
    from sqlalchemy import text

    from api.web.session import new_session, sign
    from store import make_engine

    engine = make_engine(url)
    with engine.connect() as connection:
        ids = [r[0] for r in connection.execute(text("SELECT id FROM documents ORDER BY seq LIMIT 200"))]
        runs = [r[0] for r in connection.execute(text("SELECT id FROM crawl_runs ORDER BY id LIMIT 20"))]
        pairs = [tuple(r) for r in connection.execute(text(_PAIRS + " LIMIT 20"))]
        place = connection.execute(  # the matrix's places: the sources' (declared) and the documents'
            text(
                "SELECT province, city FROM (SELECT province, city FROM source_expectations UNION ALL "
                "SELECT province, city FROM documents) p WHERE province IS NOT NULL "
                "GROUP BY province, city ORDER BY city IS NULL, count(*) DESC, province, city LIMIT 1"
            )
        ).first()
    engine.dispose()
    cookie = f"Cookie: fazhi_ops={sign(new_session(), TOKEN)}\r\n"
    bearer = f"Authorization: Bearer {TOKEN}\r\n"
    words = ["法治", "行政复议", "执法", "政府", "依法行政"]
    province = urlencode({"province": place[0]}) if place else ""
    where = urlencode({"province": place[0], "city": place[1]}) if place and place[1] else province
    out = [
        ("/ (list)", ["/"], "", ["/documents?sort=-seq&limit=21&count=true"], ""),
        (
            "/?sort=date",
            ["/?sort=-publish_date"],
            "",
            ["/documents?sort=-publish_date&limit=21&count=true"],
            "",
        ),
        (
            "/?q= (search)",
            [f"/?q={w}" for w in words],
            "",
            [f"/documents?q={w}&limit=21&count=true" for w in words],
            "",
        ),
        ("/r/{id}", [f"/r/{i}" for i in ids], "", [f"/documents/{i}" for i in ids], ""),
        ("/charts/dates", ["/charts/dates"], "", ["/documents?limit=1"], ""),
        ("/charts/dates.svg", ["/charts/dates.svg"], "", ["/stats"], ""),
        ("/charts/coverage", ["/charts/coverage"], "", ["/coverage"], ""),
        ("coverage.csv", ["/charts/coverage.csv"], "", ["/coverage"], ""),
    ]
    if province:
        out.append(("coverage?province", [f"/charts/coverage?{province}"], "", [f"/coverage?{province}"], ""))
    if where != province:
        out.append(("coverage?prov+city", [f"/charts/coverage?{where}"], "", [f"/coverage?{where}"], ""))
    if where:
        out.append(("coverage.csv?place", [f"/charts/coverage.csv?{where}"], "", [f"/coverage?{where}"], ""))
    if pairs:
        diffs = [f"/r/{new}/diff/{old}" for new, old, _ in pairs]
        out.append(("/r/{id}/diff/{o}", diffs, "", [f"/reports/{report}" for _, _, report in pairs], ""))
    out += [
        ("/ops (sign-in)", ["/ops"], "", ["/healthz"], ""),
        ("/ops", ["/ops"], cookie, ["/-/sources"], bearer),
        ("/ops/live", ["/ops/live"], cookie, ["/-/runs?limit=8"], bearer),
        ("/ops/runs", ["/ops/runs"], cookie, ["/-/runs?limit=100"], bearer),
    ]
    if runs:
        out.append(("/ops/runs/{id}", [f"/ops/runs/{r}" for r in runs], cookie, ["/-/runs?limit=1"], bearer))
    return out


def measure(url: str, args: Any, label: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env |= {"FAZHI_DATABASE_URL": url, "FAZHI_LOG_LEVEL": "WARNING", "FAZHI_API_TOKEN": TOKEN}
    port = free_port()
    server = serve(bench_api.fazhi_command(port, Path()), port, env)
    try:
        print(f"\n{label}")
        print(
            f"{'page':<18} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>8}   {'peer':<44} {'p50 ms':>8} {'req/s':>8} {'ratio':>6}"
        )
        for name, paths, headers, peer_paths, peer_headers in cells(url):
            for p, h in ((paths, headers), (peer_paths, peer_headers)):  # warm: jieba's dictionary, templates
                load(port, p[:1], 0.2, 1, h)
            results: dict[str, list[Any]] = {"page": [0.0, []], "peer": [0.0, []]}
            for _ in range(args.rounds):
                for side, p, h in (("page", paths, headers), ("peer", peer_paths, peer_headers)):
                    elapsed, latencies = load(port, p, args.seconds / args.rounds, args.connections, h)
                    results[side][0] += elapsed
                    results[side][1] += latencies
            rate, p50, p99 = summary(*results["page"])
            peer_rate, peer_p50, _ = summary(*results["peer"])
            print(
                f"{name:<18} {p50:8.1f} {p99:8.1f} {rate:8.0f}   {peer_paths[0][:44]:<44} {peer_p50:8.1f} "
                f"{peer_rate:8.0f} {p50 / peer_p50:5.1f}×"
            )
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="per page (and per peer), in --rounds turns"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument(
        "--store", help="the URL of a store bench/api.py built (kept), instead of building one"
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-web-bench-"))
    try:
        demo = f"sqlite:///{work / 'demo.db'}"
        demo_store(demo)
        ensure_versions(demo)
        measure(
            demo, args, f"demo store (a crawl of the five simulated portals), {args.connections} connections"
        )
        if args.store:
            big = args.store
            print(f"\nstore: {big}, as an earlier run built it")
        else:
            big = f"sqlite:///{work / 'store.db'}"
            started = time.perf_counter()
            bench_api.build_store(big, args.documents)
            print(f"\nstore: {args.documents} documents in {time.perf_counter() - started:.1f} s")
        ensure_versions(big)
        measure(big, args, f"{args.documents}-document store, {args.connections} connections")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
