"""Initial registry schema: regions, taxonomy, chain maps, zones, enterprises, projects, ledgers, change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 03:24:00.416657
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chains",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_chains")),
    )
    op.create_table(
        "change_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("key", sa.String(length=256), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_log")),
    )
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.create_index("ix_change_log_entity_key", ["entity", "key"], unique=False)

    op.create_table(
        "clusters",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_clusters")),
    )
    op.create_table(
        "corridors",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_corridors")),
    )
    op.create_table(
        "plans",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("leading_official", sa.String(length=128), nullable=True),
        sa.Column("lead_department", sa.String(length=128), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_plans")),
    )
    op.create_table(
        "regions",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name_zh", sa.String(length=64), nullable=False),
        sa.Column("name_en", sa.String(length=64), nullable=False),
        sa.Column("short_zh", sa.String(length=32), nullable=False),
        sa.Column("parent", sa.String(length=12), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["parent"], ["regions.code"], name=op.f("fk_regions_parent_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_regions")),
    )
    op.create_table(
        "registry_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_registry_meta")),
    )
    op.create_table(
        "chain_links",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("chain", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("segment", sa.String(length=16), nullable=False),
        sa.Column("source_url", sa.Text(), nullable=False),
        sa.Column("source_title", sa.Text(), nullable=False),
        sa.Column("source_says", sa.Text(), nullable=True),
        sa.Column("builtin", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "segment IN ('upstream', 'midstream', 'downstream')", name=op.f("ck_chain_links_segment")
        ),
        sa.ForeignKeyConstraint(["chain"], ["chains.code"], name=op.f("fk_chain_links_chain_chains")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_chain_links")),
    )
    with op.batch_alter_table("chain_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_chain_links_chain"), ["chain"], unique=False)

    op.create_table(
        "corridor_cities",
        sa.Column("corridor", sa.String(length=32), nullable=False),
        sa.Column("city", sa.String(length=12), nullable=False),
        sa.ForeignKeyConstraint(["city"], ["regions.code"], name=op.f("fk_corridor_cities_city_regions")),
        sa.ForeignKeyConstraint(
            ["corridor"],
            ["corridors.code"],
            name=op.f("fk_corridor_cities_corridor_corridors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("corridor", "city", name=op.f("pk_corridor_cities")),
    )
    op.create_table(
        "projects",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("chain", sa.String(length=32), nullable=True),
        sa.Column("cluster", sa.String(length=32), nullable=True),
        sa.Column("corridor", sa.String(length=32), nullable=True),
        sa.Column("origin_region", sa.String(length=12), nullable=True),
        sa.Column("region", sa.String(length=12), nullable=False),
        sa.Column("investment_100m_cny", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("signed_date", sa.Date(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("lead_enterprise", sa.String(length=256), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "status IN ('signed', 'under_construction', 'in_operation', 'terminated')",
            name=op.f("ck_projects_status"),
        ),
        sa.CheckConstraint("investment_100m_cny >= 0", name=op.f("ck_projects_investment_nonnegative")),
        sa.ForeignKeyConstraint(["chain"], ["chains.code"], name=op.f("fk_projects_chain_chains")),
        sa.ForeignKeyConstraint(["cluster"], ["clusters.code"], name=op.f("fk_projects_cluster_clusters")),
        sa.ForeignKeyConstraint(
            ["corridor"], ["corridors.code"], name=op.f("fk_projects_corridor_corridors")
        ),
        sa.ForeignKeyConstraint(
            ["origin_region"], ["regions.code"], name=op.f("fk_projects_origin_region_regions")
        ),
        sa.ForeignKeyConstraint(["region"], ["regions.code"], name=op.f("fk_projects_region_regions")),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_projects")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index("ix_projects_chain_investment", ["chain", "investment_100m_cny"], unique=False)
        batch_op.create_index(
            "ix_projects_cluster_investment", ["cluster", "investment_100m_cny"], unique=False
        )
        batch_op.create_index(
            "ix_projects_corridor_investment", ["corridor", "investment_100m_cny"], unique=False
        )
        batch_op.create_index(
            "ix_projects_region_investment", ["region", "investment_100m_cny"], unique=False
        )
        batch_op.create_index(
            "ix_projects_signed_date_investment", ["signed_date", "investment_100m_cny"], unique=False
        )
        batch_op.create_index(
            "ix_projects_status_investment", ["status", "investment_100m_cny"], unique=False
        )

    op.create_table(
        "zones",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=128), nullable=False),
        sa.Column("name_en", sa.String(length=128), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("city", sa.String(length=12), nullable=False),
        sa.Column("alliance_member", sa.Boolean(), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint("level IN ('national', 'provincial')", name=op.f("ck_zones_level")),
        sa.ForeignKeyConstraint(["city"], ["regions.code"], name=op.f("fk_zones_city_regions")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_zones")),
    )
    op.create_table(
        "chain_edges",
        sa.Column("from_link", sa.String(length=64), nullable=False),
        sa.Column("to_link", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint("from_link <> to_link", name=op.f("ck_chain_edges_no_self_loop")),
        sa.ForeignKeyConstraint(
            ["from_link"],
            ["chain_links.code"],
            name=op.f("fk_chain_edges_from_link_chain_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_link"],
            ["chain_links.code"],
            name=op.f("fk_chain_edges_to_link_chain_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("from_link", "to_link", name=op.f("pk_chain_edges")),
    )
    op.create_table(
        "enterprises",
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("city", sa.String(length=12), nullable=False),
        sa.Column("zone", sa.String(length=32), nullable=True),
        sa.Column("little_giant_year", sa.Integer(), nullable=True),
        sa.Column("specialised_sme_year", sa.Integer(), nullable=True),
        sa.Column("innovative_sme_year", sa.Integer(), nullable=True),
        sa.Column("high_tech_year", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["city"], ["regions.code"], name=op.f("fk_enterprises_city_regions")),
        sa.ForeignKeyConstraint(["zone"], ["zones.code"], name=op.f("fk_enterprises_zone_zones")),
        sa.PrimaryKeyConstraint("credit_code", name=op.f("pk_enterprises")),
    )
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enterprises_city"), ["city"], unique=False)

    op.create_table(
        "tasks",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.String(length=64), nullable=False),
        sa.Column("parent", sa.String(length=64), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("leading_official", sa.String(length=128), nullable=True),
        sa.Column("lead_department", sa.String(length=128), nullable=True),
        sa.Column("cooperating_departments", sa.Text(), nullable=True),
        sa.Column("responsible_person", sa.String(length=128), nullable=True),
        sa.Column("post", sa.String(length=128), nullable=True),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "status IN ('not_started', 'in_progress', 'done', 'cancelled')", name=op.f("ck_tasks_status")
        ),
        sa.ForeignKeyConstraint(
            ["parent"], ["tasks.code"], name=op.f("fk_tasks_parent_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan"], ["plans.code"], name=op.f("fk_tasks_plan_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.project_id"], name=op.f("fk_tasks_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_tasks")),
    )
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tasks_plan"), ["plan"], unique=False)

    op.create_table(
        "enterprise_links",
        sa.Column("enterprise", sa.String(length=18), nullable=False),
        sa.Column("link", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise"],
            ["enterprises.credit_code"],
            name=op.f("fk_enterprise_links_enterprise_enterprises"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link"],
            ["chain_links.code"],
            name=op.f("fk_enterprise_links_link_chain_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("enterprise", "link", name=op.f("pk_enterprise_links")),
    )
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.create_index("ix_enterprise_links_link", ["link"], unique=False)

    op.create_table(
        "progress_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task", sa.String(length=64), nullable=False),
        sa.Column("note_date", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("note_hash", sa.String(length=40), nullable=False),
        sa.Column("percent_done", sa.Float(), nullable=True),
        sa.Column("author", sa.String(length=128), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=128), nullable=False),
        sa.CheckConstraint(
            "percent_done IS NULL OR (percent_done >= 0 AND percent_done <= 100)",
            name=op.f("ck_progress_notes_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["task"], ["tasks.code"], name=op.f("fk_progress_notes_task_tasks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_notes")),
        sa.UniqueConstraint("task", "note_date", "note_hash", name="uq_progress_notes_key"),
    )
    with op.batch_alter_table("progress_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_notes_task"), ["task"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("progress_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_notes_task"))

    op.drop_table("progress_notes")
    with op.batch_alter_table("enterprise_links", schema=None) as batch_op:
        batch_op.drop_index("ix_enterprise_links_link")

    op.drop_table("enterprise_links")
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_plan"))

    op.drop_table("tasks")
    with op.batch_alter_table("enterprises", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enterprises_city"))

    op.drop_table("enterprises")
    op.drop_table("chain_edges")
    op.drop_table("zones")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index("ix_projects_status_investment")
        batch_op.drop_index("ix_projects_signed_date_investment")
        batch_op.drop_index("ix_projects_region_investment")
        batch_op.drop_index("ix_projects_corridor_investment")
        batch_op.drop_index("ix_projects_cluster_investment")
        batch_op.drop_index("ix_projects_chain_investment")

    op.drop_table("projects")
    op.drop_table("corridor_cities")
    with op.batch_alter_table("chain_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chain_links_chain"))

    op.drop_table("chain_links")
    op.drop_table("registry_meta")
    op.drop_table("regions")
    op.drop_table("plans")
    op.drop_table("corridors")
    op.drop_table("clusters")
    with op.batch_alter_table("change_log", schema=None) as batch_op:
        batch_op.drop_index("ix_change_log_entity_key")

    op.drop_table("change_log")
    op.drop_table("chains")
