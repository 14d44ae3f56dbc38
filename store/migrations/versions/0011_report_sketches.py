"""Each document's MinHash, kept for the versions test (``report_sketches``): a candidate version is estimated
from its 512 bytes before its body is read for the exact Jaccard (``store.reports.PRUNE_ESTIMATE``).

Documents stored before this migration get no row: as candidates they are compared exactly, as before (their
sketches are not computed here: that would read and hash every body in the store).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # documents.seq's type: SQLite's rowid


def upgrade() -> None:
    op.create_table(
        "report_sketches",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=False),
        sa.Column("minhash", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_sketches")
