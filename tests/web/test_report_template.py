"""The report page's template on a hand-made document: attachments (text, kept file, why not), capture links,
required parts, versions (unit: no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from api.web.report import fields, parts, timeliness
from api.web.templating import render_text

ID = "a" * 64
OLD = "b" * 64
T = datetime(2025, 1, 2, 3, 4, tzinfo=UTC)


def _document(**values: Any) -> dict[str, Any]:
    document = {
        "id": ID,
        "title": "某区2024年法治政府建设年度报告",
        "report_year": 2024,
        "publish_date": date(2025, 3, 1),
        "deadline": date(2025, 3, 31),
        "url": "http://127.0.0.1:1/a.html",
        "source_name": "s",
        "fetched_at": T,
        "keywords": [],
        "breadcrumb": [],
        "provenance": {"title": "meta"},
        "sightings": [{"url": "http://127.0.0.1:1/a.html", "first_seen": T, "last_seen": T}],
        "versions": [],
        "report_versions": [],
        "sections": {"measures": True, "shortcomings": False},
        "attachments": [
            {
                "name": "报告.pdf",
                "url": "http://127.0.0.1:1/a.pdf",
                "status": "extracted",
                "sha256": "0" * 64,
                "text_chars": 1200,
            },
            {"name": "图.jpg", "url": "http://127.0.0.1:1/b.jpg", "status": "unsupported", "reason": "image"},
        ],
        "capture": {"file": "x.warc.gz", "offset": 0},
        "body": "第一段\n第二段",
    }
    return {**document, **values}


def _page(document: dict[str, Any]) -> str:
    return render_text(
        "report.html",
        doc=document,
        fields=fields(document),
        paragraphs=document["body"].splitlines(),
        timeliness=timeliness(document),
        parts=parts(document),
        provenance_body=None,
        base="http://127.0.0.1:8000",
    )


def test_attachments_link_their_text_and_kept_file_or_say_why_not() -> None:
    html = _page(_document())
    assert f'href="/documents/{ID}/attachments/0">提取的文本</a>（1200 字）' in html
    assert f'href="/documents/{ID}/attachments/0?raw=1"' in html
    assert f"/documents/{ID}/attachments/1" not in html and "（unsupported：image）" in html


def test_the_capture_is_linked_only_when_there_is_one() -> None:
    assert f'href="/documents/{ID}/capture"' in _page(_document())
    assert "/capture" not in _page(_document(capture=None))


def test_required_parts_and_timeliness_against_the_recorded_deadline() -> None:
    html = _page(_document())
    assert "✓ 主要举措" in html and "✗ 缺少 存在的不足" in html
    assert "按期公开（期限 2025-03-31，提前 30 天）" in html


def test_versions_of_the_report_switch_and_diff() -> None:
    versions = [
        {
            "version": 1,
            "id": OLD,
            "first_seen": T,
            "publish_date": date(2025, 3, 1),
            "late": False,
            "version_diff": None,
        },
        {
            "version": 2,
            "id": ID,
            "first_seen": T,
            "publish_date": date(2025, 3, 1),
            "late": False,
            "version_diff": {"added": 1, "removed": 0, "changed": 2},
        },
    ]
    html = _page(_document(report_versions=versions))
    assert f'<a href="/r/{OLD}">第 1 版</a>' in html and 'aria-current="page">第 2 版（本页）' in html
    assert (
        f'href="/r/{ID}/diff/{OLD}">与第 1 版对比</a>' in html and "新增 1 段，删去 0 段，改动 2 段" in html
    )
