"""store.lazy: a module imported on first use, from any number of threads at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# In a fresh interpreter (psycopg not yet imported): 8 threads read the stand-in's attributes at the same moment.
# LazyLoader (Python 3.11) let the others see the module half-run while the first ran it: AttributeError.
PROBE = """
import sys, threading
from store.lazy import lazy_module
assert "psycopg" not in sys.modules
psycopg = lazy_module("psycopg")
assert "psycopg" not in sys.modules
start, errors, seen = threading.Barrier(8), [], []
def first_use():
    start.wait()
    try:
        seen.append((psycopg.Error, psycopg.connect, psycopg.rows.dict_row, psycopg.pq.TransactionStatus.IDLE))
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=first_use) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
import psycopg as real
assert psycopg.Error is real.Error and sys.modules["psycopg"] is real
print(len(seen), len(set(seen)), errors)
"""


def test_first_use_from_many_threads_at_once_sees_the_whole_module() -> None:
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == ["8", "1", "[]"]


def test_a_module_that_is_not_installed_is_refused_at_once() -> None:
    from store.lazy import lazy_module

    with pytest.raises(ModuleNotFoundError) as raised:
        lazy_module("no_such_module_fazhi")
    assert raised.value.name == "no_such_module_fazhi"
