"""Search: on PostgreSQL, an index of the title's words alone, for the title-matches-first tier of a ranked search.

SQLite's FTS5 table answers a title-only match itself (a column filter); PostgreSQL's combined vector cannot
without reading every candidate's vector, so the title gets a small GIN index of its own (titles are short and
stored inline).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX IF NOT EXISTS documents_fts_title ON documents_fts "
            "USING gin (to_tsvector('simple', title))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS documents_fts_title")
