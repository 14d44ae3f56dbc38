"""The five required parts (《法治政府建设与责任落实督察工作规定》 art. 24), each under the wordings reports use."""

from __future__ import annotations

import pytest

from ingest.sections import PARTS, report_parts

PROSE = (
    "2023年，我局坚持以习近平法治思想为指导，深入推进依法行政，各项工作取得积极成效，现将有关情况报告如下。"
    * 2
)
WORDINGS = {
    "measures": [
        "一、2023年度推进法治政府建设的主要举措和成效",
        "一、主要工作举措",
        "一、主要做法及成效",
        "一、工作开展情况",
        "一、取得的成效",
    ],
    "shortcomings": [
        "二、存在的不足和原因",
        "二、存在问题",
        "二、存在的主要问题和不足",
        "二、问题和不足",
        "（二）不足之处",
    ],
    "leader_duties": [
        "三、党政主要负责人履行推进法治建设第一责任人职责、加强法治政府建设的有关情况",
        "三、主要负责人履行推进法治建设第一责任人职责情况",
        "（三）落实第一责任人职责情况",
        "局党组书记作为第一责任人，亲自部署、亲自协调法治建设重要工作，全年专题研究法治工作4次。",
    ],
    "next_year": [
        "四、下一年度推进法治政府建设的主要安排",
        "四、下一步工作计划",
        "四、2024年工作打算",
        "四、今后工作方向",
    ],
    "other": [
        "五、其他需要报告的情况",
        "五、其他事项",
        "五、其他需要说明的事项",
    ],
}
CASES = [(part, wording) for part, wordings in WORDINGS.items() for wording in wordings]


@pytest.mark.parametrize(("part", "wording"), CASES)
def test_each_part_under_its_wordings(part: str, wording: str) -> None:
    found = report_parts([PROSE, wording, PROSE])
    assert found[part] == wording[:40] or (found[part] and wording.startswith(found[part]))
    assert [p for p in PARTS if found[p]] == [part]  # and no other part claimed by the same line


def test_every_part_has_at_least_three_wordings() -> None:
    assert all(len(WORDINGS[part]) >= 3 for part in PARTS)


def test_a_report_without_its_plans_for_next_year() -> None:
    lines = [
        WORDINGS["measures"][0],
        PROSE,
        WORDINGS["shortcomings"][0],
        PROSE,
        WORDINGS["leader_duties"][0],
        PROSE,
    ]
    found = report_parts(lines)
    assert [p for p in PARTS if not found[p]] == ["next_year", "other"]
    assert found["shortcomings"] == "二、存在的不足和原因"
