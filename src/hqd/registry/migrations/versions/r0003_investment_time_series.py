"""The registry over time, step 2: annual planned and monthly completed investment.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "investment_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("source", sa.String(length=256), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("periods", sa.Text(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_imports")),
    )
    op.create_table(
        "investment_plans",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("planned_100m_cny", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint("planned_100m_cny >= 0", name=op.f("ck_investment_plans_planned_nonnegative")),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.project_id"], name=op.f("fk_investment_plans_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "year", name=op.f("pk_investment_plans")),
    )
    op.create_table(
        "investment_monthly",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("month_100m_cny", sa.Float(), nullable=True),
        sa.Column("ytd_100m_cny", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("month >= 1 AND month <= 12", name=op.f("ck_investment_monthly_month")),
        sa.CheckConstraint(
            "month_100m_cny IS NULL OR month_100m_cny >= 0", name=op.f("ck_investment_monthly_month_nonnegative")
        ),
        sa.CheckConstraint(
            "ytd_100m_cny IS NULL OR ytd_100m_cny >= 0", name=op.f("ck_investment_monthly_ytd_nonnegative")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["investment_imports.id"], name=op.f("fk_investment_monthly_import_id_investment_imports")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.project_id"], name=op.f("fk_investment_monthly_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["investment_imports.id"],
            name=op.f("fk_investment_monthly_superseded_by_investment_imports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investment_monthly")),
    )
    op.create_index("ix_investment_monthly_period", "investment_monthly", ["year", "month"], unique=False)
    op.create_index(
        "uq_investment_monthly_current", "investment_monthly", ["project_id", "year", "month"], unique=True,
        sqlite_where=sa.text("superseded_by IS NULL"), postgresql_where=sa.text("superseded_by IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_investment_monthly_current", table_name="investment_monthly")
    op.drop_index("ix_investment_monthly_period", table_name="investment_monthly")
    op.drop_table("investment_monthly")
    op.drop_table("investment_plans")
    op.drop_table("investment_imports")
