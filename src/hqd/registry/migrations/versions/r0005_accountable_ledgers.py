"""The registry over time, step 4 (part): ledger tasks with domain, source document and clause, a
quantified target and actual, and an assessment score; ledgers may have four levels.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("domain", sa.String(length=24)),
    ("source_document", sa.String(length=256)),
    ("source_clause", sa.String(length=128)),
    ("target_value", sa.Float()),
    ("target_unit", sa.String(length=32)),
    ("actual_value", sa.Float()),
    ("assessment_score", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        for name, type_ in COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
