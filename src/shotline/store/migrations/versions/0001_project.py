"""The project database: assets, runs, step provenance, revisions, scenes, decisions.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("executor", sa.String(20), nullable=False),
        sa.Column("script_hash", sa.String(64)),
        sa.Column("tasks_run", sa.Integer, nullable=False),
        sa.Column("tasks_cached", sa.Integer, nullable=False),
        sa.Column("pid", sa.Integer, nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("message", sa.Text),
    )
    op.create_table(
        "step_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cache_key", sa.String(64), nullable=False, unique=True),
        sa.Column("step", sa.String(100), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("seed", sa.Integer),
        sa.Column("tool_version", sa.String(40), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "step_outputs",
        sa.Column("step_run_id", sa.Integer, sa.ForeignKey("step_runs.id"), primary_key=True),
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("asset_hash", sa.String(64), sa.ForeignKey("assets.hash"), nullable=False),
    )
    op.create_index("ix_step_outputs_asset", "step_outputs", ["asset_hash"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("script_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
    )
    op.create_table(
        "scenes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("number", sa.String(20), nullable=False, unique=True),
        sa.Column("heading", sa.Text, nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("omitted", sa.Boolean, nullable=False),
        sa.Column("first_revision", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
        sa.Column("last_revision", sa.Integer, sa.ForeignKey("revisions.id"), nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("shot_id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("take", sa.Integer),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("shot", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_decisions_shot", "decisions", ["shot_id"])


def downgrade() -> None:
    op.drop_index("ix_decisions_shot", "decisions")
    op.drop_table("decisions")
    op.drop_table("scenes")
    op.drop_table("revisions")
    op.drop_index("ix_step_outputs_asset", "step_outputs")
    op.drop_table("step_outputs")
    op.drop_table("step_runs")
    op.drop_table("runs")
    op.drop_table("assets")
