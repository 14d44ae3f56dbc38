"""The README documents every setting and both commands; the compose file is valid Compose."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import yaml

from fazhi.settings import Settings
from tests.conftest import shared_dir

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_settings_table_lists_every_setting() -> None:
    documented = set(re.findall(r"^\| `(FAZHI_[A-Z_]+)` \|", README, re.M))
    expected = {f"FAZHI_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_every_setting_has_a_description() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_readme_shows_the_two_commands_and_every_endpoint() -> None:
    for text in (
        "make run",
        "make test",
        "/documents",
        "/documents/",
        "/healthz",
        "[[sources]]",
        "allow_private",
    ):
        assert text in README


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    schema = json.loads((shared_dir() / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    # the spec declares draft-07 under its own $id spelling; name the validator instead of guessing it
    jsonschema.Draft7Validator(schema).validate(compose)


def test_compose_file_has_the_distributed_layout() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert {"postgres", "migrate", "api", "scheduler", "worker", "portals"} <= set(services)
    postgres = services["postgres"]
    assert "healthcheck" in postgres and any(
        v.endswith(":/var/lib/postgresql/data") for v in postgres["volumes"]
    )
    assert services["migrate"]["command"] == ["fazhi", "migrate"]
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "scheduler", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert services[name]["environment"]["FAZHI_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "--api-only" in services["api"]["command"]
    assert services["worker"]["deploy"]["replicas"] >= 2
    assert services["portals"]["profiles"] == ["demo"]
    # every command the file runs exists in the CLI
    from typer.main import get_command

    from fazhi.cli import app

    commands = set(get_command(app).commands)  # type: ignore[attr-defined]
    for service in services.values():
        if service.get("command", [None])[0] == "fazhi":
            assert service["command"][1] in commands
