"""Source health: each finished run records what it says about its source (healthy or unhealthy, a reason code
and a message naming the URL and what to do); runs stopped by SIGTERM are ``interrupted``.

Revision ID: 0008
Revises: 0005 (chained after the reports revision when the branches were merged)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.add_column(sa.Column("health", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("health_reason", sa.String(), nullable=True))
        batch_op.add_column(sa.Column("health_message", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs") as batch_op:
        batch_op.drop_column("health_message")
        batch_op.drop_column("health_reason")
        batch_op.drop_column("health")
