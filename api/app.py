"""Building the FastAPI app: routes, error handlers, CORS (off unless configured), HEAD, health."""

from __future__ import annotations

import weakref

from fastapi import Depends, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Engine, text

from api import attachments, capture, coverage, documents, feed, operator, reports, web
from api.config import ApiConfig
from api.deps import Held, lifespan, read, reader
from api.errors import install_error_handlers
from api.guard import Guard
from api.head import HeadAsGet
from api.params import known_parameters
from api.responses import dumps
from api.schemas import Health, example
from api.spec import with_error_schema


def create_app(*, engine: Engine, config: ApiConfig) -> FastAPI:
    """The app over ``engine``, for the deployment ``config`` describes (built by ``fazhi`` from its settings)."""
    if config.search_words is None:
        raise ValueError(
            "ApiConfig.search_words is not set: the API splits search queries with the segmenter the indexer used "
            "(fazhi's Settings.api_config() passes it)"
        )
    app = FastAPI(
        title="fazhi",
        version=config.version,
        description="法治政府建设年度报告, harvested from government portals: clean bodies, fields, sightings, "
        "a change feed. Every error has the body {ok: false, error, errors, status}.",
        dependencies=[Depends(known_parameters)],
        docs_url=None,  # /docs and /redoc are api.web's, with their assets served from the package
        redoc_url=None,
        lifespan=lifespan,
        # no OpenTelemetry (the service exports Prometheus metrics): FastAPI then asks no provider per request
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.engine = engine
    app.state.reader = reader(engine)
    app.state.held = Held(app.state.reader)  # SQLite's inline reads
    app.state.hot_reads = None  # PostgreSQL's hot reads (their threads), while the lifespan runs
    app.state.thread_reads = None  # the limit of SQLite's threaded reads, while the lifespan runs
    weakref.finalize(app, app.state.held.close)
    if app.state.reader is not engine:  # its own pool: closed with the app, or at exit
        weakref.finalize(app, app.state.reader.dispose)
    app.state.settings = config
    install_error_handlers(app)
    if config.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=config.cors_origins,
            allow_methods=["GET"],
            expose_headers=["ETag", "Link"],
        )
    app.router.routes.extend(documents.PLAIN_ROUTES)  # the hot reads, ahead of the routers (api/documents.py)
    app.add_middleware(HeadAsGet)
    app.add_middleware(Guard, settings=config)  # outermost: before CORS, routes and any body read
    app.include_router(documents.router)
    app.include_router(capture.router)
    app.include_router(attachments.router)
    app.include_router(feed.router)
    app.include_router(reports.router)  # reports, versions (issue 19)
    app.include_router(coverage.router)
    app.include_router(operator.router)
    app.include_router(operator.metrics_router)
    web.install(app)  # the reports browser (/), the console (/ops), /docs, /redoc, /static

    @app.get("/healthz", response_model=Health, tags=["service"], openapi_extra=example("health"))
    async def healthz(request: Request) -> Response:
        await read(request, lambda connection: connection.execute(text("SELECT 1")))
        return Response(
            dumps({"ok": True, "database": "ok", "version": config.version}), media_type="application/json"
        )

    with_error_schema(app)
    operator.declare_sources(app, config.sources)
    return app
