"""The registry's tables (SQLAlchemy 2.x declarative models).

Natural keys (codes, credit codes, project ids) are what users see and type; foreign keys point at them
so that imports, exports and summaries never translate surrogate ids.  Every row users edit carries a
``version`` (optimistic locking: an update names the version it read, and a stale version is a
conflict) and ``updated_at`` / ``updated_by``; every change is written to :class:`ChangeLog`.

The schema is created and upgraded by the Alembic migrations in ``hqd/registry/migrations`` (run by
:func:`hqd.registry.db.init_db`); a test checks that the migrations and these models agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SEGMENTS = ("upstream", "midstream", "downstream")
#: Project stages in order (谋划/储备 → 签约 → 开工 → 竣工 → 投产 → 达产), then the off-ladder ``terminated``.
PROJECT_STAGES = ("planned", "signed", "started", "completed", "in_operation", "full_production")
PROJECT_STATUSES = (*PROJECT_STAGES, "terminated")
#: Kinds of transfer (产业转移) a project can be.
TRANSFER_TYPES = ("relocation", "joint_park", "enclave", "hq_production", "rd_conversion")
#: Kinds of platform: the two concentrated hosts, the four strategic areas, the 46 specialised platforms, parks.
PLATFORM_KINDS = ("core_host", "strategic_area", "specialised", "park")
PLATFORM_CATEGORIES = ("innovation", "manufacturing", "services", "agriculture")
#: Metrics a red-yellow-green rule can test, and the supervision ladder 提醒 → 督办 → 通报 → 约谈.
WARNING_METRICS = ("behind_points", "days_not_started", "days_overdue")
ESCALATION_LEVELS = ("remind", "supervise", "notify", "interview")
TASK_STATUSES = ("not_started", "in_progress", "done", "cancelled")
ZONE_LEVELS = ("national", "provincial")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Versioned:
    """Columns shared by every row users edit: optimistic-lock version and audit stamps."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    updated_by: Mapped[str] = mapped_column(String(128), nullable=False, default="system")


class Meta(Base):
    """Key/value facts about the database itself (e.g. whether it holds synthetic demo data)."""

    __tablename__ = "registry_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, nullable=False)


