"""Provider spend, the character bible, takes and selections, performers and consent,
and the audit log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spend",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("purpose", sa.String(200), nullable=False),
        sa.Column("idempotency_key", sa.String(100), nullable=False, unique=True),
        sa.Column("estimate_usd", sa.Double, nullable=False),
        sa.Column("cost_usd", sa.Double),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "performers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("deceased", sa.Boolean, nullable=False),
        sa.Column("minor", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "characters",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("appearance", sa.JSON, nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("performer_id", sa.Integer, sa.ForeignKey("performers.id")),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "character_refs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("character", sa.String(200), sa.ForeignKey("characters.name"),
                  nullable=False),
        sa.Column("asset_hash", sa.String(64), sa.ForeignKey("assets.hash"), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_character_refs_character", "character_refs", ["character"])
    op.create_table(
        "takes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("shot_id", sa.String(40), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("cache_key", sa.String(64), nullable=False, unique=True),
        sa.Column("asset_hash", sa.String(64), sa.ForeignKey("assets.hash"), nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("cost_usd", sa.Double, nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("quarantined", sa.Text),
    )
    op.create_index("ix_takes_shot", "takes", ["shot_id", "number"], unique=True)
    op.create_table(
        "selections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("shot_id", sa.String(40), nullable=False),
        sa.Column("take", sa.Integer, nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_selections_shot", "selections", ["shot_id"])
    op.create_table(
        "consents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("performer_id", sa.Integer, sa.ForeignKey("performers.id"), nullable=False),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("uses", sa.JSON, nullable=False),
        sa.Column("replica", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("valid_from", sa.DateTime, nullable=False),
        sa.Column("valid_until", sa.DateTime),
        sa.Column("granted_by", sa.String(40), nullable=False),
        sa.Column("grantor_name", sa.String(200), nullable=False),
        sa.Column("document_hash", sa.String(64), nullable=False),
        sa.Column("represented", sa.Boolean, nullable=False),
        sa.Column("compensation_ref", sa.String(200), nullable=False),
        sa.Column("revoked_at", sa.DateTime),
        sa.Column("revoke_reason", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )


def downgrade() -> None:
    for table in ("audit_log", "consents", "selections", "takes", "character_refs",
                  "characters", "performers", "spend"):
        op.drop_table(table)
