"""A report page that changes: a new document, linked to the old one as a version, announced in the feed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from api import create_app
from fazhi.settings import Settings
from tests.conftest import crawl
from tests.servers import running_app

pytestmark = pytest.mark.integration


def test_changed_page_becomes_a_new_version(
    portals: tuple[dict[str, Any], int], demo_sources: list[Any], db: Engine
) -> None:
    portal = portals[0]["jianghai"]
    item = portal.reports()[0]
    original = portal.pages[item.path].body.decode()
    sources = [s for s in demo_sources if s.name == "jianghai-rsj"]
    try:
        crawl(db, sources)
        portal.replace_page(
            item.path,
            original.replace(
                '</div><div class="fujian">',
                '<p>附:本报告于2025年1月更正第三部分数据。</p></div><div class="fujian">',
            ),
        )
        second = crawl(db, sources)[0]
    finally:
        portal.replace_page(item.path, original)
    assert second.new == 1
    with (
        running_app(create_app(engine=db, config=Settings().api_config())) as base,
        httpx.Client(base_url=base) as client,
    ):
        items = client.get("/documents").json()["items"]
        new = client.get(f"/documents/{items[1]['id']}").json()
        changes = client.get("/changes").json()["changes"]
    assert len(items) == 2
    assert new["body"].endswith("附:本报告于2025年1月更正第三部分数据。")
    assert [v["id"] for v in new["versions"]] == [items[0]["id"]]
    kinds = [(c["document_id"][:8], c["kind"], sorted(c["detail"])) for c in changes]
    assert (items[1]["id"][:8], "created", ["report_id", "supersedes", "url", "version"]) in kinds
    assert (new["report_id"], new["version"]) == (items[0]["id"], 2)  # one report, two versions
    assert (items[0]["id"][:8], "updated", ["superseded_by", "url"]) in kinds
