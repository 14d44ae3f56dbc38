"""Province / city / county: the source's region hint first, then the gazetteer (cpca) over the agency, the title
and the site name. Municipalities (北京, 天津, 上海, 重庆) are their own city: 天津市/河东区 → 天津市, 天津市, 河东区.
"""

from __future__ import annotations

import importlib.resources
import re
import sys
import threading
import types
from functools import cache, lru_cache
from typing import IO, Any

MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
Region = tuple[str | None, str | None, str | None]
_NONE: Region = (None, None, None)
_IMPORT_LOCK = threading.Lock()


def region_from_hint(hint: str | None) -> Region:
    if not hint:
        return _NONE
    parts: list[str | None] = [p.strip() for p in re.split(r"[/>,，]", hint) if p.strip()]
    if parts and parts[0] in MUNICIPALITIES:
        parts = [parts[0], *parts]
    parts += [None] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


@cache
def _cpca() -> Any:
    """cpca, imported with its data read by us: its import reads ``adcodes.csv`` through ``pkg_resources``
    (setuptools' deprecated API, gone from current setuptools). For that one import, ``pkg_resources`` is a
    stand-in offering the single function cpca calls; the real one is never imported."""
    with _IMPORT_LOCK:
        saved = sys.modules.get("pkg_resources")
        sys.modules["pkg_resources"] = _resource_shim()
        try:
            import cpca
        finally:
            if saved is None:
                del sys.modules["pkg_resources"]
            else:
                sys.modules["pkg_resources"] = saved
    return cpca


def _resource_shim() -> types.ModuleType:
    def resource_stream(package: str, name: str) -> IO[bytes]:
        return importlib.resources.files(package).joinpath(name).open("rb")

    shim = types.ModuleType("pkg_resources", "fazhi's stand-in for cpca's one pkg_resources call")
    shim.resource_stream = resource_stream  # type: ignore[attr-defined]
    return shim


@lru_cache(maxsize=4096)
def gazetteer(text: str) -> Region:
    """What the national gazetteer recognises in ``text`` (only what the text names; nothing guessed)."""
    if not text:
        return _NONE
    cpca = _cpca()
    one = getattr(cpca, "_get_one_addr", None)
    # cpca.transform wraps each match in a pandas DataFrame (≈ 5 ms); its per-string matcher is ≈ 50 µs.
    # cpca is frozen (0.5.5, 2021, pinned <0.6), so the private function is stable; transform is the fallback.
    row = one(text, False, {}) if one else cpca.transform([text]).iloc[0].to_dict()
    province, city, county = (_clean(row.get("省")), _clean(row.get("市")), _clean(row.get("区")))
    if province in MUNICIPALITIES and city in (None, "市辖区", "县"):
        city = province
    return (province, city, county) if province else _NONE


def _clean(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def normalize_region(hint: str | None, texts: list[str | None]) -> tuple[Region, str]:
    """``(region, provenance)``. A hint wins; the gazetteer fills a missing county inside the hinted city."""
    hinted = region_from_hint(hint)
    if all(hinted):
        return hinted, "hint"
    found, source = _NONE, ""
    for text in texts[:1] if hinted[0] else texts:  # with a hint, only the agency can add a county
        found = gazetteer(text or "")
        if found[0]:
            source = "gazetteer"
            break
    if not hinted[0]:
        return found, source
    province, city, county = hinted
    if county is None and found[0] == province and found[1] == city and found[2]:
        return (province, city, found[2]), "hint+gazetteer"
    return hinted, "hint"
