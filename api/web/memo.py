"""Reads that change only when a crawl adds documents (the search form's facets, the deadline chart's dates),
kept per app for ``SECONDS``: the API's own answers may be ``max-age=30`` old too. Each scans every document, which
on 20k documents costs more than the page that shows it (bench/web.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.engine import Connection

from api.deps import read

SECONDS = 30.0
T = TypeVar("T")


async def remembered(request: Request, work: Callable[[Connection], T], *, seconds: float = SECONDS) -> T:
    memo: dict[Any, tuple[float, Any]] = request.app.state.__dict__.setdefault("web_memo", {})
    now = time.monotonic()
    hit = memo.get(work)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = await read(request, work)
    memo[work] = (now + seconds, value)
    return value
