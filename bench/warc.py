"""WARC archiving cost: the same crawl with archiving off and on, in one run, on a large simulated portal set.

    python bench/warc.py [--hosts 10 --pages 60 --rounds 2]

Each round crawls the set three times into fresh SQLite stores in this process: without WARC archiving, with it,
and with it but no fsync before each document's commit (order reversed every other round, so that drift in the
machine's load falls on all). The extraction
workers are started before the first crawl. Prints pages per second of each, their ratio, the time spent inside
the archive step per page (CPU, and wall time with the fsync wait: it runs in a thread, so other pages' work
goes on meanwhile) and the bytes archived.
Asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
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

ARCHIVE_SECONDS: list[float] = []  # wall time in the archive step, fsync waits included
ARCHIVE_CPU: list[float] = []  # CPU time of the thread running it


def _timed_archive_page(*args: Any) -> Any:
    started, cpu = time.perf_counter(), time.thread_time()
    try:
        return _archive_page(*args)
    finally:
        ARCHIVE_SECONDS.append(time.perf_counter() - started)
        ARCHIVE_CPU.append(time.thread_time() - cpu)


_archive_page = warc.archive_page
warc.archive_page = _timed_archive_page  # type: ignore[assignment]  # the engine calls it through the module


MODES = ("off", "on", "on, no fsync")


def crawl(sources: Path, work: Path, label: str, mode: str) -> tuple[float, int]:
    """One crawl into a fresh store; returns (seconds, pages fetched)."""
    db = make_engine(f"sqlite:///{work / f'{label}.db'}")
    archived = mode != "off"
    options = warc.WarcOptions(work / f"{label}-warc", fsync=mode == "on") if archived else None
    config = CrawlConfig(user_agent="fazhi-bench", keywords=0, warc=options)
    started = time.perf_counter()
    stats = asyncio.run(crawl_sources(load_sources(sources), db=db, config=config))
    seconds = time.perf_counter() - started
    db.dispose()
    if archived:
        warc.writer_for(options).close()  # type: ignore[arg-type]
    return seconds, sum(s.list_pages + s.details_done for s in stats)


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
    shared_pool().start_all()
    sim, sources = serve(args.hosts, args.pages, work)
    runs: dict[str, list[tuple[float, int]]] = {mode: [] for mode in MODES}
    try:
        crawl(sources, work, "warmup", "off")
        for round_ in range(args.rounds):
            for n, mode in enumerate(MODES if round_ % 2 == 0 else MODES[::-1]):
                runs[mode].append(crawl(sources, work, f"r{round_}-{n}", mode))
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    rate = {mode: statistics.mean(p / s for s, p in results) for mode, results in runs.items()}
    paired = {
        mode: [off[0] / on[0] for off, on in zip(runs["off"], runs[mode], strict=True)] for mode in MODES[1:]
    }
    stored = args.hosts * args.pages * args.rounds * 2
    warc_bytes = sum(p.stat().st_size for p in work.glob("*-warc/*.warc.gz"))
    print(
        f"simulated set: {args.hosts} hosts × {args.pages} report pages; {args.rounds} rounds, order alternating"
    )
    print(f"{'crawl':<22}{'pages/s':>10}{'runs (s)':>24}")
    for mode in MODES:
        times = " ".join(f"{s:.2f}" for s, _ in runs[mode])
        print(f"{'WARC ' + mode:<22}{rate[mode]:>10.1f}{times:>24}")
    for mode in MODES[1:]:
        ratio = statistics.median(paired[mode])
        print(
            f"throughput {mode}/off: {ratio:.3f} (median of the rounds' ratios: "
            f"{' '.join(f'{r:.3f}' for r in paired[mode])}); {1 - ratio:+.1%} cost"
        )
    crawl_page = 1000 / rate["off"]
    print(
        f"archive step per stored page: {statistics.mean(ARCHIVE_CPU) * 1000:.2f} ms CPU, "
        f"{statistics.mean(ARCHIVE_SECONDS) * 1000:.2f} ms wall (fsync waits included; {len(ARCHIVE_SECONDS)} "
        f"pages); the crawl without archiving: {crawl_page:.2f} ms of wall time per page; "
        f"{warc_bytes / stored / 1024:.1f} KiB of WARC per page"
    )


if __name__ == "__main__":
    main()
