"""The service's life: the start line, SIGTERM/SIGINT, the grace period, interrupted runs, the stop line.

A signal stops the API and the scheduler; in-flight crawls get ``FAZHI_SHUTDOWN_SECONDS`` to finish, then are
cancelled and their runs recorded as ``interrupted``; the next start of the service resumes them (a run left
``running`` by a process that died, on this host, is resumed too).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy import Engine

from crawler.sources import Source
from fazhi.settings import Settings
from store.operator import mark_interrupted, unfinished_runs

log = logging.getLogger("fazhi.service")
SHOWN_NAMES = 8


class Server(uvicorn.Server):
    """uvicorn without its own signal handling: it re-raises a caught SIGTERM once the API has stopped, which
    killed the process before crawls had their grace period."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class StopSignals:
    """SIGINT and SIGTERM set :attr:`stopping` (main thread only: elsewhere the caller cancels instead)."""

    def __init__(self) -> None:
        self.stopping = asyncio.Event()
        self.received: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            self._loop = asyncio.get_running_loop()
            for number in (signal.SIGINT, signal.SIGTERM):
                self._loop.add_signal_handler(number, self._on_signal, number)
        return self

    def __exit__(self, *_: object) -> None:
        if self._loop is not None:
            for number in (signal.SIGINT, signal.SIGTERM):
                self._loop.remove_signal_handler(number)

    def _on_signal(self, number: int) -> None:
        if self.stopping.is_set():
            log.warning("%s again: still stopping (crawls are being given their grace period)", self.received)
            return
        self.received = signal.Signals(number).name
        log.info("%s received: stopping", self.received)
        self.stopping.set()


def shanghai(when: datetime | None) -> str:
    if when is None:
        return "never"
    return when.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%d %H:%M (Asia/Shanghai)")


def start_line(
    *,
    version: str,
    sources: list[Source],
    settings: Settings,
    next_runs: dict[str, datetime | None],
    db: Engine,
    url: str,
) -> str:
    names = [s.name for s in sources]
    shown = ", ".join(names[:SHOWN_NAMES]) + (
        f", … {len(names) - SHOWN_NAMES} more" if len(names) > 8 else ""
    )
    schedules = sorted({s.schedule or settings.default_schedule for s in sources})
    due = [(when, name) for name, when in next_runs.items() if when is not None]
    upcoming = f"{shanghai(min(due)[0])} ({min(due)[1]})" if due else "none scheduled"
    return (
        f"fazhi {version} started: {len(names)} sources ({shown}); schedule {' | '.join(schedules) or '-'}; "
        f"next run {upcoming}; database {db.url.render_as_string(hide_password=True)}; API {url}"
    )


def warn_placeholder_contact(settings: Settings, sources: list[Source]) -> bool:
    """Warn when real portals would be crawled with the placeholder contact URL in the User-Agent."""
    placeholder = Settings.model_fields["contact_url"].default
    if settings.user_agent or settings.contact_url != placeholder:
        return False
    real = sorted({h for s in sources for h in s.start_hosts if not _loopback(h)})
    if not real:
        return False  # the simulated portals: nobody to contact
    log.warning(
        "FAZHI_CONTACT_URL is still the placeholder %s: portal admins of %s cannot reach you; set it to a page or "
        "mailto: of yours before crawling real portals",
        placeholder,
        ", ".join(real[:3]) + (" …" if len(real) > 3 else ""),
    )
    return True


def _loopback(host: str) -> bool:
    """``host``: a host name or address, as ``Source.start_hosts`` gives it (no port, no brackets)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resumable(db: Engine, sources: list[Source]) -> dict[str, int]:
    """Configured sources with a run to resume: interrupted, or left running by a dead process of this host."""
    names = {s.name for s in sources}
    out = {}
    for name, (run_id, state, worker) in unfinished_runs(db).items():
        if name in names and (state == "interrupted" or _dead_here(worker)):
            out[name] = run_id
    return out


def _dead_here(worker: str | None) -> bool:
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def resume(db: Engine, sources: list[Source], start: Callable[[str, str], None]) -> dict[str, int]:
    runs = resumable(db, sources)
    for name, run_id in sorted(runs.items()):
        log.info("resuming interrupted run %s of %s", run_id, name, extra={"source": name})
        start(name, "startup")
    return runs


def interrupted(db: Engine, worker: str | None) -> list[tuple[int, str]]:
    return mark_interrupted(db, worker=worker) if worker else []


def stop_line(why: str, runs: list[tuple[int, str]]) -> str:
    if not runs:
        return f"fazhi stopped ({why}): no crawl was cut off"
    shown = ", ".join(f"{name} run {run_id}" for run_id, name in runs)
    return f"fazhi stopped ({why}): {len(runs)} run(s) interrupted ({shown}), resumed at the next start"
