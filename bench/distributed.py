"""Distributed-mode benchmark: the same simulated portal set crawled by one `fazhi crawl` process on SQLite (the
peer), by one `fazhi crawl` process on PostgreSQL, and by 1, 2 and 4 `fazhi worker` processes fed by
`fazhi scheduler` through the procrastinate queue, in one run.

    scripts/with-postgres python bench/distributed.py [--hosts 20 --pages 100]

Needs a PostgreSQL server: `scripts/with-postgres` starts a throw-away one and exports FAZHI_TEST_POSTGRES_URL
(each scenario gets its own database). Workers and the scheduler are started and registered before the clock
starts; the clock runs from the operator's recrawl request to the last finished run. Keywords are off everywhere
(jieba is measured by bench/crawl.py). Prints; asserts nothing. On a 2-core machine, more workers than cores
measure contention, not scale.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from crawl import free_port  # bench/crawl.py

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portalsim.bulk import bulk_hosts  # noqa: E402


def env_for(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(
        FAZHI_DATABASE_URL=url,
        FAZHI_KEYWORDS="0",
        FAZHI_LOG_LEVEL="WARNING",
        FAZHI_DEFAULT_SCHEDULE="0 3 1 1 *",
        FAZHI_RECRAWL_POLL_SECONDS="0.1",
    )
    return env


def new_database(admin_url: str, name: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def one_process(sources: Path, url: str, work: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fazhi", "crawl", "--json", "--no-index", "--sources", str(sources)],
        env=env_for(url),
        cwd=work,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def workers(sources: Path, url: str, work: Path, count: int, hosts: int) -> float:
    from sqlalchemy import text

    from store import make_engine
    from store.operator import request_recrawl

    env = env_for(url)
    subprocess.run(
        [sys.executable, "-m", "fazhi", "migrate"], env=env, cwd=work, check=True, capture_output=True
    )
    engine = make_engine(url)
    fazhi = [sys.executable, "-m", "fazhi"]
    processes = [
        subprocess.Popen(
            [*fazhi, "worker", "--sources", str(sources), "--concurrency", str(hosts)],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]
    processes.append(
        subprocess.Popen(
            [*fazhi, "scheduler", "--sources", str(sources)],
            env=env,
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )

    def scalar(sql: str) -> int:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar() or 0)

    try:
        deadline = time.monotonic() + 60
        while scalar("SELECT count(*) FROM procrastinate_workers") < count or not scalar(
            "SELECT count(*) FROM source_state"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("workers or scheduler did not come up within 60 s")
            time.sleep(0.1)
        names = [
            line.split('"')[1] for line in sources.read_text().splitlines() if line.startswith("name = ")
        ]
        started = time.perf_counter()
        request_recrawl(engine, names, requested_by="bench")
        while scalar("SELECT count(*) FROM crawl_runs WHERE state = 'finished'") < len(names):
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    admin = os.environ.get("FAZHI_TEST_POSTGRES_URL")
    if not admin:
        sys.exit("no PostgreSQL: run it as `scripts/with-postgres python bench/distributed.py`")
    hosts = bulk_hosts(args.hosts)
    port = free_port(hosts)
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-dist-"))
    sources = work / "bulk.toml"
    sim = subprocess.Popen(
        [
            *(sys.executable, "-m", "portalsim.bulk"),
            *("--hosts", str(args.hosts), "--pages", str(args.pages)),
            *("--port", str(port), "--sources", str(sources)),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    rows: list[tuple[str, float]] = []
    try:
        assert sim.stdout is not None
        sim.stdout.readline()  # "serving …": listening
        rows.append(
            ("fazhi crawl, SQLite (peer)", one_process(sources, f"sqlite:///{work / 'one.db'}", work))
        )
        rows.append(("fazhi crawl, PostgreSQL", one_process(sources, new_database(admin, "bench_one"), work)))
        for count in (1, 2, 4):
            url = new_database(admin, f"bench_w{count}")
            rows.append(
                (
                    f"{count} worker{'s' if count > 1 else ''} + scheduler",
                    workers(sources, url, work, count, args.hosts),
                )
            )
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    pages = args.hosts * args.pages + args.hosts * -(-args.pages // 20)
    peer = rows[0][1]
    print(f"{args.hosts} hosts × {args.pages} report pages ({pages} pages with the list pages), keywords off")
    print(f"{'crawl':34} {'seconds':>8} {'pages/s':>8} {'× peer':>7}")
    for name, seconds in rows:
        print(f"{name:34} {seconds:8.2f} {pages / seconds:8.1f} {peer / seconds:7.2f}")
    print(json.dumps({name: round(seconds, 3) for name, seconds in rows}))


if __name__ == "__main__":
    main()
