"""One page of the gold corpus as it is built: the page, what kind it is and what extraction must find in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Case:
    name: str
    template: str
    url: str
    html: bytes
    content_type: str | None
    kind: str
    fields: dict[str, Any] = field(default_factory=dict)
    body: list[str] | None = None
    hints: dict[str, str | None] = field(default_factory=dict)
