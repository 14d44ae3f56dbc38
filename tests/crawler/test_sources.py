from __future__ import annotations

from pathlib import Path

import pytest

from crawler.errors import SourcesError
from crawler.sources import load_sources, select_sources
from fazhi.paths import demo_sources, real_sources


def test_shipped_sources_are_valid() -> None:
    demo = load_sources(demo_sources())
    real = load_sources(real_sources())
    assert len(demo) == len(real) == 5
    assert all(s.allow_private for s in demo)
    assert not any(s.allow_private for s in real)
    assert all(host.startswith("127.0.0.") for s in demo for host in s.start_hosts)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[sources]]\nname='a'\n", "start_urls"),
        ("[[sources]]\nname='Bad Name'\nstart_urls=['http://127.0.0.2/']\n", "name"),
        ("[[sources]]\nname='a'\nstart_urls=['ftp://127.0.0.2/']\n", "not an http(s) URL"),
        ("[[sources]]\nname='a'\nstart_urls=['http://127.0.0.2/']\nschedule='every day'\n", "cron"),
        ("[[sources]]\nname='a'\nstart_urls=['http://127.0.0.2/']\ncolour='red'\n", "colour"),
        (
            "[[sources]]\nname='a'\nstart_urls=['http://127.0.0.2/']\n[[sources]]\nname='a'\nstart_urls=['http://127.0.0.2/']\n",
            "duplicate",
        ),
        ("name = 'a'\n", "[[sources]]"),
        ("[[sources]\n", "not valid TOML"),
    ],
)
def test_bad_sources_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "sources.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=str(path)) as info:
        load_sources(path)
    assert message in str(info.value)


def test_missing_file_and_unknown_names() -> None:
    with pytest.raises(SourcesError, match="no such sources file"):
        load_sources("/nonexistent/sources.toml")
    with pytest.raises(SourcesError, match="unknown source"):
        select_sources(load_sources(demo_sources()), ["nope"])
