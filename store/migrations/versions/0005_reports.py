"""Reports and versions, required parts, timeliness and coverage (issue 19): the report columns of ``documents``,
the LSH bands of their texts, and what each source expects to find.

Documents stored before this revision become version 1 of a report of their own, first seen at their first
sighting; their required parts and deadlines stay unknown (null) until they are stored again.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("report_id", sa.String(length=64)),
    ("version", sa.Integer()),
    ("version_diff", sa.JSON()),
    ("sections", sa.JSON()),
    ("section_headings", sa.JSON()),
    ("missing_parts", sa.String()),
    ("deadline", sa.Date()),
    ("late", sa.Boolean()),
    ("days_late", sa.Integer()),
    ("first_seen", sa.DateTime(timezone=True)),
    ("backdated", sa.Boolean()),
)


def upgrade() -> None:
    with op.batch_alter_table("documents") as batch_op:
        for name, type_ in _COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_index("ix_documents_report_id", ["report_id"])
    op.execute(
        "UPDATE documents SET report_id = id, version = 1, first_seen = "
        "(SELECT min(s.first_seen) FROM sightings s WHERE s.document_id = documents.id)"
    )
    op.create_table(
        "report_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("band", "document_id"),
    )
    op.create_index("ix_report_bands_document_id", "report_bands", ["document_id"])
    op.create_table(
        "source_expectations",
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("agencies", sa.JSON(), nullable=False),
        sa.Column("since", sa.Integer(), nullable=True),
        sa.Column("deadline", sa.String(), nullable=True),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("source_name"),
    )


def downgrade() -> None:
    op.drop_table("source_expectations")
    op.drop_index("ix_report_bands_document_id", table_name="report_bands")
    op.drop_table("report_bands")
    with op.batch_alter_table("documents") as batch_op:
        batch_op.drop_index("ix_documents_report_id")
        for name, _ in reversed(_COLUMNS):
            batch_op.drop_column(name)
