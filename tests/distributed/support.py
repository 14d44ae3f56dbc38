"""What the distributed tests share: the processes they start and how they wait for the store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from portalsim.bulk import sources_toml
from tests.conftest import ROOT

BULK_HOSTS, BULK_PAGES = 2, 120
STALLED = 4.0  # seconds without a heartbeat before a worker's job is queued again


def write_sources(tmp_path: Path, demo_port: int, bulk: dict[str, Any]) -> Path:
    demo = (ROOT / "seeds" / "demo.toml").read_text(encoding="utf-8").replace(":8801/", f":{demo_port}/")
    path = tmp_path / "sources.toml"
    path.write_text(demo + "\n" + sources_toml(bulk, delay=0.01), encoding="utf-8")
    return path


def fazhi(
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


def rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(text(sql), params))


def wait(what: str, check: Any, timeout: float, logs: Path) -> Any:
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
