"""fazhi.lifecycle and fazhi.logs: the start and stop lines, the contact-URL warning, one record per line."""

from __future__ import annotations

import io
import json
import logging
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from crawler.sources import Source
from fazhi.lifecycle import start_line, stop_line, warn_placeholder_contact
from fazhi.logs import JsonFormatter, TextFormatter, configure_logging
from fazhi.settings import Settings


def _source(name: str, url: str, schedule: str | None = None) -> Source:
    return Source(name=name, start_urls=[url], schedule=schedule)


def test_the_start_line_says_version_sources_schedule_next_run_in_shanghai_and_the_masked_database() -> None:
    db = create_engine("postgresql+psycopg://fazhi:s3cret@127.0.0.1:5999/fazhi")  # never connects
    sources = [_source("a", "http://127.0.0.2/a/"), _source("b", "http://127.0.0.2/b/", "0 4 * * mon")]
    line = start_line(
        version="9.9.9",
        sources=sources,
        settings=Settings(default_schedule="deadline"),
        next_runs={"a": datetime(2026, 12, 7, 19, 0, tzinfo=UTC), "b": datetime(2026, 12, 8, 1, tzinfo=UTC)},
        db=db,
        url="http://127.0.0.1:8000",
    )
    assert line == (
        "fazhi 9.9.9 started: 2 sources (a, b); schedule 0 4 * * mon | deadline; "
        "next run 2026-12-08 03:00 (Asia/Shanghai) (a); "
        "database postgresql+psycopg://fazhi:***@127.0.0.1:5999/fazhi; API http://127.0.0.1:8000"
    )


def test_the_stop_line_names_the_interrupted_runs() -> None:
    assert stop_line("SIGTERM", []) == "fazhi stopped (SIGTERM): no crawl was cut off"
    assert stop_line("SIGINT", [(3, "a"), (5, "b")]) == (
        "fazhi stopped (SIGINT): 2 run(s) interrupted (a run 3, b run 5), resumed at the next start"
    )


@pytest.mark.parametrize(
    ("settings", "url", "warned"),
    [
        (Settings(), "http://portal.example.invalid/col/", True),
        (Settings(), "http://127.0.0.11:8801/col/", False),  # the simulated portals
        (Settings(), "http://[::1]:8801/col/", False),
        (Settings(contact_url="mailto:ops@example.invalid"), "http://portal.example.invalid/col/", False),
        (
            Settings(user_agent="ops-bot/1 (+mailto:ops@example.invalid)"),
            "http://portal.example.invalid/",
            False,
        ),
    ],
)
def test_a_placeholder_contact_url_is_warned_about_before_real_portals(
    settings: Settings, url: str, warned: bool, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, "fazhi.service"):
        assert warn_placeholder_contact(settings, [_source("a", url)]) is warned
    assert ("FAZHI_CONTACT_URL is still the placeholder" in caplog.text) is warned


def _record(message: str, *, exc: bool = False, **extra: object) -> logging.LogRecord:
    info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            info = sys.exc_info()
    record = logging.LogRecord("fazhi.runs", logging.WARNING, __file__, 1, message, None, info)
    record.__dict__.update(extra)
    return record


def test_a_json_record_is_one_object_on_one_line_however_long() -> None:
    message = "run 1 of hedong finished: " + "很长的消息 " * 60 + "\nsecond line"
    counts = {"new": 1, "failed": 0}
    line = JsonFormatter().format(_record(message, exc=True, source="hedong", counts=counts, run_id=1))
    assert "\n" not in line and len(line) > 400
    entry = json.loads(line)
    assert entry["message"] == message and entry["counts"] == counts and entry["run_id"] == 1
    assert "ValueError: boom" in entry["exc"]


def test_text_records_are_not_wrapped_when_not_on_a_terminal() -> None:
    stream = io.StringIO()  # not a terminal
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter("%(levelname)s %(name)s: %(message)s"))
    message = "run 2 of hedong finished in 1.0 s: UNHEALTHY (start_http_4xx): " + "x" * 300
    handler.emit(_record(message, source="hedong", reason="start_http_4xx"))
    assert stream.getvalue() == f"WARNING fazhi.runs: {message} [source=hedong reason=start_http_4xx]\n"


def test_many_sources_are_counted_not_all_named() -> None:
    sources = [_source(f"s{n}", f"http://127.0.0.2/{n}/") for n in range(10)]
    line = start_line(
        version="1",
        sources=sources,
        settings=Settings(),
        next_runs={},
        db=create_engine("sqlite:///:memory:"),
        url="http://127.0.0.1:8000",
    )
    assert (
        "10 sources (s0, s1, s2, s3, s4, s5, s6, s7, … 2 more); schedule deadline; next run none scheduled"
        in line
    )


def test_logging_set_up_under_a_swapped_stderr_writes_to_the_real_one_once_it_is_back(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """typer's CliRunner swaps sys.stderr while a command runs and closes its stream after: fazhi's handler, set up
    by that command, then wrote every later record (a service thread's, after the test) to the closed stream."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    swapped = io.StringIO()
    try:
        monkeypatch.setattr(sys, "stderr", swapped)
        configure_logging("INFO", "text")
        logging.getLogger("fazhi.test").info("while swapped")
        during = swapped.getvalue()
        monkeypatch.undo()
        swapped.close()
        logging.getLogger("fazhi.test").warning("once it is back")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    assert "while swapped" in during
    assert "once it is back" in err and "Logging error" not in err
