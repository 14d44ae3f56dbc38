"""WARC archiving cost: the same crawl with archiving off and on, in one run, on a large simulated portal set.

    python bench/warc.py [--hosts 10 --pages 60 --rounds 2]

Each round crawls the set three times into fresh SQLite stores in this process: without WARC archiving, with it,
and with it but no fsync before each document's commit (order reversed every other round, so that drift in the
machine's load falls on all). The extraction workers are started before the first crawl. Prints, per mode, pages
per second and the crawl's CPU per page (this process, all threads, plus the extraction workers, from
/proc/<pid>/schedstat; the simulated portals' server is left out: it serves the same pages in every mode), the
ratios on/off of both (the CPU ratio is the one a loaded machine does not blur: on two busy cores the crawl is
CPU-bound, so its throughput cost is its CPU cost), the time spent inside the archive step per page (CPU, and wall
time with the fsync wait: it runs in a thread, so other pages' work goes on meanwhile) and the bytes archived.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.crawl import free_port  # noqa: E402
from crawler import warc  # noqa: E402
from crawler.engine import CrawlConfig, crawl_sources  # noqa: E402
from crawler.extraction import shared_pool  # noqa: E402
from crawler.sources import load_sources  # noqa: E402
from portalsim.bulk import bulk_hosts  # noqa: E402
from store import make_engine  # noqa: E402

CURRENT = ["off"]  # the mode of the crawl running
ARCHIVE: dict[
    str, list[tuple[float, float]]
] = {}  # per mode: (CPU, wall) of each archive step, fsync included


def _timed_archive_page(*args: Any) -> Any:
    started, cpu = time.perf_counter(), time.thread_time()  # the thread running it
    try:
        return _archive_page(*args)
    finally:
        ARCHIVE.setdefault(CURRENT[0], []).append((time.thread_time() - cpu, time.perf_counter() - started))


_archive_page = warc.archive_page
warc.archive_page = _timed_archive_page  # type: ignore[assignment]  # the engine calls it through the module


MODES = ("off", "on", "on, no fsync")


WORKERS: list[int] = []  # the extraction workers' process ids


def cpu_seconds() -> float:
    """CPU time of this process (every thread) and of the extraction workers."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + sum(_schedstat(pid) for pid in WORKERS)


def _schedstat(pid: int) -> float:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


@dataclass
class Run:
    seconds: float
    cpu: float
    pages: int


def crawl(sources: Path, work: Path, label: str, mode: str) -> Run:
    """One crawl into a fresh store."""
    db = make_engine(f"sqlite:///{work / f'{label}.db'}")
    archived = mode != "off"
    options = warc.WarcOptions(work / f"{label}-warc", fsync=mode == "on") if archived else None
    config = CrawlConfig(user_agent="fazhi-bench", keywords=0, warc=options)
    started, cpu = time.perf_counter(), cpu_seconds()
    stats = asyncio.run(crawl_sources(load_sources(sources), db=db, config=config))
    if archived:
        warc.writer_for(options).close()  # type: ignore[arg-type]  # its last fsync is the crawl's
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    db.dispose()
    return Run(seconds, cpu, sum(s.list_pages + s.details_done for s in stats))


def serve(hosts: int, pages: int, work: Path) -> tuple[subprocess.Popen[str], Path]:
    port = free_port(bulk_hosts(hosts))
    sources = work / "bulk.toml"
    command = [sys.executable, "-m", "portalsim.bulk", "--hosts", str(hosts), "--pages", str(pages)]
    sim = subprocess.Popen(
        [*command, "--port", str(port), "--sources", str(sources)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert sim.stdout is not None
    sim.stdout.readline()  # "serving …": listening
    return sim, sources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-warc-"))
    try:
        runs = _rounds(args.hosts, args.pages, args.rounds, work)
        warc_bytes = sum(p.stat().st_size for p in work.glob("*-warc/*.warc.gz"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"simulated set: {args.hosts} hosts × {args.pages} report pages; {args.rounds} rounds, order alternating; "
        f"load {_load()}"
    )
    _print(runs, warc_bytes)


def _rounds(hosts: int, pages: int, rounds: int, work: Path) -> dict[str, list[Run]]:
    WORKERS.extend(shared_pool().start_all())
    sim, sources = serve(hosts, pages, work)
    runs: dict[str, list[Run]] = {mode: [] for mode in MODES}
    try:
        crawl(sources, work, "warmup", "off")
        for round_ in range(rounds):
            for n, mode in enumerate(MODES if round_ % 2 == 0 else MODES[::-1]):
                CURRENT[0] = mode
                runs[mode].append(crawl(sources, work, f"r{round_}-{n}", mode))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    return runs


def _print(runs: dict[str, list[Run]], warc_bytes: int) -> None:
    print(
        f"{'crawl':<18}{'pages/s':>9}{'CPU ms/page':>13}{'archive CPU ms':>16}{'archive wall ms':>17}  runs (s)"
    )
    for mode in MODES:
        done = runs[mode]
        rate = statistics.mean(r.pages / r.seconds for r in done)
        cpu = sum(r.cpu for r in done) / sum(r.pages for r in done) * 1000
        step = ARCHIVE.get(mode, [])
        archive_cpu = f"{statistics.mean(c for c, _ in step) * 1000:.2f}" if step else "-"
        archive_wall = f"{statistics.mean(w for _, w in step) * 1000:.2f}" if step else "-"
        times = " ".join(f"{r.seconds:.2f}" for r in done)
        print(f"{'WARC ' + mode:<18}{rate:>9.1f}{cpu:>13.2f}{archive_cpu:>16}{archive_wall:>17}  {times}")
    for mode in MODES[1:]:
        pairs = list(zip(runs["off"], runs[mode], strict=True))
        speed = [(on.pages / on.seconds) / (off.pages / off.seconds) for off, on in pairs]
        cpu = [(on.cpu / on.pages) / (off.cpu / off.pages) for off, on in pairs]
        print(
            f"{mode}/off: throughput {statistics.median(speed):.3f} ({' '.join(f'{r:.3f}' for r in speed)}), "
            f"CPU per page {statistics.median(cpu):.3f} ({' '.join(f'{r:.3f}' for r in cpu)}): "
            f"{statistics.median(speed) - 1:+.1%} pages/s, {statistics.median(cpu) - 1:+.1%} CPU (medians of the "
            "rounds' ratios)"
        )
    archived = sum(len(v) for v in ARCHIVE.values())
    print(f"{warc_bytes / max(archived, 1) / 1024:.1f} KiB of WARC per archived page ({archived} pages)")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
