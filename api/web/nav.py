"""The browser's navigation: a page is linked once its feature exists (a router registers it here)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str
    label: str


_PAGES: list[Page] = []


def register(path: str, label: str) -> None:
    if all(p.path != path for p in _PAGES):
        _PAGES.append(Page(path, label))


def pages() -> list[Page]:
    return list(_PAGES)
