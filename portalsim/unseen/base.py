"""What every unseen template provides: a detail page renderer, its URL shape and how the page is served."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from portalsim.content import Item
from portalsim.unseen.docs import Site


@dataclass(frozen=True)
class Detail:
    """One detail page to render: the item, its site, its serial in the column and its neighbours."""

    item: Item
    site: Site
    serial: int
    path: str
    prev: Item | None = None
    next: Item | None = None


@dataclass(frozen=True)
class Template:
    key: str  # the corpus's template name
    label: str  # what real CMS generation it imitates
    host: str  # loopback address of its portal
    list_path: Callable[[int], str]  # page n (0-based) of the report column
    detail_path: Callable[[Item, int], str]
    render: Callable[[Detail], str]
    charset: str = "utf-8"  # the bytes on the wire
    content_type: Callable[[int], str] = lambda serial: "text/html; charset=utf-8"

    def encode(self, html: str) -> bytes:
        return html.encode(self.charset)
