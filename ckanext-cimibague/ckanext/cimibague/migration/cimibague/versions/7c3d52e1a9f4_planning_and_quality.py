"""Planning tables (requests to source entities and their timeline), the quality reports of tabular
resources, and an index of first publications for the transparency page.

Revision ID: 7c3d52e1a9f4
Revises: 2f1c0a7e9b31
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "7c3d52e1a9f4"
down_revision = "2f1c0a7e9b31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cimibague_solicitud",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("owner_org", sa.UnicodeText, nullable=False),
        sa.Column("entidad_id", sa.UnicodeText, nullable=False),
        sa.Column("asunto", sa.UnicodeText, nullable=False),
        sa.Column("descripcion", sa.UnicodeText, nullable=True),
        sa.Column("package_id", sa.UnicodeText, nullable=True),
        sa.Column("periodo", sa.UnicodeText, nullable=True),
        sa.Column("numero_oficio", sa.UnicodeText, nullable=True),
        sa.Column("fecha_solicitud", sa.Date, nullable=True),
        sa.Column("fecha_limite", sa.Date, nullable=False),
        sa.Column("estado", sa.UnicodeText, nullable=False),
        sa.Column("generada", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("creator_id", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("modified", sa.DateTime, nullable=False),
    )
    op.create_index("cimibague_solicitud_org_idx", "cimibague_solicitud", ["owner_org", "estado"])
    op.create_index("cimibague_solicitud_entidad_idx", "cimibague_solicitud", ["entidad_id"])
    op.create_index("cimibague_solicitud_limite_idx", "cimibague_solicitud", ["fecha_limite"])
    # The cronograma never opens two requests for the same dataset and period (annulled ones aside).
    op.create_index(
        "cimibague_solicitud_periodo_uq",
        "cimibague_solicitud",
        ["package_id", "periodo"],
        unique=True,
        postgresql_where=sa.text("periodo IS NOT NULL AND estado <> 'anulada'"),
    )
    op.create_table(
        "cimibague_solicitud_evento",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("solicitud_id", sa.UnicodeText, sa.ForeignKey("cimibague_solicitud.id"), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.UnicodeText, nullable=True),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText, nullable=True),
        sa.Column("to_state", sa.UnicodeText, nullable=True),
        sa.Column("fecha", sa.Date, nullable=True),
        sa.Column("nota", sa.UnicodeText, nullable=True),
        sa.Column("attachment_url", sa.UnicodeText, nullable=True),
        sa.Column("attachment_name", sa.UnicodeText, nullable=True),
        sa.Column("package_id", sa.UnicodeText, nullable=True),
    )
    op.create_index("cimibague_solicitud_evento_idx", "cimibague_solicitud_evento", ["solicitud_id", "created"])
    # /transparencia: the first publication of each dataset (the history holds every step of every one)
    op.create_index(
        "cimibague_workflow_event_published_idx",
        "cimibague_workflow_event",
        ["package_id", "created"],
        postgresql_where=sa.text("kind = 'transicion' AND to_state = 'publicado'"),
    )
    op.create_table(
        "cimibague_quality_report",
        sa.Column("resource_id", sa.UnicodeText, primary_key=True),
        sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
        sa.Column("created", sa.DateTime, nullable=False),
        sa.Column("status", sa.UnicodeText, nullable=False),
        sa.Column("message", sa.UnicodeText, nullable=True),
        sa.Column("report", JSONB, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("cimibague_quality_report")
    op.drop_index("cimibague_workflow_event_published_idx", table_name="cimibague_workflow_event")
    op.drop_table("cimibague_solicitud_evento")
    op.drop_table("cimibague_solicitud")
