"""Dependencies: one database connection per request, from the engine on ``app.state``.

Handlers and dependencies are ``async``: the reads are short and local, and a thread-pool hop per dependency and
per handler cost more than the queries (bench/api.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Connection


async def get_connection(request: Request) -> AsyncIterator[Connection]:
    with request.app.state.engine.connect() as connection:
        yield connection


ConnectionDep = Annotated[Connection, Depends(get_connection)]
