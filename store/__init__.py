"""The database and nothing else: models, engine, and the queries the crawler and the API need.

SQLite (WAL, busy timeout, ``BEGIN IMMEDIATE`` for writes) is the embedded default; the URL comes from the caller.

A function's first parameter says who owns the transaction:

- ``engine: Engine`` — the function is a whole unit of work: it opens its own ``write_session`` (or connection)
  and commits before it returns (``request_recrawl``, ``take_recrawl_requests``, ``export_txt``).
- ``session: Session`` (keyword) — a step inside the caller's write transaction (``with write_session(engine) as
  session:``); it never commits, so the caller's steps commit together or not at all (``upsert_document``,
  ``record_sighting``, ``add_change``, ``index_document``).
- ``connection: Connection`` — a read on the caller's connection (``with engine.connect() as connection:``, or the
  API's per-request one); it writes nothing (``list_documents``, ``get_document``, ``changes_since``, ``stats``).


The package imports its parts when they are first asked for (``from store import write_session`` imports
``store.db``): a module that needs none of the database, as :mod:`store.grams` in an extraction worker, costs no
SQLAlchemy import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.db import make_engine, read_session, write_session
    from store.models import CrawlRun, Document, FrontierEntry, Sighting

_HOMES = {
    "make_engine": "store.db",
    "read_session": "store.db",
    "write_session": "store.db",
    "CrawlRun": "store.models",
    "Document": "store.models",
    "FrontierEntry": "store.models",
    "Sighting": "store.models",
}

__all__ = [
    "CrawlRun",
    "Document",
    "FrontierEntry",
    "Sighting",
    "make_engine",
    "read_session",
    "write_session",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
