"""The database and nothing else: models, engine, and the queries the crawler and the API need.

SQLite (WAL, busy timeout, ``BEGIN IMMEDIATE`` for writes) is the embedded default; the URL comes from the caller.
"""

from store.db import make_engine, read_session, write_session
from store.models import CrawlRun, Document, FrontierEntry, Sighting

__all__ = [
    "CrawlRun",
    "Document",
    "FrontierEntry",
    "Sighting",
    "make_engine",
    "read_session",
    "write_session",
]
