"""A large simulated portal set for crash tests and the crawl benchmark: N TRS hosts (127.0.0.30 …), each with a
paginated report column of M report pages whose bodies are all different.

    python -m portalsim.bulk --hosts 20 --pages 100 --port 8900 [--sources bulk.toml]
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import datetime, timedelta
from html import escape
from pathlib import Path

from portalsim import chrome
from portalsim.content import seed_paragraphs
from portalsim.portal import Portal, StaticPage
from portalsim.server import start_portals

COL = "/zwgk/fzzfjsbg/"
PAGE_SIZE = 20
FIRST_HOST = 30


def bulk_hosts(count: int) -> list[str]:
    if FIRST_HOST + count > 255:
        raise ValueError("at most 225 bulk hosts")
    return [f"127.0.0.{FIRST_HOST + i}" for i in range(count)]


def _body(rng: random.Random, pool: list[str], host_no: int, page_no: int) -> list[str]:
    paragraphs = rng.sample(pool, k=min(12, len(pool)))
    return [f"{2020 + page_no % 5}年,第{host_no}区第{page_no}号单位法治政府建设情况报告如下:", *paragraphs]


def _detail(title: str, paragraphs: list[str], published: datetime) -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="ArticleTitle" content="{escape(title)}">'
        f'<meta name="PubDate" content="{published:%Y-%m-%d %H:%M}"><title>{escape(title)}</title></head><body>'
        f'{chrome.IE_WARNING}<div class="location">当前位置：<a href="/">首页</a> -&gt; <a href="{COL}">法治政府建设</a></div>'
        f'<h2 class="title">{escape(title)}</h2><div class="TRS_Editor">{chrome.paragraphs_html(paragraphs)}</div>'
        f"{chrome.JIATHIS}{chrome.QR}</body></html>"
    )


def _list(links: list[tuple[str, str]], index: int, count: int) -> str:
    items = "".join(f'<li><a href="{href}" title="{escape(t)}">{escape(t)}</a></li>' for href, t in links)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>法治政府建设</title></head><body><ul>{items}</ul>'
        f'<script>createPageHTML({count}, {index}, "index", "html");</script></body></html>'
    )


def bulk_portal(host_no: int, address: str, port: int, pages: int) -> Portal:
    rng = random.Random(host_no)
    pool = [p for body in seed_paragraphs().values() for p in body if len(p) > 40]
    portal = Portal(
        key=f"bulk{host_no}",
        name=f"模拟第{host_no}区",
        host=f"{address}:{port}",
        start_paths=[COL],
        platform="trs-bulk",
        region="浙江省/湖州市",
        agency=None,
    )
    links = []
    start = datetime(2024, 3, 1, 9, 0)
    for page_no in range(pages):
        published = start - timedelta(days=page_no)
        path = f"{COL}{published:%Y%m}/t{published:%Y%m%d}_{host_no * 100000 + page_no}.html"
        title = f"第{host_no}区第{page_no}号单位{2020 + page_no % 5}年度法治政府建设年度报告"
        portal.pages[path] = StaticPage(
            _detail(title, _body(rng, pool, host_no, page_no), published).encode()
        )
        links.append(("./" + path[len(COL) :], title))
    chunks = [links[i : i + PAGE_SIZE] for i in range(0, len(links), PAGE_SIZE)] or [[]]
    for index, chunk in enumerate(chunks):
        name = "index.html" if index == 0 else f"index_{index}.html"
        portal.pages[COL + name] = StaticPage(_list(chunk, index, len(chunks)).encode())
    return portal


def bulk_portals(hosts: int, pages: int, port: int) -> dict[str, Portal]:
    return {f"bulk{i}": bulk_portal(i, address, port, pages) for i, address in enumerate(bulk_hosts(hosts))}


def sources_toml(portals: dict[str, Portal], *, delay: float = 0.0) -> str:
    return "".join(
        f'[[sources]]\nname = "{key}"\nstart_urls = ["http://{p.host}{COL}"]\nallow_private = true\n'
        f"delay = {delay}\nmax_list_pages = 1000\n\n"
        for key, p in portals.items()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--sources", type=Path, help="write a sources file for these portals here")
    args = parser.parse_args()
    portals = bulk_portals(args.hosts, args.pages, args.port)
    if args.sources:
        args.sources.write_text(sources_toml(portals), encoding="utf-8")
    asyncio.run(
        _serve(
            portals, args.port, f"serving {args.hosts} hosts × {args.pages} report pages on port {args.port}"
        )
    )


async def _serve(portals: dict[str, Portal], port: int, line: str) -> None:
    """Serve; ``line`` is printed once every portal accepts connections (a port already taken raises first, and
    nothing is printed: whoever waits for the line is not sent to another process's portals)."""
    serving = await start_portals(portals, port)
    print(line, flush=True)
    await serving


if __name__ == "__main__":
    main()
