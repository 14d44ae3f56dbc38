"""Where the shipped files are, from any working directory (editable checkout or installed wheel)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def seeds_dir() -> Path:
    for candidate in (_HERE.parent / "seeds", _HERE / "seeds"):
        if (candidate / "demo.toml").exists():
            return candidate
    raise FileNotFoundError("the seeds/ folder is missing from this installation")


def demo_sources() -> Path:
    return seeds_dir() / "demo.toml"


def real_sources() -> Path:
    return seeds_dir() / "sources.toml"
