"""The first drill history: each assessed drill and its milestones.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drills",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("identity", sa.String(300), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("scenario", sa.String(200), nullable=False),
        sa.Column("organisation", sa.String(200), nullable=False),
        sa.Column("drill_type", sa.String(40), nullable=False),
        sa.Column("severity", sa.String(40), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("duration_minutes", sa.Float),
        sa.Column("replications", sa.Integer, nullable=False),
        sa.Column("seed", sa.Integer, nullable=False),
        sa.Column("checklist_passed", sa.Integer, nullable=False),
        sa.Column("checklist_scored", sa.Integer, nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "drill_milestones",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("drill_id", sa.Integer, sa.ForeignKey("drills.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("milestone", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("actual_minutes", sa.Float),
        sa.Column("target_minutes", sa.Float),
        sa.Column("simulated_p50", sa.Float),
        sa.Column("simulated_p90", sa.Float),
        sa.Column("simulated_runs", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("drill_milestones")
    op.drop_table("drills")
