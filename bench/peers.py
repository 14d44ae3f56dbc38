"""The crawl benchmark's peers, each a script run in its own process by ``bench/crawl.py``:

- ``scrapy-fazhi``: Scrapy with fazhi's extraction (``ingest.extract_report``), one commit per item;
- ``scrapy-light``: Scrapy with the light extraction below;
- ``aiohttp-light``: a naive aiohttp crawler with the light extraction.

The light extraction: the title, the largest text block (the element whose paragraphs hold the most text), its
sha256 as the id, a row in SQLite (committed every 100 rows and at the end). Every peer finds report links and
TRS pagination as fazhi's list dialect does for these pages, one request in flight per host, politeness off.
Each script takes: database path, JSON list of start URLs, the repository root; it prints the rows stored.
"""

from __future__ import annotations

COMMON = r'''
import hashlib, json, re, sqlite3, sys
from urllib.parse import urljoin
from selectolax.lexbor import LexborHTMLParser

DB, STARTS, ROOT = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
PAGER = re.compile(r"createPageHTML\((\d+),\s*(\d+),\s*\"(\w+)\",\s*\"(\w+)\"")


def list_links(url, html):
    """(report links, further list pages) of a TRS list page."""
    tree = LexborHTMLParser(html)
    reports = []
    for a in tree.css("a[href]"):
        title = a.attributes.get("title") or a.text()
        if "法治" in title and "报告" in title:
            reports.append(urljoin(url, a.attributes["href"]))
    pages = []
    script = PAGER.search(html)
    if script and script.group(2) == "0":
        pages = [urljoin(url, f"{script.group(3)}_{i}.{script.group(4)}") for i in range(1, int(script.group(1)))]
    return reports, pages


def light(content):
    """(id, title, body): the title and the largest text block, identified by its sha256."""
    tree = LexborHTMLParser(content)
    node = tree.css_first("title")
    title = node.text(strip=True) if node is not None else ""
    blocks, best = {}, None
    for p in tree.css("p"):
        parent = p.parent
        text = p.text(strip=True)
        if parent is None or not text:
            continue
        texts = blocks.setdefault(parent.mem_id, [])
        texts.append(text)
        if best is None or sum(map(len, texts)) > sum(map(len, blocks[best])):
            best = parent.mem_id
    body = "\n".join(blocks.get(best, []))
    return hashlib.sha256(body.encode()).hexdigest(), title, body


class Rows:
    def __init__(self, columns):
        self.db = sqlite3.connect(DB)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, url TEXT, {columns})")
        self.pending = 0

    def add(self, values, every=100):
        marks = ", ".join("?" * len(values))
        self.db.execute(f"INSERT OR IGNORE INTO documents VALUES ({marks})", values)
        self.pending += 1
        if self.pending >= every:
            self.db.commit()
            self.pending = 0

    def close(self):
        self.db.commit()
        print(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])
        self.db.close()
'''

SCRAPY = r"""
import scrapy
from scrapy.crawler import CrawlerProcess

sys.path.insert(0, ROOT)
FAZHI = sys.argv[4] == "fazhi"
if FAZHI:
    from ingest import extract_report  # the same extraction as fazhi: the comparison is about the machinery


class Store:
    def open_spider(self, spider=None):
        self.rows = Rows("title TEXT, fields TEXT, body TEXT")

    def process_item(self, item, spider=None):
        self.rows.add((item["id"], item["url"], item["title"], item["fields"], item["body"]), 1 if FAZHI else 100)
        return item

    def close_spider(self, spider=None):
        self.rows.close()


class Reports(scrapy.Spider):
    name = "reports"
    start_urls = STARTS

    def parse(self, response):
        reports, pages = list_links(response.url, response.text)
        for url in pages:
            yield scrapy.Request(url, self.parse)
        for url in reports:
            yield scrapy.Request(url, self.parse_report)

    def parse_report(self, response):
        if not FAZHI:
            id_, title, body = light(response.body)
            yield {"id": id_, "url": response.url, "title": title, "fields": "{}", "body": body}
            return
        content_type = response.headers.get("Content-Type", b"").decode()
        report = extract_report(response.body, response.url, content_type=content_type)
        if report.is_report:
            fields = {k: v for k, v in report.to_dict().items() if k not in ("body", "paragraphs")}
            yield {
                "id": report.id, "url": response.url, "title": report.title,
                "fields": json.dumps(fields, ensure_ascii=False), "body": report.body,
            }


process = CrawlerProcess(settings={
    "CONCURRENT_REQUESTS": len(STARTS), "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "DOWNLOAD_DELAY": 0,
    "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False,
    "ITEM_PIPELINES": {"__main__.Store": 100}, "USER_AGENT": "bench-scrapy", "RETRY_TIMES": 3,
    "COOKIES_ENABLED": False, "REACTOR_THREADPOOL_MAXSIZE": 4,
})
process.crawl(Reports)
process.start()
"""

AIOHTTP = r"""
import asyncio
import aiohttp


async def host(session, start, rows):
    queue = [(start, True)]
    while queue:
        url, is_list = queue.pop()
        async with session.get(url) as response:
            content = await response.read()
        if is_list:
            reports, pages = list_links(url, content.decode("utf-8", "replace"))
            queue += [(u, False) for u in reports] + [(u, True) for u in pages]
        else:
            id_, title, body = light(content)
            rows.add((id_, url, title, body))


async def main():
    rows = Rows("title TEXT, body TEXT")
    connector = aiohttp.TCPConnector(limit=len(STARTS))
    async with aiohttp.ClientSession(connector=connector, headers={"User-Agent": "bench-aiohttp"}) as session:
        await asyncio.gather(*(host(session, start, rows) for start in STARTS))
    rows.close()


asyncio.run(main())
"""


def script(name: str) -> str:
    """The source of peer ``scrapy`` or ``aiohttp``."""
    return COMMON + {"scrapy": SCRAPY, "aiohttp": AIOHTTP}[name]
