"""Alembic's environment: migrations run on the connection handed over by :func:`store.migrate.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from store import models as _models  # noqa: F401  (registers the tables for autogenerate)
from store.migrate import include_object

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
