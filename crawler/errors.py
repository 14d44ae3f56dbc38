"""Errors of the crawler. httpx exceptions are translated into these at one boundary (``fetch.py``).

CrawlError
 ├── SourcesError              the sources file is unreadable or invalid
 ├── GaveUp                    the polite fetcher gave up on a URL: ``reason`` (a FetchError's, or
 │                             "robots" / "robots_unavailable") after ``attempts`` tries; stored with the URL
 ├── PageError                 a fetched page could not be read; ``reason`` is stored with the URL
 │    ├── ParseError           "parse_error: …"     extraction or list parsing raised, or its worker died
 │    └── ExtractTimeout       "extract_timeout"    reading the page took longer than the deadline
 └── FetchError                a page could not be fetched; ``reason`` is a short code stored with the URL
      ├── FetchTimeout         "timeout"            connect/read timeout or the overall deadline
      ├── TooLarge             "too_large"          body (after decompression) over the cap
      ├── PrivateAddress       "private_address"    a hop resolves to a private/loopback/reserved address
      ├── TooManyRedirects     "too_many_redirects"
      ├── RedirectLoop         "redirect_loop"
      ├── UnsupportedEncoding  "unsupported_encoding"
      ├── TLSFailure           "tls"
      └── ConnectFailure       "connect"            refused, reset, DNS failure, protocol error
"""

from __future__ import annotations


class CrawlError(Exception):
    """Base of crawler errors."""


class SourcesError(CrawlError):
    """The sources file cannot be used; the message says which entry and why."""


class GaveUp(CrawlError):
    """What ``crawler.polite`` raises for a URL it will not fetch again in this run (``attempts``: 0 when robots.txt
    refused it)."""

    def __init__(self, reason: str, attempts: int, detail: str = "") -> None:
        super().__init__(f"{reason} after {attempts} attempt(s)" + (f": {detail}" if detail else ""))
        self.reason, self.attempts, self.detail = reason, attempts, detail


class PageError(CrawlError):
    reason = "page_error"


class ParseError(PageError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = "parse_error: " + detail.split(":", 1)[0]  # the exception's type: few distinct reasons


class ExtractTimeout(PageError):
    reason = "extract_timeout"


class FetchError(CrawlError):
    reason = "fetch_error"

    def __init__(self, url: str, detail: str = "") -> None:
        super().__init__(f"{self.reason}: {url}" + (f" ({detail})" if detail else ""))
        self.url = url
        self.detail = detail


class FetchTimeout(FetchError):
    reason = "timeout"


class TooLarge(FetchError):
    reason = "too_large"


class PrivateAddress(FetchError):
    reason = "private_address"


class TooManyRedirects(FetchError):
    reason = "too_many_redirects"


class RedirectLoop(FetchError):
    reason = "redirect_loop"


class UnsupportedEncoding(FetchError):
    reason = "unsupported_encoding"


class TLSFailure(FetchError):
    reason = "tls"


class ConnectFailure(FetchError):
    reason = "connect"
