"""Crawl benchmark: fazhi against an equivalent Scrapy spider on a large simulated portal set, in one run.

    pip install -e '.[bench]' && python bench/crawl.py [--hosts 20 --pages 100]

Both crawl the same hosts (one TRS report column each; politeness delay 0; one request in flight per host, so
equal concurrency), fetch list pages and report pages, parse with selectolax through the same extraction
(``ingest.extract_report``: the comparison is about the crawling machinery) and write to SQLite. Scrapy keeps no
frontier, no conditional-request validators and no crash-safe per-page commits: fazhi does all three. fazhi runs twice
more: with jieba keywords (its default), and an unchanged recrawl of the same store (bytes and time relative to the
first crawl). Each crawler is a separate process; its peak RSS comes from wait4(). Prints; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portalsim.bulk import COL, bulk_hosts  # noqa: E402


def free_port(hosts: list[str]) -> int:
    import socket

    for candidate in range(18900, 19900):
        try:
            for host in hosts:
                with socket.socket() as s:
                    s.bind((host, candidate))
        except OSError:
            continue
        return candidate
    raise RuntimeError("no free port")


def measured(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, int, str]:
    """Run ``command``; return (seconds, peak RSS in MiB, stdout)."""
    out = cwd / f"out-{time.monotonic_ns()}.txt"
    with out.open("w") as handle:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=handle, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    if status != 0:
        raise RuntimeError(f"{command[:4]} exited with {status}")
    return elapsed, usage.ru_maxrss // 1024, out.read_text()


def fazhi_run(
    sources: Path, work: Path, db: str, keywords: int, index: bool = False
) -> tuple[float, int, list[dict]]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FAZHI_")},
        "FAZHI_DATABASE_URL": db,
        "FAZHI_KEYWORDS": str(keywords),
        "FAZHI_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "fazhi", "crawl", "--json", "--sources", str(sources)]
    seconds, rss, out = measured([*command, "--index" if index else "--no-index"], env, work)
    return seconds, rss, json.loads(out)


SPIDER = """
import re, sqlite3, sys, json
import scrapy
from scrapy.crawler import CrawlerProcess
from selectolax.lexbor import LexborHTMLParser
sys.path.insert(0, sys.argv[3])
from ingest import extract_report  # the same extraction as fazhi: the comparison is about the crawl machinery

STARTS = json.loads(sys.argv[2])

class Store:
    def open_spider(self, spider):
        self.db = sqlite3.connect(sys.argv[1])
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, url TEXT, title TEXT, fields TEXT, body TEXT)")
    def process_item(self, item, spider):
        self.db.execute("INSERT OR IGNORE INTO documents VALUES (?, ?, ?, ?, ?)",
                        (item["id"], item["url"], item["title"], item["fields"], item["body"]))
        self.db.commit()
        return item
    def close_spider(self, spider):
        self.db.close()

class Reports(scrapy.Spider):
    name = "reports"
    start_urls = STARTS
    def parse(self, response):
        tree = LexborHTMLParser(response.text)
        script = re.search(r"createPageHTML\\((\\d+),\\s*(\\d+),\\s*\\"(\\w+)\\",\\s*\\"(\\w+)\\"", response.text)
        if script and script.group(2) == "0":
            for i in range(1, int(script.group(1))):
                yield response.follow(f"{script.group(3)}_{i}.{script.group(4)}", self.parse)
        for a in tree.css("a[href]"):
            title = a.attributes.get("title") or a.text()
            if "法治" in title and "报告" in title:
                yield response.follow(a.attributes["href"], self.parse_report)
    def parse_report(self, response):
        report = extract_report(response.body, response.url, content_type=response.headers.get("Content-Type", b"").decode())
        if report.is_report:
            fields = json.dumps({k: v for k, v in report.to_dict().items() if k not in ("body", "paragraphs")}, ensure_ascii=False)
            yield {"id": report.id, "url": response.url, "title": report.title, "fields": fields, "body": report.body}

process = CrawlerProcess(settings={
    "CONCURRENT_REQUESTS": len(STARTS), "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    "ITEM_PIPELINES": {"__main__.Store": 100}, "USER_AGENT": "bench-scrapy", "RETRY_TIMES": 3,
})
process.crawl(Reports)
process.start()
with sqlite3.connect(sys.argv[1]) as db:
    print(db.execute("SELECT count(*) FROM documents").fetchone()[0])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()
    hosts = bulk_hosts(args.hosts)
    port = free_port(hosts)
    work = Path(tempfile.mkdtemp(prefix="fazhi-bench-"))
    sources = work / "bulk.toml"
    sim = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portalsim.bulk",
            "--hosts",
            str(args.hosts),
            "--pages",
            str(args.pages),
            "--port",
            str(port),
            "--sources",
            str(sources),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert sim.stdout is not None
        sim.stdout.readline()  # "serving …": listening
        starts = [f"http://{h}:{port}{COL}" for h in hosts]
        (work / "spider.py").write_text(SPIDER, encoding="utf-8")
        list_pages = args.hosts * -(-args.pages // 20)
        total = list_pages + args.hosts * args.pages
        s_sec, s_rss, s_out = measured(
            [sys.executable, "spider.py", str(work / "scrapy.db"), json.dumps(starts), str(ROOT)],
            dict(os.environ),
            work,
        )
        f_sec, f_rss, f_stats = fazhi_run(sources, work, f"sqlite:///{work / 'fazhi.db'}", keywords=0)
        k_sec, k_rss, _ = fazhi_run(sources, work, f"sqlite:///{work / 'fazhi-kw.db'}", keywords=8)
        i_sec, i_rss, _ = fazhi_run(
            sources, work, f"sqlite:///{work / 'fazhi-ix.db'}", keywords=0, index=True
        )
        r_sec, _, r_stats = fazhi_run(sources, work, f"sqlite:///{work / 'fazhi.db'}", keywords=0)
    finally:
        sim.terminate()
        sim.wait(timeout=30)
    stored = sum(s["new"] for s in f_stats)
    print(
        f"simulated set: {args.hosts} hosts, {args.pages} report pages each, {total} pages with lists; "
        f"1 request in flight per host, delay 0"
    )
    print(f"{'crawler':<34}{'seconds':>9}{'pages/s':>10}{'peak RSS MiB':>14}{'stored':>8}{'fazhi ×':>9}")
    rows = [
        ("scrapy (same extraction) + sqlite3", s_sec, s_rss, int(s_out.strip() or 0)),
        ("fazhi (keywords off)", f_sec, f_rss, stored),
        ("fazhi (jieba inline: keywords+search)", k_sec, k_rss, stored),
        ("fazhi (crawl, then index step)", i_sec, i_rss, stored),
    ]
    for name, sec, rss, docs in rows:
        print(f"{name:<34}{sec:>9.2f}{total / sec:>10.1f}{rss:>14}{docs:>8}{s_sec / sec:>9.2f}")
    first_bytes = sum(s["bytes"] for s in f_stats)
    again_bytes = sum(s["bytes"] for s in r_stats)
    not_modified = sum(s["not_modified"] for s in r_stats)
    print(
        f"unchanged recrawl: {again_bytes / first_bytes:.1%} of the first crawl's bytes "
        f"({again_bytes:,} of {first_bytes:,}), {r_sec / f_sec:.1%} of its time; {not_modified} answered 304"
    )
    print("(fazhi × = Scrapy's time / this crawler's time: above 1 is faster than Scrapy)")


if __name__ == "__main__":
    main()
