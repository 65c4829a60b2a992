"""Workflow tables: append-only history, socialisation actors, pending revisions.

Revision ID: 2f1c0a7e9b31
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "2f1c0a7e9b31"
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION cimibague_workflow_event_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'cimibague_workflow_event is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cimibague_workflow_event_append_only
  BEFORE UPDATE OR DELETE ON cimibague_workflow_event
  FOR EACH ROW EXECUTE FUNCTION cimibague_workflow_event_append_only();
"""


def upgrade() -> None:
    op.create_table(
        "cimibague_workflow_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=True),
        sa.Column("to_state", sa.UnicodeText, nullable=True),
        sa.Column("comment", sa.UnicodeText, nullable=True),
        sa.Column("attachment_url", sa.UnicodeText, nullable=True),
        sa.Column("attachment_name", sa.UnicodeText, nullable=True),
        sa.Column("data", JSONB, nullable=True),
    )
    op.create_index("cimibague_workflow_event_package_idx", "cimibague_workflow_event", ["package_id", "created"])
    op.execute(APPEND_ONLY)
    op.create_table(
        "cimibague_workflow_actor",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("event_id", sa.UnicodeText, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "cimibague_workflow_revision",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("proposed_by", sa.UnicodeText, nullable=True),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("data", JSONB, nullable=False),
        sa.Column("decided_by", sa.UnicodeText, nullable=True),
        sa.Column("decided", sa.DateTime, nullable=True),
        sa.Column("comment", sa.UnicodeText, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cimibague_workflow_revision")
    op.drop_table("cimibague_workflow_actor")
    op.execute("DROP TRIGGER IF EXISTS cimibague_workflow_event_append_only ON cimibague_workflow_event")
    op.drop_table("cimibague_workflow_event")
    op.execute("DROP FUNCTION IF EXISTS cimibague_workflow_event_append_only()")
