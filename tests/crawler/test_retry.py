from __future__ import annotations

import random
from datetime import UTC, datetime

from crawler.retry import RetryPolicy, retry_after


def test_retry_after_forms() -> None:
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    assert retry_after("Sun, 01 Mar 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("Sun, 01 Mar 2026 11:00:00 GMT", now) == 0.0  # a date in the past: go now
    assert retry_after("soon") is None and retry_after(None) is None


def test_backoff_doubles_with_bounded_jitter() -> None:
    policy = RetryPolicy(retries=3, backoff=2.0)
    rng = random.Random(7)
    for attempt in range(4):
        base = 2.0 * 2**attempt
        for _ in range(50):
            assert base <= policy.delay(attempt, rng) <= 1.5 * base
