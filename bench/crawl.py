"""Crawl benchmark: fazhi against three peers on a large simulated portal set, rotated, in one run.

    pip install -e '.[bench]' && python bench/crawl.py [--hosts 20 --pages 100 --rounds 3] [--profile]

Every crawler is its own process (fazhi with its extraction workers) crawling the same portals (``portalsim.bulk``:
one TRS report column per host, politeness off, one request in flight per host) into its own fresh SQLite file:

- fazhi, full extraction (``ingest``), keywords and search indexing off;
- Scrapy with fazhi's extraction (``bench/peers.py``), Scrapy with a light extraction (title, largest text block,
  sha256, SQLite), and a naive aiohttp crawler doing the same light work;
- fazhi with indexing on (``fazhi crawl --index``: jieba keywords and search tokens indexed beside the crawl by a
  worker of its own, what is left after it), and fazhi's unchanged recrawl of its first store.

A fazhi crawl's seconds run until it prints its stats (the crawl's end; with indexing on, the rest of the indexing
follows, and the time until every document is searchable is printed too), its exit seconds until the process ends;
CPU counts everything until then (the indexing too). fazhi against a peer compares exit times (a peer prints its
count as it ends); indexing on vs off and the recrawl vs the first crawl compare the crawls (until the stats).

Each round runs them in a rotated order (a loaded machine drifts; ratios within a round are what count). CPU is the
process tree's user + system time (wait4, extraction workers included). Memory is sampled every 50 ms over the
process tree, three ways, each column its largest sum: RSS (every process's resident set: pages shared between
processes counted once per process, an upper bound), PSS (each shared page divided among the processes that map
it: the tree's fair share, what the target reads) and USS (private pages only, a lower bound). The table shows each
crawler's median round. Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.peers import script  # noqa: E402
from portalsim.bulk import COL, bulk_hosts  # noqa: E402

CRAWLERS = ("fazhi", "scrapy-fazhi", "scrapy-light", "aiohttp-light", "fazhi-indexing")


@dataclass
class Run:
    seconds: float
    cpu: float  # seconds of CPU, the whole process tree
    rss: int  # MiB, the tree's peak sum of resident sets
    stored: int
    pss: int = 0  # MiB, the tree's peak sum of proportional set sizes (the target's measure)
    uss: int = 0  # MiB, the tree's peak sum of private pages
    bytes: int = 0
    total: float = 0.0  # seconds until the process exited (seconds: until it printed its result)


def free_port(hosts: list[str]) -> int:
    import socket

    for candidate in range(18900, 19900):
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, candidate))
        except OSError:
            continue
        return candidate
    raise RuntimeError("no free port")


def tree_memory(pid: int) -> tuple[int, int, int]:
    """(RSS, PSS, USS) in bytes, each summed over ``pid`` and its descendants (``/proc/PID/smaps_rollup``)."""
    rss = pss = uss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            fields = dict(
                (ln.split()[0].rstrip(":"), int(ln.split()[1]) * 1024)
                for ln in Path(f"/proc/{current}/smaps_rollup").read_text().splitlines()[1:]
            )
            rss, pss = rss + fields["Rss"], pss + fields["Pss"]
            uss += fields["Private_Clean"] + fields["Private_Dirty"]
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, KeyError, ValueError, IndexError):
            continue
    return rss, pss, uss


def measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[Run, str]:
    """Run ``command``; its seconds are until it printed its result (a line starting with ``[``: fazhi's stats,
    printed when the crawl ends) or exited; ``Run.total`` is until it exited (fazhi: the indexing of what is left
    included)."""
    peak, lines, printed = [0, 0, 0], list[str](), [0.0]
    with out_err(cwd) as errors:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[:] = map(max, peak, tree_memory(process.pid))

        def read() -> None:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith("[") and not printed[0]:
                    printed[0] = time.perf_counter() - started
                lines.append(line)

        threads = [threading.Thread(target=t, daemon=True) for t in (sample, read)]
        for thread in threads:
            thread.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        done.set()
        for thread in threads:
            thread.join()
    if status != 0:
        raise RuntimeError(f"{command[:3]} exited with {status}: see {errors.name}")
    cpu = usage.ru_utime + usage.ru_stime
    rss, pss, uss = (p // (1024 * 1024) for p in peak)
    return Run(printed[0] or elapsed, cpu, rss, 0, pss=pss, uss=uss, total=elapsed), "".join(lines)


def out_err(cwd: Path) -> Any:
    return (cwd / f"out-{time.monotonic_ns()}.err").open("w")


def fazhi_env(db: str, keywords: int) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")},
        "FAZHI_DATABASE_URL": db,
        "FAZHI_KEYWORDS": str(keywords),
        "FAZHI_LOG_LEVEL": "WARNING",
    }


def fazhi(
    sources: Path, work: Path, db: Path, *, keywords: int = 0, index: bool = False, profile: bool = False
) -> Run:
    prefix = (
        [sys.executable, "-m", "pyinstrument", "-o", str(db) + ".profile.txt", "-m"]
        if profile
        else [
            sys.executable,
            "-m",
        ]
    )
    command = [
        *prefix,
        "fazhi",
        "crawl",
        "--json",
        "--index" if index else "--no-index",
        "--sources",
        str(sources),
    ]
    run, out = measured(command, fazhi_env(f"sqlite:///{db}", keywords), work)
    stats = json.loads(out[out.index("[") :])
    run.stored = sum(s["new"] for s in stats)
    run.bytes = sum(s["bytes"] for s in stats)
    return run


def peer(name: str, work: Path, db: Path, starts: list[str]) -> Run:
    kind, extraction = name.split("-")
    path = work / f"peer_{kind}.py"  # not scrapy.py: it would shadow the package
    path.write_text(script(kind), encoding="utf-8")
    run, out = measured(
        [sys.executable, str(path), str(db), json.dumps(starts), str(ROOT), extraction],
        dict(os.environ),
        work,
    )
    run.stored = int(out.strip().splitlines()[-1] or 0)
    return run


def one_round(order: list[str], work: Path, sources: Path, starts: list[str], n: int) -> dict[str, Run]:
    runs = {}
    for name in order:
        db = work / f"{name}-{n}.db"
        if name == "fazhi":
            runs[name] = fazhi(sources, work, db)
            runs["recrawl"] = fazhi(sources, work, db)  # the same store again: nothing changed
        elif name == "fazhi-indexing":
            runs[name] = fazhi(
                sources, work, db, keywords=8, index=True
            )  # the command ends when all is indexed
        else:
            runs[name] = peer(name, work, db, starts)
    return runs


def median_run(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]


def report(rounds: list[dict[str, Run]], total: int, hosts: int, pages: int) -> None:
    print(
        f"simulated set: {hosts} hosts × {pages} report pages, {total} pages with lists; {len(rounds)} rounds"
    )
    print(
        f"{'crawler':<22}{'seconds':>9}{'exit s':>8}{'pages/s':>9}{'CPU ms/page':>13}"
        f"{'peak MiB: RSS Σ':>17}{'PSS Σ':>7}{'USS Σ':>7}{'stored':>8}"
    )
    medians = {name: median_run([r[name] for r in rounds]) for name in (*CRAWLERS, "recrawl")}
    for name in (*CRAWLERS, "recrawl"):
        run = medians[name]
        print(
            f"{name:<22}{run.seconds:>9.2f}{run.total:>8.2f}{total / run.seconds:>9.1f}"
            f"{run.cpu * 1000 / total:>13.2f}{run.rss:>17}{run.pss:>7}{run.uss:>7}{run.stored:>8}"
        )
    print(
        "\nratios, each round (fazhi pages/s ÷ the other's, both until the process exits; CPU per page: the"
        " other's ÷ fazhi's)"
    )
    for name in CRAWLERS[1:]:
        own = "seconds" if name == "fazhi-indexing" else "total"  # indexing on vs off: until the stats, both
        speed = [getattr(r[name], own) / getattr(r["fazhi"], own) for r in rounds]
        cpu = [r[name].cpu / r["fazhi"].cpu for r in rounds]
        print(f"  fazhi vs {name:<16} speed {_list(speed)}   CPU {_list(cpu)}")
    recrawl_bytes = [r["recrawl"].bytes / r["fazhi"].bytes for r in rounds]
    recrawl_time = [r["recrawl"].seconds / r["fazhi"].seconds for r in rounds]
    print(f"  unchanged recrawl: bytes {_list(recrawl_bytes, '.1%')}   time {_list(recrawl_time, '.1%')}")
    searchable = [r["fazhi-indexing"].total / r["fazhi-indexing"].seconds for r in rounds]
    print(
        f"  fazhi-indexing: every document searchable at {_list(searchable)}× its crawl's time (the command's end)"
    )
    targets(medians, rounds, total)


def _list(values: list[float], spec: str = ".2f") -> str:
    return " ".join(format(v, spec) for v in values)


def targets(medians: dict[str, Run], rounds: list[dict[str, Run]], total: int) -> None:
    def ratio(a: str, b: str, own: str = "total") -> float:  # the median over rounds of b's time ÷ a's
        return statistics.median(getattr(r[b], own) / getattr(r[a], own) for r in rounds)

    checks = [
        ("fazhi CPU ≤ 3.0 ms/page (full extraction)", medians["fazhi"].cpu * 1000 / total, 3.0, "≤"),
        ("pages/s ≥ 1.0× Scrapy-light", ratio("fazhi", "scrapy-light"), 1.0, "≥"),
        ("pages/s ≥ 1.5× Scrapy with fazhi's extraction", ratio("fazhi", "scrapy-fazhi"), 1.5, "≥"),
        ("indexing on ≥ 0.8× indexing off", ratio("fazhi-indexing", "fazhi", "seconds"), 0.8, "≥"),
        (
            "unchanged recrawl ≤ 5 % of the bytes",
            statistics.median(r["recrawl"].bytes / r["fazhi"].bytes for r in rounds) * 100,
            5.0,
            "≤",
        ),
        ("unchanged recrawl ≤ 30 % of the time", ratio("fazhi", "recrawl", "seconds") * 100, 30.0, "≤"),
        ("peak memory ≤ 300 MB (PSS summed over the tree)", float(medians["fazhi"].pss), 300.0, "≤"),
    ]
    print("\ntargets (medians over rounds)")
    for label, value, bound, sense in checks:
        met = value <= bound if sense == "≤" else value >= bound
        print(f"  {'met ' if met else 'MISS'}  {label:<48} {value:8.2f}")


def start_portals(hosts: int, pages: int, port: int, sources: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "portalsim.bulk", "--hosts", str(hosts), "--pages", str(pages)]
    command += ["--port", str(port), "--sources", str(sources)]
    sim = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert sim.stdout is not None
    line = sim.stdout.readline()  # "serving …": listening
    if not line.startswith("serving"):
        sim.kill()
        raise RuntimeError(f"the simulated portals did not start (port {port} taken?): {command}")
    return sim


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="one fazhi crawl under pyinstrument, then stop"
    )
    args = parser.parse_args()
    hosts = bulk_hosts(args.hosts)
    port = free_port(hosts)
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    sources = work / "bulk.toml"
    sim = start_portals(args.hosts, args.pages, port, sources)
    starts = [f"http://{h}:{port}{COL}" for h in hosts]
    total = args.hosts * -(-args.pages // 20) + args.hosts * args.pages
    try:
        if args.profile:
            run = fazhi(sources, work, work / "profiled.db", profile=True)
            print(f"{total / run.seconds:.1f} pages/s; profile: {work / 'profiled.db.profile.txt'}")
            return
        rounds = []
        for n in range(args.rounds):
            order = list(CRAWLERS[n % len(CRAWLERS) :] + CRAWLERS[: n % len(CRAWLERS)])
            rounds.append(one_round(order, work, sources, starts, n))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    (work / "rounds.json").write_text(json.dumps([{k: vars(v) for k, v in r.items()} for r in rounds]))
    report(rounds, total, args.hosts, args.pages)


if __name__ == "__main__":
    main()