class Region(Base):
    """A region keyed by GB/T 2260 code: city → province → the Jing-Jin-Ji region."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64), nullable=False)
    name_en: Mapped[str] = mapped_column(String(64), nullable=False)
    short_zh: Mapped[str] = mapped_column(String(32), nullable=False, default="")
    parent: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    level: Mapped[str] = mapped_column(String(16), nullable=False)


class Cluster(Base):
    __tablename__ = "clusters"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Chain(Base):
    __tablename__ = "chains"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Corridor(Base):
    __tablename__ = "corridors"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class CorridorCity(Base):
    __tablename__ = "corridor_cities"
    corridor: Mapped[str] = mapped_column(ForeignKey("corridors.code", ondelete="CASCADE"), primary_key=True)
    city: Mapped[str] = mapped_column(ForeignKey("regions.code"), primary_key=True)


class ChainLink(Versioned, Base):
    """A link (环节) of a chain map, in one segment, citing the public source it was taken from."""

    __tablename__ = "chain_links"
    __table_args__ = (CheckConstraint(_in("segment", SEGMENTS), name="segment"),)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    chain: Mapped[str] = mapped_column(ForeignKey("chains.code"), nullable=False, index=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    segment: Mapped[str] = mapped_column(String(16), nullable=False)
    source_url: Mapped[str] = mapped_column(Text, nullable=False)
    source_title: Mapped[str] = mapped_column(Text, nullable=False)
    source_says: Mapped[str | None] = mapped_column(Text, nullable=True)
    builtin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class ChainEdge(Versioned, Base):
    """A predecessor → successor edge between two links of the same chain."""

    __tablename__ = "chain_edges"
    __table_args__ = (CheckConstraint("from_link <> to_link", name="no_self_loop"),)
    from_link: Mapped[str] = mapped_column(
        ForeignKey("chain_links.code", ondelete="CASCADE"), primary_key=True
    )
    to_link: Mapped[str] = mapped_column(ForeignKey("chain_links.code", ondelete="CASCADE"), primary_key=True)


class Zone(Versioned, Base):
    """A high-tech zone: level, city and membership of the Jing-Jin-Ji high-tech zone alliance."""

    __tablename__ = "zones"
    __table_args__ = (CheckConstraint(_in("level", ZONE_LEVELS), name="level"),)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    city: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False)
    alliance_member: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Enterprise(Versioned, Base):
    """An enterprise keyed by its unified social credit code, with its tiers and the year recognised."""

    __tablename__ = "enterprises"
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    city: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False, index=True)
    zone: Mapped[str | None] = mapped_column(ForeignKey("zones.code"), nullable=True)
    little_giant_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    specialised_sme_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    innovative_sme_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    high_tech_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class EnterpriseLink(Base):
    """Which chain links an enterprise serves."""

    __tablename__ = "enterprise_links"
    enterprise: Mapped[str] = mapped_column(
        ForeignKey("enterprises.credit_code", ondelete="CASCADE"), primary_key=True
    )
    link: Mapped[str] = mapped_column(ForeignKey("chain_links.code", ondelete="CASCADE"), primary_key=True)
    __table_args__ = (Index("ix_enterprise_links_link", "link"),)


class Project(Versioned, Base):
    """A project of the industrial coordination project library."""

    __tablename__ = "projects"
    # one covering index per grouping column: summaries read the index, never the table
    __table_args__ = (
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
        CheckConstraint("investment_100m_cny >= 0", name="investment_nonnegative"),
        CheckConstraint(
            "transfer_type IS NULL OR " + _in("transfer_type", TRANSFER_TYPES), name="transfer_type"
        ),
        CheckConstraint(
            "transfer_type IS NULL OR origin_region IS NULL OR origin_region <> region", name="transfer_origin"
        ),
        *(
            Index(f"ix_projects_{col}_investment", col, "investment_100m_cny")
            for col in ("chain", "cluster", "corridor", "region", "status", "signed_date")
        ),
    )
    project_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    chain: Mapped[str | None] = mapped_column(ForeignKey("chains.code"), nullable=True)
    cluster: Mapped[str | None] = mapped_column(ForeignKey("clusters.code"), nullable=True)
    corridor: Mapped[str | None] = mapped_column(ForeignKey("corridors.code"), nullable=True)
    origin_region: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    region: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False)
    investment_100m_cny: Mapped[float] = mapped_column(Float, nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    signed_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    lead_enterprise: Mapped[str | None] = mapped_column(String(256), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # r0002: the registry over time
    county: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    platform: Mapped[str | None] = mapped_column(ForeignKey("platforms.code"), nullable=True, index=True)
    entry_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    completed_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    operation_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    full_production_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    investment_code: Mapped[str | None] = mapped_column(String(24), nullable=True, unique=True)
    in_statistics: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    transfer_type: Mapped[str | None] = mapped_column(String(16), nullable=True)
    planned_start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # r0004


class Platform(Versioned, Base):
    """A transfer platform or park below the city: the "2+4+46" platforms (bundled, cited) and users' own.

    ``city`` is where the platform lies; ``other_cities`` lists further cities a platform spans (codes
    separated by ``;``, e.g. the new-airport economic zone spans Beijing and Langfang).
    """

    __tablename__ = "platforms"
    __table_args__ = (
        CheckConstraint(_in("kind", PLATFORM_KINDS), name="kind"),
        CheckConstraint("category IS NULL OR " + _in("category", PLATFORM_CATEGORIES), name="category"),
    )
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    name_en: Mapped[str] = mapped_column(String(128), nullable=False, default="")
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str | None] = mapped_column(String(16), nullable=True)
    city: Mapped[str] = mapped_column(ForeignKey("regions.code"), nullable=False)
    county: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), nullable=True)
    other_cities: Mapped[str | None] = mapped_column(String(128), nullable=True)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AnnualPlan(Versioned, Base):
    """A project's planned investment for one calendar year (年度计划投资, 亿元)."""

    __tablename__ = "investment_plans"
    __table_args__ = (CheckConstraint("planned_100m_cny >= 0", name="planned_nonnegative"),)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.project_id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    planned_100m_cny: Mapped[float] = mapped_column(Float, nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class InvestmentImport(Base):
    """One import of monthly investment figures: who, when, from which file (SHA-256), which periods."""

    __tablename__ = "investment_imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    source: Mapped[str] = mapped_column(String(256), nullable=False)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    periods: Mapped[str] = mapped_column(Text, nullable=False)
    rows: Mapped[int] = mapped_column(Integer, nullable=False)
    replaced: Mapped[int] = mapped_column(Integer, nullable=False)


class MonthlyInvestment(Base):
    """Investment completed by a project in one month: 当月完成 and 本年累计完成 (亿元), one row per period.

    Rows are never updated or deleted: a re-import of a period marks the rows it replaces
    ``superseded_by`` (the replacing import), so every earlier state stays readable (as-of).  At most one
    current row (``superseded_by IS NULL``) per project and period (a partial unique index).
    """

    __tablename__ = "investment_monthly"
    __table_args__ = (
        CheckConstraint("month >= 1 AND month <= 12", name="month"),
        CheckConstraint("month_100m_cny IS NULL OR month_100m_cny >= 0", name="month_nonnegative"),
        CheckConstraint("ytd_100m_cny IS NULL OR ytd_100m_cny >= 0", name="ytd_nonnegative"),
        Index(
            "uq_investment_monthly_current",
            "project_id",
            "year",
            "month",
            unique=True,
            sqlite_where=text("superseded_by IS NULL"),
            postgresql_where=text("superseded_by IS NULL"),
        ),
        Index("ix_investment_monthly_period", "year", "month"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(
        ForeignKey("projects.project_id", ondelete="CASCADE"), nullable=False
    )
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    month: Mapped[int] = mapped_column(Integer, nullable=False)
    month_100m_cny: Mapped[float | None] = mapped_column(Float, nullable=True)
    ytd_100m_cny: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("investment_imports.id"), nullable=False)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("investment_imports.id"), nullable=True)


class Plan(Versioned, Base):
    """An implementation plan (e.g. a city's breakdown of the coordination strategy into tasks)."""

    __tablename__ = "plans"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(256), nullable=False)
    leading_official: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lead_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class Task(Versioned, Base):
    """A ledger (台账) task or sub-task: to projects, to posts, to persons, with a deadline."""

    __tablename__ = "tasks"
    __table_args__ = (CheckConstraint(_in("status", TASK_STATUSES), name="status"),)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan: Mapped[str] = mapped_column(
        ForeignKey("plans.code", ondelete="CASCADE"), nullable=False, index=True
    )
    parent: Mapped[str | None] = mapped_column(ForeignKey("tasks.code", ondelete="CASCADE"), nullable=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    leading_official: Mapped[str | None] = mapped_column(String(128), nullable=True)
    lead_department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    cooperating_departments: Mapped[str | None] = mapped_column(Text, nullable=True)
    responsible_person: Mapped[str | None] = mapped_column(String(128), nullable=True)
    post: Mapped[str | None] = mapped_column(String(128), nullable=True)
    project_id: Mapped[str | None] = mapped_column(ForeignKey("projects.project_id"), nullable=True)
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="not_started")
    start_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # r0004
    # r0005: accountable ledgers
    domain: Mapped[str | None] = mapped_column(String(24), nullable=True)
    source_document: Mapped[str | None] = mapped_column(String(256), nullable=True)
    source_clause: Mapped[str | None] = mapped_column(String(128), nullable=True)
    target_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    target_unit: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actual_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    assessment_score: Mapped[float | None] = mapped_column(Float, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ProgressNote(Versioned, Base):
    """A dated progress note on a task; notes are appended, never overwritten, so history is kept."""

    __tablename__ = "progress_notes"
    __table_args__ = (
        UniqueConstraint("task", "note_date", "note_hash", name="uq_progress_notes_key"),
        CheckConstraint(
            "percent_done IS NULL OR (percent_done >= 0 AND percent_done <= 100)", name="percent"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(
        ForeignKey("tasks.code", ondelete="CASCADE"), nullable=False, index=True
    )
    note_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    note_hash: Mapped[str] = mapped_column(String(40), nullable=False)
    percent_done: Mapped[float | None] = mapped_column(Float, nullable=True)
    author: Mapped[str | None] = mapped_column(String(128), nullable=True)


class WarningRule(Versioned, Base):
    """A red-yellow-green rule (预警规则) the office edits: when ``metric`` lies in the range, ``colour`` fires.

    The range is ``min_value`` ≤ x (or x > ``min_value`` when ``strict_min``) and x ≤ ``max_value``; either
    bound may be empty.  Red rules are tried before yellow ones, then by ``priority`` (lower first).
    """

    __tablename__ = "warning_rules"
    __table_args__ = (
        CheckConstraint(_in("subject", ("projects", "tasks")), name="subject"),
        CheckConstraint(_in("colour", ("red", "yellow")), name="colour"),
        CheckConstraint(_in("metric", WARNING_METRICS), name="metric"),
    )
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(16), nullable=False)
    colour: Mapped[str] = mapped_column(String(8), nullable=False)
    metric: Mapped[str] = mapped_column(String(24), nullable=False)
    min_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    strict_min: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    max_value: Mapped[float | None] = mapped_column(Float, nullable=True)
    priority: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    label_zh: Mapped[str] = mapped_column(String(128), nullable=False)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class WarningResult(Base):
    """The colour a project or task got at a date and the rule that fired (``rule`` empty: green/unrated)."""

    __tablename__ = "warning_results"
    __table_args__ = (Index("ix_warning_results_subject_key", "subject", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    as_of: Mapped[dt.date] = mapped_column(Date, nullable=False)
    subject: Mapped[str] = mapped_column(String(16), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    colour: Mapped[str] = mapped_column(String(8), nullable=False)
    rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    metric_value: Mapped[float | None] = mapped_column(Float, nullable=True)


class Escalation(Base):
    """A step of the supervision ladder (提醒 → 督办 → 通报 → 约谈) on a project or task."""

    __tablename__ = "escalations"
    __table_args__ = (
        CheckConstraint(_in("subject", ("projects", "tasks")), name="subject"),
        CheckConstraint(_in("level", ESCALATION_LEVELS), name="level"),
        Index("ix_escalations_subject_key", "subject", "key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(16), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    level: Mapped[str] = mapped_column(String(16), nullable=False)
    escalated_on: Mapped[dt.date] = mapped_column(Date, nullable=False)
    leader: Mapped[str | None] = mapped_column(String(128), nullable=True)
    department: Mapped[str | None] = mapped_column(String(128), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    skip_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    rule: Mapped[str | None] = mapped_column(String(32), nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    responded_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closure: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)


class Milestone(Base):
    """A dated milestone of a ledger task (节点): what is due when, and when it was reached."""

    __tablename__ = "task_milestones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(ForeignKey("tasks.code", ondelete="CASCADE"), nullable=False, index=True)
    due_date: Mapped[dt.date] = mapped_column(Date, nullable=False)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    done_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)


class Evidence(Base):
    """Supporting evidence (佐证材料) of a ledger task, stored by the registry: the file and who uploaded it."""

    __tablename__ = "task_evidence"
    __table_args__ = (UniqueConstraint("task", "sha256", name="uq_task_evidence_task_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task: Mapped[str] = mapped_column(ForeignKey("tasks.code", ondelete="CASCADE"), nullable=False, index=True)
    file_name: Mapped[str] = mapped_column(String(256), nullable=False)
    media_type: Mapped[str] = mapped_column(String(128), nullable=False)
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    uploaded_by: Mapped[str] = mapped_column(String(128), nullable=False)
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)


class ChangeLog(Base):
    """Who changed what, when: one row per changed field (inserts and deletes: one row per record)."""

    __tablename__ = "change_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=_now)
    actor: Mapped[str] = mapped_column(String(128), nullable=False)
    entity: Mapped[str] = mapped_column(String(32), nullable=False)
    key: Mapped[str] = mapped_column(String(256), nullable=False)
    action: Mapped[str] = mapped_column(String(8), nullable=False)
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_value: Mapped[str | None] = mapped_column(Text, nullable=True)
    __table_args__ = (Index("ix_change_log_entity_key", "entity", "key"),)


metadata = Base.metadata


def table_of(model: type[Base]) -> Table:
    """The :class:`~sqlalchemy.Table` of a model (typed, for Core statements)."""
    return metadata.tables[model.__tablename__]
