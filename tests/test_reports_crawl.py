"""Reports, required parts, timeliness and coverage through a crawl: the demo portals, and a district portal whose
justice bureau published two years (one late) and skipped one, and whose market regulator never published."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from api import create_app
from crawler.engine import CrawlConfig, crawl_sources
from crawler.sources import Source
from fazhi.cli import app as cli
from fazhi.settings import Settings
from portalsim.portal import Portal
from store import make_engine
from store.export import export_csv, export_jsonl
from tests.netguard import loopback_only
from tests.servers import free_port, running_app, serving

pytestmark = pytest.mark.integration
SEEDS = json.loads(
    (Path(__file__).resolve().parents[1] / "seeds" / "reports.json").read_text(encoding="utf-8")
)
HEDONG = next(r["paragraphs"] for r in SEEDS["reports"] if r["key"] == "hedong")
HOST = "127.0.0.31"
JUSTICE = "江门市江海区司法局"
MARKET = "江门市江海区市场监督管理局"
REPORT_FIELDS = (
    "report_id",
    "version",
    "sections",
    "deadline",
    "late",
    "days_late",
    "first_seen",
    "backdated",
)


def _report_page(year: int, published: str) -> str:
    title = f"{JUSTICE}{year}年法治政府建设年度报告"
    paragraphs = [p.replace("2023", str(year)).replace("2024", str(year + 1)) for p in HEDONG]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title><meta name='PubDate' content='{published}'>"
        f"</head><body><div class='nav'>首页 &gt; 法治政府建设</div><h1>{title}</h1>"
        f"<div class='info'>发布时间：{published}</div><div class='article'>{body}</div></body></html>"
    )


def district_portal(port: int) -> Portal:
    """Two reports of the justice bureau: 2021 on time, 2022 late; 2023 is missing."""
    portal = Portal(
        "jhq", "江海区", f"{HOST}:{port}", ["/fzzf/index.html"], "generic", "广东省/江门市/江海区", None
    )
    reports = {2021: "2022-03-10", 2022: "2023-04-20"}
    links = "".join(
        f"<li><a href='/fzzf/{year}.html'>{JUSTICE}{year}年法治政府建设年度报告</a><span>{day}</span></li>"
        for year, day in reports.items()
    )
    portal.add_html(
        "/fzzf/index.html",
        f"<html><head><meta charset='utf-8'><title>法治政府建设</title></head><body><ul class='list'>{links}</ul>"
        "</body></html>",
    )
    for year, day in reports.items():
        portal.add_html(f"/fzzf/{year}.html", _report_page(year, day))
    return portal


def district_source(port: int) -> Source:
    return Source.model_validate(
        {
            "name": "jianghai-qu",
            "start_urls": [f"http://{HOST}:{port}/fzzf/index.html"],
            "region": "广东省/江门市/江海区",
            "allow_private": True,
            "delay": 0,
            "agencies": ["区司法局", "区市监局"],  # short forms, as a district portal lists its departments
            "since": 2021,
        }
    )


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, Path]]:
    port = free_port((HOST,))
    tmp = tmp_path_factory.mktemp("district")
    db = make_engine(f"sqlite:///{tmp / 'fazhi.db'}")
    sources = tmp / "sources.toml"
    source = district_source(port)
    sources.write_text(
        f'[[sources]]\nname = "{source.name}"\nstart_urls = ["{source.start_urls[0]}"]\n'
        f'region = "{source.region}"\nallow_private = true\nagencies = ["区司法局", "区市监局"]\nsince = 2021\n',
        encoding="utf-8",
    )
    with loopback_only(), serving({"jhq": district_portal(port)}, port):
        stats = asyncio.run(
            crawl_sources([source], db=db, config=CrawlConfig(user_agent="fazhi-tests", keywords=0))
        )
    assert stats[0].new == 2, stats[0].as_dict()
    yield db, sources
    db.dispose()


EXPECTED = [
    (JUSTICE, 2021, "on_time"),
    (JUSTICE, 2022, "late"),
    (JUSTICE, 2023, "missing"),
    (MARKET, 2021, "missing"),
    (MARKET, 2022, "missing"),
    (MARKET, 2023, "missing"),
]


def test_coverage_of_a_district_with_a_missing_year(district: tuple[Engine, Path]) -> None:
    db, _ = district
    with (
        running_app(create_app(engine=db, config=Settings().api_config())) as base,
        httpx.Client(base_url=base) as client,
    ):
        rows = client.get("/coverage", params={"as_of": "2024-06-01"}).json()["rows"]
        missing = client.get(
            "/coverage", params={"as_of": "2024-06-01", "status": "missing", "agency": JUSTICE}
        )
        table = client.get("/coverage.csv", params={"as_of": "2024-06-01"})
        documents = client.get("/documents", params={"sort": "report_year"}).json()["items"]
        bad = client.get("/coverage", params={"status": "lost"})
    assert [(r["agency"], r["report_year"], r["status"]) for r in rows] == EXPECTED
    assert [r["document_id"] for r in rows[:2]] == [d["id"] for d in documents]
    assert all(r["document_id"] is None for r in rows[2:])
    assert rows[0]["expected"] and rows[0]["province"] == "广东省" and rows[0]["deadline"] == "2022-04-01"
    assert [(r["agency"], r["report_year"]) for r in missing.json()["rows"]] == [(JUSTICE, 2023)]
    parsed = list(csv.DictReader(io.StringIO(table.content.decode("utf-8-sig"))))
    assert [(r["agency"], r["report_year"], r["status"]) for r in parsed] == [
        (a, str(y), s) for a, y, s in EXPECTED
    ]
    assert bad.status_code == 400 and bad.json()["ok"] is False


def test_two_years_are_two_reports_with_their_timeliness(district: tuple[Engine, Path]) -> None:
    db, _ = district
    with (
        running_app(create_app(engine=db, config=Settings().api_config())) as base,
        httpx.Client(base_url=base) as client,
    ):
        reports = client.get("/reports").json()["items"]
        late = client.get(f"/documents/{next(r['id'] for r in reports if r['report_year'] == 2022)}").json()
        lines = [json.loads(line) for line in client.get("/documents.jsonl").text.splitlines()]
        table = list(csv.DictReader(io.StringIO(client.get("/documents.csv").content.decode("utf-8-sig"))))
    assert sorted((r["report_year"], r["versions"], r["version"]) for r in reports) == [
        (2021, 1, 1),
        (2022, 1, 1),
    ]
    assert len({r["report_id"] for r in reports}) == 2
    assert (late["deadline"], late["late"], late["days_late"], late["backdated"]) == (
        "2023-04-01",
        True,
        19,
        False,
    )
    assert late["sections"] == {
        "measures": True,
        "shortcomings": True,
        "leader_duties": True,
        "next_year": True,
        "other": False,
    }
    assert late["section_headings"]["next_year"].startswith("四、下一年度")
    assert all(set(REPORT_FIELDS) <= set(line) for line in lines)
    assert all(set(REPORT_FIELDS) <= set(row) for row in table)
    assert {row["sections"] for row in table} == {"measures,shortcomings,leader_duties,next_year"}
    # and the CLI's exports (store/export.py)
    out, sheet = io.BytesIO(), io.StringIO()
    export_jsonl(db, out)
    export_csv(db, sheet)
    exported = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [(e["report_id"], e["version"], e["deadline"]) for e in exported] == [
        (line["report_id"], 1, line["deadline"]) for line in lines
    ]
    assert [row["missing_parts"] for row in csv.DictReader(io.StringIO(sheet.getvalue()))] == [
        "other",
        "other",
    ]


def test_fazhi_coverage_prints_the_rows(
    district: tuple[Engine, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, sources = district
    monkeypatch.setenv("FAZHI_DATABASE_URL", str(db.url))
    runner = CliRunner()
    jsonl = runner.invoke(
        cli, ["coverage", "--sources", str(sources), "--format", "jsonl", "--as-of", "2024-06-01"]
    )
    table = runner.invoke(
        cli, ["coverage", "--sources", str(sources), "--as-of", "2024-06-01", "--status", "late"]
    )
    wrong = runner.invoke(cli, ["coverage", "--format", "xml"])
    assert jsonl.exit_code == 0, jsonl.output
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert [(r["agency"], r["report_year"], r["status"]) for r in rows] == EXPECTED
    assert {"agency", "report_year", "status", "document_id"} <= set(rows[0])
    assert (
        table.exit_code == 0
        and JUSTICE in table.stdout
        and "2022" in table.stdout
        and MARKET not in table.stdout
    )
    assert wrong.exit_code == 2


def test_coverage_of_the_demo(crawled: tuple[Engine, list[Any]]) -> None:
    db, _ = crawled
    with (
        running_app(create_app(engine=db, config=Settings().api_config())) as base,
        httpx.Client(base_url=base) as client,
    ):
        documents = client.get("/documents", params={"limit": 100}).json()["items"]
        rows = client.get("/coverage", params={"as_of": "2026-03-31"}).json()["rows"]
    assert len(documents) == 5
    found = {(r["agency"], r["report_year"]): r for r in rows}
    for document in documents:  # each demo report is its agency's first year, published before the deadline
        row = found[(document["agency"], document["report_year"])]
        assert (row["status"], row["document_id"], row["expected"]) == ("on_time", document["id"], False)
    assert {r["status"] for r in rows if r["document_id"] is None} == {"missing"}
    assert max(r["report_year"] for r in rows) == 2024  # 2025's reports are due on 1 April 2026
    assert len(rows) == sum(2024 - d["report_year"] + 1 for d in documents)
