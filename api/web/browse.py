"""The public reports browser: ``/`` (search with the ``/documents`` filters, a page of results) and the
deadline chart (``/charts/dates``, its SVG at ``/charts/dates.svg``). Read-only."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from api.cursor import encode_cursor, resume
from api.deps import read
from api.documents import search_match
from api.errors import ApiError
from api.params import ListParams
from api.web import chart, nav
from api.web.memo import remembered
from api.web.templating import render
from store import queries, web

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
FORM_FIELDS = (
    "q",
    "report_year",
    "province",
    "city",
    "county",
    "agency",
    "source_name",
    "published_after",
    "published_before",
    "sort",
    "missing",
)
LABELS = {
    "q": "关键词",
    "report_year": "报告年度",
    "province": "省份",
    "city": "城市",
    "county": "区县",
    "agency": "发布机关",
    "source_name": "来源",
    "published_after": "公开日期起",
    "published_before": "公开日期止",
    "sort": "排序",
    "missing": "缺少部分",
    "cursor": "翻页",
}
nav.register("/charts/dates", "公开时间")


PARTS = {  # store.reports.PARTS: the parts a 法治政府建设年度报告 must have
    "measures": "主要举措",
    "shortcomings": "存在的不足",
    "leader_duties": "第一责任人职责",
    "next_year": "下一年度安排",
    "other": "其他事项",
}
COLUMNS = (*queries.SUMMARY_COLUMNS, "late", "days_late", "deadline", "missing_parts", "backdated", "version")


def badges(row: dict[str, Any]) -> list[tuple[str, str]]:
    """``(css class, label)`` of what a result row shows about itself: late (as ``store.reports`` judged it
    against the source's deadline; rows stored before it by 1 April), undated, missing parts, backdated."""
    out = []
    year, published = row.get("report_year"), row.get("publish_date")
    days = row.get("days_late") if row.get("late") is not None else None
    if days is None and year and published:
        days = chart.offset_days(year, published, row.get("deadline"))
    if row.get("late") is not False and days is not None and days > 0:
        out.append(("late", f"逾期 {days} 天"))
    elif year and published is None:
        out.append(("undated", "未注明日期"))
    if row.get("missing_parts"):
        missing = "、".join(PARTS.get(p, p) for p in row["missing_parts"].split(","))
        out.append(("missing", f"缺少：{missing}"))
    if row.get("backdated"):
        out.append(("late", "日期早于首次发现"))
    if (row.get("version") or 1) > 1:
        out.append(("version", f"第 {row['version']} 版"))
    return out


def _form(request: Request) -> dict[str, str]:
    """The submitted form, empty fields dropped (a select's "all" is an empty value)."""
    return {k: v.strip() for k, v in request.query_params.items() if k in FORM_FIELDS and v.strip()}


def _search(
    request: Request, connection: Connection, form: dict[str, str], cursor: str | None
) -> dict[str, Any]:
    params = parse_form(form, cursor)
    match = search_match(request, params.q)
    # newest first by default (the primary key, no sort of every row); the cursor's order wins, as in the API
    default = params.sort or ("rank" if match else "-seq")
    order, after = resume(params.cursor, default, searching=bool(match))
    rows = queries.list_documents(
        connection,
        filters=params.filters(),
        sort=order,
        after=after,
        limit=PAGE_SIZE + 1,
        match=match,
        columns=COLUMNS,
    )
    items = rows[:PAGE_SIZE]
    more = len(rows) > PAGE_SIZE
    next_cursor = encode_cursor(order, items[-1]["sort_key"], items[-1]["seq"]) if more else None
    total = queries.count_documents(connection, filters=params.filters(), match=match)
    for item in items:
        item["badges"] = badges(item)
    return {"items": items, "total": total, "next_cursor": next_cursor}


def parse_form(form: dict[str, str], cursor: str | None) -> ListParams:
    request_like = {**form, **({"cursor": cursor} if cursor else {})}
    return ListParams.model_validate(request_like)


def _problems(exc: Exception) -> list[str]:
    if isinstance(exc, ApiError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return [f"{LABELS.get(str(e['loc'][0]), e['loc'][0])}：{e['msg']}" for e in exc.errors()]
    return [str(exc)]


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> Response:
    form = _form(request)
    cursor = request.query_params.get("cursor") or None
    facets = await remembered(request, web.facets)
    try:
        found = await read(request, lambda c: _search(request, c, form, cursor), slow=bool(form.get("q")))
    except (ApiError, ValidationError) as exc:
        return render(
            "index.html",
            status=400,
            form=form,
            problems=_problems(exc),
            facets=facets,
            found=None,
            parts=PARTS,
        )
    next_url = "/?" + urlencode({**form, "cursor": found["next_cursor"]}) if found["next_cursor"] else None
    return render(
        "index.html", form=form, problems=[], facets=facets, found=found, next_url=next_url, parts=PARTS
    )


@router.get("/charts/dates", response_class=HTMLResponse)
async def dates_page(request: Request) -> Response:
    rows = await remembered(request, web.publication_dates)
    return render("dates.html", svg=chart.deadline_svg(rows), years=chart.year_rows(rows))


@router.get("/charts/dates.svg")
async def dates_svg(request: Request) -> Response:
    rows = await remembered(request, web.publication_dates)
    return Response(chart.deadline_svg(rows), media_type="image/svg+xml")
