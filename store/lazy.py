"""A module imported on first use: ``psycopg = lazy_module("psycopg")`` binds a module whose code runs when one of
its attributes is first read (the standard library's ``importlib.util.LazyLoader``).

For the drivers and tools a process needs on some paths only: psycopg (~150 ms of CPU to import) is not needed by
a crawl on SQLite, whose ``import store`` would otherwise pay for it. Once loaded it is the ordinary module (its
attributes cost what they always do). A module already imported is returned as it is.
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_module(name: str) -> ModuleType:
    """``name``, imported when first used; ``ModuleNotFoundError`` at once if it is not installed."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
