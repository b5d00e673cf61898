"""The registry over time, step 1: project stages with dates, counties, platforms, transfer types.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 18:20:00

Status mapping of existing projects (documented in docs/registry.md, "Migrating from 0001"):

=====================  =====================  ======================================================
0001 status            0002 status (stage)    why
=====================  =====================  ======================================================
``signed``             ``signed`` 签约          unchanged
``under_construction`` ``started`` 开工         在建 means construction has started and not finished
``in_operation``       ``in_operation`` 投产    unchanged
``terminated``         ``terminated`` 终止      unchanged (off the stage ladder)
=====================  =====================  ======================================================

Every mapped row gets a change-log row (actor ``hqd-migration-0002``), so a replay of the change log
gives the stored value.  Downgrade maps ``planned`` → ``signed``, ``started``/``completed`` →
``under_construction`` and ``full_production`` → ``in_operation`` (the old schema cannot hold the finer
stages) and drops the new columns and tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "hqd-migration-0002"
OLD = "status IN ('signed', 'under_construction', 'in_operation', 'terminated')"
NEW = (
    "status IN ('planned', 'signed', 'started', 'completed', 'in_operation', 'full_production', "
    "'terminated')"
)
TRANSFER = "transfer_type IS NULL OR transfer_type IN ('relocation', 'joint_park', 'enclave', " \
    "'hq_production', 'rd_conversion')"
ORIGIN = "transfer_type IS NULL OR origin_region IS NULL OR origin_region <> region"


def _remap(pairs: Sequence[tuple[str, str]], *, log: bool) -> None:
    conn = op.get_bind()
    projects = sa.table("projects", sa.column("project_id"), sa.column("status"))
    change_log = sa.table(
        "change_log",
        *(sa.column(c) for c in ("at", "actor", "entity", "key", "action", "field", "old_value", "new_value")),
    )
    now = dt.datetime.now(dt.UTC)
    for old, new in pairs:
        if log:
            keys = conn.execute(sa.select(projects.c.project_id).where(projects.c.status == old)).scalars().all()
            if keys:
                conn.execute(
                    change_log.insert(),
                    [
                        {"at": now, "actor": ACTOR, "entity": "projects", "key": k, "action": "update",
                         "field": "status", "old_value": old, "new_value": new}
                        for k in keys
                    ],
                )
        conn.execute(projects.update().where(projects.c.status == old).values(status=new))


def upgrade() -> None:
    op.create_table(
        "platforms",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=True),
        sa.Column("city", sa.String(length=12), nullable=False),
        sa.Column("county", sa.String(length=12), nullable=True),
        sa.Column("other_cities", sa.String(length=128), nullable=True),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "kind IN ('core_host', 'strategic_area', 'specialised', 'park')", name=op.f("ck_platforms_kind")
        ),
        sa.CheckConstraint(
            "category IS NULL OR category IN ('innovation', 'manufacturing', 'services', 'agriculture')",
            name=op.f("ck_platforms_category"),
        ),
        sa.ForeignKeyConstraint(["city"], ["regions.code"], name=op.f("fk_platforms_city_regions")),
        sa.ForeignKeyConstraint(["county"], ["regions.code"], name=op.f("fk_platforms_county_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_platforms")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_projects_status"), type_="check")
        batch_op.add_column(sa.Column("county", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("platform", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("entry_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("completed_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("operation_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("full_production_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("investment_code", sa.String(length=24), nullable=True))
        batch_op.add_column(sa.Column("in_statistics", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("transfer_type", sa.String(length=16), nullable=True))
    _remap([("under_construction", "started")], log=True)
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_projects_status"), NEW)
        batch_op.create_check_constraint(op.f("ck_projects_transfer_type"), TRANSFER)
        batch_op.create_check_constraint(op.f("ck_projects_transfer_origin"), ORIGIN)
        batch_op.create_foreign_key(op.f("fk_projects_county_regions"), "regions", ["county"], ["code"])
        batch_op.create_foreign_key(op.f("fk_projects_platform_platforms"), "platforms", ["platform"], ["code"])
        batch_op.create_unique_constraint(op.f("uq_projects_investment_code"), ["investment_code"])
        batch_op.create_index(batch_op.f("ix_projects_platform"), ["platform"], unique=False)
    # Xiong'an New Area is its own unit now (133100, see hqd.registry.taxonomy); the corridor 京雄 names it
    op.execute("DELETE FROM corridor_cities WHERE corridor = 'bj_xa_aerospace' AND city = '130600'")


def downgrade() -> None:
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_platform"))
        batch_op.drop_constraint(op.f("uq_projects_investment_code"), type_="unique")
        batch_op.drop_constraint(op.f("fk_projects_platform_platforms"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_projects_county_regions"), type_="foreignkey")
        batch_op.drop_constraint(op.f("ck_projects_transfer_origin"), type_="check")
        batch_op.drop_constraint(op.f("ck_projects_transfer_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_projects_status"), type_="check")
    _remap(
        [("planned", "signed"), ("started", "under_construction"), ("completed", "under_construction"),
         ("full_production", "in_operation")],
        log=False,
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        for column in ("transfer_type", "in_statistics", "investment_code", "full_production_date",
                       "operation_date", "completed_date", "entry_date", "platform", "county"):
            batch_op.drop_column(column)
        batch_op.create_check_constraint(op.f("ck_projects_status"), OLD)
    op.drop_table("platforms")
