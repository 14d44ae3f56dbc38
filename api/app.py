"""Building the FastAPI app: routes, error handlers, health."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine, text

from api import documents
from api.deps import SessionDep
from api.errors import install_error_handlers
from api.schemas import Health
from fazhi.settings import Settings

VERSION = "0.1.0"


def create_app(*, engine: Engine, settings: Settings) -> FastAPI:
    app = FastAPI(
        title="fazhi",
        version=VERSION,
        description="法治政府建设年度报告, harvested from government portals: clean bodies, fields, sightings.",
    )
    app.state.engine = engine
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(documents.router)

    @app.get("/healthz", response_model=Health, tags=["service"])
    def healthz(session: SessionDep) -> Health:
        session.execute(text("SELECT 1"))
        return Health(ok=True, database="ok", version=VERSION)

    return app
