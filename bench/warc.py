"""WARC archiving cost: the same crawl with archiving off and on, interleaved, in one run.

    python bench/warc.py [--hosts 8 --pages 40 --rounds 10] [--no-fsync] [--split]

Each round crawls a simulated portal set twice into fresh SQLite stores in this process, once without WARC archiving
and once with it (``--no-fsync`` adds a third crawl, archiving without fsync); the order is reversed every other
round, so that drift in the machine's load falls on both. The extraction workers are started, and one crawl run,
before the first round. For each crawl: pages per second, and CPU ms per page (this process, every thread, plus the
extraction workers from /proc/<pid>/schedstat; the simulated portals' server is left out: it serves the same pages
in every mode). Per round and as medians over the rounds: the ratios on/off of both. On a busy 2-core machine a
single crawl's throughput moves by ±30 % and its CPU per page by ±15 %, so the per-round ratios spread and their
median is the number to read; the archive step's own CPU is measured directly and spreads much less:

- page path: :func:`crawler.warc.archive_page` (queueing the fetch for its records), in the event loop's thread,
  timed with ``time.thread_time``;
- commit path: :func:`crawler.warc.sync_captures` (building and compressing the three records of each queued
  fetch, then one write and one fsync per file for the commit group), in the committer's thread, per archived page;

and their sum per page crawled as a share of the off crawl's CPU per page (the capture's column in the document's
INSERT is not in it: it is in the crawl's CPU). Per round: both ratios, that share, the step's CPU per archived page
and the load; then their medians. Also the WARC bytes per archived page. ``--split`` also times, inside the commit
path, the building of each fetch's records (:func:`crawler.warcrecords.fetch_records`) and each ``fdatasync`` (the
two timers' own cost, ≈ 2 µs a call, then falls in the commit path). Asserts nothing.
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
from collections.abc import Callable
from dataclasses import dataclass, field
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

OFF, ON, NO_FSYNC = "off", "on", "on, no fsync"
STEPS: dict[str, list[float]] = {"page": [], "commit": [], "build": [], "fsync": []}  # CPU s of each call
WORKERS: list[int] = []  # the extraction workers' process ids


def _timed(step: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any) -> Any:
        cpu = time.thread_time()  # the thread running it
        try:
            return function(*args)
        finally:
            STEPS[step].append(time.thread_time() - cpu)

    return timed


# the engine and the committer call them through the module
warc.archive_page = _timed("page", warc.archive_page)
warc.sync_captures = _timed("commit", warc.sync_captures)


@dataclass
class Run:
    seconds: float
    cpu: float  # this process (every thread) and the extraction workers, seconds
    pages: int
    archived: int = 0  # pages whose records were written
    page_path: float = 0.0  # CPU seconds in archive_page, all pages
    commit_path: float = 0.0  # CPU seconds in sync_captures, all groups
    build: float = 0.0  # of which building records (--split)
    fsync: float = 0.0  # and fdatasync (--split)
    fsyncs: int = 0
    warc_bytes: int = 0

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.pages * 1000

    @property
    def step_ms(self) -> float:
        """The archive step's CPU per archived page, both paths."""
        return (self.page_path + self.commit_path) / self.archived * 1000 if self.archived else 0.0


@dataclass
class Round:
    order: list[str]
    runs: dict[str, Run] = field(default_factory=dict)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + sum(_schedstat(pid) for pid in WORKERS)


def _schedstat(pid: int) -> float:
    with open(f"/proc/{pid}/schedstat") as stat:
        return int(stat.read().split()[0]) / 1e9


def crawl(sources: Path, work: Path, label: str, mode: str) -> Run:
    """One crawl into a fresh store."""
    db = make_engine(f"sqlite:///{work / f'{label}.db'}")
    directory = work / f"{label}-warc"
    options = warc.WarcOptions(directory, fsync=mode == ON) if mode != OFF else None
    config = CrawlConfig(user_agent="fazhi-bench", keywords=0, warc=options)
    for calls in STEPS.values():
        calls.clear()
    started, before = time.perf_counter(), cpu_seconds()
    stats = asyncio.run(crawl_sources(load_sources(sources), db=db, config=config))
    if options is not None:
        warc.writer_for(options).close()  # its last fsync is the crawl's
        warc._writers.pop(options)  # the next crawl's commits do not visit this writer
    seconds, cpu = time.perf_counter() - started, cpu_seconds() - before
    db.dispose()
    run = Run(seconds, cpu, pages=sum(s.list_pages + s.details_done for s in stats))
    run.archived, run.page_path, run.commit_path = (
        len(STEPS["page"]),
        sum(STEPS["page"]),
        sum(STEPS["commit"]),
    )
    run.build, run.fsync, run.fsyncs = sum(STEPS["build"]), sum(STEPS["fsync"]), len(STEPS["fsync"])
    run.warc_bytes = sum(p.stat().st_size for p in directory.glob("*.warc.gz")) if options else 0
    shutil.rmtree(directory, ignore_errors=True)
    return run


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


def rounds(hosts: int, pages: int, count: int, modes: list[str], work: Path) -> list[Round]:
    WORKERS.extend(shared_pool().start_all())
    sim, sources = serve(hosts, pages, work)
    done = []
    try:
        crawl(sources, work, "warmup", ON)
        for n in range(count):
            round_ = Round(modes if n % 2 == 0 else modes[::-1])
            for k, mode in enumerate(round_.order):
                round_.runs[mode] = crawl(sources, work, f"r{n}-{k}", mode)
            done.append(round_)
            _print_round(n, round_)
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    return done


