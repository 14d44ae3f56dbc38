"""Logging: readable lines by default, JSON lines with ``FAZHI_LOG_FORMAT=json``.

One record is one line in both formats, however long, terminal or not: nothing here wraps (a JSON record is one
object, its newlines escaped; a text record's newlines, as in a traceback, are the record's own). With
``FAZHI_ALERT_WEBHOOK`` set, the run lines that carry an alert are also posted there (``fazhi.alerts``).
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

_TEXT_FIELDS = ("source", "url", "status", "reason", "duration")
_JSON_FIELDS = (*_TEXT_FIELDS, "run_id", "outcome", "health", "counts", "listing")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in _JSON_FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        extras = " ".join(f"{k}={getattr(record, k)}" for k in _TEXT_FIELDS if hasattr(record, k))
        return f"{line} [{extras}]" if extras else line


class StderrHandler(logging.StreamHandler[Any]):
    """Writes to ``sys.stderr`` as it is when a record comes, not as it was when logging was set up (as logging's
    own last-resort handler does): where stderr is swapped for a while and closed (a command run in-process by a
    test runner), later records go to the real stderr, never to the closed stream ("--- Logging error ---")."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass  # always the current sys.stderr


def configure_logging(level: str, fmt: str, *, alert_webhook: str | None = None) -> None:
    handler = StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S"))
    handler.setLevel(level.upper())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # alembic announces its context on every start, procrastinate every task registration: noise at INFO
    logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # one line per plugin, each start
    logging.getLogger("procrastinate.blueprints").setLevel(logging.WARNING)
    if alert_webhook:
        from fazhi import __version__
        from fazhi.alerts import install

        install(alert_webhook, user_agent=f"fazhi/{__version__}")
