"""The operator console at ``/ops``: sign in with ``FAZHI_API_TOKEN``, the sources table (filter, sort, crawl
now), a run's pages and failures, the live view of running crawls (htmx polls ``/ops/live``).

A crawl is requested as a row in the store (``store.operator.request_recrawl``), as ``POST /-/recrawl`` does:
the scheduler takes it within seconds. Every answer here is ``private, no-store``.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.engine import Connection

from api.deps import read
from api.web import console, session
from api.web.templating import NO_STORE, render
from store import operator, web

router = APIRouter(prefix="/ops", include_in_schema=False)


def _page(name: str, request: Request, status: int = 200, **context: Any) -> Response:
    return render(name, status=status, headers=NO_STORE, csrf=_csrf(request), **context)


def _csrf(request: Request) -> str | None:
    current = session.current(request)
    return current.csrf if current else None


def _login(request: Request, status: int = 200, problem: str | None = None) -> Response:
    enabled = session.token_of(request) is not None
    return _page("ops_login.html", request, status=status, enabled=enabled, problem=problem)


async def _form(request: Request) -> dict[str, str]:
    return dict(parse_qsl((await request.body()).decode("utf-8", "replace"), keep_blank_values=True))


def _refused(request: Request) -> Response:
    problem = "会话已失效或请求来源不明：请重新登录后再试。"
    return _login(request, status=403, problem=problem)


async def _checked_post(request: Request) -> dict[str, str] | None:
    """The form of a signed-in, same-origin POST that carries the session's CSRF token; ``None`` otherwise."""
    current = session.current(request)
    form = await _form(request)
    submitted = form.get("csrf") or request.headers.get("x-csrf-token")
    if current is None or not session.same_origin(request) or not session.csrf_ok(current, submitted):
        return None
    return form


@router.post("/login")
async def login(request: Request) -> Response:
    token = session.token_of(request)
    if token is None:
        return _login(request, status=403, problem="运维控制台未启用：请为服务设置 FAZHI_API_TOKEN。")
    if not session.same_origin(request):
        return _refused(request)
    given = (await _form(request)).get("token", "").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return _login(request, status=403, problem="令牌不正确。")
    response = RedirectResponse("/ops", status_code=303, headers=NO_STORE)
    session.set_cookie(response, request, session.new_session())
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    if await _checked_post(request) is None:
        return _refused(request)
    response = RedirectResponse("/ops", status_code=303, headers=NO_STORE)
    session.clear_cookie(response)
    return response


def _table(connection: Connection) -> list[dict[str, Any]]:
    return console.source_rows(operator.sources_health(connection), web.latest_runs(connection))


@router.get("", response_class=HTMLResponse)
async def sources_page(request: Request) -> Response:
    if session.current(request) is None:
        return _login(request)
    query = request.query_params
    status = query.get("status", "") if query.get("status", "") in console.FILTERS else ""
    text, sort = query.get("q", "").strip()[:64], query.get("sort", "name")
    descending = query.get("dir") == "desc"
    rows = console.filter_sort(
        await read(request, _table), status=status, text=text, sort=sort, descending=descending
    )
    return _page(
        "ops_sources.html",
        request,
        rows=rows,
        filters=console.FILTERS,
        columns=console.COLUMNS,
        state={"status": status, "q": text, "sort": sort, "dir": "desc" if descending else "asc"},
        sort_url=lambda column: _sort_url(status, text, sort, descending, column),
        requested=query.get("requested", ""),
    )


def _sort_url(status: str, text: str, sort: str, descending: bool, column: str) -> str:
    flip = "asc" if (column == sort and descending) or column != sort else "desc"
    return "/ops?" + urlencode({"status": status, "q": text, "sort": column, "dir": flip})


@router.post("/crawl")
async def crawl_now(request: Request) -> Response:
    form = await _checked_post(request)
    if form is None:
        return _refused(request)
    known = await read(request, web.source_names)
    names = known if form.get("source", "") == "" else [form["source"]]
    if not set(names) <= set(known):
        return _page(
            "error.html", request, status=404, heading="没有这个来源", message=form["source"], back="/ops"
        )
    request_ids = operator.request_recrawl(request.app.state.engine, names, requested_by="console")
    if request.headers.get("hx-request"):
        return _live(request, await read(request, _activity), requested=names)
    back = "/ops?" + urlencode({"requested": ",".join(names), "ids": ",".join(map(str, request_ids))})
    return RedirectResponse(back, status_code=303, headers=NO_STORE)


def _activity(connection: Connection) -> dict[str, Any]:
    recent = operator.runs_page(connection, before=None, limit=8, source_name=None)
    return {"running": web.running_runs(connection), "recent": [r for r in recent if r["state"] != "running"]}


def _live(request: Request, activity: dict[str, Any], requested: list[str] | None = None) -> Response:
    return _page("ops_live.html", request, requested=requested or [], **activity)


@router.get("/live", response_class=HTMLResponse)
async def live(request: Request) -> Response:
    if session.current(request) is None:
        return HTMLResponse("<p role='alert'>会话已失效，请<a href='/ops'>重新登录</a>。</p>", 401, NO_STORE)
    return _live(request, await read(request, _activity))


@router.get("/runs/{run_id}", response_class=HTMLResponse)
async def run_page(request: Request, run_id: int) -> Response:
    if session.current(request) is None:
        return _login(request)

    def work(connection: Connection) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        return web.run(connection, run_id), web.run_pages(connection, run_id)

    found, pages = await read(request, work)
    if found is None:
        return _page(
            "error.html", request, status=404, heading="没有这次运行", message=f"#{run_id}", back="/ops"
        )
    return _page("ops_run.html", request, run=found, pages=pages, limit=web.MAX_FAILURES)


@router.get("/runs", response_class=HTMLResponse)
async def runs_page(request: Request) -> Response:
    if session.current(request) is None:
        return _login(request)
    source = request.query_params.get("source") or None
    runs = await read(request, lambda c: operator.runs_page(c, before=None, limit=100, source_name=source))
    return _page("ops_runs.html", request, runs=runs, source=source or "")
