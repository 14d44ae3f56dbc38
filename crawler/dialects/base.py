"""What every list dialect shares: requests, links, the parsed page, and the linear scanners they read pages with.

Counts a page states (pages, records, page sizes) are claims: :func:`claimed` validates and caps them, and
records why on the page. Scanners here never backtrack over page text (``str.find`` and bounded patterns only),
so a hostile page costs time linear in its size.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

ALL = "all"  # in ``ListOptions.disabled``: every dialect off, the generic fallback reads every page


@dataclass(frozen=True)
class ListOptions:
    max_pages: int = 50  # the source's max_list_pages: no page may claim more
    disabled: frozenset[str] = frozenset()  # dialects switched off ("all": every one)

    def allows(self, dialect: str) -> bool:
        return ALL not in self.disabled and dialect not in self.disabled


@dataclass(frozen=True)
class ListRequest:
    url: str
    dialect: str
    method: str = "GET"
    data: tuple[tuple[str, str], ...] = ()
    xhr: bool = False  # an API call: send the browser's XHR headers (Referer, X-Requested-With)
    column: str = ""  # the listing this page starts ("" = it continues the listing of the page that found it)
    probe: bool = False  # a guessed URL: a 404 means "no such page", not a failure

    @property
    def key(self) -> str:
        return f"{self.method} {self.url} {self.data}"


@dataclass(frozen=True)
class Link:
    url: str
    title: str


@dataclass
class ListPage:
    links: list[Link] = field(default_factory=list)
    requests: list[ListRequest] = field(default_factory=list)
    items: list[str] | None = (
        None  # the listed entries' URLs, when the dialect knows them (else: link heuristic)
    )
    expected: int | None = None  # entries the listing says it has
    pages: int | None = None  # pages the listing says it has
    problems: list[str] = field(default_factory=list)  # parse errors and capped claims, as reasons
    fallback: list[ListRequest] = field(default_factory=list)  # what the generic fallback would follow
    dialect: str = ""

    def fingerprint(self) -> str:
        """Same links, same page: a pager that ignores its page number repeats its fingerprint."""
        return hashlib.sha256("\n".join(sorted({link.url for link in self.links})).encode()).hexdigest()

    def entry_urls(self) -> list[str]:
        return self.items if self.items is not None else [link.url for link in self.links if is_entry(link)]


# ---------------------------------------------------------------- claims


def claimed(value: Any, page: ListPage, what: str) -> int:
    """A count the page states, as an int ≥ 0; anything else counts 0, with a reason on the page."""
    number = as_count(value)
    if number is None:
        page.problems.append(f"parse_error: {what} is not a count ({str(value)[:40]!r})")
        return 0
    return number


def capped(pages: int, page: ListPage, what: str, options: ListOptions) -> int:
    """How many of the ``pages`` a listing claims may be asked for: at most the source's page cap."""
    if pages > page_cap(options):
        page.problems.append(f"capped: {what} claims {pages} pages, more than the cap of {page_cap(options)}")
        return page_cap(options)
    return pages


def as_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 12:
        return int(value.strip())
    return None


def page_cap(options: ListOptions) -> int:
    return max(options.max_pages, 1)


# ---------------------------------------------------------------- links


_SPACE = re.compile(r"\s+")


def anchor_links(html: str, base_url: str) -> list[Link]:
    """Every ``<a href>`` with its best title: the ``title`` attribute (list text is often truncated), else text."""
    tree = LexborHTMLParser(html)
    links = []
    for a in tree.css("a[href]"):
        link = _link(a.attributes.get("href"), a.attributes.get("title"), a, base_url)
        if link is not None:
            links.append(link)
    return links


def _link(href: str | None, title: str | None, node: Any, base_url: str) -> Link | None:
    href = (href or "").strip()
    if not href or href.startswith(("javascript:", "#", "mailto:", "tel:")):
        return None
    try:
        url = urljoin(base_url, href)
    except ValueError:  # an unparseable href (a bad IPv6 literal): not a link
        return None
    text = (title or "").strip() or (node.text(deep=True) or "").strip()[:200]
    return Link(url, _SPACE.sub(" ", text))


def script_links(html: str, base_url: str) -> list[Link]:
    """Links written inside scripts (a ``<datastore>`` of CDATA records, ``document.write`` lists)."""
    tree = LexborHTMLParser(html)
    links: list[Link] = []
    for script in tree.css("script"):
        text = script.text(deep=False) or ""
        if "href" in text:
            links += anchor_links(text.replace("<![CDATA[", "").replace("]]>", ""), base_url)
    return links


_TITLE_URL = re.compile(
    r"[\"']title[\"']\s*:\s*[\"']([^\"'<>]{1,200})[\"'][^{}]{0,400}?[\"']url[\"']\s*:\s*[\"']([^\"'<>\s]{1,500})[\"']"
)


def script_data_links(html: str, base_url: str) -> list[Link]:
    """``{"title": …, "url": …}`` records in inline scripts (JSON lists written into the page)."""
    links = []
    for title, href in _TITLE_URL.findall(html):
        try:
            links.append(Link(urljoin(base_url, href.replace("\\/", "/")), title))
        except ValueError:
            continue
    return links


_LIST_PATH = re.compile(r"(/|/index(_\d{1,6})?\.s?html?)$", re.I)
_NOT_ENTRY = re.compile(r"^(首页|上一页|下一页|上页|下页|尾页|末页|\d{1,6}|更多.{0,4})$")


def is_entry(link: Link) -> bool:
    """A listed entry, as far as a plain list page tells: a titled link that is not a list page or a pager."""
    path = urlsplit(link.url).path or "/"
    return len(link.title) >= 8 and not _LIST_PATH.search(path) and not _NOT_ENTRY.match(link.title)


def column_dir(url: str) -> str:
    """The folder of a list page: ``…/col/index_2.html`` → ``…/col/``."""
    base = url.split("?", 1)[0].split("#", 1)[0]
    return base.rsplit("/", 1)[0] + "/"


# ---------------------------------------------------------------- linear scanners


def sections(text: str, opener: str) -> Iterator[str]:
    """The CDATA bodies following each ``opener`` (``<record>``): ``opener`` + space + ``<![CDATA[`` … ``]]>``.

    Linear: every search starts where the previous one ended, and a missing ``]]>`` ends the scan."""
    pos = 0
    while (start := text.find(opener, pos)) != -1:
        at = skip_space(text, start + len(opener))
        if not text.startswith("<![CDATA[", at):
            pos = at
            continue
        end = text.find("]]>", at + 9)
        if end == -1:
            return
        yield text[at + 9 : end]
        pos = end + 3


def skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


_DECODER = json.JSONDecoder()


def json_after(text: str, marker: re.Pattern[str]) -> Any:
    """The JSON value right after the first match of ``marker`` (``var dataList =``), or ``None``.

    Only the first match is read, with one left-to-right parse: no rescanning from later openers."""
    match = marker.search(text)
    if not match:
        return None
    try:
        value, _ = _DECODER.raw_decode(text, skip_space(text, match.end()))
    except (ValueError, RecursionError):
        return None
    return value


def load_json(text: str) -> tuple[Any, str | None]:
    """``(value, None)`` or ``(None, reason)``."""
    try:
        return json.loads(text), None
    except (ValueError, RecursionError) as exc:
        return None, f"parse_error: not JSON ({type(exc).__name__})"
