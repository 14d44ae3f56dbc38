"""Remembered reads: one query per period, then read again (unit, a SQLite file)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import text

from api.web.memo import remembered
from tests.conftest import make_db


def test_a_read_is_remembered_for_its_period_then_read_again(tmp_path: Path) -> None:
    engine = make_db(tmp_path / "fazhi.db")
    request: Any = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(reader=engine)))
    calls: list[int] = []

    def work(connection: Any) -> int:
        calls.append(1)
        return int(connection.execute(text("SELECT count(*) FROM documents")).scalar())

    async def twice(seconds: float) -> list[int]:
        return [
            await remembered(request, work, seconds=seconds),
            await remembered(request, work, seconds=seconds),
        ]

    assert asyncio.run(twice(60)) == [0, 0] and len(calls) == 1
    request.app.state.web_memo.clear()
    assert asyncio.run(twice(0)) == [0, 0] and len(calls) == 3  # a period of 0: every call reads
    engine.dispose()
