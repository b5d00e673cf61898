"""The registry over time, step 3: warning rules and results, the supervision ladder, task start dates and
projects' planned start dates.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 18:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

METRICS = "metric IN ('behind_points', 'days_not_started', 'days_overdue')"
LEVELS = "level IN ('remind', 'supervise', 'notify', 'interview')"
SUBJECTS = "subject IN ('projects', 'tasks')"


def upgrade() -> None:
    op.create_table(
        "warning_rules",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("metric", sa.String(length=24), nullable=False),
        sa.Column("min_value", sa.Float(), nullable=True),
        sa.Column("strict_min", sa.Boolean(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("label_zh", sa.String(length=128), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(SUBJECTS, name=op.f("ck_warning_rules_subject")),
        sa.CheckConstraint("colour IN ('red', 'yellow')", name=op.f("ck_warning_rules_colour")),
        sa.CheckConstraint(METRICS, name=op.f("ck_warning_rules_metric")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_warning_rules")),
    )
    op.create_table(
        "warning_results",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("colour", sa.String(length=8), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=True),
        sa.Column("metric_value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_warning_results")),
    )
    op.create_index("ix_warning_results_subject_key", "warning_results", ["subject", "key"], unique=False)
    op.create_table(
        "escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("subject", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("escalated_on", sa.Date(), nullable=False),
        sa.Column("leader", sa.String(length=128), nullable=True),
        sa.Column("department", sa.String(length=128), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("skip_reason", sa.Text(), nullable=True),
        sa.Column("rule", sa.String(length=32), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("closure", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(SUBJECTS, name=op.f("ck_escalations_subject")),
        sa.CheckConstraint(LEVELS, name=op.f("ck_escalations_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_escalations")),
    )
    op.create_index("ix_escalations_subject_key", "escalations", ["subject", "key"], unique=False)
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_date", sa.Date(), nullable=True))
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(sa.Column("planned_start_date", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("planned_start_date")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_column("start_date")
    op.drop_index("ix_escalations_subject_key", table_name="escalations")
    op.drop_table("escalations")
    op.drop_index("ix_warning_results_subject_key", table_name="warning_results")
    op.drop_table("warning_results")
    op.drop_table("warning_rules")
