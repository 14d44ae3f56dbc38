"""Distributed mode against a real PostgreSQL server: one `fazhi scheduler`, two `fazhi worker` processes, the
simulated portals. Every report is stored once, no detail page is fetched twice, no source is crawled by two
workers at once, and a worker killed with SIGKILL mid-job has its job finished by the other."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.distributed.support import BULK_HOSTS, BULK_PAGES, fazhi, rows, wait, write_sources
from tests.netguard import loopback_only
from tests.servers import free_port

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_two_workers_and_a_scheduler_crawl_everything_once_and_survive_a_kill(
    portals: tuple[dict[str, Any], int],
    bulk: tuple[dict[str, Any], int],
    store: tuple[str, Engine],
    tmp_path: Path,
) -> None:
    url, engine = store
    sources = write_sources(tmp_path, portals[1], bulk[0])
    everyone = {**portals[0], **bulk[0]}
    began = time.time()
    migrate = fazhi(tmp_path, url, "migrate", "migrate")
    assert migrate.wait(timeout=60) == 0
    metrics_ports = [free_port(), free_port()]
    workers = [
        fazhi(
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
    scheduler = fazhi(tmp_path, url, "scheduler", "scheduler", "--sources", str(sources))
    processes = [*workers, scheduler]
    try:
        wait(
            "two workers registered",
            lambda: len(rows(engine, "SELECT id FROM procrastinate_workers")) == 2,
            60,
            tmp_path,
        )
        recrawl = fazhi(tmp_path, url, "recrawl", "recrawl", "--sources", str(sources))
        assert recrawl.wait(timeout=60) == 0
        names = [
            line.split('"')[1] for line in sources.read_text().splitlines() if line.startswith("name = ")
        ]

        # kill the worker that runs bulk0 once a part of that crawl has been committed
        def victim() -> int | None:
            running = rows(
                engine,
                "SELECT worker FROM crawl_runs WHERE source_name = 'bulk0' AND state = 'running'",
            )
            done = rows(
                engine,
                "SELECT count(*) FROM frontier WHERE source_name = 'bulk0' AND kind = 'detail' AND state = 'done'",
            )[0][0]
            return int(running[0][0].rsplit(":", 1)[1]) if running and done >= 15 else None

        pid = wait("bulk0 crawling on a worker", victim, 60, tmp_path)
        killed = next(p for p in workers if p.pid == pid)
        survivor = next(p for p in workers if p.pid != pid)
        killing = time.time()
        os.kill(pid, signal.SIGKILL)
        killed.wait(timeout=10)
        dead = time.time()  # a request sent just before the kill may reach the portal after `killing`

        def finished() -> bool:
            runs = rows(engine, "SELECT source_name FROM crawl_runs WHERE state = 'finished'")
            open_jobs = rows(engine, "SELECT id FROM procrastinate_jobs WHERE status IN ('todo', 'doing')")
            return {r[0] for r in runs} == set(names) and not open_jobs

        wait("every source crawled", finished, 120, tmp_path)
        metrics = httpx.get(f"http://127.0.0.1:{metrics_ports[workers.index(survivor)]}/metrics").text
        survivor_runs = rows(
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
    documents = rows(engine, "SELECT id, source_name FROM documents")
    assert len(documents) == len({d[0] for d in documents}) == 5 + BULK_HOSTS * BULK_PAGES
    details = rows(engine, "SELECT url, state, source_name, done_at FROM frontier WHERE kind = 'detail'")
    assert all(d[1] == "done" for d in details)

    # no detail page fetched twice, except on the crawls the killed worker was running (its jobs were queued again
    # and resumed): there, only pages in flight at the kill, never one after its success had been committed
    done_at = {d[0].split("://", 1)[1]: d[3].timestamp() for d in details}  # host:port/path
    source_of = {d[0].split("://", 1)[1]: d[2] for d in details}
    resumed = {
        r[0].removeprefix("source:")
        for r in rows(
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
    job = rows(engine, "SELECT id, status FROM procrastinate_jobs WHERE lock = 'source:bulk0'")
    assert len(job) == 1 and job[0][1] == "succeeded"
    events = [
        r[0]
        for r in rows(
            engine, "SELECT type FROM procrastinate_events WHERE job_id = :id ORDER BY id", id=job[0][0]
        )
    ]
    transitions = [e for e in events if e != "scheduled"]  # "scheduled" notes the retry's time, not a state
    assert transitions == ["deferred", "started", "deferred_for_retry", "started", "succeeded"], events
    bulk0_runs = rows(engine, "SELECT state, worker FROM crawl_runs WHERE source_name = 'bulk0'")
    assert len(bulk0_runs) == 1 and bulk0_runs[0][0] == "finished"  # one run, resumed: not restarted
    assert bulk0_runs[0][1].endswith(f":{survivor.pid}")

    # never two crawls of one source at once: each job's attempts, per lock, do not overlap
    spans = rows(
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
        return [r[0] for r in rows(engine, "SELECT status FROM procrastinate_jobs ORDER BY id")]

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
