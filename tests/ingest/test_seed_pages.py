"""The five seed reports, wrapped in their platform's full chrome by the simulator, extract to the ground truth."""

from __future__ import annotations

from typing import Any

import pytest

from ingest import extract_report
from ingest.model import SourceHints
from portalsim import build_portals

PORTALS = build_portals(8801)
REPORT_PAGES = [(key, item) for key, portal in PORTALS.items() for item in portal.reports()]


def _extract(key: str, path: str):  # type: ignore[no-untyped-def]
    portal = PORTALS[key]
    page = portal.pages[path]
    return extract_report(
        page.body,
        f"http://{portal.host}{path}",
        content_type=page.content_type,
        hints=SourceHints(agency=portal.agency, region=portal.region),
    )


@pytest.mark.parametrize(
    ("key", "item"), REPORT_PAGES, ids=[i.path.rsplit("/", 1)[-1] for _, i in REPORT_PAGES]
)
def test_body_equals_ground_truth(key: str, item: Any, groundtruth: dict[str, Any]) -> None:
    report = _extract(key, item.path)
    assert report.kind == "report", report.reason
    assert report.paragraphs == groundtruth[key]["body_paragraphs"]
    assert report.body == "\n".join(groundtruth[key]["body_paragraphs"])


@pytest.mark.parametrize("key", sorted(PORTALS))
def test_fields_match_ground_truth_and_page(key: str, groundtruth: dict[str, Any]) -> None:
    item = PORTALS[key].reports()[0]
    report = _extract(key, item.path)
    truth = groundtruth[key]["fields"]
    for name in ("province", "city", "county", "report_year", "doc_number", "signer", "addressee", "cc"):
        assert getattr(report, name) == truth[name], name
    for name in ("agency", "publish_date", "breadcrumb"):
        if truth.get(name):
            value = getattr(report, name)
            assert (value.isoformat() if name == "publish_date" else value) == truth[name], name
    # what the simulated page states (the seeds' own text has no title or date for some of them)
    assert report.title == item.title
    assert report.publish_date == item.published.date()
    assert report.agency == item.agency
    # Dongguan's static page has no info table (its gkmlpt copy has one)
    assert report.index_no == (None if key == "dongguan" else item.index_no)


def test_no_chrome_line_survives(groundtruth: dict[str, Any]) -> None:
    for key, item in REPORT_PAGES:
        body = _extract(key, item.path).body
        for line in groundtruth[key]["chrome_lines"]:
            if line not in groundtruth[key]["body_paragraphs"]:
                assert line not in body.split("\n"), (key, line)
        for marker in (
            "扫一扫在手机打开当前页",
            "分享到",
            "【字体",
            "打印本页",
            "版权所有",
            "网站标识码",
            "您当前的位置",
        ):
            assert marker not in body, (key, marker)


def test_attachments_are_kept_and_absolute() -> None:
    report = _extract("hedong", PORTALS["hedong"].reports()[0].path)
    assert [a.type for a in report.attachments] == ["pdf"]
    assert report.attachments[0].url.startswith(
        "http://127.0.0.12:8801/zwgk/fzzfjs/fzzfjsbgqk/2023fz/202403/P0"
    )
    assert report.attachments[0].name.endswith(".pdf")


@pytest.mark.parametrize("key", sorted(PORTALS))
def test_decoys_are_not_reports(key: str) -> None:
    portal = PORTALS[key]
    decoys = [i for i in portal.items if i.kind == "decoy"]
    assert len(decoys) == 4
    for item in decoys:
        report = _extract(key, item.path)
        assert report.kind == "not_report", item.title


@pytest.mark.parametrize(
    ("key", "item"), REPORT_PAGES, ids=[i.path.rsplit("/", 1)[-1] for _, i in REPORT_PAGES]
)
def test_attachment_links_become_attachments_not_body(key: str, item: Any) -> None:
    report = _extract(key, item.path)
    names = sorted(a.name for a in report.attachments)
    assert names == sorted(a.name for a in item.attachments)
    assert all(a.url.startswith(f"http://{PORTALS[key].host}/") for a in report.attachments)
    assert not any(line.startswith("附件") for line in report.paragraphs)
