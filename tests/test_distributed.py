"""Distributed mode against a real PostgreSQL server: one `fazhi scheduler`, two `fazhi worker` processes, the
simulated portals. Every report is stored once, no detail page is fetched twice, no source is crawled by two
workers at once, and a worker killed with SIGKILL mid-job has its job finished by the other."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from portalsim.bulk import bulk_hosts, bulk_portals, sources_toml
from tests.conftest import ROOT, PostgresServer
from tests.netguard import loopback_only
from tests.servers import free_port, serving

pytestmark = [pytest.mark.integration, pytest.mark.postgres]
BULK_HOSTS, BULK_PAGES = 2, 120
STALLED = 4.0  # seconds without a heartbeat before a worker's job is queued again


@pytest.fixture(scope="module")
def bulk() -> Iterator[tuple[dict[str, Any], int]]:
    """Two bigger portals whose crawls last seconds: long enough to kill a worker in the middle of one."""
    port = free_port(tuple(bulk_hosts(BULK_HOSTS)))
    with serving(bulk_portals(BULK_HOSTS, BULK_PAGES, port), port) as running:
        yield running


@pytest.fixture
def store(postgres: PostgresServer) -> Iterator[tuple[str, Engine]]:
    from store import make_engine

    url = postgres.new_database("distributed")
    engine = make_engine(url)
    yield url, engine
    engine.dispose()
    with loopback_only():
        postgres.drop(url)


def _sources(tmp_path: Path, demo_port: int, bulk: dict[str, Any]) -> Path:
    demo = (ROOT / "seeds" / "demo.toml").read_text(encoding="utf-8").replace(":8801/", f":{demo_port}/")
    path = tmp_path / "sources.toml"
    path.write_text(demo + "\n" + sources_toml(bulk, delay=0.01), encoding="utf-8")
    return path


def _fazhi(
    tmp_path: Path,
    url: str,
    name: str,
    *args: str,
    shutdown: float = 2,
    schedule: str = "0 3 1 1 *",  # by default nothing falls due by itself: the operator asks
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(
        FAZHI_DATABASE_URL=url,
        FAZHI_KEYWORDS="0",
        FAZHI_STALLED_SECONDS=str(STALLED),
        FAZHI_DEFAULT_SCHEDULE=schedule,
        FAZHI_RECRAWL_POLL_SECONDS="0.3",
        FAZHI_SHUTDOWN_SECONDS=str(shutdown),
    )
    with (tmp_path / f"{name}.log").open("wb") as log:  # the child keeps its own descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "fazhi", *args],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def _wait(what: str, check: Any, timeout: float, logs: Path) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    tails = "\n".join(
        f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(logs.glob("*.log"))
    )
    raise AssertionError(f"{what}: not within {timeout} s\n{tails}")


def test_two_workers_and_a_scheduler_crawl_everything_once_and_survive_a_kill(
    portals: tuple[dict[str, Any], int],
    bulk: tuple[dict[str, Any], int],
    store: tuple[str, Engine],
    tmp_path: Path,
) -> None:
    url, engine = store
    sources = _sources(tmp_path, portals[1], bulk[0])
    everyone = {**portals[0], **bulk[0]}
    began = time.time()
    migrate = _fazhi(tmp_path, url, "migrate", "migrate")
    assert migrate.wait(timeout=60) == 0
    metrics_ports = [free_port(), free_port()]
    workers = [
        _fazhi(
            tmp_path,
            url,
            f"worker{n}",
            "worker",
            "--sources",
            str(sources),
            "--concurrency",
            "3",
            "--port",
            str(metrics_ports[n]),
        )
        for n in range(2)
    ]
    scheduler = _fazhi(tmp_path, url, "scheduler", "scheduler", "--sources", str(sources))
    processes = [*workers, scheduler]
    try:
        _wait(
            "two workers registered",
            lambda: len(_rows(engine, "SELECT id FROM procrastinate_workers")) == 2,
            60,
            tmp_path,
        )
        recrawl = _fazhi(tmp_path, url, "recrawl", "recrawl", "--sources", str(sources))
        assert recrawl.wait(timeout=60) == 0
        names = [
            line.split('"')[1] for line in sources.read_text().splitlines() if line.startswith("name = ")
        ]

        # kill the worker that runs bulk0 once a part of that crawl has been committed
        def victim() -> int | None:
            running = _rows(
                engine,
                "SELECT worker FROM crawl_runs WHERE source_name = 'bulk0' AND state = 'running'",
            )
            done = _rows(
                engine,
                "SELECT count(*) FROM frontier WHERE source_name = 'bulk0' AND kind = 'detail' AND state = 'done'",
            )[0][0]
            return int(running[0][0].rsplit(":", 1)[1]) if running and done >= 15 else None

        pid = _wait("bulk0 crawling on a worker", victim, 60, tmp_path)
        killed = next(p for p in workers if p.pid == pid)
        survivor = next(p for p in workers if p.pid != pid)
        killing = time.time()
        os.kill(pid, signal.SIGKILL)
        killed.wait(timeout=10)
        dead = time.time()  # a request sent just before the kill may reach the portal after `killing`

        def finished() -> bool:
            runs = _rows(engine, "SELECT source_name FROM crawl_runs WHERE state = 'finished'")
            open_jobs = _rows(engine, "SELECT id FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            return {r[0] for r in runs} == set(names) and not open_jobs

        _wait("every source crawled", finished, 120, tmp_path)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_ports[workers.index(survivor)]}/metrics").text
        survivor_runs = _rows(
            engine, "SELECT count(*) FROM crawl_runs WHERE worker LIKE :w", w=f"%:{survivor.pid}"
        )
        runs_total = sum(
            float(line.rsplit(" ", 1)[1])
            for line in metrics.splitlines()
            if line.startswith("fazhi_runs_total{")
        )
        assert runs_total == survivor_runs[0][0]  # each worker counts the runs it finished
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
    assert scheduler.returncode == 0 and survivor.returncode == 0  # both stopped cleanly on SIGTERM

    # every report stored exactly once
    documents = _rows(engine, "SELECT id, source_name FROM documents")
    assert len(documents) == len({d[0] for d in documents}) == 5 + BULK_HOSTS * BULK_PAGES
    details = _rows(engine, "SELECT url, state, source_name, done_at FROM frontier WHERE kind = 'detail'")
    assert all(d[1] == "done" for d in details)

    # no detail page fetched twice, except on the crawls the killed worker was running (its jobs were queued again
    # and resumed): there, only pages in flight at the kill, never one after its success had been committed
    done_at = {d[0].split("://", 1)[1]: d[3].timestamp() for d in details}  # host:port/path
    source_of = {d[0].split("://", 1)[1]: d[2] for d in details}
    resumed = {
        r[0].removeprefix("source:")
        for r in _rows(
            engine,
            "SELECT DISTINCT j.lock FROM procrastinate_events e JOIN procrastinate_jobs j ON j.id = e.job_id "
            "WHERE e.type = 'deferred_for_retry'",
        )
    }
    assert "bulk0" in resumed
    hits: dict[str, list[float]] = {}
    for portal in everyone.values():
        for hit in portal.log:
            path = portal.host + hit.path
            if hit.wall >= began and path in done_at:
                hits.setdefault(path, []).append(hit.wall)
    assert set(hits) == set(done_at)
    twice = {path: walls for path, walls in hits.items() if len(walls) > 1}
    assert all(source_of[path] in resumed for path in twice), twice
    # the killed worker's pages whose outcome had not committed yet (they commit in groups, crawler.commit), each
    # fetched once before the kill and once after, never a third time
    assert all(len(walls) == 2 for walls in twice.values()), twice
    assert all(min(walls) <= dead and max(walls) >= killing for walls in twice.values()), (
        killing,
        dead,
        twice,
    )
    assert not [path for path, walls in hits.items() if max(walls) > done_at[path] + 0.5]

    # the killed job was queued again and finished by the other worker
    job = _rows(engine, "SELECT id, status FROM procrastinate_jobs WHERE lock = 'source:bulk0'")
    assert len(job) == 1 and job[0][1] == "succeeded"
    events = [
        r[0]
        for r in _rows(
            engine, "SELECT type FROM procrastinate_events WHERE job_id = :id ORDER BY id", id=job[0][0]
        )
    ]
    transitions = [e for e in events if e != "scheduled"]  # "scheduled" notes the retry's time, not a state
    assert transitions == ["deferred", "started", "deferred_for_retry", "started", "succeeded"], events
    bulk0_runs = _rows(engine, "SELECT state, worker FROM crawl_runs WHERE source_name = 'bulk0'")
    assert len(bulk0_runs) == 1 and bulk0_runs[0][0] == "finished"  # one run, resumed: not restarted
    assert bulk0_runs[0][1].endswith(f":{survivor.pid}")

    # never two crawls of one source at once: each job's attempts, per lock, do not overlap
    spans = _rows(
        engine,
        "SELECT j.lock, e.job_id, e.type, e.at FROM procrastinate_events e JOIN procrastinate_jobs j "
        "ON j.id = e.job_id ORDER BY e.id",
    )
    open_span: dict[str, tuple[int, Any]] = {}
    for lock, job_id, kind, at in spans:
        if kind == "started":
            assert lock not in open_span, f"{lock}: job {job_id} started while job {open_span[lock][0]} ran"
            open_span[lock] = (job_id, at)
        elif kind in ("succeeded", "failed", "deferred_for_retry", "aborted"):
            open_span.pop(lock, None)
    assert len({lock for lock, *_ in spans}) == len(names)


def test_operator_recrawls_queue_once_and_per_host_spacing_holds_across_workers(
    portals: tuple[dict[str, Any], int], store: tuple[str, Engine]
) -> None:
    """The queueing lock refuses a second job for a waiting source; two workers' host slots (separate processes'
    state, one store) keep starts to one host `delay` apart."""
    from crawler.politeness import SharedHostSlots
    from crawler.sources import Source
    from fazhi.queue import QueueStarter, connect
    from fazhi.settings import Settings

    url, engine = store
    host = portals[0]["dongguan"].host
    settings = Settings(database_url=url)
    source = Source(name="dongguan-rsj", start_urls=[f"http://{host}/"], allow_private=True)

    async def queue_twice() -> list[int | None]:
        queue_app = connect(url)
        async with queue_app.open_async():
            starter = QueueStarter([source], db=engine, queue_app=queue_app, settings=settings)
            return [await starter.defer("dongguan-rsj", "operator") for _ in range(3)]

    jobs = asyncio.run(queue_twice())
    assert jobs[0] is not None and jobs[1:] == [None, None]

    # finished jobs leave the queue after KEEP_FINISHED_JOBS_DAYS; waiting and recent ones stay
    from fazhi.queue import KEEP_FINISHED_JOBS_DAYS

    async def prune() -> None:
        queue_app = connect(url)
        async with queue_app.open_async():
            await QueueStarter([source], db=engine, queue_app=queue_app, settings=settings).prune()

    def statuses() -> list[str]:
        return [r[0] for r in _rows(engine, "SELECT status FROM procrastinate_jobs ORDER BY id")]

    asyncio.run(prune())
    assert statuses() == ["todo"]  # waiting: kept
    with engine.begin() as connection:
        connection.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded'"))
    asyncio.run(prune())
    assert statuses() == ["succeeded"]  # finished just now: kept
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE procrastinate_events SET at = at - make_interval(days => :days)"),
            {"days": KEEP_FINISHED_JOBS_DAYS + 1},
        )
    asyncio.run(prune())
    assert statuses() == []

    delay = 0.25
    started: list[float] = []

    async def one_worker(slots: SharedHostSlots, client: httpx.AsyncClient, count: int) -> None:
        for _ in range(count):
            async with slots.slot(host.split(":")[0], delay):
                started.append(time.monotonic())
                await client.get(f"http://{host}/robots.txt")

    async def two_workers() -> None:
        async with httpx.AsyncClient() as client:
            await asyncio.gather(
                one_worker(SharedHostSlots(engine), client, 4), one_worker(SharedHostSlots(engine), client, 4)
            )

    with loopback_only():
        asyncio.run(two_workers())
    gaps = [b - a for a, b in zip(sorted(started), sorted(started)[1:], strict=False)]
    assert len(started) == 8
    assert min(gaps) >= delay - 0.02, gaps


def test_a_worker_stopped_with_sigterm_puts_its_crawl_back_for_the_next_worker(
    bulk: tuple[dict[str, Any], int], store: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = store
    portal = bulk[0]["bulk0"]
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml({"bulk0": portal}, delay=0.02), encoding="utf-8")
    began = time.time()
    assert _fazhi(tmp_path, url, "migrate", "migrate").wait(timeout=60) == 0
    first = _fazhi(tmp_path, url, "first", "worker", "--sources", str(sources), shutdown=0.3)
    scheduler = _fazhi(tmp_path, url, "scheduler", "scheduler", "--crawl-now", "--sources", str(sources))
    second = None
    try:

        def midway() -> bool:
            done = _rows(engine, "SELECT count(*) FROM frontier WHERE kind = 'detail' AND state = 'done'")[0][
                0
            ]
            return 15 <= done < BULK_PAGES - 40

        _wait("the crawl under way", midway, 60, tmp_path)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0  # stopped cleanly after its grace period
        job = _rows(engine, "SELECT status FROM procrastinate_jobs")
        run = _rows(engine, "SELECT state FROM crawl_runs")
        assert job == [("todo",)] and run == [("running",)]  # back in the queue; the run resumable
        second = _fazhi(tmp_path, url, "second", "worker", "--sources", str(sources))
        _wait(
            "the crawl finished by the next worker",
            lambda: _rows(engine, "SELECT status FROM procrastinate_jobs") == [("succeeded",)],
            60,
            tmp_path,
        )
    finally:
        for process in (first, scheduler, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
    runs = _rows(engine, "SELECT state, worker FROM crawl_runs")
    assert len(runs) == 1 and runs[0][0] == "finished" and second is not None
    assert runs[0][1].endswith(f":{second.pid}")
    assert _rows(engine, "SELECT count(*) FROM documents")[0][0] == BULK_PAGES
    done_at = {
        d[0].split("://", 1)[1].split("/", 1)[1]: d[1].timestamp()
        for d in _rows(engine, "SELECT url, done_at FROM frontier WHERE kind = 'detail'")
    }
    late = [
        h.path
        for h in portal.log
        if h.wall >= began and h.path.lstrip("/") in done_at and h.wall > done_at[h.path.lstrip("/")] + 0.5
    ]
    assert late == []  # nothing stored before the stop was fetched again


def test_the_scheduler_queues_a_run_missed_while_it_was_down_once(
    bulk: tuple[dict[str, Any], int], store: tuple[str, Engine], tmp_path: Path
) -> None:
    from datetime import UTC, datetime, timedelta

    from store import CrawlRun, write_session

    url, engine = store
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml({"bulk0": bulk[0]["bulk0"]}), encoding="utf-8")
    with write_session(engine) as session:  # the last run was two days ago; the schedule below is daily
        session.add(
            CrawlRun(
                source_name="bulk0",
                trigger="schedule",
                state="finished",
                started_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
    env_schedule = "0 3 * * *"
    for start in range(2):  # a restart while the job still waits queues nothing more
        with engine.begin() as connection:  # the scheduler writes it once its start-up is done
            connection.execute(text("DELETE FROM source_state"))
        scheduler = _fazhi(
            tmp_path, url, f"scheduler{start}", "scheduler", "--sources", str(sources), schedule=env_schedule
        )
        try:
            _wait(
                "the scheduler up",
                lambda: _rows(engine, "SELECT count(*) FROM source_state")[0][0] == 1,
                60,
                tmp_path,
            )
            time.sleep(0.5)  # its start-up deferrals are done by now
        finally:
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(timeout=30) == 0
        jobs = _rows(engine, "SELECT lock, status, args->>'trigger' FROM procrastinate_jobs")
        assert jobs == [("source:bulk0", "todo", "startup")], (start, jobs)
