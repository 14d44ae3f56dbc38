"""Source health against a simulated portal: a moved column (404), an emptied column, a fully blocked column and a
refused connection each give the right health state, `fazhi crawl` exit code, /metrics gauge and log line; an
ordinary crawl is healthy and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from crawler.sources import load_sources
from fazhi.settings import Settings
from portalsim.bulk import COL, bulk_hosts, bulk_portal, sources_toml
from portalsim.portal import Portal, StaticPage
from store import make_engine
from tests.conftest import crawl
from tests.servers import free_port, running_app, serving

pytestmark = pytest.mark.integration
TOKEN = "health-token"
WAF = "<html><body><h1>访问被拦截</h1><p>您的访问请求可能对网站造成安全威胁，请求已被电信云防护拦截。</p></body></html>"


@pytest.fixture
def portal() -> Iterator[Portal]:
    address = bulk_hosts(1)[0]
    port = free_port((address,))
    with serving({"bulk0": bulk_portal(0, address, port, 4)}, port) as (portals, _):
        yield portals["bulk0"]


def _crawl(tmp_path: Path, sources: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sources.toml").write_text(sources, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")}
    env.update(FAZHI_DATABASE_URL=f"sqlite:///{tmp_path / 'fazhi.db'}", FAZHI_KEYWORDS="0")
    return subprocess.run(
        [sys.executable, "-m", "fazhi", "crawl", "--no-index", "--sources", str(tmp_path / "sources.toml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _crawl_here(tmp_path: Path, sources: str) -> None:
    (tmp_path / "sources.toml").write_text(sources, encoding="utf-8")
    engine = make_engine(f"sqlite:///{tmp_path / 'fazhi.db'}")
    try:
        crawl(engine, load_sources(tmp_path / "sources.toml"))
    finally:
        engine.dispose()


def _health(tmp_path: Path) -> tuple[dict[str, Any], dict[str, float], dict[tuple[str, str], float]]:
    """The source's health in /-/sources, and the two health gauges of /metrics, from a real API server."""
    engine = make_engine(f"sqlite:///{tmp_path / 'fazhi.db'}")
    try:
        with running_app(create_app(engine=engine, config=Settings(api_token=TOKEN).api_config())) as base:
            sources = httpx.get(f"{base}/-/sources", headers={"Authorization": f"Bearer {TOKEN}"}).json()
            text = httpx.get(f"{base}/metrics").text
    finally:
        engine.dispose()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    healthy = {s.labels["source"]: s.value for s in families["fazhi_source_healthy"].samples}
    reasons = {
        (s.labels["source"], s.labels["reason"]): s.value
        for s in families["fazhi_source_health_reason"].samples
    }
    (source,) = sources["sources"]
    return source, healthy, reasons


def _break(portal: Portal, case: str) -> None:
    if case == "moved":
        del portal.pages[COL + "index.html"]
    elif case == "emptied":
        empty = '<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul></ul>'
        portal.pages[COL + "index.html"] = StaticPage((empty + "</body></html>").encode())
    elif case == "blocked":
        for path in [p for p in portal.pages if p.startswith(COL) and "/t20" in p]:
            portal.pages[path] = StaticPage(WAF.encode())


@pytest.mark.parametrize(
    ("case", "reason", "says"),
    [
        ("moved", "start_http_4xx", "answers HTTP 404"),
        ("emptied", "listing_dropped", "lists 0 entries where its recent runs listed 4"),
        ("blocked", "all_blocked", "all 4 detail pages were block or challenge pages (blocked_waf=4)"),
    ],
)
def test_a_broken_column_is_unhealthy_after_a_healthy_run_and_a_moved_one_recovers(
    portal: Portal, tmp_path: Path, case: str, reason: str, says: str
) -> None:
    sources = sources_toml({"bulk0": portal})
    _crawl_here(tmp_path, sources)  # the healthy run before: in this process (no exit code to see)
    source, healthy, reasons = _health(tmp_path)
    assert source["health"]["state"] == "healthy" and healthy == {"bulk0": 1.0}
    assert reasons == {("bulk0", "ok"): 1.0}

    saved = portal.pages[COL + "index.html"]
    _break(portal, case)
    second = _crawl(tmp_path, sources)
    assert second.returncode == 1, second.stderr
    (line,) = [line for line in second.stderr.splitlines() if "run 2 of bulk0 finished in" in line]
    assert says in line and line.endswith(f"[source=bulk0 reason={reason} duration={line.rsplit('=', 1)[1]}")
    assert f"UNHEALTHY ({reason}): " in second.stderr and says in second.stderr
    assert f"bulk0 is unhealthy ({reason}): " in second.stderr  # the crawl's own verdict line
    assert "Traceback" not in second.stderr
    source, healthy, reasons = _health(tmp_path)
    assert source["health"]["state"] == "unhealthy" and source["health"]["reason"] == reason
    assert says in source["health"]["message"]
    assert source["consecutive_failures"] == 1 and source["last_success"] is not None
    assert healthy == {"bulk0": 0.0} and reasons == {("bulk0", reason): 1.0}
    if case != "moved":
        return
    url = f"http://{portal.host}{COL}"
    assert f"start page {url} answers HTTP 404 (http_404): the column has moved" in second.stderr
    assert "update start_urls" in second.stderr
    portal.pages[COL + "index.html"] = saved  # the column is back: healthy again
    third = _crawl(tmp_path, sources)
    assert third.returncode == 0, third.stderr
    assert "run 3 of bulk0 finished" in third.stderr and ": healthy; " in third.stderr
    source, healthy, _ = _health(tmp_path)
    assert source["health"]["state"] == "healthy" and source["consecutive_failures"] == 0
    assert healthy == {"bulk0": 1.0}


def test_a_refused_connection_is_unreachable_never_robots(tmp_path: Path) -> None:
    port = free_port()  # nothing listens on it
    sources = (
        f'[[sources]]\nname = "gone"\nstart_urls = ["http://127.0.0.1:{port}/col/"]\nallow_private = true\n'
        "retries = 0\n"
    )
    result = _crawl(tmp_path, sources)
    assert result.returncode == 1
    assert "UNHEALTHY (start_unreachable): " in result.stderr
    assert f"start page http://127.0.0.1:{port}/col/ is unreachable (connect: " in result.stderr
    assert (
        "reason=robots" not in result.stderr and "robots_" not in result.stderr
    )  # the cause is the connection
    assert "reason=connect" in result.stderr
    source, healthy, reasons = _health(tmp_path)
    assert source["health"]["reason"] == "start_unreachable"
    assert healthy == {"gone": 0.0} and reasons == {("gone", "start_unreachable"): 1.0}
