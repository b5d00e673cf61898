"""The registry over time, step 4 (part): dated milestones and stored evidence of ledger tasks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_milestones",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("done_date", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task"], ["tasks.code"], name=op.f("fk_task_milestones_task_tasks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_milestones")),
    )
    op.create_index(op.f("ix_task_milestones_task"), "task_milestones", ["task"], unique=False)
    op.create_table(
        "task_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=256), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=128), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["task"], ["tasks.code"], name=op.f("fk_task_evidence_task_tasks"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_evidence")),
        sa.UniqueConstraint("task", "sha256", name="uq_task_evidence_task_sha256"),
    )
    op.create_index(op.f("ix_task_evidence_task"), "task_evidence", ["task"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_task_evidence_task"), table_name="task_evidence")
    op.drop_table("task_evidence")
    op.drop_index(op.f("ix_task_milestones_task"), table_name="task_milestones")
    op.drop_table("task_milestones")
