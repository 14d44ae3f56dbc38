"""Sources: the portals to crawl, read from a TOML file of ``[[sources]]`` tables (format in the README)."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crawler.errors import SourcesError
from ingest.agency import expand_agency
from ingest.identity import normalize_text
from ingest.region import region_from_hint

Dialect = Literal[
    "auto", "trs", "hanweb", "gkmlpt", "jpaas", "datalist", "pagedec", "ls", "pager", "generic", "fallback"
]
Switchable = Literal["all", "trs", "hanweb", "gkmlpt", "jpaas", "datalist", "pagedec", "ls", "pager"]

AttachmentType = Literal["pdf", "doc", "docx", "wps", "ofd", "rtf", "xls", "xlsx", "et"]
ATTACHMENT_TYPES: tuple[AttachmentType, ...] = (
    "pdf",
    "doc",
    "docx",
    "wps",
    "ofd",
    "rtf",
    "xls",
    "xlsx",
    "et",
)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$", description="unique id: lowercase, digits, - and _"
    )
    start_urls: list[str] = Field(min_length=1, description="report column pages to start from")
    agency: str | None = Field(None, description="reporting body, used when a page does not say")
    region: str | None = Field(None, description="省/市/区县 hint, e.g. 广东省/江门市/江海区")
    schedule: str | None = Field(
        None, description="5-field cron; default: the service's deadline-aware schedule"
    )
    allow_private: bool = Field(
        False, description="may fetch its own start hosts on loopback/private addresses"
    )
    dialect: Dialect = Field("auto", description="list-page dialect; auto-detected from the start page")
    disabled_dialects: list[Switchable] = Field(
        default_factory=list,
        description='list dialects switched off ("all": the generic fallback reads every page)',
    )
    delay: float = Field(1.0, ge=0, le=600, description="seconds between two requests to one host")
    max_list_pages: int = Field(50, ge=1, le=10_000, description="cap on list pages per crawl")
    max_bytes: int = Field(20 * 1024 * 1024, ge=1024, description="cap on one response body, decompressed")
    max_attachment_bytes: int = Field(
        50 * 1024 * 1024, ge=1024, description="cap on one attachment (PDF, Word, OFD …), decompressed"
    )
    attachment_types: list[AttachmentType] = Field(
        default_factory=lambda: list(ATTACHMENT_TYPES),
        description="attachment types fetched (by the link's extension, then by the bytes)",
    )
    max_attachments: int = Field(
        10, ge=0, le=100, description="attachments fetched per report page (0: none)"
    )
    keep_attachments: bool = Field(True, description="store each attachment's bytes (served with ?raw=1)")
    concurrency: int = Field(1, ge=1, le=16, description="requests in flight to one host")
    retries: int = Field(3, ge=0, le=10, description="retries for timeouts, connection failures, 429 and 5xx")
    backoff: float = Field(2.0, ge=0, le=600, description="seconds before the first retry, doubled each time")
    obey_robots: bool = Field(True, description="obey robots.txt (false is logged at every crawl)")
    verify: bool = Field(True, description="verify TLS certificates (false is logged at every crawl)")
    tls: Literal["default", "legacy"] = Field(
        "default", description="legacy: SECLEVEL=1 + legacy renegotiation"
    )
    deadline: str | None = Field(
        None,
        pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$",
        description='reports are due by this MM-DD of the next year (default "04-01", the national rule)',
    )
    agencies: list[str] = Field(
        default_factory=list, description="agencies expected to publish a report every year (coverage)"
    )
    since: int | None = Field(None, ge=2000, le=2100, description="first report year expected (coverage)")

    @field_validator("start_urls")
    @classmethod
    def _http_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"{url!r} is not an http(s) URL")
        return urls

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                CronTrigger.from_crontab(value)
            except ValueError as exc:
                raise ValueError(f"not a 5-field cron expression: {exc}") from exc
        return value

    def expected_agencies(self) -> list[str]:
        """``agencies`` as the extractor normalizes names (short forms expanded with the source's region)."""
        province, city, county = region_from_hint(self.region)
        names = (normalize_text(a) for a in self.agencies)
        return [expand_agency(n, province=province, city=city, county=county) for n in names if n]

    @property
    def start_hosts(self) -> frozenset[str]:
        return frozenset((urlsplit(u).hostname or "").lower() for u in self.start_urls)


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate a sources file; any problem raises :class:`SourcesError` naming the file and entry."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: no such sources file (pass --sources FILE)") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from exc
    entries = data.get("sources")
    if not isinstance(entries, list) or not entries:
        raise SourcesError(f"{path}: expected one or more [[sources]] tables")
    sources = [_parse(path, i, entry) for i, entry in enumerate(entries)]
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise SourcesError(f"{path}: duplicate source names: {', '.join(duplicates)}")
    return sources


def _parse(path: Path, index: int, entry: object) -> Source:
    label = entry.get("name", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
    try:
        return Source.model_validate(entry)
    except ValidationError as exc:
        problems = "; ".join(_problem(e) for e in exc.errors())
        raise SourcesError(f"{path}: source {label}: {problems}") from exc


def _problem(error: Any) -> str:
    """One validation error as the sources file's author needs it: the key, what is wrong, the fix."""
    key = ".".join(map(str, error["loc"])) or "entry"
    if error["type"] == "extra_forbidden":
        return f"unknown key {key!r}{did_you_mean(str(error['loc'][-1]), Source.model_fields)}"
    if error["type"] == "missing":
        return f"{key} is missing ({_described(error['loc'][0])})"
    field = Source.model_fields.get(str(error["loc"][0]))
    if error["type"] == "string_pattern_mismatch" and field is not None:
        return f"{key} {error.get('input')!r} is not valid: expected {field.description}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{key} = {error.get('input')!r}: {message}"


def _described(name: object) -> str:
    field = Source.model_fields.get(str(name))
    return field.description or "required" if field else "required"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the nearest of ``choices``, else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def select_sources(sources: list[Source], names: list[str] | None) -> list[Source]:
    if not names:
        return sources
    known = {s.name: s for s in sources}
    unknown = [n for n in names if n not in known]
    if unknown:
        hints = "".join(did_you_mean(n, known) for n in unknown[:1])
        raise SourcesError(f"unknown source(s): {', '.join(unknown)}{hints}; known: {', '.join(known)}")
    return [known[n] for n in names]
