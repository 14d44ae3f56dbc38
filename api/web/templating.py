"""The Jinja2 environment (autoescaped, templates compiled once) and the filters the pages share."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.nav import pages

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NO_STORE = {"Cache-Control": "private, no-store"}


def shanghai(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC time as Beijing time (the portals' and the operators' clock)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI).strftime(fmt)


def duration(start: datetime | None, end: datetime | None) -> str:
    if start is None:
        return "—"
    seconds = int(((end or datetime.now(UTC)) - start).total_seconds())
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} 分 {seconds} 秒" if minutes < 60 else f"{minutes // 60} 小时 {minutes % 60} 分"


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else "—"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html", "svg"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(shanghai=shanghai, duration=duration, iso_date=iso_date)
    env.globals["nav_pages"] = pages
    return env


ENV = _environment()


def render(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    html = ENV.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=headers)


def render_text(name: str, **context: Any) -> str:
    return ENV.get_template(name).render(**context)
