"""Per-host pacing shared by every crawl worker, on PostgreSQL (distributed mode).

Each request to a host reserves the next start time in ``host_pace`` with one atomic upsert, measured on the
database's clock (so workers on machines with skewed clocks still agree): the first request starts now, each
later one ``delay`` seconds after the previous reservation. A ``Retry-After`` pushes the host's next start out
for every worker. Workers sleep until their reserved time; they never hold a connection while they wait.
"""

from __future__ import annotations

from sqlalchemy import Engine, text

_RESERVE = text(
    "INSERT INTO host_pace (host, next_at) VALUES (:host, clock_timestamp() + make_interval(secs => :delay)) "
    "ON CONFLICT (host) DO UPDATE "
    "SET next_at = greatest(host_pace.next_at, clock_timestamp()) + make_interval(secs => :delay) "
    "RETURNING greatest(0, extract(epoch FROM next_at - clock_timestamp()) - :delay)"
)
_DEFER = text(
    "INSERT INTO host_pace (host, next_at) VALUES (:host, clock_timestamp() + make_interval(secs => :seconds)) "
    "ON CONFLICT (host) DO UPDATE "
    "SET next_at = greatest(host_pace.next_at, clock_timestamp() + make_interval(secs => :seconds))"
)


def reserve(engine: Engine, host: str, delay: float) -> float:
    """Reserve the host's next start; returns how many seconds to wait for it."""
    with engine.begin() as connection:
        wait = connection.execute(_RESERVE, {"host": host, "delay": float(delay)}).scalar_one()
    return max(0.0, float(wait))


def defer(engine: Engine, host: str, seconds: float) -> None:
    """Nobody asks ``host`` for ``seconds`` (a Retry-After)."""
    with engine.begin() as connection:
        connection.execute(_DEFER, {"host": host, "seconds": float(seconds)})
