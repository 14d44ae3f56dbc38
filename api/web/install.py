"""Mounting the web interface on the app: static files, the browser, the console, the self-hosted API docs."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api.web import browse, coverage, docs, ops, report
from api.web.templating import STATIC_DIR


def install(app: FastAPI) -> None:
    """Needs an app made with ``docs_url=None, redoc_url=None`` (the docs here load nothing from a CDN)."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (browse, report, coverage, ops, docs):
        app.include_router(module.router)
