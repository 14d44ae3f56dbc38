"""The gazetteer works without setuptools' ``pkg_resources`` (deprecated, gone from current setuptools): cpca's
data is read by us, in a fresh interpreter where importing ``pkg_resources`` would fail."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

BLOCK_PKG_RESOURCES = """
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == "pkg_resources" or name.startswith("setuptools"):
            raise ImportError(name + " is not available")
sys.meta_path.insert(0, Refuse())
from ingest.region import gazetteer
print("/".join(gazetteer("江门市江海区人力资源和社会保障局")))
print("pkg_resources" in sys.modules)
"""


def test_gazetteer_needs_no_pkg_resources() -> None:
    out = subprocess.run(
        [sys.executable, "-c", BLOCK_PKG_RESOURCES], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    assert out == ["广东省/江门市/江海区", "False"]


def test_setuptools_is_current() -> None:
    major, minor, *_ = (int(p) for p in version("setuptools").split(".")[:3])
    assert (major, minor) >= (78, 1), "setuptools before 78.1.1 has known CVEs in package_index"
