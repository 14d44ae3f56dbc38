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
    assert {"api", "demo"} <= set(compose["services"])
