"""One report: ``/r/{id}`` (fields with their provenance, the clean body, attachments, where it was seen, other
versions at its URLs, the permalink) and ``/r/{id}/diff/{other}`` (what changed between two versions)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.engine import Connection

from api.deps import read
from api.documents import lookup
from api.errors import ApiError
from api.web import chart
from api.web.browse import PARTS
from api.web.diff import line_diff, summary
from api.web.templating import render
from store.reports import report_versions

router = APIRouter(include_in_schema=False)
FIELDS = (
    ("title", "标题"),
    ("agency", "发布机关"),
    ("report_year", "报告年度"),
    ("publish_date", "公开日期"),
    ("doc_number", "文号"),
    ("index_no", "索引号"),
    ("signer", "签发人"),
    ("addressee", "主送"),
    ("cc", "抄送"),
    ("source", "来源"),
    ("province", "省份"),
    ("city", "城市"),
    ("county", "区县"),
)


def fields(document: dict[str, Any]) -> list[dict[str, Any]]:
    provenance = document.get("provenance") or {}
    return [
        {"name": name, "label": label, "value": document.get(name), "provenance": provenance.get(name)}
        for name, label in FIELDS
        if document.get(name) not in (None, "")
    ]


def timeliness(document: dict[str, Any]) -> str | None:
    """Against the deadline ``store.reports`` recorded (the source's own, or 1 April of the next year)."""
    year, published = document.get("report_year"), document.get("publish_date")
    if not (year and published):
        return None
    due = document.get("deadline") or chart.deadline(year)
    days = chart.offset_days(year, published, due)
    when = due.isoformat()
    return f"逾期 {days} 天（期限 {when}）" if days > 0 else f"按期公开（期限 {when}，提前 {-days} 天）"


def parts(document: dict[str, Any]) -> list[tuple[str, bool]]:
    """The required parts and whether the body has each (``store.reports``; empty before it judged)."""
    sections = document.get("sections") or {}
    return [(label, bool(sections.get(name))) for name, label in PARTS.items() if name in sections]


def _with_versions(connection: Connection, document_id: str) -> dict[str, Any]:
    document = lookup(connection, document_id, with_sightings=True)
    report_id = document.get("report_id")
    document["report_versions"] = report_versions(connection, report_id) if report_id else []
    return document


def _failure(exc: ApiError) -> Response:
    heading = {404: "找不到这份报告", 409: "编号不唯一"}.get(exc.status, "编号有误")
    return render("error.html", status=exc.status, heading=heading, message=exc.message, back="/")


@router.get("/r/{document_id}", response_class=HTMLResponse)
async def report_page(request: Request, document_id: str) -> Response:
    try:
        document = await read(request, lambda connection: _with_versions(connection, document_id))
    except ApiError as exc:
        return _failure(exc)
    paragraphs = [p for p in document["body"].splitlines() if p.strip()]
    return render(
        "report.html",
        doc=document,
        fields=fields(document),
        paragraphs=paragraphs,
        timeliness=timeliness(document),
        parts=parts(document),
        provenance_body=(document.get("provenance") or {}).get("body"),
        base=str(request.base_url).rstrip("/"),
    )


@router.get("/r/{document_id}/diff/{other_id}", response_class=HTMLResponse)
async def diff_page(request: Request, document_id: str, other_id: str) -> Response:
    def work(connection: Connection) -> tuple[dict[str, Any], dict[str, Any]]:
        return lookup(connection, document_id), lookup(connection, other_id)

    try:
        new, old = await read(request, work)
    except ApiError as exc:
        return _failure(exc)
    if old["fetched_at"] > new["fetched_at"]:
        old, new = new, old
    lines = line_diff(old["body"], new["body"])
    removed, added = summary(lines)
    return render("diff.html", old=old, new=new, lines=lines, removed=removed, added=added)
