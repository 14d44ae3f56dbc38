"""What ``create_app`` asks of its config."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from api import create_app
from api.config import ApiConfig


def test_a_config_without_the_search_segmenter_is_refused_at_build_time(tmp_path: Path) -> None:
    """Queries must be split as the stored text was: an app that would split them some other way is not built."""
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with pytest.raises(ValueError, match="search_words is not set"):
        create_app(engine=engine, config=ApiConfig())
    engine.dispose()
