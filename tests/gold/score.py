"""Scoring an extractor on the gold corpus: char-bigram P/R/F1, chrome leaks, field exact-match, classification.

Shared by the test gate (tests/ingest/test_gold_gate.py) and the benchmark (bench/extraction.py).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
FIELDS = ("title", "agency", "report_year", "publish_date", "doc_number")

# Page chrome as it appears on real portals (PORTALS.md). Independent of ingest's own patterns on purpose.
CHROME_MARKERS = (
    "扫一扫在手机打开",
    "分享到",
    "分享按钮",
    "【字体",
    "字体：",
    "字号：",
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "版权所有",
    "网站标识码",
    "主办单位",
    "承办单位",
    "ICP备",
    "公网安备",
    "您当前的位置",
    "当前位置：",
    "您的位置",
    "您所在的位置",
    "更换或升级浏览器",
    "当前浏览器版本过低",
    "建议您将IE升级",
    "索引号",
    "发布机构",
    "相关信息",
    "相关文件",
    "相关链接",
    "相关附件",
    "保护视力色",
    "长者模式",
    "无障碍",
    "访问量",
    "浏览次数",
    "我要纠错",
    "网站地图",
    "联系我们",
    "发布时间：",
    "信息来源：",
)


@dataclass
class GoldCase:
    file: str
    name: str
    template: str
    url: str
    content_type: str | None
    hints: dict[str, str | None]
    kind: str
    fields: dict[str, Any]
    body: list[str] | None
    folder: Path = HERE

    @property
    def html(self) -> bytes:
        return (self.folder / "pages" / self.file).read_bytes()


UNSEEN = HERE / "unseen"  # templates designed apart from the extractor (python -m tests.gold.unseen)


def load_cases(folder: Path = HERE) -> list[GoldCase]:
    cases = json.loads((folder / "cases.json").read_text(encoding="utf-8"))
    return [GoldCase(**c, folder=folder) for c in cases]


def _bigrams(text: str) -> Counter[str]:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def bigram_prf(expected: str, got: str) -> tuple[float, float, float]:
    want, have = _bigrams(expected), _bigrams(got)
    overlap = sum((want & have).values())
    precision = overlap / sum(have.values()) if have else (1.0 if not want else 0.0)
    recall = overlap / sum(want.values()) if want else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def chrome_leaks(expected: str, got: str) -> list[str]:
    return [m for m in CHROME_MARKERS if m in got and m not in expected]


@dataclass
class Score:
    pages: int = 0
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    leaks: list[tuple[str, list[str]]] = field(default_factory=list)
    field_hits: Counter[str] = field(default_factory=Counter)
    field_total: int = 0
    field_misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    misclassified: list[tuple[str, str, str]] = field(default_factory=list)
    low_f1: list[tuple[str, float]] = field(default_factory=list)

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def leaks_per_page(self) -> float:
        return sum(len(found) for _, found in self.leaks) / len(self.f1) if self.f1 else 0.0

    def exact_match(self, name: str) -> float:
        return self.field_hits[name] / self.field_total if self.field_total else 0.0


def score_body(score: Score, case: GoldCase, got: str) -> None:
    expected = "\n".join(case.body or [])
    p, r, f = bigram_prf(expected, got)
    score.precision.append(p)
    score.recall.append(r)
    score.f1.append(f)
    if f < 0.99:
        score.low_f1.append((case.name, round(f, 4)))
    found = chrome_leaks(expected, got)
    if found:
        score.leaks.append((case.name, found))


def score_fields(score: Score, case: GoldCase, got: dict[str, Any]) -> None:
    score.field_total += 1
    for name in FIELDS:
        if got.get(name) == case.fields.get(name):
            score.field_hits[name] += 1
        else:
            score.field_misses.append((case.name, name, case.fields.get(name), got.get(name)))
