"""A line diff of two report bodies for the versions view: what was removed, what was added, a little context
around each change and the unchanged stretches folded. Pure (difflib)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 2  # unchanged lines shown either side of a change
FOLD_AT_LEAST = 3  # fewer unchanged lines than this are shown, not folded


@dataclass(frozen=True)
class Line:
    kind: str  # same | removed | added | folded
    text: str


def _lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.strip()]


def _same(lines: list[str], first: bool, last: bool) -> list[Line]:
    head = [] if first else lines[:CONTEXT]
    tail = [] if last else lines[-CONTEXT:]
    if len(lines) - len(head) - len(tail) < FOLD_AT_LEAST:
        return [Line("same", t) for t in lines]
    folded = Line("folded", f"（{len(lines) - len(head) - len(tail)} 行未改动）")
    return [*(Line("same", t) for t in head), folded, *(Line("same", t) for t in tail)]


def line_diff(old: str, new: str) -> list[Line]:
    a, b = _lines(old), _lines(new)
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    out: list[Line] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            out += _same(a[i1:i2], first=index == 0, last=index == len(opcodes) - 1)
            continue
        out += [Line("removed", t) for t in a[i1:i2]]
        out += [Line("added", t) for t in b[j1:j2]]
    return out


def summary(lines: list[Line]) -> tuple[int, int]:
    return sum(1 for x in lines if x.kind == "removed"), sum(1 for x in lines if x.kind == "added")
