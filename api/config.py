"""What the API needs to know about its deployment, built by the composition root (``fazhi``) from its settings:
the API never reads the environment and never imports ``fazhi``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import version as installed_version
from pathlib import Path

from pydantic import SecretStr


@dataclass(frozen=True)
class ApiConfig:
    version: str = field(default_factory=lambda: installed_version("fazhi"))  # pyproject's, the one version
    public_url: str | None = None  # base of the links handed out (next_url, Link); relative links without it
    api_token: SecretStr | None = None  # bearer token of the operator endpoints; off without it
    cors_origins: list[str] = field(default_factory=list)  # CORS off when empty
    warc_directory: Path | None = None  # where the crawler's WARC files are (captures served from them)
    # the deployment's source names: what POST /-/recrawl takes, declared in its body schema as an enum;
    # None: not stated (the names the store knows are taken, undeclared)
    sources: tuple[str, ...] | None = None
    # the words of a search query, split exactly as the indexer split the stored text (the composition root passes
    # the segmenter the crawler indexes with; ``create_app`` refuses a config without it)
    search_words: Callable[[str], Sequence[str]] | None = None
