"""The body finder on shapes real report pages take: tables inside the body, sections in sibling blocks."""

from __future__ import annotations

from ingest import extract_report

TITLE = "某某区2023年法治政府建设年度报告"
PROSE = [
    f"（{i}）第{i}项工作，依法行政，推进法治政府建设取得新成效，全年办理案件{i}件。" for i in range(1, 7)
]
SIDEBAR = (
    "<ul class='side'>"
    + "".join(f"<li><a href='/n{i}.html'>通知公告第{i}条</a></li>" for i in range(25))
    + "</ul>"
)


def _table(rows: int) -> str:
    cells = "".join(
        f"<tr><td><p class=MsoNormal>{i}</p></td><td><p class=MsoNormal>执法主体{i}</p></td>"
        f"<td><p class=MsoNormal>{i * 13}</p></td></tr>"
        for i in range(rows)
    )
    return f"<table class=MsoNormalTable>{cells}</table>"


def _extract(inner: str) -> list[str]:
    page = (
        f"<html><head><meta charset='utf-8'><title>{TITLE}</title></head><body>{SIDEBAR}"
        f"<h1>{TITLE}</h1><div class='x9'>{inner}</div><div class=foot>版权所有 某某区人民政府</div></body></html>"
    )
    return extract_report(page.encode(), "http://127.0.0.2/a.html").paragraphs


def test_a_table_between_sections_stays_in_the_body() -> None:
    first, second = "".join(f"<p>{p}</p>" for p in PROSE[:3]), "".join(f"<p>{p}</p>" for p in PROSE[3:])
    body = _extract(
        f"<div class=WordSection1>{first}</div><div class=WordSection2>{_table(40)}</div>"
        f"<div class=WordSection3>{second}</div>"
    )
    assert body[0].startswith("(1)") and body[-1].startswith("(6)")
    assert "执法主体39" in body and not any("通知公告" in line for line in body)


def test_a_long_table_at_the_end_of_a_short_report_stays() -> None:
    body = _extract("".join(f"<p>{p}</p>" for p in PROSE[:2]) + _table(60))
    assert body[0].startswith("(1)") and "执法主体59" in body
