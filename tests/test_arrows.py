"""Arrows point one way: ingest is pure, store knows only the database, crawler uses both, api reads store."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"ingest", "store", "crawler", "api", "fazhi", "portalsim"}
ALLOWED = {
    "ingest": set(),
    "store": set(),
    "crawler": {"ingest", "store"},
    "api": {"store"},
    "portalsim": set(),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n.split(".")[0] in OURS}


def test_no_wrong_arrow() -> None:
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in (ROOT / package).rglob("*.py"):
            for name in _imports(path):
                top = name.split(".")[0]
                if top != package and top not in allowed and name not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_production_code_never_imports_the_simulator() -> None:
    for package in ("ingest", "store", "crawler", "api"):
        for path in (ROOT / package).rglob("*.py"):
            assert not any(n.startswith("portalsim") for n in _imports(path)), path


MAX_LINES = 400  # the size we split a module at (issue 12)


def test_no_module_over_the_size_we_split_at() -> None:
    """Every Python file of the project (its packages, tests, bench and scripts) stays at or under MAX_LINES."""
    long = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if any(part.startswith(".") or part == "build" for part in relative.parts[:-1]):
            continue  # .venv, caches, build output
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES:
            long.append(f"{relative}: {count} lines")
    assert not long, "split these modules:\n" + "\n".join(long)
