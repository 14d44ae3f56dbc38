"""A tiny origin for crawl tests that need pages no simulated portal has: ``pages_app(pages)`` serves a dict of
path → HTML bytes (robots.txt allows everything; anything else is a 404) and logs each request with its time."""

from __future__ import annotations

import time
from typing import Any

LIST_HEAD = "<html><head><title>法治政府建设年度报告</title></head><body><ul>"
PARAGRAPH = "本机关坚持依法行政，全面推进法治政府建设，严格规范公正文明执法。"


def list_page(links: dict[str, str]) -> bytes:
    items = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in links.items())
    return (LIST_HEAD + items + "</ul>" + "<p>栏目说明</p>" * 80 + "</body></html>").encode()


def report_page(title: str, paragraphs: int = 30, prefix: str = "") -> bytes:
    body = "".join(f"<p>{PARAGRAPH}第{i}条。</p>" for i in range(paragraphs))
    return (
        f"<html><head><title>{title}</title></head><body><div class='article'><h1>{title}</h1>"
        f"{prefix}{body}</div></body></html>"
    ).encode()


def nested_page(depth: int) -> bytes:
    """Deep nesting: expensive for today's extractor (label extraction is quadratic on it)."""
    return report_page("2023年度法治政府建设工作报告（嵌套）", 0, "<b>" * depth + "依法行政")


class PagesApp:
    def __init__(self, pages: dict[str, bytes]) -> None:
        self.pages = pages
        self.log: list[tuple[float, str]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        self.log.append((time.time(), path))
        body = b"User-agent: *\nAllow: /\n" if path == "/robots.txt" else self.pages.get(path)
        status, kind = (200, b"text/html; charset=utf-8") if body is not None else (404, b"text/plain")
        headers = [(b"content-type", kind), (b"content-length", str(len(body or b"")).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body or b""})
