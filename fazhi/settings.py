"""One settings object (environment variables prefixed ``FAZHI_``), built when a command starts, never at import.

Every setting has a default and a description; the README's settings table is checked against this class.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

if TYPE_CHECKING:
    from api.config import ApiConfig

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingError(Exception):
    """A ``FAZHI_`` variable cannot be used; the message names it, its value and the expected form."""


def data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base).expanduser().resolve() / "fazhi"


def default_database_url() -> str:
    return f"sqlite:///{data_dir() / 'fazhi.db'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAZHI_", extra="ignore", frozen=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL of the store (default: SQLite file fazhi.db in $XDG_DATA_HOME/fazhi)",
    )
    sources: Path | None = Field(None, description="sources file used when a command gets no --sources")
    contact_url: str = Field(
        "https://example.invalid/fazhi-operator",
        description="URL in the User-Agent where portal admins can reach the operator: set it before crawling",
    )
    user_agent: str | None = Field(
        None, description="full User-Agent override (default: fazhi/VERSION (+CONTACT_URL))"
    )
    request_timeout: float = Field(15.0, gt=0, description="seconds for each connect/read of a fetch")
    fetch_deadline: float = Field(60.0, gt=0, description="seconds for a whole fetch, redirects included")
    extract_timeout: float = Field(
        30.0,
        gt=0,
        description="seconds one page's reading may take in its worker process (then extract_timeout)",
    )
    extract_workers: int | None = Field(
        None,
        ge=1,
        le=64,
        description="worker processes that read pages, at most (default: the CPU count, at most 4); one starts "
        "with a crawl, each other one when a page has waited 0.5 s for the workers that are up, all busy",
    )
    keywords: int = Field(8, ge=0, le=50, description="jieba keywords stored per new document (0 disables)")
    default_schedule: str = Field(
        "deadline",
        description="schedule of sources without their own: `deadline` (daily 1 Jan–15 Apr, weekly after) or a cron",
    )
    schedule_jitter: int = Field(900, ge=0, description="seconds of random delay added to each scheduled run")
    recrawl_poll_seconds: float = Field(
        2.0, gt=0, description="how often the scheduler takes operator recrawl requests"
    )
    shutdown_seconds: float = Field(
        10.0, ge=0, description="on SIGTERM, how long in-flight crawls may finish"
    )
    stalled_seconds: float = Field(
        30.0,
        gt=0,
        description="distributed mode: a worker silent this long is presumed dead and its job is queued again",
    )
    worker_concurrency: int = Field(
        4, ge=1, le=256, description="distributed mode: crawl jobs per `fazhi worker`"
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://[^/?#]+(/[^?#]*)?$",
        description="the API's public base URL (e.g. https://fazhi.example); links are relative without it",
    )
    api_header_timeout: float = Field(
        10.0, gt=0, description="seconds a client has to send a request's headers before it is disconnected"
    )
    api_max_connections: int = Field(
        200, ge=1, description="open API connections at most; more get 503 until some close"
    )
    api_token: SecretStr | None = Field(None, description="bearer token for operator endpoints (/-/…)")
    cors_origins: list[str] = Field(
        default_factory=list,
        description='origins allowed by CORS, a JSON list (e.g. ["https://a.example"]); off by default',
    )
    alert_webhook: str | None = Field(
        None,
        pattern=r"^https?://[^/?#]+",
        description="URL that gets a JSON POST when a source turns unhealthy, recovers, or a crawl fails",
    )
    log_level: str = Field("INFO", description="logging level: " + ", ".join(LOG_LEVELS))
    log_format: Literal["text", "json"] = Field(
        "text", description="`text` for people, `json` for log pipelines"
    )
    warc_enabled: bool = Field(True, description="archive every fetch that stores a document in WARC files")
    warc_dir: Path | None = Field(
        None,
        description="WARC directory (default: `warc/` beside the SQLite file, else in $XDG_DATA_HOME/fazhi)",
    )
    warc_max_file_bytes: int = Field(
        1_000_000_000, ge=1_000_000, description="a WARC file is closed and a new one started at this size"
    )
    warc_fsync: bool = Field(
        True,
        description="fsync the records before the transaction that commits their documents, once per commit group (false: written whole, fsynced when the file closes)",
    )
    warc_retention_days: int = Field(
        0,
        ge=0,
        description="delete WARC files older than this that no document's capture points at (0: keep all)",
    )

    def warc_directory(self) -> Path:
        """Where WARC files go: the setting, else beside a SQLite database file, else in the data directory."""
        if self.warc_dir is not None:
            return self.warc_dir.expanduser().resolve()
        from sqlalchemy.engine import make_url

        try:
            url = make_url(self.database_url)
        except Exception:  # a bad URL is the store's to report
            return data_dir() / "warc"
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).expanduser().resolve().parent / "warc"
        return data_dir() / "warc"

    @field_validator("default_schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        if value != "deadline":
            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"neither `deadline` nor a 5-field cron: {exc}") from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        if value.upper() not in LOG_LEVELS:
            raise ValueError(f"not a logging level (one of {', '.join(LOG_LEVELS)})")
        return value.upper()

    def api_config(self, sources: Iterable[str] | None = None) -> ApiConfig:
        """What the API needs of these settings; ``sources``: the names of the sources this deployment crawls."""
        from api.config import ApiConfig
        from fazhi import __version__
        from ingest.tokens import tokenize

        return ApiConfig(
            version=__version__,
            public_url=self.public_url,
            api_token=self.api_token,
            cors_origins=list(self.cors_origins),
            warc_directory=self.warc_directory(),
            sources=tuple(sorted(sources)) if sources is not None else None,
            search_words=tokenize,
        )

    def agent(self) -> str:
        from fazhi import __version__

        return self.user_agent or f"fazhi/{__version__} (+{self.contact_url})"


def read_settings() -> Settings:
    """The settings from the environment; a bad value raises :class:`SettingError` with one clear sentence."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingError(_explain(exc.errors()[0])) from exc
    except SettingsError as exc:  # a value that is not the JSON a list or an object needs
        raise SettingError(_explain_parse(str(exc))) from exc


def _variable(name: str) -> str:
    return f"FAZHI_{name.upper()}"


def _expected(name: str) -> str:
    field = Settings.model_fields.get(name)
    return f"expected: {field.description}" if field and field.description else ""


def _explain(error: Any) -> str:
    name = str(error["loc"][0]) if error.get("loc") else "?"
    message = error["msg"].removeprefix("Value error, ")
    return f"{_variable(name)}={error.get('input')!r} is not valid: {message}; {_expected(name)}"


def _explain_parse(text: str) -> str:
    match = re.search(r'field "(\w+)"', text)
    name = match.group(1) if match else "?"
    value = os.environ.get(_variable(name), "")
    return f"{_variable(name)}={value!r} is not valid JSON; {_expected(name)}"
