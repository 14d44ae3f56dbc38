"""Read indexes: the date and year orders of ``/documents`` (``sort=publish_date``, ``sort=report_year`` and their
descending forms) read from an index instead of sorting every document.

The API sorts an undated document first (``coalesce(publish_date, '0001-01-01')``, ties by ``seq``) and a
document of no year as year 0, on both backends; an index on exactly those expressions serves the order and the
keyset (``(key, seq) > (:key, :seq)``) from its first rows. ``store.queries`` writes the same expressions.

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_documents_date_order", "documents", [sa.text("coalesce(publish_date, '0001-01-01')"), "seq"]
    )
    op.create_index("ix_documents_year_order", "documents", [sa.text("coalesce(report_year, 0)"), "seq"])


def downgrade() -> None:
    op.drop_index("ix_documents_year_order", table_name="documents")
    op.drop_index("ix_documents_date_order", table_name="documents")
