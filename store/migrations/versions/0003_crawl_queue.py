"""PostgreSQL: the crawl queue's tables (procrastinate's schema, as the pinned procrastinate release ships it).

Revision ID: 0003
Revises: 0002

procrastinate is pinned to one minor release in pyproject.toml. Moving to another one is a new revision here that
applies procrastinate's own SQL migrations between the two (``procrastinate.schema.SchemaManager
.get_migrations_path()``), in order.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite deployments run one process: no queue
    from procrastinate.schema import SchemaManager

    cursor = bind.connection.cursor()  # the driver's own cursor: the schema's % and : are not placeholders
    cursor.execute(SchemaManager.get_schema())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        DO $drop$ DECLARE r record; BEGIN
          FOR r IN SELECT tablename FROM pg_tables
                   WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate%' LOOP
            EXECUTE format('DROP TABLE %I CASCADE', r.tablename);
          END LOOP;
          FOR r IN SELECT p.oid::regprocedure AS f FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%' LOOP
            EXECUTE 'DROP FUNCTION ' || r.f || ' CASCADE';
          END LOOP;
          FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                   WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate%' AND t.typtype IN ('e', 'c')
          LOOP
            EXECUTE format('DROP TYPE %I CASCADE', r.typname);
          END LOOP;
        END $drop$
        """
    )
