"""The real pages of ``../shared/realpages`` (40 pages nobody on the team designed) and their scoring.

Read in place, never copied into the project (their licences differ; see that folder's README). Scoring follows the
README: character-bigram F1 after NFKC and whitespace removal, with surplus occurrences of the optional lines taken
out of the output first; chrome leaks from the README's phrase list; fields exact after NFKC and whitespace removal.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.gold.score import bigram_prf

ROOT = Path(os.environ.get("FAZHI_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "realpages"
FIELDS = ("title", "agency", "doc_number", "index_no", "publish_date", "source")

# The README's leak list, verbatim in spirit: phrases that are chrome wherever they appear outside the truth.
LEAK_PHRASES = (
    "扫一扫在手机打开当前页",
    "分享到",
    "字体",
    "字号",
    "【大中小】",
    "打印",
    "关闭窗口",
    "当前位置",
    "网站标识码",
    "ICP备",
    "公网安备",
    "版权所有",
    "主办",
    "承办",
    "技术支持",
    "责任编辑",
    "浏览次数",
    "我要纠错",
    "相关稿件",
    "相关链接",
    "上一篇",
    "下一篇",
    "返回顶部",
    "无障碍",
    "网站地图",
    "索引号",
    "发文机关",
    "成文日期",
    "发文字号",
    "发布机构",
    "附件下载",
    "当前浏览器版本过低",
    "建议使用",
    "分辨率",
    "收藏",
)


@dataclass(frozen=True)
class RealPage:
    id: str
    dataset: str
    url: str
    template: str
    fields: dict[str, Any]
    body: list[str]
    optional: list[str]

    @property
    def html(self) -> bytes:
        return (ROOT / "pages" / f"{self.id}.html").read_bytes()


def available() -> bool:
    return (ROOT / "MANIFEST.tsv").is_file()


def load_pages() -> list[RealPage]:
    pages = []
    for meta_file in sorted((ROOT / "gt").glob("*.json")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        gt = ROOT / "gt" / f"{meta['id']}.txt"
        opt = ROOT / "gt" / f"{meta['id']}.opt.txt"
        pages.append(
            RealPage(
                id=meta["id"],
                dataset=meta["dataset"],
                url=meta["url"],
                template=meta.get("template", ""),
                fields=meta.get("fields") or {},
                body=_lines(gt),
                optional=_lines(opt) if opt.is_file() else [],
            )
        )
    return pages


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _without_surplus_optional(page: RealPage, got: str) -> str:
    """Remove each optional line from the output as often as it occurs beyond its count in the truth."""
    truth = squash("\n".join(page.body))
    out = squash(got)
    for line in page.optional:
        needle = squash(line)
        if not needle:
            continue
        surplus = out.count(needle) - truth.count(needle)
        for _ in range(max(surplus, 0)):
            out = out.replace(needle, "", 1)
    return out


def body_f1(page: RealPage, got: str) -> float:
    return bigram_prf("\n".join(page.body), _without_surplus_optional(page, got))[2]


def leaks(page: RealPage, got: str) -> list[str]:
    truth, out = squash("\n".join(page.body + page.optional)), squash(got)
    return [p for p in LEAK_PHRASES if squash(p) in out and squash(p) not in truth]


def field_hits(page: RealPage, got: dict[str, Any]) -> dict[str, bool]:
    """For every field the truth has: whether the extractor's value matches exactly (NFKC, no whitespace)."""
    return {
        name: squash(str(got.get(name) or "")) == squash(str(want))
        for name, want in page.fields.items()
        if name in FIELDS and want
    }
