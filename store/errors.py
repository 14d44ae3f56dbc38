"""Errors raised by the store.

StoreError
 ├── AmbiguousPrefix   an id prefix matches more than one document
 ├── BadDatabaseURL    FAZHI_DATABASE_URL cannot be used
 ├── DatabaseUnusable  the database cannot be reached, or cannot hold fazhi's data
 └── RunHeld           another live process is crawling the source (SQLite: its run lock is held)
"""


class StoreError(Exception):
    """Base of store errors."""


class AmbiguousPrefix(StoreError):
    def __init__(self, prefix: str, matches: list[str]) -> None:
        super().__init__(f"id prefix {prefix!r} matches {len(matches)} documents")
        self.prefix = prefix
        self.matches = matches


class BadDatabaseURL(StoreError):
    """The database URL is malformed or names an unsupported backend."""


class DatabaseUnusable(StoreError):
    """The database does not answer, refuses us, or is not UTF-8."""


class RunHeld(StoreError):
    """A live process holds the source's run: crawling it too would fetch every page twice."""