def _ratios(done: list[Round], mode: str) -> tuple[list[float], list[float]]:
    speed = [r.runs[mode].rate / r.runs[OFF].rate for r in done]
    cpu = [r.runs[mode].cpu_ms / r.runs[OFF].cpu_ms for r in done]
    return speed, cpu


def _own_share(round_: Round, mode: str) -> float:
    """The archive step's own CPU as a share of the crawl's: per page crawled (list pages too, as the crawl's CPU
    per page counts them), over the off crawl's CPU per page."""
    run = round_.runs[mode]
    return (run.page_path + run.commit_path) / run.pages * 1000 / round_.runs[OFF].cpu_ms


def _print_round(n: int, round_: Round) -> None:
    parts = []
    for mode in round_.order:
        run = round_.runs[mode]
        parts.append(f"{mode} {run.rate:6.1f} p/s {run.cpu_ms:5.2f} ms")
    ratios = []
    for mode in round_.runs:
        if mode != OFF:
            on, off = round_.runs[mode], round_.runs[OFF]
            ratios.append(
                f"{mode}/off throughput {on.rate / off.rate:.3f} CPU {on.cpu_ms / off.cpu_ms:.3f} "
                f"own {_own_share(round_, mode):.1%} (step {on.step_ms:.3f} ms/archived page)"
            )
    print(
        f"round {n + 1}: " + " | ".join(parts) + " || " + "; ".join(ratios) + f"  (load {_load()})",
        flush=True,
    )


def summary(done: list[Round], modes: list[str]) -> None:
    print(
        f"{'crawl':<14}{'pages/s':>9}{'CPU ms/page':>13}{'page path ms':>14}{'commit path ms':>16}{'KiB/page':>10}"
    )
    for mode in modes:
        runs = [r.runs[mode] for r in done]
        archived = sum(r.archived for r in runs)
        page_path = commit_path = kib = "-"
        if archived:
            page_path = f"{sum(r.page_path for r in runs) / archived * 1000:.3f}"
            commit_path = f"{sum(r.commit_path for r in runs) / archived * 1000:.3f}"
            kib = f"{sum(r.warc_bytes for r in runs) / archived / 1024:.1f}"
        rate = statistics.median(r.rate for r in runs)
        cpu_ms = statistics.median(r.cpu_ms for r in runs)
        print(f"{'WARC ' + mode:<14}{rate:>9.1f}{cpu_ms:>13.2f}{page_path:>14}{commit_path:>16}{kib:>10}")
    print(
        "(pages/s and CPU ms/page: medians of the rounds; archive steps: CPU per archived page, all rounds)"
    )
    for mode in modes[1:]:
        speed, cpu = _ratios(done, mode)
        own = [_own_share(r, mode) for r in done]
        steps = [r.runs[mode].step_ms for r in done]
        print(
            f"{mode}/off, medians of {len(done)} rounds: throughput {statistics.median(speed):.3f} "
            f"({statistics.median(speed) - 1:+.1%}; rounds {min(speed):.3f}–{max(speed):.3f}), "
            f"CPU per page {statistics.median(cpu):.3f} ({statistics.median(cpu) - 1:+.1%}; rounds "
            f"{min(cpu):.3f}–{max(cpu):.3f}); the archive step's own CPU {statistics.median(own):.1%} of the off "
            f"crawl's (rounds {min(own):.1%}–{max(own):.1%}), {statistics.median(steps):.3f} ms per archived page "
            f"(rounds {min(steps):.3f}–{max(steps):.3f})"
        )
        _print_split([r.runs[mode] for r in done], mode)


def _print_split(runs: list[Run], mode: str) -> None:
    archived, fsyncs = sum(r.archived for r in runs), sum(r.fsyncs for r in runs)
    if not archived or not any(r.build for r in runs):
        return  # no --split
    build, fsync = sum(r.build for r in runs) / archived * 1000, sum(r.fsync for r in runs) / archived * 1000
    rest = sum(r.commit_path for r in runs) / archived * 1000 - build - fsync
    print(
        f"{mode}: commit path per archived page, all rounds: building the records {build:.3f} ms, fdatasync "
        f"{fsync:.3f} ms ({archived / fsyncs if fsyncs else 0:.1f} pages an fsync, "
        f"{sum(r.fsync for r in runs) / fsyncs * 1e6 if fsyncs else 0:.0f} µs a call), the rest (writes, queue, "
        f"locks) {rest:.3f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=8)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-fsync", action="store_true", help="also crawl archiving without fsync")
    parser.add_argument("--split", action="store_true", help="also time building records and fdatasync")
    args = parser.parse_args()
    if args.split:  # called through the module by the writer
        warc.fetch_records = _timed("build", warc.fetch_records)
        warc.os.fdatasync = _timed("fsync", os.fdatasync)
    modes = [OFF, ON, NO_FSYNC] if args.no_fsync else [OFF, ON]
    print(
        f"simulated set: {args.hosts} hosts × {args.pages} report pages; {args.rounds} rounds of {len(modes)} "
        f"crawls, order reversed every other round; load {_load()}",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-warc-"))
    try:
        done = rounds(args.hosts, args.pages, args.rounds, modes, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    summary(done, modes)
    print(f"load {_load()}")


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


if __name__ == "__main__":
    main()
