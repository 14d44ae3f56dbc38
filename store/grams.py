"""Character 5-grams of report texts (whitespace dropped), for the versions test of :mod:`store.reports`.

The MinHash (rensa) takes the 5-grams as strings: :func:`gram_list` gives one per position (a repeated 5-gram
changes no minimum: the signature is the one of the set). The exact Jaccard of a new document against its
candidates does not build Python strings: each text's characters are ranked in the joint alphabet of the texts
compared (the process's alphabet: up to ``D - 1`` characters numbered 1…D-1 as they are first met), a 5-gram is
written as one integer in base ``D`` = 6208 (c₀·D⁴ + … + c₄, a bijection since D⁵ < 2⁶³: the numbering starts again
when the alphabet would grow past D - 1), and the distinct keys are counted by numpy (sorted, then equal neighbours
dropped); a text's keys are kept for its next comparison while the numbering lasts. The
intersection and the two set sizes are the same integers as the string sets' (a bijection keeps them), so the
score is the same float as ``len(a & b) / len(a | b)``. A text shorter than a 5-gram (its one "gram" is itself)
and an alphabet too large for 64 bits go through the string sets.

The MinHash and its LSH band keys (:func:`sketch`) are here too, apart from the database: a crawl computes them in
its extraction workers, beside the extraction (this module does not import SQLAlchemy). The MinHash is kept too
(:attr:`Sketch.minhash`, 512 bytes): the share of equal values between two signatures estimates their Jaccard
(:func:`estimates`), which drops a candidate whose exact Jaccard cannot plausibly reach the join threshold before
its body is read (:data:`store.reports.PRUNE_ESTIMATE`).

numpy is imported on first use (a sketch or a comparison); a process that needs neither never loads it.
"""

from __future__ import annotations

import hashlib
import operator
import os
import struct
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rensa import RMinHash

from store.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    # numpy does no linear algebra here: no BLAS thread pool (its threads spin ~25 ms of CPU once they start, in
    # an extraction worker inside the page's CPU deadline); effective where numpy is not imported yet
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    np = lazy_module("numpy")

SHINGLE = 5
BASE = 6208  # D, the keys' base: the largest with D⁵ < 2⁶³, for up to D - 1 characters
CACHE_BYTES = 24 << 20  # the kept texts' keys (and the texts, at 4 bytes a character at most)
PERMUTATIONS = 128
BANDS, ROWS = 32, 4  # LSH: a pair at Jaccard s shares a band with probability 1 - (1 - s⁴)³²: 0.6 → 0.99
SEED = 19
_table: Any = None  # code point → its number (0: not met yet); 8.9 MB of address space, the pages used mapped
_size = 0  # characters numbered in _table
_cache: OrderedDict[str, Any] = OrderedDict()  # text → its keys in the current numbering, oldest use first
_cache_bytes = 0
_lock = threading.Lock()  # several commit threads may compare at once


def gram_text(body: str) -> str:
    return "".join(body.split())


def gram_set(chars: str) -> set[str]:
    """The 5-gram set of whitespace-free ``chars`` (a text shorter than that is one shingle)."""
    if len(chars) <= SHINGLE:
        return {chars}
    return {chars[i : i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)}


def gram_list(chars: str) -> list[str]:
    """Every position's 5-gram of ``chars`` (repeats kept): what the MinHash needs, cheaper than the set.

    numpy makes the strings: the text's UTF-32 code units read as overlapping 5-character items (one stride of
    one character), listed in C, ~2× the slices of a comprehension. The same strings, except where numpy's
    fixed-width strings cannot hold them: a NUL (it drops trailing NULs) or a lone surrogate (no UTF-32 for it),
    whose text is sliced."""
    if len(chars) <= SHINGLE:
        return [chars]
    count = len(chars) - SHINGLE + 1
    if "\0" not in chars:
        try:
            units = chars.encode("utf-32-le")
        except UnicodeEncodeError:
            pass
        else:
            grams = np.ndarray((count,), dtype=f"<U{SHINGLE}", buffer=units, strides=(4,))
            return grams.tolist()
    return [chars[i : i + SHINGLE] for i in range(count)]


def signature(grams: Iterable[str]) -> list[int]:
    """The MinHash of the 5-grams ``grams`` (a set, or :func:`gram_list`'s list: the same digest)."""
    minhash = RMinHash(num_perm=PERMUTATIONS, seed=SEED)
    minhash.update(grams if isinstance(grams, list) else list(grams))
    return [int(v) for v in minhash.digest()]


def band_keys(digest: list[int]) -> list[int]:
    """One signed 64-bit key per band (band number and its rows hashed together)."""
    keys = []
    for band in range(BANDS):
        rows = digest[band * ROWS : (band + 1) * ROWS]
        raw = hashlib.blake2b(f"{band}:{rows}".encode(), digest_size=8).digest()
        keys.append(int.from_bytes(raw, "big", signed=True))
    return keys


@dataclass(frozen=True, slots=True)
class Sketch:
    """What the versions test keeps of a body: its LSH band keys (its versions are looked up by them) and its
    MinHash, packed (``None`` where a value does not fit 32 bits: then no estimate is made from it)."""

    bands: list[int]
    minhash: bytes | None


_PACKED = struct.Struct(f"<{PERMUTATIONS}I")


def sketch(body: str) -> Sketch:
    """The band keys and the packed MinHash of a document's ``body`` (one signature for both)."""
    digest = signature(gram_list(gram_text(body)))
    return Sketch(band_keys(digest), packed(digest))


def packed(digest: list[int]) -> bytes | None:
    """A MinHash as ``report_sketches`` keeps it: 128 unsigned 32-bit values, little-endian (None where a value
    does not fit: rensa's are 32-bit; such a signature gives no estimate and its candidates the exact test)."""
    try:
        return _PACKED.pack(*digest)
    except struct.error:
        return None


