"""``/docs`` (Swagger UI) and ``/redoc`` (ReDoc) with their scripts, styles and icons served from this package
(FastAPI's self-hosted docs recipe): the pages work on a machine with no way out."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)
ICON = "/static/swagger-ui/favicon-32x32.png"
Render = Callable[..., HTMLResponse]  # a FastAPI docs page: (openapi_url=, title=) and its assets


def _docs_page(path: str, label: str, render: Render) -> None:
    """``path``: the page ``render`` draws of the app's OpenAPI document, titled ``<app> · <label>``."""

    async def page(request: Request) -> HTMLResponse:
        return render(openapi_url=request.app.openapi_url, title=f"{request.app.title} · {label}")

    router.add_api_route(path, page, methods=["GET"], response_class=HTMLResponse, name=path.strip("/"))


_docs_page(
    "/docs",
    "API",
    partial(
        get_swagger_ui_html,
        swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url=ICON,
        swagger_ui_parameters={"validatorUrl": None},
    ),
)
_docs_page(
    "/redoc",
    "ReDoc",
    partial(
        get_redoc_html,
        redoc_js_url="/static/redoc/redoc.standalone.js",
        redoc_favicon_url=ICON,
        with_google_fonts=False,
    ),
)
