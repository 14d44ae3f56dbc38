"""A user's mistake on the command line ends in one line that says what is wrong and what to do: no traceback
(``--debug`` shows it), text printed verbatim (no markup eaten), and nothing done on the way."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

FAZHI = [sys.executable, "-m", "fazhi"]
ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, *args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    environment.update(
        {
            "FAZHI_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "FAZHI_LOG_LEVEL": "WARNING",  # log lines are not what is tested here
            "COLUMNS": "80",
            **env,
        }
    )
    return subprocess.run(
        [*FAZHI, *args], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=timeout
    )


def _one_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    """The run failed with status 2 and exactly one line on stderr holding every ``expected`` text."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


def test_an_unknown_demo_source_is_one_line_with_the_nearest_name(tmp_path: Path) -> None:
    _one_line(_run(tmp_path, "crawl", "--demo", "nope"), "unknown source(s): nope", "known: liangjiang")
    _one_line(_run(tmp_path, "crawl", "--demo", "hedng"), "did you mean 'hedong'?")


def test_debug_shows_the_traceback_then_the_same_line(tmp_path: Path) -> None:
    result = _run(tmp_path, "--debug", "crawl", "--demo", "nope")
    assert result.returncode == 2
    assert "Traceback (most recent call last)" in result.stderr and "SourcesError" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("sources: unknown source(s): nope")


def test_a_bad_schedule_setting_stops_serve_before_it_prints_anything(tmp_path: Path) -> None:
    result = _run(tmp_path, "serve", "--port", "1", FAZHI_DEFAULT_SCHEDULE="every day")
    assert result.stdout == ""
    _one_line(result, "FAZHI_DEFAULT_SCHEDULE='every day'", "5-field cron", "deadline")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("FAZHI_CORS_ORIGINS", "https://a.example", "a JSON list"),
        ("FAZHI_KEYWORDS", "many", "valid integer"),
        ("FAZHI_LOG_LEVEL", "loud", "DEBUG, INFO, WARNING, ERROR"),
        ("FAZHI_REQUEST_TIMEOUT", "-1", "greater than 0"),
        ("FAZHI_DEFAULT_SCHEDULE", "0 3 * * [mon]", "[mon]"),
    ],
)
def test_a_bad_setting_names_the_variable_the_value_and_the_form(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    from fazhi.settings import SettingError, read_settings

    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as raised:
        read_settings()
    message = str(raised.value)
    assert message.startswith(f"{variable}={value!r} is not valid") and expected in message
    assert "\n" not in message and "pydantic.dev" not in message


def test_a_database_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a directory")
    url = f"sqlite:///{tmp_path / 'afile' / 'sub' / 'x.db'}"
    _one_line(
        _run(tmp_path, "index", FAZHI_DATABASE_URL=url), "cannot create the directory", "FAZHI_DATABASE_URL"
    )


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only directory")
def test_a_database_under_a_read_only_directory_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    url = f"sqlite:///{locked / 'x.db'}"
    line = _one_line(_run(tmp_path, "index", FAZHI_DATABASE_URL=url), "writable")
    assert "host, port" not in line


def test_a_read_only_sqlite_database_gets_a_sqlite_hint(tmp_path: Path) -> None:
    """``mode=ro`` opens the file read-only whoever runs the test (root ignores file modes)."""
    (tmp_path / "ro.db").write_bytes(b"")
    url = f"sqlite:///file:{tmp_path / 'ro.db'}?mode=ro&uri=true"
    line = _one_line(_run(tmp_path, "index", FAZHI_DATABASE_URL=url), "readonly database", "writable")
    assert "host, port" not in line
    assert not list(tmp_path.glob("file:*"))  # the URI's directory was not created as a folder named file:…


def test_text_in_brackets_is_printed_verbatim(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing yet\n")
    _one_line(_run(tmp_path, "crawl", "--sources", str(empty)), "expected one or more [[sources]] tables")
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[sources]]\nname = "ok"\nstart_urls = ["http://127.0.0.11/zwgk/[fzzfjs]/"]\n'
        'schedule = "0 3 * * [mon]"\nalow_private = true\n'
    )
    _one_line(
        _run(tmp_path, "crawl", "--sources", str(bad)),
        "'0 3 * * [mon]'",
        "unknown key 'alow_private' (did you mean 'allow_private'?)",
    )


def test_export_format_comes_from_the_file_name(tmp_path: Path) -> None:
    (tmp_path / "all.csv").write_text("old")
    result = _run(tmp_path, "export", "--out", "all.csv")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "all.csv").read_text(encoding="utf-8-sig").startswith("id,url,title,")


def test_export_mistakes_are_one_line_and_create_nothing(tmp_path: Path) -> None:
    (tmp_path / "all.csv").write_text("old")
    (tmp_path / "folder").mkdir()
    _one_line(_run(tmp_path, "export", "--format", "txt", "--out", "all.csv"), "is a file", "--format csv")
    _one_line(
        _run(tmp_path, "export", "--format", "csv", "--out", "folder"),
        "is a directory",
        "folder/documents.csv",
    )
    _one_line(_run(tmp_path, "export", "--format", "txt", "--out", "-"), "--format jsonl or csv")
    _one_line(_run(tmp_path, "export", "--format", "[red]x"), "unknown format '[red]x'")
    assert not (tmp_path / "-").exists()
    assert (tmp_path / "all.csv").read_text() == "old"


def test_recrawl_without_a_service_does_not_claim_it_is_picked_up(tmp_path: Path) -> None:
    demo = ROOT / "seeds" / "demo.toml"
    result = _run(tmp_path, "recrawl", "hedong", "--sources", str(demo), FAZHI_RECRAWL_POLL_SECONDS="0.5")
    assert result.returncode == 0, result.stderr
    assert "no `fazhi serve` or `fazhi scheduler` took it" in result.stderr
    assert "stays pending" in result.stderr and "picks" not in result.stderr


def test_version_is_the_package_version(tmp_path: Path) -> None:
    result = _run(tmp_path, "--version")
    assert result.returncode == 0 and result.stdout.strip() == f"fazhi {version('fazhi')}"


def test_help_shows_each_command_whole_at_80_columns(tmp_path: Path) -> None:
    result = _run(tmp_path, "--help")
    assert result.returncode == 0
    commands = result.stdout.split("Commands:")[1]
    assert "..." not in commands and "…..." not in commands
    text = " ".join(commands.split())
    assert (
        "Run the read API and the crawl scheduler until SIGINT/SIGTERM (with --api-only: the API alone)."
        in text
    )
    assert "--debug" in result.stdout and "--version" in result.stdout
