"""``fazhi crawl`` on a SQLite store, new or already migrated, imports only what a crawl on SQLite needs: not
alembic (migrations: a new store's schema comes from store/snapshot.py), psycopg (PostgreSQL), uvicorn and APScheduler's scheduler (the service), the file readers
(attachments), jieba (indexing is off). Each of these costs tens to hundreds of ms of CPU at every start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.command import upgrade as command_upgrade
from alembic.config import Config

from store import make_engine
from store.migrate import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
NOT_NEEDED = ("alembic", "psycopg", "uvicorn", "apscheduler.schedulers", "ingest.files", "jieba", "fastapi")
# the command run in-process, then the modules that were really imported (a lazy module that was never used
# is not: its code did not run)
PROBE = f"""
import runpy, sys, types
sys.argv = ["fazhi", *sys.argv[1:]]
try:
    runpy.run_module("fazhi", run_name="__main__")
except SystemExit:
    pass
print("imported:", " ".join(m for m in {NOT_NEEDED!r} if type(sys.modules.get(m)) is types.ModuleType))
"""


def test_a_crawl_on_a_new_or_migrated_sqlite_store_imports_no_more_than_it_needs(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(  # a port nothing listens on: the crawl fails at once, its imports are done by then
        '[[sources]]\nname = "closed"\nstart_urls = ["http://127.0.0.1:9/zwgk/"]\nallow_private = true\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env |= {"FAZHI_LOG_LEVEL": "ERROR"}
    command = [sys.executable, "-c", PROBE, "crawl", "--json", "--no-index", "--sources", str(sources)]

    def imported(store: Path) -> str:
        done = subprocess.run(
            command,
            env=env | {"FAZHI_DATABASE_URL": f"sqlite:///{store}"},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        return next(ln for ln in done.stdout.splitlines() if ln.startswith("imported:"))

    # a new store (its schema from store/snapshot.py), then the same store again
    assert [imported(tmp_path / "fazhi.db") for _ in range(2)] == ["imported: "] * 2
    # the probe sees imports: a store one revision behind is upgraded by alembic
    behind = tmp_path / "behind.db"
    engine = make_engine(f"sqlite:///{behind}", create=False)
    with engine.begin() as connection:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command_upgrade(config, "0009")
    engine.dispose()
    assert "alembic" in imported(behind)
