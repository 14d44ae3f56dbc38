"""Character 5-grams of report texts (whitespace dropped), for the versions test of :mod:`store.reports`.

The MinHash (rensa) takes the 5-grams as strings: :func:`gram_list` gives one per position (a repeated 5-gram
changes no minimum: the signature is the one of the set). The exact Jaccard of a new document against its
candidates does not build Python strings: each text's characters are ranked in the joint alphabet of the texts
compared (the process's alphabet: ``D - 1`` characters numbered 1…D-1 as they are first met), a 5-gram is written as
one integer in base ``D`` (c₀·D⁴ + … + c₄, a bijection while D⁵ < 2⁶³: the numbering starts again when the
alphabet would grow past that), and the distinct keys are counted by numpy (sorted, then equal neighbours dropped). The
intersection and the two set sizes are the same integers as the string sets' (a bijection keeps them), so the
score is the same float as ``len(a & b) / len(a | b)``. A text shorter than a 5-gram (its one "gram" is itself)
and an alphabet too large for 64 bits go through the string sets.

numpy is imported on the first comparison (it is installed with cpca's pandas); a crawl that stores no new
document never loads it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from store.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

SHINGLE = 5
_MAX_KEY = 2**63  # int64: the largest key is D⁵ - 1
_table: Any = None  # code point → its number (0: not met yet); 8.9 MB of address space, the pages used mapped
_size = 0  # characters numbered in _table
_table_lock = threading.Lock()  # several commit threads may compare at once


def gram_text(body: str) -> str:
    return "".join(body.split())


def gram_set(chars: str) -> set[str]:
    """The 5-gram set of whitespace-free ``chars`` (a text shorter than that is one shingle)."""
    if len(chars) <= SHINGLE:
        return {chars}
    return {chars[i : i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)}


def gram_list(chars: str) -> list[str]:
    """Every position's 5-gram of ``chars`` (repeats kept): what the MinHash needs, cheaper than the set."""
    if len(chars) <= SHINGLE:
        return [chars]
    return [chars[i : i + SHINGLE] for i in range(len(chars) - SHINGLE + 1)]


def string_jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def jaccards(chars: str, others: list[str]) -> list[float]:
    """The exact Jaccard similarity of the 5-gram set of ``chars`` with each of ``others`` (all whitespace-free)."""
    if not others:
        return []
    texts = [chars, *others]
    short = [len(t) < SHINGLE for t in texts]
    keys = _key_sets([t for t, s in zip(texts, short, strict=True) if not s]) if not all(short) else None
    if keys is None:
        mine = gram_set(chars)
        return [string_jaccard(mine, gram_set(other)) for other in others]
    sets = iter(keys)
    own = None if short[0] else next(sets)
    scores = []
    for other, is_short in zip(others, short[1:], strict=True):
        theirs = None if is_short else next(sets)
        if own is None or theirs is None:  # a one-shingle text: the string sets (never equal to a 5-gram)
            scores.append(string_jaccard(gram_set(chars), gram_set(other)))
            continue
        inter = _common(own, theirs)
        scores.append(inter / (int(own.size) + int(theirs.size) - inter))
    return scores


def _key_sets(texts: list[str]) -> list[Any] | None:
    """Each text's distinct 5-gram keys, sorted (numpy int64 arrays); None when the alphabet is too large.

    A character's digit is its rank + 1 in the process's alphabet (the characters met so far, in the order met:
    any one-to-one numbering serves), kept in a table by code point; the base is the alphabet's size + 1."""
    global _table, _size
    codes = [np.frombuffer(t.encode("utf-32-le"), dtype="<u4") for t in texts]
    with _table_lock:
        if _table is None:
            _table = np.zeros(0x110000, dtype=np.int64)  # calloc: only the pages written are ever touched
        digits = [_table[code] for code in codes]
        unseen = [code[d == 0] for code, d in zip(codes, digits, strict=True)]
        if any(u.size for u in unseen):
            new = _distinct(np.concatenate(unseen))
            if (_size + new.size + 1) ** SHINGLE >= _MAX_KEY:  # start the numbering again, from these texts
                _table = np.zeros(0x110000, dtype=np.int64)  # a fresh one: untouched pages stay unmapped
                _size = 0
                new = _distinct(np.concatenate(codes))
            _table[new] = np.arange(_size + 1, _size + new.size + 1, dtype=np.int64)
            _size += int(new.size)
            digits = [_table[code] for code in codes]
        base = _size + 1
    if base**SHINGLE >= _MAX_KEY:
        return None
    out = []
    for ranks in digits:
        n = ranks.size - SHINGLE + 1
        key = ranks[:n] * base
        for j in range(1, SHINGLE - 1):
            key += ranks[j : n + j]
            key *= base
        key += ranks[SHINGLE - 1 :]
        out.append(_distinct(key))
    return out


def _distinct(values: Any) -> Any:
    ordered = np.sort(values, kind="stable")  # numpy's radix and tim sorts: faster here than its quicksort
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
