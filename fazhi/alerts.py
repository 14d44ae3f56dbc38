"""Alerts: ``FAZHI_ALERT_WEBHOOK`` gets a JSON POST when a source turns unhealthy, recovers, or a crawl fails.

The events are the run lines that ``crawler.checkup`` logs with an ``alert`` field; :class:`AlertHandler` is a
logging handler that only queues them, and one background thread posts them, retrying with exponential backoff
(connection errors, timeouts, 408, 429 and 5xx). A crawl never waits for a webhook and is never broken by one; at
exit the queue gets a bounded time to drain (``logging.shutdown`` closes the handler).

The body::

    {"event": "source_unhealthy" | "source_recovered" | "crawl_failed", "source": "hedong", "run_id": 12,
     "outcome": "finished" | "failed", "error": null, "health": "unhealthy", "previous_health": "healthy",
     "reason": "start_http_4xx", "message": "start page … answers HTTP 404 …: … update start_urls",
     "counts": {…}, "duration_seconds": 3.2, "at": "2026-12-01T11:30:00+00:00", "service": "fazhi/0.4.0"}
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger("fazhi.alerts")
EVENTS = "fazhi.runs"  # the logger of crawler.checkup's run lines
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class AlertHandler(logging.Handler):
    """Posts the ``alert`` of log records to ``url``; ``attempts`` tries each, waiting ``backoff`` × 2ⁿ between."""

    def __init__(
        self,
        url: str,
        *,
        attempts: int = 5,
        backoff: float = 1.0,
        timeout: float = 10.0,
        drain_seconds: float = 10.0,
        max_queued: int = 1000,
        user_agent: str = "fazhi",
    ) -> None:
        super().__init__(logging.NOTSET)
        self.url, self.attempts, self.backoff = url, attempts, backoff
        self.timeout, self.drain_seconds, self.user_agent = timeout, drain_seconds, user_agent
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue(max_queued)
        self.delivered = 0
        self.dropped = 0
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fazhi-alerts", daemon=True)
        self._thread.start()

    def emit(self, record: logging.LogRecord) -> None:
        alert = getattr(record, "alert", None)
        if not isinstance(alert, dict) or record.name == log.name:
            return
        body = {
            **alert,
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "service": self.user_agent,
        }
        try:
            self.queue.put_nowait(body)
        except queue.Full:  # the receiver has been down for long: never make the crawl wait
            self.dropped += 1

    def close(self) -> None:
        """Give queued alerts ``drain_seconds`` to be delivered, then stop (alerts still queued are lost)."""
        if not self._closing.is_set():
            self._closing.set()
            self.queue.put(None)
            self._thread.join(self.drain_seconds)
            left = self.queue.qsize()
            if self._thread.is_alive() and left:
                log.warning("%s alerts not delivered to the webhook before exit", left)
        super().close()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout, headers={"user-agent": self.user_agent}) as client:
            while (body := self.queue.get()) is not None:
                self._deliver(client, body)

    def _deliver(self, client: httpx.Client, body: dict[str, Any]) -> bool:
        for attempt in range(self.attempts):
            why, again = self._post(client, body)
            if why is None:
                self.delivered += 1
                return True
            if not again:
                break  # the receiver refuses this body (a 4xx): retrying would not help
            if attempt + 1 < self.attempts:
                time.sleep(self.backoff * 2**attempt)
        log.warning(
            "alert %s for %s not delivered to the webhook: %s",
            body.get("event"),
            body.get("source"),
            why,
            extra={"source": body.get("source")},
        )
        return False

    def _post(self, client: httpx.Client, body: dict[str, Any]) -> tuple[str | None, bool]:
        """``(None, _)`` when the receiver took the alert, else ``(why not, whether to try again)``."""
        try:
            response = client.post(self.url, json=body)
        except httpx.HTTPError as exc:
            return f"{type(exc).__name__}: {exc}", True
        if response.is_success:
            return None, False
        return f"HTTP {response.status_code}", response.status_code in RETRY_STATUSES


def install(url: str | None, *, user_agent: str = "fazhi") -> AlertHandler | None:
    """Attach an :class:`AlertHandler` for ``url`` to the root logger (none without a URL)."""
    if not url:
        return None
    handler = AlertHandler(url, user_agent=user_agent)
    logging.getLogger().addHandler(handler)
    # a recovery is logged at INFO: its alert is posted even when the log level hides the line
    if logging.getLogger(EVENTS).getEffectiveLevel() > logging.INFO:
        logging.getLogger(EVENTS).setLevel(logging.INFO)
    return handler
