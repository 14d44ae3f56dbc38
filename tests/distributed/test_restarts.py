"""Distributed mode against a real PostgreSQL server: a worker stopped with SIGTERM puts its crawl back, and a
scheduler that was down queues a missed run once."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text

from portalsim.bulk import sources_toml
from tests.distributed.support import BULK_PAGES, fazhi, rows, wait

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def test_a_worker_stopped_with_sigterm_puts_its_crawl_back_for_the_next_worker(
    bulk: tuple[dict[str, Any], int], store: tuple[str, Engine], tmp_path: Path
) -> None:
    url, engine = store
    portal = bulk[0]["bulk0"]
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml({"bulk0": portal}, delay=0.02), encoding="utf-8")
    began = time.time()
    assert fazhi(tmp_path, url, "migrate", "migrate").wait(timeout=60) == 0
    first = fazhi(tmp_path, url, "first", "worker", "--sources", str(sources), shutdown=0.3)
    scheduler = fazhi(tmp_path, url, "scheduler", "scheduler", "--crawl-now", "--sources", str(sources))
    second = None
    try:

        def midway() -> bool:
            done = rows(engine, "SELECT count(*) FROM frontier WHERE kind = 'detail' AND state = 'done'")[0][
                0
            ]
            return 15 <= done < BULK_PAGES - 40

        wait("the crawl under way", midway, 60, tmp_path)
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0  # stopped cleanly after its grace period
        job = rows(engine, "SELECT status FROM procrastinate_jobs")
        run = rows(engine, "SELECT state FROM crawl_runs")
        assert job == [("todo",)] and run == [("running",)]  # back in the queue; the run resumable
        second = fazhi(tmp_path, url, "second", "worker", "--sources", str(sources))
        wait(
            "the crawl finished by the next worker",
            lambda: rows(engine, "SELECT status FROM procrastinate_jobs") == [("succeeded",)],
            60,
            tmp_path,
        )
    finally:
        for process in (first, scheduler, second):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=15)
    runs = rows(engine, "SELECT state, worker FROM crawl_runs")
    assert len(runs) == 1 and runs[0][0] == "finished" and second is not None
    assert runs[0][1].endswith(f":{second.pid}")
    assert rows(engine, "SELECT count(*) FROM documents")[0][0] == BULK_PAGES
    done_at = {
        d[0].split("://", 1)[1].split("/", 1)[1]: d[1].timestamp()
        for d in rows(engine, "SELECT url, done_at FROM frontier WHERE kind = 'detail'")
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
        scheduler = fazhi(
            tmp_path, url, f"scheduler{start}", "scheduler", "--sources", str(sources), schedule=env_schedule
        )
        try:
            wait(
                "the scheduler up",
                lambda: rows(engine, "SELECT count(*) FROM source_state")[0][0] == 1,
                60,
                tmp_path,
            )
            time.sleep(0.5)  # its start-up deferrals are done by now
        finally:
            scheduler.send_signal(signal.SIGTERM)
            assert scheduler.wait(timeout=30) == 0
        jobs = rows(engine, "SELECT lock, status, args->>'trigger' FROM procrastinate_jobs")
        assert jobs == [("source:bulk0", "todo", "startup")], (start, jobs)