def estimates(own: bytes | None, others: list[bytes | None]) -> list[float | None]:
    """The share of equal MinHash values of the packed signature ``own`` with each of ``others``: an estimate of
    the Jaccard of the two 5-gram sets (each value is equal with probability about J: see
    :data:`store.reports.PRUNE_ESTIMATE`); None where a signature is missing or not one of :func:`sketch`'s."""
    mine = _PACKED.unpack(own) if own is not None and len(own) == _PACKED.size else None
    found: list[float | None] = []
    for other in others:
        if mine is None or other is None or len(other) != _PACKED.size:
            found.append(None)
        else:
            found.append(sum(map(operator.eq, mine, _PACKED.unpack(other))) / PERMUTATIONS)
    return found


def string_jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def jaccards(text: str, others: list[str]) -> list[float]:
    """The exact Jaccard similarity of the 5-gram set of ``text`` with each of ``others`` (whitespace is dropped
    first: bodies or :func:`gram_text`'s strings give the same scores)."""
    if not others:
        return []
    with _lock:
        keys = _keys([text, *others])
    own, scores = keys[0], []
    for other, theirs in zip(others, keys[1:], strict=True):
        if isinstance(own, str) or isinstance(theirs, str):  # a one-shingle text, or an alphabet too large
            scores.append(string_jaccard(gram_set(gram_text(text)), gram_set(gram_text(other))))
            continue
        inter = _common(own, theirs)
        scores.append(inter / (int(own.size) + int(theirs.size) - inter))
    return scores


def _keys(texts: list[str]) -> list[Any]:
    """Each text's distinct 5-gram keys, sorted (numpy int64 arrays), or its whitespace-free string when it is
    shorter than a 5-gram or the texts' alphabet is too large for 64-bit keys. Under ``_lock``.

    A character's digit is its rank + 1 in the process's alphabet (the characters met so far, in the order met:
    any one-to-one numbering serves), kept in a table by code point; the base is :data:`BASE` whatever the
    alphabet's size, so a text's keys stay valid while the numbering lasts, and are kept (:data:`CACHE_BYTES`,
    least recently used dropped first): a document compared again (each later version's candidate) costs a look-up.
    When the numbering would pass ``BASE - 1`` characters it starts again, from these texts, and the kept keys go."""
    global _table, _size
    found: list[Any] = [_cache.get(text) for text in texts]
    missing = [i for i, keys in enumerate(found) if keys is None]
    for text, keys in zip(texts, found, strict=True):
        if keys is not None:
            _cache.move_to_end(text)
    if not missing:
        return found
    chars = {i: gram_text(texts[i]) for i in missing}
    codes = {i: np.frombuffer(chars[i].encode("utf-32-le"), dtype="<u4") for i in missing}
    if _table is None:
        _table = np.zeros(0x110000, dtype=np.int64)  # calloc: only the pages written are ever touched
    unseen = [code[_table[code] == 0] for code in codes.values()]
    new = _distinct(np.concatenate(unseen))
    if _size + new.size >= BASE:  # start the numbering again, from these texts (the kept keys are void)
        _table = np.zeros(0x110000, dtype=np.int64)  # a fresh one: untouched pages stay unmapped
        _size = 0
        _forget()
        missing, found = list(range(len(texts))), [None] * len(texts)
        chars = {i: gram_text(texts[i]) for i in missing}
        codes = {i: np.frombuffer(chars[i].encode("utf-32-le"), dtype="<u4") for i in missing}
        new = _distinct(np.concatenate(list(codes.values())))
        if new.size >= BASE:  # too many characters for 64-bit keys even alone: the string sets answer
            return [chars[i] for i in missing]
    _table[new] = np.arange(_size + 1, _size + new.size + 1, dtype=np.int64)
    _size += int(new.size)
    for i in missing:
        if len(chars[i]) < SHINGLE:
            found[i] = chars[i]
            continue
        found[i] = _keep(texts[i], _gram_keys(_table[codes[i]]))
    return found


def _gram_keys(ranks: Any) -> Any:
    """The distinct keys c₀·D⁴ + … + c₄ of a text's 5-grams, sorted (``ranks``: its characters' digits)."""
    n = ranks.size - SHINGLE + 1
    key = ranks[:n] * BASE
    for j in range(1, SHINGLE - 1):
        key += ranks[j : n + j]
        key *= BASE
    key += ranks[SHINGLE - 1 :]
    return _distinct(key)


def _keep(text: str, keys: Any) -> Any:
    global _cache_bytes
    kept = _cache.pop(text, None)  # the same text twice in one call: counted once
    if kept is not None:
        _cache_bytes -= kept.nbytes + len(text) * 4
    _cache[text] = keys
    _cache_bytes += keys.nbytes + len(text) * 4
    while _cache_bytes > CACHE_BYTES and len(_cache) > 1:
        old, old_keys = _cache.popitem(last=False)
        _cache_bytes -= old_keys.nbytes + len(old) * 4
    return keys


def _forget() -> None:
    global _cache_bytes
    _cache.clear()
    _cache_bytes = 0


def _distinct(values: Any) -> Any:
    ordered = np.sort(values)  # unsorted keys: numpy's (vectorized) quicksort, ~8× its timsort on 2,500 keys
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _common(a: Any, b: Any) -> int:
    """How many values two sorted distinct arrays share (merged: a stable sort of two sorted runs is one merge)."""
    both = np.concatenate((a, b))
    both.sort(kind="stable")
    return int(np.count_nonzero(both[1:] == both[:-1]))
