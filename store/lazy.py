"""A module imported on first use: ``psycopg = lazy_module("psycopg")`` binds a stand-in whose first attribute read
imports the module (by the import system, whose lock makes that safe from any thread at once) and answers for it.

For the drivers and tools a process needs on some paths only: psycopg (~150 ms of CPU to import) is not needed by
a crawl on SQLite, whose ``import store`` would otherwise pay for it. Each attribute, once read, is kept on the
stand-in (it then costs what an ordinary module attribute does). A module already imported is returned as it is.
The stand-in is never put in ``sys.modules``: an ``import psycopg`` elsewhere imports the real module.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from types import ModuleType
from typing import Any


class _Deferred(ModuleType):
    def __getattr__(self, attribute: str) -> Any:  # only for attributes not yet kept
        value = getattr(importlib.import_module(self.__name__), attribute)
        setattr(self, attribute, value)
        return value


def lazy_module(name: str) -> ModuleType:
    """``name``, imported when first used; ``ModuleNotFoundError`` at once if it is not installed."""
    if name in sys.modules:
        return sys.modules[name]
    if importlib.util.find_spec(name) is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    return _Deferred(name)
