"""Report bands keyed by the document's ``seq`` instead of its 64-character id (issue 19's cost measurement).

A band row was (band, document id) in a rowid table with two indexes: 8.7 KB a document on SQLite (32 rows; the
50k-document bench store). It is now (band, seq) in its primary-key index alone (``WITHOUT ROWID`` on SQLite):
0.58 KB a document. The rows are copied across through ``documents``; a band row whose document is gone (none
should be) is dropped.

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _swap(new: str, key: sa.Column[object], copy: str, *, rowid: bool) -> None:
    """Fill ``new`` (band, ``key``) with ``copy`` (a SELECT over the old ``report_bands``), then put it in the
    old table's place, primary-key name included (``rowid``: SQLite's rowid table, as 0005 made it)."""
    op.create_table(
        new,
        sa.Column("band", sa.BigInteger(), nullable=False),
        key,
        sa.PrimaryKeyConstraint("band", key.name),
        sqlite_with_rowid=rowid,
    )
    op.execute(f"INSERT INTO {new} (band, {key.name}) {copy}")
    op.drop_table("report_bands")
    op.rename_table(new, "report_bands")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE report_bands RENAME CONSTRAINT {new}_pkey TO report_bands_pkey")


def upgrade() -> None:
    op.drop_index("ix_report_bands_document_id", table_name="report_bands")
    copy = "SELECT b.band, d.seq FROM report_bands b JOIN documents d ON d.id = b.document_id"
    _swap("report_bands_seq", sa.Column("seq", sa.BigInteger(), nullable=False), copy, rowid=False)


def downgrade() -> None:
    copy = "SELECT b.band, d.id FROM report_bands b JOIN documents d ON d.seq = b.seq"
    _swap("report_bands_id", sa.Column("document_id", sa.String(length=64), nullable=False), copy, rowid=True)
    op.create_index("ix_report_bands_document_id", "report_bands", ["document_id"])
