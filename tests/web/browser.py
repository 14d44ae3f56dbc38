"""Driving Debian's Chromium with Playwright for the browser tests: never a downloaded browser, and every
request that would leave 127.0.0.1 recorded and refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "out" / "web"  # screenshots of every page (gitignored; CI keeps them as artifacts)
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",  # a name that slips past the recorder resolves nowhere
]
WIDTHS = {"desktop": 1280, "phone": 390}


def chromium_path() -> str:
    """Debian's chromium, as ``scripts/with-chromium`` (run by ``make test``) found or installed it."""
    path = os.environ.get("FAZHI_TEST_CHROMIUM") or CHROMIUM
    if not Path(path).exists():
        reason = os.environ.get(
            "FAZHI_TEST_CHROMIUM_SKIP",
            f"no {path}: run the suite with `make test`, which installs Debian's chromium (scripts/with-chromium)",
        )
        pytest.skip(f"browser tests skipped: {reason}")
    return path


class Outside:
    """Requests a context made to any host but 127.0.0.1, refused (route) and kept to fail the test."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
            return
        self.requests.append(url)
        route.abort()


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def overflow(page: Any) -> int:
    """How many pixels the page is wider than its viewport (0: nothing scrolls sideways but its own boxes)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
  .map(e => e.outerHTML)"""
