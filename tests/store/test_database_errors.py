"""A database that cannot be used says what to do; it never ends in a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import make_engine
from store.db import normalize_url
from store.errors import BadDatabaseURL, DatabaseUnusable
from tests.conftest import PostgresServer
from tests.servers import free_port


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u:p@127.0.0.1:5/db", "postgresql+psycopg://u:p@127.0.0.1:5/db"),
        ("postgresql://u@127.0.0.1/db", "postgresql+psycopg://u@127.0.0.1/db"),
        ("postgresql+psycopg://u@127.0.0.1/db", "postgresql+psycopg://u@127.0.0.1/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_usual_spellings_of_postgresql_mean_psycopg_3(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql+psycopg2://u@127.0.0.1/db", r"use postgresql\+psycopg://"),
        ("mysql://u@127.0.0.1/db", "unsupported database"),
        ("not a url", "not a database URL"),
        ("sqlite://", "in-memory SQLite database.*use a file"),  # (a TypeError from the pool before)
        ("sqlite:///:memory:", "in-memory SQLite database"),
    ],
)
def test_unusable_urls_are_refused_with_the_fix(url: str, says: str) -> None:
    with pytest.raises(BadDatabaseURL, match=says):
        make_engine(url)


def test_a_server_that_does_not_answer_is_a_clear_error() -> None:
    port = free_port()  # nothing listens there
    with pytest.raises(DatabaseUnusable, match=f"127.0.0.1:{port}.*is it running"):
        make_engine(f"postgresql+psycopg://fazhi:secret@127.0.0.1:{port}/fazhi")


def test_the_cli_says_it_without_a_traceback_and_hides_the_password(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env["FAZHI_DATABASE_URL"] = f"postgresql://fazhi:secret@127.0.0.1:{free_port()}/fazhi"
    result = subprocess.run(
        [sys.executable, "-m", "fazhi", "index"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert result.returncode == 2
    assert "cannot use the database" in result.stderr and "Traceback" not in result.stderr
    assert "secret" not in result.stderr


@pytest.mark.postgres
def test_a_database_that_is_not_utf8_is_refused(postgres: PostgresServer) -> None:
    from sqlalchemy import text

    with postgres.admin.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "ascii" WITH (FORCE)'))
        connection.execute(
            text("CREATE DATABASE ascii ENCODING 'SQL_ASCII' TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'")
        )
    try:
        with pytest.raises(DatabaseUnusable, match="needs UTF8"):
            make_engine(postgres.url_of("ascii"))
    finally:
        postgres.drop(postgres.url_of("ascii"))
