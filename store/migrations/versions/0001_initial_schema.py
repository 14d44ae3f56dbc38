"""Initial schema: the tables of the first release, and the full-text index of each backend.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # SQLite's rowid alias must say INTEGER


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_changes_document_id"), ["document_id"], unique=False)

    op.create_table(
        "crawl_runs",
        sa.Column("id", SEQ, nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("trigger", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crawl_runs_source_name"), ["source_name"], unique=False)

    op.create_table(
        "documents",
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("agency", sa.String(), nullable=True),
        sa.Column("report_year", sa.Integer(), nullable=True),
        sa.Column("publish_date", sa.Date(), nullable=True),
        sa.Column("doc_number", sa.String(), nullable=True),
        sa.Column("index_no", sa.String(), nullable=True),
        sa.Column("signer", sa.String(), nullable=True),
        sa.Column("addressee", sa.String(), nullable=True),
        sa.Column("cc", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("province", sa.String(), nullable=True),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("county", sa.String(), nullable=True),
        sa.Column("breadcrumb", sa.JSON(), nullable=False),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_documents_agency"), ["agency"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_city"), ["city"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_id"), ["id"], unique=True)
        batch_op.create_index(batch_op.f("ix_documents_province"), ["province"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_publish_date"), ["publish_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_report_year"), ["report_year"], unique=False)
        batch_op.create_index(batch_op.f("ix_documents_source_name"), ["source_name"], unique=False)

    op.create_table(
        "frontier",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("run_id", SEQ, nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("method", sa.String(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("dialect", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        sa.Column("checksum", sa.String(), nullable=True),
        sa.Column("document_id", sa.String(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_frontier_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_frontier_source_name"), ["source_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_frontier_state"), ["state"], unique=False)

    op.create_table(
        "recrawl_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("requested_by", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recrawl_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recrawl_requests_source_name"), ["source_name"], unique=False)
        batch_op.create_index(batch_op.f("ix_recrawl_requests_state"), ["state"], unique=False)

    op.create_table(
        "source_state",
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("next_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("source_name"),
    )
    op.create_table(
        "sightings",
        sa.Column("pk", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["documents.id"],
        ),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("document_id", "url"),
    )
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sightings_document_id"), ["document_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sightings_url"), ["url"], unique=False)

    create_search_index()


def create_search_index() -> None:
    """SQLite: an FTS5 table over jieba words. PostgreSQL: the same words in a ``simple``-config tsvector, title
    weighted above body, under a GIN index. Both are keyed by the document's ``seq`` (``rowid``)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS documents_fts USING fts5(title, body, tokenize='unicode61')"
        )
        return
    op.execute(
        "CREATE TABLE documents_fts ("
        " rowid bigint PRIMARY KEY REFERENCES documents (seq) ON DELETE CASCADE,"
        " title text NOT NULL, body text NOT NULL,"
        " vector tsvector GENERATED ALWAYS AS"
        " (setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED)"
    )
    op.execute("CREATE INDEX documents_fts_vector ON documents_fts USING gin (vector)")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS documents_fts")
    with op.batch_alter_table("sightings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sightings_url"))
        batch_op.drop_index(batch_op.f("ix_sightings_document_id"))

    op.drop_table("sightings")
    op.drop_table("source_state")
    with op.batch_alter_table("recrawl_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recrawl_requests_state"))
        batch_op.drop_index(batch_op.f("ix_recrawl_requests_source_name"))

    op.drop_table("recrawl_requests")
    with op.batch_alter_table("frontier", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_frontier_state"))
        batch_op.drop_index(batch_op.f("ix_frontier_source_name"))
        batch_op.drop_index(batch_op.f("ix_frontier_run_id"))

    op.drop_table("frontier")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documents_source_name"))
        batch_op.drop_index(batch_op.f("ix_documents_report_year"))
        batch_op.drop_index(batch_op.f("ix_documents_publish_date"))
        batch_op.drop_index(batch_op.f("ix_documents_province"))
        batch_op.drop_index(batch_op.f("ix_documents_id"))
        batch_op.drop_index(batch_op.f("ix_documents_city"))
        batch_op.drop_index(batch_op.f("ix_documents_agency"))

    op.drop_table("documents")
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crawl_runs_source_name"))

    op.drop_table("crawl_runs")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_document_id"))

    op.drop_table("changes")
