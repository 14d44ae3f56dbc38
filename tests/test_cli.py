"""The `fazhi` command as a user runs it: from another directory, in a subprocess, against real servers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from portalsim import HOSTS
from tests.servers import free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[1]
FAZHI = [sys.executable, "-m", "fazhi"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env["FAZHI_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [*FAZHI, "--help"], capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path), check=True
    )
    for command in (
        "run",
        "serve",
        "crawl",
        "extract",
        "export",
        "portals",
        "migrate",
        "scheduler",
        "worker",
    ):
        assert command in result.stdout


def test_run_serves_the_five_seed_reports_within_a_minute(tmp_path: Path) -> None:
    api_port, portal_port = free_port(), free_port(tuple(HOSTS.values()))
    process = subprocess.Popen(
        [*FAZHI, "run", "--port", str(api_port), "--portal-port", str(portal_port)],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline, items = time.monotonic() + 60, []
        while time.monotonic() < deadline and len(items) < 5:
            time.sleep(0.5)
            try:
                items = httpx.get(f"http://127.0.0.1:{api_port}/documents").json()["items"]
            except httpx.HTTPError:
                continue
        assert len(items) == 5, items
        assert {i["source_name"] for i in items} == {
            "liangjiang",
            "hedong",
            "dongguan-rsj",
            "jianghai-rsj",
            "huzhou-rsj",
        }
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "fazhi demo is up" in output and f"curl http://127.0.0.1:{api_port}/documents" in output


def test_run_says_what_to_do_when_the_port_is_taken(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [*FAZHI, "run", "--port", str(port), "--portal-port", str(free_port(tuple(HOSTS.values())))],
            cwd=tmp_path,
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "--port" in result.stderr and str(port) in result.stderr


def test_crawl_then_export(tmp_path: Path, portals: tuple[dict, int]) -> None:
    env = {**_env(tmp_path), "FAZHI_KEYWORDS": "2"}  # the crawl's index step gives each new document two
    crawl = subprocess.run(
        [*FAZHI, "crawl", "--demo", "--portal-port", str(portals[1])],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert crawl.returncode == 0, crawl.stderr
    assert "crawl summary" in crawl.stdout and "huzhou-rsj" in crawl.stdout
    export = subprocess.run(
        [*FAZHI, "export", "--format", "txt", "--out", "out"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 0, export.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 5 and [n[:4] for n in names] == ["000_", "001_", "002_", "003_", "004_"]
    assert all(len(n) == len("000_0123456789abcdef.txt") for n in names)
    lines = subprocess.run(
        [*FAZHI, "export", "--format", "jsonl", "--out", "-"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.splitlines()
    assert [len(json.loads(line)["keywords"]) for line in lines] == [2] * 5


def test_extract_prints_json_without_a_database(tmp_path: Path) -> None:
    from portalsim import build_portals

    portal = build_portals(8801)["huzhou"]
    item = portal.reports()[0]
    page = tmp_path / "page.html"
    page.write_bytes(portal.pages[item.path].body)
    result = subprocess.run(
        [*FAZHI, "extract", str(page), "--url", f"http://{portal.host}{item.path}"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    import json

    data = json.loads(result.stdout)
    assert data["kind"] == "report" and data["is_report"] is True and data["reason"]
    assert data["doc_number"] == "湖人社〔2020〕3号" and data["publish_date"] == "2020-02-20"
    every = {
        "title",
        "agency",
        "report_year",
        "publish_date",
        "doc_number",
        "index_no",
        "signer",
        "addressee",
        "cc",
        "source",
        "province",
        "city",
        "county",
        "breadcrumb",
        "attachments",
        "keywords",
        "body",
        "provenance",
    }
    assert every <= set(data)
    assert data["keywords"] and data["provenance"]["doc_number"] == "info_table"
    assert data["provenance"]["body"] == "container:#zoom"
    assert not (tmp_path / "cli.db").exists()
    generic = subprocess.run(
        [*FAZHI, "extract", str(page), "--url", f"http://{portal.host}{item.path}", "--no-containers"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    without = json.loads(generic.stdout)
    assert without["provenance"]["body"] == "scored" and without["body"] == data["body"]


@pytest.mark.parametrize("name", ["report.pdf", "report.docx", "dongguan.wps", "report.ofd", "scan.pdf"])
def test_extract_reads_a_report_file_by_its_bytes(tmp_path: Path, name: str) -> None:
    source = Path(__file__).parent / "data" / "files" / name
    disguised = tmp_path / "download.bin"  # the name says nothing: the type comes from the bytes
    disguised.write_bytes(source.read_bytes())
    result = subprocess.run(
        [*FAZHI, "extract", str(disguised)], cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    (file,) = data["attachments"]  # the page JSON, the file's reading as its one attachment
    if name == "scan.pdf":
        assert file["status"] == "needs_ocr" and not data["is_report"]
    else:
        assert file["status"] == "extracted" and file["text_chars"] > 1000
        assert data["is_report"] and "法治" in data["body"] and data["provenance"]["body"] == "attachment"
        huzhou = "湖州市人力资源和社会保障局关于2019年度法治政府建设的工作报告"
        assert data["title"] == (
            None if name == "dongguan.wps" else huzhou
        )  # dongguan's file has no title line
        assert data["report_year"] == (2020 if name == "dongguan.wps" else 2019)


def test_bad_sources_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[sources]]\nname = 'x'\n", encoding="utf-8")
    result = subprocess.run(
        [*FAZHI, "crawl", "--sources", str(bad)],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "start_urls" in result.stderr and str(bad) in result.stderr


def test_serve_api_only_serves_and_schedules_nothing(tmp_path: Path) -> None:
    port = free_port()
    env = _env(tmp_path)
    process = subprocess.Popen(
        [*FAZHI, "serve", "--api-only", "--port", str(port), "--sources", str(ROOT / "seeds" / "demo.toml")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/documents")
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert response.status_code == 200 and response.json()["items"] == []
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()
        names = spec["components"]["schemas"]["RecrawlBody"]["properties"]["sources"]["anyOf"][0]["items"]
        # the recrawls it takes: the names of its sources file (the demo's five)
        assert names["enum"] == ["dongguan-rsj", "hedong", "huzhou-rsj", "jianghai-rsj", "liangjiang"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status says SIGTERM
    assert process.returncode in (0, -signal.SIGTERM) and "Traceback" not in output, output
    assert "API only" in output
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as db:  # a scheduler would have published its next runs
        assert db.execute("SELECT count(*) FROM source_state").fetchone()[0] == 0


@pytest.mark.parametrize("command", ["scheduler", "worker"])
def test_distributed_commands_on_sqlite_say_what_to_set(tmp_path: Path, command: str) -> None:
    result = subprocess.run(
        [*FAZHI, command], capture_output=True, text=True, cwd=tmp_path, env=_env(tmp_path)
    )
    assert result.returncode == 2
    assert "postgresql+psycopg://" in result.stderr and "fazhi serve" in result.stderr


def test_a_fresh_database_starts_without_alembic_noise(tmp_path: Path) -> None:
    """The first command on a new store migrates it; alembic's per-plugin INFO lines stay out of the output."""
    result = subprocess.run(
        [*FAZHI, "export", "--format", "jsonl", "--out", "-"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        check=True,
    )
    assert result.stdout == ""
    assert "alembic" not in result.stderr, result.stderr
