"""What each importable entity looks like, declared once as data, and how raw cells become values.

Every entity (``projects``, ``enterprises``, ``zones``, ``links``, ``edges``, ``plans``, ``tasks``,
``progress``) is an :class:`Entity`: its table, its key and its :class:`Field` list.  The same
declaration drives imports, exports, templates, the CRUD services and the documentation, so a column's
name is the same string in a file header, the database, the Python API and the CLI.

Parsing (:func:`parse_frame`) is vectorised over a column and collects every problem, with the row as
a spreadsheet shows it (header = row 1) and the column name.  Policies:

- blank cells (empty or whitespace) are missing; a missing required value is ``required``;
- a leading apostrophe that an export added to neutralise a formula (``'=…``, ``'+…``, ``'-…``,
  ``'@…``) is removed, so an exported file re-imports unchanged;
- numbers may carry thousands separators (``1,234.5``); dates are ``YYYY-MM-DD`` (also ``/`` or
  ``.`` separators, ``2023年5月1日``, or a spreadsheet date-time at midnight);
- choices, regions, chains, clusters, corridors and zones accept their code, Chinese or English name
  (case-, width- and space-insensitive), e.g. ``在建`` = ``under construction`` = ``under_construction``;
- at most :data:`MAX_PER_COLUMN` problems are listed per column and reason; one more line counts the rest.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table, select

from hqd.errors import Problems
from hqd.registry import credit_code as cc
from hqd.registry import models as m

MAX_PER_COLUMN = 20
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Choice:
    """An allowed value: the stored key, its Chinese label and further accepted spellings."""

    key: str
    label_zh: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Field:
    """One column of an entity.

    ``kind`` is one of: text, float, int, year, date, choice, bool, ref, credit_code, links, url.
    ``ref`` names what a ``ref`` or ``links`` field points at (regions, cities, chains, clusters,
    corridors, zones, plans, tasks, projects, links).  ``stored`` is False for fields kept elsewhere
    (``links``: the enterprise_links table).
    """

    name: str
    kind: str
    label_zh: str
    help: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    ref: str | None = None
    max_len: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    example: str = ""
    stored: bool = True

    def allowed(self) -> str:
        """Allowed values as text (for templates and error messages)."""
        if self.choices:
            return ", ".join(f"{c.key} ({c.label_zh})" for c in self.choices)
        if self.kind == "bool":
            return "true/false (是/否)"
        if self.kind == "date":
            return "YYYY-MM-DD"
        if self.kind == "year":
            return "a year, e.g. 2021"
        if self.kind == "credit_code":
            return "18-character unified social credit code (GB 32100-2015)"
        if self.ref:
            return f"a code or name from the registry's {self.ref}"
        return ""


@dataclass(frozen=True)
class Entity:
    """An importable/exportable table: its name, key fields and fields."""

    name: str
    label_zh: str
    table: Table
    key: tuple[str, ...]
    fields: tuple[Field, ...]
    description: str = ""

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def stored_fields(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.stored)

    @property
    def link_field(self) -> Field | None:
        return next((f for f in self.fields if f.kind == "links"), None)


def _t(name: str, label_zh: str, help: str, **kw: Any) -> Field:
    return Field(name, "text", label_zh, help, **kw)


_NOTE = _t("note", "备注", "free-text note", aliases=("说明",), example="")

PROJECT_STATUS = (
    Choice("planned", "谋划储备", ("谋划", "储备", "谋划/储备", "谋划、储备", "前期", "储备项目")),
    Choice("signed", "签约", ("已签约", "签订")),
    Choice(
        "started",
        "开工",
        ("已开工", "在建", "建设中", "under_construction", "under construction", "新开工"),
    ),
    Choice("completed", "竣工", ("已竣工", "建成", "完工")),
    Choice("in_operation", "投产", ("已投产", "运营", "建成投产", "竣工投产")),
    Choice("full_production", "达产", ("已达产", "达产达效", "full production")),
    Choice("terminated", "终止", ("已终止", "取消")),
)
#: The stage ladder (谋划/储备 → 签约 → 开工 → 竣工 → 投产 → 达产) and the date field of each stage.
STAGE_DATES = (
    ("planned", None),
    ("signed", "signed_date"),
    ("started", "start_date"),
    ("completed", "completed_date"),
    ("in_operation", "operation_date"),
    ("full_production", "full_production_date"),
)
TASK_DOMAIN = (
    Choice("transport", "交通", ("交通一体化", "交通运输")),
    Choice("ecology", "生态", ("生态环境", "生态环保", "环保")),
    Choice("technology", "科技", ("科技创新", "协同创新", "创新")),
    Choice("industry", "产业", ("产业协同", "产业转移", "产业升级")),
    Choice("public_services", "公共服务", ("民生", "公共服务共建共享", "社会事业")),
    Choice("market", "市场一体化", ("市场", "营商环境")),
    Choice("other", "其他", ("其它",)),
)
TRANSFER_TYPE = (
    Choice("relocation", "疏解转移", ("疏解", "转移", "产业转移", "疏解转移项目")),
    Choice("joint_park", "共建园区", ("合作共建园区", "共建")),
    Choice("enclave", "飞地", ("飞地经济", "飞地园区")),
    Choice("hq_production", "总部-生产基地", ("总部+生产基地", "总部—生产基地", "总部在京生产在冀", "总部生产基地")),
    Choice("rd_conversion", "研发-转化", ("研发+转化", "研发—转化", "北京研发河北转化", "研发转化")),
)
PLATFORM_KIND = (
    Choice("core_host", "集中承载地", ("集中承载地平台",)),
    Choice("strategic_area", "战略合作功能区", ("战略合作区",)),
    Choice("specialised", "专业化承接平台", ("承接平台", "特色化承接平台", "专业化、特色化承接平台")),
    Choice("park", "园区", ("产业园区", "开发区")),
)
PLATFORM_CATEGORY = (
    Choice("innovation", "协同创新平台", ("协同创新",)),
    Choice("manufacturing", "现代制造业平台", ("现代制造业", "制造业平台")),
    Choice("services", "服务业平台", ("服务业",)),
    Choice("agriculture", "现代农业合作平台", ("农业合作平台", "现代农业")),
)
TASK_STATUS = (
    Choice("not_started", "未开始", ("未启动",)),
    Choice("in_progress", "推进中", ("进行中", "正在推进", "在办")),
    Choice("done", "已完成", ("完成", "办结", "已办结")),
    Choice("cancelled", "已取消", ("取消", "终止")),
)
SEGMENT = (Choice("upstream", "上游"), Choice("midstream", "中游"), Choice("downstream", "下游"))
ZONE_LEVEL = (Choice("national", "国家级", ("国家",)), Choice("provincial", "省级", ("省",)))
TIERS = (
    (
        "little_giant_year",
        "国家级专精特新“小巨人”企业",
        "national specialised-and-new 'little giant'",
        ("小巨人", "小巨人认定年份", "国家级专精特新小巨人", "专精特新小巨人"),
    ),
    (
        "specialised_sme_year",
        "专精特新中小企业",
        "specialised-and-new SME",
        ("专精特新中小企业认定年份", "专精特新"),
    ),
    ("innovative_sme_year", "创新型中小企业", "innovative SME", ("创新型中小企业认定年份",)),
    ("high_tech_year", "高新技术企业", "high-tech enterprise", ("高新技术企业认定年份", "高企")),
)


PROJECTS = Entity(
    "projects",
    "项目库",
    m.table_of(m.Project),
    ("project_id",),
    (
        _t(
            "project_id",
            "项目编号",
            "unique project identifier (the import key)",
            required=True,
            max_len=64,
            aliases=("项目代码", "项目id", "编号"),
            example="示例项目0001",
        ),
        _t(
            "name",
            "项目名称",
            "project name",
            required=True,
            max_len=256,
            aliases=("项目",),
            example="示例项目0001（合成示例）",
        ),
        Field(
            "chain",
            "ref",
            "产业链",
            "one of the six chains (code or name)",
            ref="chains",
            aliases=("所属产业链", "重点产业链"),
            example="robotics",
        ),
        Field(
            "cluster",
            "ref",
            "产业集群",
            "one of the five clusters (code or name)",
            ref="clusters",
            aliases=("所属集群", "所属产业集群", "集群"),
            example="",
        ),
        Field(
            "corridor",
            "ref",
            "产业廊道",
            "one of the five corridors (code or name)",
            ref="corridors",
            aliases=("所属廊道", "所属产业廊道", "廊道"),
            example="bj_ts_qhd_robotics",
        ),
        Field(
            "origin_region",
            "ref",
            "来源地",
            "where the project comes from (region code or name)",
            ref="regions",
            aliases=("项目来源地", "转出地", "来源地区"),
            example="北京市",
        ),
        Field(
            "region",
            "ref",
            "所在地",
            "where the project is located (city or province)",
            required=True,
            ref="regions",
            aliases=("项目所在地", "落地城市", "所在城市", "所在地市", "项目地点"),
            example="唐山市",
        ),
        Field(
            "investment_100m_cny",
            "float",
            "总投资(亿元)",
            "total investment, 100 million CNY (亿元)",
            required=True,
            min_value=0.0,
            # 100,000 亿元 = 10 trillion CNY, above any single project: a larger value is a typo (a yuan
            # figure in the 亿元 column) and sums of a few such rows would overflow to inf
            max_value=100_000.0,
            aliases=("总投资", "投资额(亿元)", "计划总投资(亿元)", "总投资额(亿元)", "投资(亿元)"),
            example="12.5",
        ),
        Field(
            "status",
            "choice",
            "项目阶段",
            "stage: planned / signed / started / completed / in operation / full production (or terminated)",
            required=True,
            choices=PROJECT_STATUS,
            aliases=("状态", "进展状态", "项目状态", "阶段", "建设阶段"),
            example="开工",
        ),
        Field("signed_date", "date", "签约日期", "date signed", aliases=("签约时间",), example="2023-03-15"),
        Field(
            "start_date",
            "date",
            "开工日期",
            "construction start date",
            aliases=("开工时间",),
            example="2023-09-01",
        ),
        _t(
            "lead_enterprise",
            "牵头企业",
            "lead enterprise (name)",
            max_len=256,
            aliases=("实施主体", "项目单位", "建设单位"),
            example="示例企业01",
        ),
        _NOTE,
        Field(
            "county",
            "ref",
            "所在区县",
            "county or district (区县) the project lies in, inside its city (code or unique name)",
            ref="counties",
            aliases=("区县", "所在县区", "县(市、区)", "所在县(市、区)"),
            example="曹妃甸区",
        ),
        Field(
            "platform",
            "ref",
            "承接平台",
            "transfer platform or park the project lies in (code or name; see `hqd registry show platforms`)",
            ref="platforms",
            aliases=("所在平台", "所属平台", "所在园区", "承载平台"),
            example="caofeidian",
        ),
        Field(
            "entry_date",
            "date",
            "入库日期",
            "date the project entered the library (not the signing date)",
            aliases=("入库时间", "纳入项目库日期"),
            example="2023-02-10",
        ),
        Field(
            "completed_date",
            "date",
            "竣工日期",
            "date construction was completed",
            aliases=("竣工时间",),
            example="",
        ),
        Field(
            "operation_date",
            "date",
            "投产日期",
            "date production or operation began",
            aliases=("投产时间",),
            example="",
        ),
        Field(
            "full_production_date",
            "date",
            "达产日期",
            "date the project reached its designed capacity",
            aliases=("达产时间",),
            example="",
        ),
        _t(
            "investment_code",
            "投资项目统一代码",
            "national investment-project code, YYYY-AAAAAA-BB-TT-NNNNNN (GB/T 40058-2021; optional, unique)",
            max_len=24,
            aliases=("项目代码(发改)", "投资项目代码", "全国投资项目代码", "项目统一代码"),
            example="2023-130209-44-03-000123",
        ),
        Field(
            "in_statistics",
            "bool",
            "是否纳统",
            "counted in the fixed-asset investment statistics (纳统)",
            aliases=("纳统", "纳统情况"),
            example="是",
        ),
        Field(
            "transfer_type",
            "choice",
            "转移类型",
            "kind of transfer; a transfer's origin must differ from its location",
            choices=TRANSFER_TYPE,
            aliases=("转移方式", "合作方式", "协同类型"),
            example="疏解转移",
        ),
        Field(
            "planned_start_date",
            "date",
            "计划开工日期",
            "planned construction start (a project still before 开工 after it is late: see warnings)",
            aliases=("计划开工时间", "拟开工日期"),
            example="2023-08-01",
        ),
    ),
    "The industrial coordination project library (京津冀产业协同项目库).",
)

ENTERPRISES = Entity(
    "enterprises",
    "企业库",
    m.table_of(m.Enterprise),
    ("credit_code",),
    (
        Field(
            "credit_code",
            "credit_code",
            "统一社会信用代码",
            "unified social credit code (the import key)",
            required=True,
            aliases=("信用代码", "社会信用代码", "uscc"),
            example="91130200MA00000017",
        ),
        _t(
            "name",
            "企业名称",
            "enterprise name",
            required=True,
            max_len=256,
            aliases=("企业", "单位名称"),
            example="示例企业01",
        ),
        Field(
            "city",
            "ref",
            "所在城市",
            "one of the 13 cities (code or name)",
            required=True,
            ref="cities",
            aliases=("所在地市", "城市", "所在地"),
            example="唐山市",
        ),
        Field(
            "zone",
            "ref",
            "所在高新区",
            "high-tech zone (code or name)",
            ref="zones",
            aliases=("所在园区", "高新区", "园区"),
            example="唐山高新区",
        ),
        *(
            Field(
                name,
                "year",
                f"{zh}认定年份",
                f"year recognised as {en}",
                aliases=(zh, *al),
                min_value=1949,
                max_value=2100,
                example="2021" if name == "little_giant_year" else "",
            )
            for name, zh, en, al in TIERS
        ),
        Field(
            "chain_links",
            "links",
            "服务产业链环节",
            "chain links served: link codes separated by ';'",
            ref="links",
            aliases=("产业链环节", "环节", "所属环节"),
            stored=False,
            example="robotics.reducer;robotics.servo",
        ),
        _NOTE,
    ),
    "Cultivated enterprises with their tiers (小巨人 / 专精特新 / 创新型中小企业 / 高新技术企业).",
)

ZONES = Entity(
    "zones",
    "高新区",
    m.table_of(m.Zone),
    ("code",),
    (
        _t(
            "code", "园区代码", "zone code (the import key)", required=True, max_len=32, example="sample_zone"
        ),
        _t(
            "name_zh",
            "园区名称",
            "Chinese name",
            required=True,
            max_len=128,
            aliases=("名称",),
            example="示例高新区",
        ),
        _t("name_en", "英文名称", "English name", max_len=128, example="Sample High-Tech Zone"),
        Field(
            "level",
            "choice",
            "级别",
            "national or provincial",
            required=True,
            choices=ZONE_LEVEL,
            example="省级",
        ),
        Field(
            "city",
            "ref",
            "所在城市",
            "city (code or name)",
            required=True,
            ref="cities",
            aliases=("城市",),
            example="沧州市",
        ),
        Field(
            "alliance_member",
            "bool",
            "联盟成员",
            "member of the JJJ national high-tech zone alliance",
            aliases=("是否联盟成员",),
            example="否",
        ),
        _t("source", "来源", "where the facts come from"),
        _NOTE,
    ),
    "High-tech zones and the Jing-Jin-Ji high-tech zone alliance.",
)

LINKS = Entity(
    "links",
    "产业链环节",
    m.table_of(m.ChainLink),
    ("code",),
    (
        _t(
            "code",
            "环节代码",
            "link code, e.g. 'robotics.reducer' (the import key)",
            required=True,
            max_len=64,
            example="hydrogen.electrolyser",
        ),
        Field(
            "chain", "ref", "产业链", "chain (code or name)", required=True, ref="chains", example="hydrogen"
        ),
        _t("name_zh", "环节名称", "Chinese name", required=True, max_len=128, example="电解槽"),
        _t("name_en", "英文名称", "English name", max_len=128, example="electrolysers"),
        Field(
            "segment",
            "choice",
            "环节位置",
            "upstream / midstream / downstream",
            required=True,
            choices=SEGMENT,
            aliases=("上中下游", "所处环节"),
            example="上游",
        ),
        Field(
            "source_url",
            "url",
            "来源链接",
            "URL of the public source the link was taken from",
            required=True,
            aliases=("来源网址", "来源"),
            example="https://example.org/chain-map",
        ),
        _t("source_title", "来源标题", "title of that source", required=True, example="（来源标题）"),
        _t("source_says", "来源摘要", "what the source says, in a few words"),
    ),
    "Links (环节) of chain maps; a link must cite its source.",
)

EDGES = Entity(
    "edges",
    "环节关系",
    m.table_of(m.ChainEdge),
    ("from_link", "to_link"),
    (
        Field(
            "from_link",
            "ref",
            "前序环节",
            "predecessor link code",
            required=True,
            ref="links",
            aliases=("上游环节", "前序"),
            example="robotics.reducer",
        ),
        Field(
            "to_link",
            "ref",
            "后序环节",
            "successor link code",
            required=True,
            ref="links",
            aliases=("下游环节", "后序"),
            example="robotics.body",
        ),
    ),
    "Predecessor → successor edges between links of the same chain.",
)

PLATFORMS = Entity(
    "platforms",
    "承接平台",
    m.table_of(m.Platform),
    ("code",),
    (
        _t("code", "平台代码", "platform code (the import key)", required=True, max_len=32, example="sample_park"),
        _t(
            "name_zh",
            "平台名称",
            "Chinese name",
            required=True,
            max_len=128,
            aliases=("名称",),
            example="示例产业园（合成）",
        ),
        _t("name_en", "英文名称", "English name", max_len=128, example="Sample Industrial Park"),
        Field(
            "kind",
            "choice",
            "平台类型",
            "concentrated host (2) / strategic cooperation area (4) / specialised platform (46) / park",
            required=True,
            choices=PLATFORM_KIND,
            aliases=("类型",),
            example="专业化承接平台",
        ),
        Field(
            "category",
            "choice",
            "平台类别",
            "for the 46 specialised platforms: innovation / manufacturing / services / agriculture",
            choices=PLATFORM_CATEGORY,
            aliases=("类别",),
            example="现代制造业平台",
        ),
        Field(
            "city",
            "ref",
            "所在城市",
            "the city (or Xiong'an New Area) the platform lies in",
            required=True,
            ref="cities",
            aliases=("城市",),
            example="沧州市",
        ),
        Field(
            "county",
            "ref",
            "所在区县",
            "its county or district, if one",
            ref="counties",
            aliases=("区县",),
            example="",
        ),
        _t(
            "other_cities",
            "涉及其他城市",
            "further cities the platform spans (codes or names separated by ';')",
            max_len=128,
            aliases=("跨市",),
            example="",
        ),
        _t("source", "来源", "where the facts come from"),
        _NOTE,
    ),
    "Transfer platforms (the \"2+4+46\" of 2017) and parks below the city; projects name their platform.",
)

PLANS = Entity(
    "plans",
    "实施方案",
    m.table_of(m.Plan),
    ("code",),
    (
        _t(
            "code",
            "方案编号",
            "plan code (the import key)",
            required=True,
            max_len=64,
            aliases=("计划编号",),
            example="P2023-01",
        ),
        _t(
            "name",
            "方案名称",
            "plan name",
            required=True,
            max_len=256,
            aliases=("计划名称",),
            example="示例方案（合成）",
        ),
        _t("leading_official", "牵头领导", "leading official", max_len=128, example="示例领导01"),
        _t("lead_department", "牵头单位", "lead department", max_len=128, example="市发展改革委"),
        _NOTE,
    ),
    "Implementation plans whose tasks make up the ledgers (台账).",
)

TASKS = Entity(
    "tasks",
    "任务台账",
    m.table_of(m.Task),
    ("code",),
    (
        _t(
            "code",
            "任务编号",
            "task code (the import key)",
            required=True,
            max_len=64,
            example="P2023-01-T01",
        ),
        Field(
            "plan",
            "ref",
            "所属方案",
            "plan code",
            required=True,
            ref="plans",
            aliases=("方案编号", "所属计划", "计划编号"),
            example="P2023-01",
        ),
        Field(
            "parent",
            "ref",
            "上级任务",
            "parent task code (blank for a top-level task); at most four levels: 重点任务 → 举措 → 年度要点 → 季度节点",
            ref="tasks",
            aliases=("上级任务编号", "父任务"),
            example="",
        ),
        _t(
            "title",
            "任务内容",
            "what is to be done",
            required=True,
            aliases=("任务名称", "任务"),
            example="示例任务（合成）",
        ),
        _t(
            "leading_official",
            "分管领导",
            "leading official",
            max_len=128,
            aliases=("牵头领导",),
            example="示例领导01",
        ),
        _t(
            "lead_department",
            "牵头部门",
            "lead department",
            max_len=128,
            aliases=("牵头单位", "责任单位"),
            example="市发展改革委",
        ),
        _t(
            "cooperating_departments",
            "配合部门",
            "cooperating departments, separated by ';'",
            aliases=("配合单位", "协同部门"),
            example="市工业和信息化局;市科技局",
        ),
        _t(
            "responsible_person",
            "责任人",
            "responsible person",
            max_len=128,
            aliases=("具体责任人",),
            example="示例人员01",
        ),
        _t("post", "责任岗位", "post (岗位)", max_len=128, aliases=("岗位",), example="项目推进岗"),
        Field(
            "project_id",
            "ref",
            "关联项目",
            "project id of the project library",
            ref="projects",
            aliases=("项目编号",),
            example="",
        ),
        Field(
            "deadline",
            "date",
            "完成时限",
            "deadline",
            aliases=("截止日期", "时限", "完成时间"),
            example="2024-06-30",
        ),
        Field(
            "status",
            "choice",
            "进展状态",
            "not started / in progress / done / cancelled",
            required=True,
            choices=TASK_STATUS,
            aliases=("状态", "完成情况"),
            example="推进中",
        ),
        _NOTE,
        Field(
            "start_date",
            "date",
            "开始日期",
            "planned start (with the deadline, the span 序时进度 is read over)",
            aliases=("开始时间", "启动时间", "计划开始日期"),
            example="2024-01-01",
        ),
        Field(
            "domain",
            "choice",
            "领域",
            "domain of the task",
            choices=TASK_DOMAIN,
            aliases=("所属领域", "任务领域"),
            example="产业",
        ),
        _t(
            "source_document",
            "来源文件",
            "the document the task comes from",
            max_len=256,
            aliases=("依据文件", "文件依据", "政策文件"),
            example="《示例实施方案》（合成）",
        ),
        _t(
            "source_clause",
            "条款",
            "its clause or item in that document",
            max_len=128,
            aliases=("来源条款", "对应条款", "条目"),
            example="第三条第（二）项",
        ),
        Field(
            "target_value",
            "float",
            "目标值",
            "quantified target (with target_unit)",
            aliases=("量化目标", "目标"),
            min_value=-1e12,
            max_value=1e12,
            example="100",
        ),
        _t("target_unit", "计量单位", "unit of the target and the actual", max_len=32, aliases=("单位",),
           example="个"),
        Field(
            "actual_value",
            "float",
            "完成值",
            "what has been achieved, in target_unit",
            aliases=("实际完成", "完成情况(数值)"),
            min_value=-1e12,
            max_value=1e12,
            example="40",
        ),
        Field(
            "assessment_score",
            "float",
            "考核得分",
            "assessment score (考核), 0–100",
            aliases=("考核分", "得分"),
            min_value=0.0,
            max_value=100.0,
            example="",
        ),
    ),
    "Ledger tasks and sub-tasks: to projects, posts and persons, with deadlines.",
)

PROGRESS = Entity(
    "progress",
    "进展记录",
    m.table_of(m.ProgressNote),
    ("task", "note_date", "note"),
    (
        Field("task", "ref", "任务编号", "task code", required=True, ref="tasks", example="P2023-01-T01"),
        Field(
            "note_date",
            "date",
            "进展日期",
            "date of the note",
            required=True,
            aliases=("日期", "填报日期"),
            example="2024-03-31",
        ),
        _t(
            "note",
            "进展情况",
            "what happened",
            required=True,
            aliases=("进展", "工作进展"),
            example="示例进展（合成）",
        ),
        Field(
            "percent_done",
            "float",
            "完成比例(%)",
            "share done, 0–100",
            min_value=0.0,
            max_value=100.0,
            aliases=("完成比例", "进度(%)", "进度"),
            example="40",
        ),
        _t("author", "填报人", "who wrote the note", max_len=128, example="示例人员01"),
    ),
    "Dated progress notes on tasks (appended; history kept).",
)

ENTITIES: dict[str, Entity] = {
    e.name: e for e in (PROJECTS, ENTERPRISES, ZONES, PLATFORMS, LINKS, EDGES, PLANS, TASKS, PROGRESS)
}

VERSION_FIELD = Field(
    "version",
    "int",
    "版本",
    "row version read before editing (optional on import; a stale version is a conflict)",
    min_value=1,
    max_value=2**31 - 1,
    aliases=("版本号",),
)


def entity(name: str) -> Entity:
    """The entity called ``name``; an unknown name raises ``HqdError`` listing the valid ones."""
    if name not in ENTITIES:
        problems = Problems()
        problems.error("unknown_entity", f"unknown entity {name!r}; valid: {', '.join(ENTITIES)}")
        problems.raise_if_errors()
    return ENTITIES[name]


# --- normalising names ---------------------------------------------------------------------------

_DROP = re.compile(r"[\s\"'“”‘’「」『』《》*]+")


def norm(text: str) -> str:
    """Width-, case- and space-insensitive form of a header or name (NFKC, casefold, no quotes/spaces)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text)).casefold()).replace("-", "_")


def header_map(ent: Entity) -> dict[str, str]:
    """Normalised header spelling → field name (canonical name, Chinese label and aliases)."""
    out: dict[str, str] = {}
    for f in (*ent.fields, VERSION_FIELD):
        for spelling in (f.name, f.label_zh, *f.aliases):
            out.setdefault(norm(spelling), f.name)
    return out


def choice_map(f: Field) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in f.choices:
        for spelling in (c.key, c.key.replace("_", " "), c.label_zh, *c.aliases):
            out[norm(spelling)] = c.key
    return out


# --- reference lookups ---------------------------------------------------------------------------

_SUFFIXES = ("产业链", "产业集群", "产业廊道", "集群", "廊道", "chain", "cluster", "corridor")


def _names_for(code: str, *names: str) -> set[str]:
    out = {norm(code)}
    for name in names:
        if not name:
            continue
        n = norm(name)
        out.add(n)
        for suffix in _SUFFIXES:
            if n.endswith(norm(suffix)) and len(n) > len(norm(suffix)):
                out.add(n[: -len(norm(suffix))])
    return out


@dataclass
class Resolver:
    """Lookup tables from the database: normalised spelling → code, per reference kind."""

    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    link_chain: dict[str, str] = field(default_factory=dict)
    task_info: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    zone_city: dict[str, str] = field(default_factory=dict)
    county_city: dict[str, str] = field(default_factory=dict)
    platform_cities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    synthetic: bool = False

    def lookup(self, ref: str, value: str) -> str | None:
        return self.maps.get(ref, {}).get(norm(value))

    def add(self, ref: str, codes: Iterable[str]) -> None:
        target = self.maps.setdefault(ref, {})
        for code in codes:
            target.setdefault(norm(code), code)

    @classmethod
    def load(cls, conn: Connection, *, only: Sequence[str] | None = None) -> Resolver:
        """Read the lookup tables (``only``: restrict to these reference kinds)."""
        res = cls()
        want = set(only) if only is not None else None

        def need(kind: str) -> bool:
            return want is None or kind in want

        if need("regions") or need("cities") or need("counties"):
            regions, cities = {}, {}
            counties: dict[str, str] = {}
            ambiguous: set[str] = set()
            city_names: dict[str, str] = {}
            rows = conn.execute(
                select(
                    m.Region.code,
                    m.Region.name_zh,
                    m.Region.name_en,
                    m.Region.short_zh,
                    m.Region.level,
                    m.Region.parent,
                )
            ).all()
            for code, zh, _en, _short, level, _parent in rows:
                if level != "county":
                    city_names[code] = zh
            for code, zh, en, short, level, parent in rows:
                if level == "county":
                    # counties: code, full name, "city + name" and short name; a name two counties of the
                    # region share (桥西区 lies in three cities) is dropped, the code and "city + name" stay
                    res.county_city[code] = parent or ""
                    for n in {norm(code), norm(zh), norm(city_names.get(parent or "", "") + zh), norm(short)}:
                        if n in counties and counties[n] != code:
                            ambiguous.add(n)
                        counties[n] = code
                    continue
                names = {n: code for n in _names_for(code, zh, en, short)}
                if code != "JJJ":
                    regions.update(names)
                if level == "prefecture" or code in ("110000", "120000"):
                    cities.update(names)
            for n in ambiguous:
                counties.pop(n, None)
            res.maps["regions"], res.maps["cities"], res.maps["counties"] = regions, cities, counties
        for kind, model in (("chains", m.Chain), ("clusters", m.Cluster), ("corridors", m.Corridor)):
            if need(kind):
                res.maps[kind] = {
                    n: code
                    for code, zh, en in conn.execute(select(model.code, model.name_zh, model.name_en))
                    for n in _names_for(code, zh, en)
                }
        if need("zones"):
            res.maps["zones"] = {}
            for code, zh, en, city in conn.execute(
                select(m.Zone.code, m.Zone.name_zh, m.Zone.name_en, m.Zone.city)
            ):
                res.maps["zones"].update({n: code for n in _names_for(code, zh, en)})
                res.zone_city[code] = city
        if need("platforms"):
            res.maps["platforms"] = {}
            for code, zh, en, city, others in conn.execute(
                select(m.Platform.code, m.Platform.name_zh, m.Platform.name_en, m.Platform.city,
                       m.Platform.other_cities)
            ):
                res.maps["platforms"].update({n: code for n in _names_for(code, zh, en)})
                res.platform_cities[code] = (city, *(c for c in (others or "").split(";") if c))
        if need("links"):
            res.link_chain = {c: ch for c, ch in conn.execute(select(m.ChainLink.code, m.ChainLink.chain))}
            res.maps["links"] = {norm(c): c for c in res.link_chain}
        if need("plans"):
            plans = conn.execute(select(m.Plan.code, m.Plan.name)).all()
            res.maps["plans"] = {norm(name): code for code, name in plans} | {norm(c): c for c, _ in plans}
        if need("tasks"):
            res.task_info = {
                c: (p, par) for c, p, par in conn.execute(select(m.Task.code, m.Task.plan, m.Task.parent))
            }
            res.maps["tasks"] = {norm(c): c for c in res.task_info}
        if need("projects"):
            res.maps["projects"] = {norm(c): c for c in conn.execute(select(m.Project.project_id)).scalars()}
        return res


def unknown_code(ref: str) -> str:
    """The reason code of a value not found among ``ref`` (``unknown_city``, ``unknown_county``, …)."""
    return {"cities": "unknown_city", "counties": "unknown_county"}.get(ref, f"unknown_{ref.rstrip('s')}")


def refs_needed(ent: Entity) -> list[str]:
    return sorted({f.ref for f in ent.fields if f.ref})


# --- parsing -------------------------------------------------------------------------------------


@dataclass
class Reporter:
    """Adds problems for bad cells, at most ``MAX_PER_COLUMN`` per (column, reason)."""

    problems: Problems
    rows: np.ndarray | None  # spreadsheet row number per position, or None for API input

    def row(self, pos: int) -> int | None:
        """The spreadsheet row of position ``pos`` (``None`` for API input)."""
        return int(self.rows[pos]) if self.rows is not None else None

    def cells(self, code: str, column: str, positions: Iterable[int], message: Callable[[int], str]) -> None:
        positions = list(positions)
        for pos in positions[:MAX_PER_COLUMN]:
            self.problems.error(code, message(pos), row=self.row(pos), column=column)
        if len(positions) > MAX_PER_COLUMN:
            self.problems.error(
                code,
                f"… and {len(positions) - MAX_PER_COLUMN} more rows with the same problem in this column",
                column=column,
            )


def _to_list(values: pd.Series, ok: np.ndarray) -> list[Any]:
    out = values.astype(object).tolist()
    return [v if good else None for v, good in zip(out, ok, strict=True)]


#: Control characters refused in text (C0 except tab, line feed and carriage return, and DEL): spreadsheets
#: (XML 1.0) cannot hold them, and they hide text in terminals and reports.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(series: pd.Series) -> pd.Series:
    """Strip cells, turn blanks into NA and undo formula-neutralising apostrophes (Arrow strings)."""
    s = series.astype(pd.StringDtype("pyarrow")).str.strip()
    quoted = s.str.match(r"^'[=+\-@\t\r]").fillna(False).to_numpy(dtype=bool)
    if quoted.any():
        s = s.where(~quoted, s.str.slice(1))
    return s.mask((s == "").fillna(False).to_numpy(dtype=bool))


def _present(s: pd.Series) -> np.ndarray:
    return s.notna().to_numpy(dtype=bool)


def _mapped(s: pd.Series, fn: Callable[[str], Any]) -> list[Any]:
    """Apply ``fn`` once per distinct present value and spread the results (``None`` where missing)."""
    present = s.dropna().astype(object)
    mapping = {u: fn(u) for u in pd.unique(present)}
    out: list[Any] = [None] * len(s)
    for pos, value in zip(np.flatnonzero(_present(s)), present.tolist(), strict=True):
        out[pos] = mapping[value]
    return out


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$")


def _parse_number(s: pd.Series) -> pd.Series:
    return pd.to_numeric(
        s.str.replace(",", "", regex=False).str.replace("，", "", regex=False), errors="coerce"
    )


def _parse_dates(s: pd.Series, present: np.ndarray) -> pd.Series:
    dates = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    rest = present & dates.isna().to_numpy(dtype=bool)
    if rest.any():  # other spellings: 2023/5/1, 2023年5月1日, spreadsheet date-times at midnight
        parts = s[rest].astype(object).str.extract(_DATE)
        ymd = {
            name: pd.to_numeric(parts[i]).fillna(fill).astype("int64")
            for i, (name, fill) in enumerate((("year", 2000), ("month", 1), ("day", 1)))
        }
        slow = pd.to_datetime(pd.DataFrame(ymd), errors="coerce").where(parts[0].notna())
        dates = dates.copy()
        dates[rest] = slow.to_numpy()
    return dates


def _parse_numeric(f: Field, s: pd.Series, present: np.ndarray, text: list[Any], rep: Reporter) -> list[Any]:
    num = _parse_number(s)
    ok = np.array(num.notna().to_numpy(dtype=bool), copy=True)
    rep.cells(
        "not_a_number",
        f.name,
        np.flatnonzero(present & ~ok),
        lambda p: f"{f.name} must be a number; got {text[p]!r}",
    )
    values = num.to_numpy(dtype=float, na_value=np.nan)
    infinite = ok & ~np.isfinite(values)
    rep.cells(
        "out_of_range",
        f.name,
        np.flatnonzero(infinite),
        lambda p: f"{f.name} must be a finite number; got {text[p]!r}",
    )
    ok &= ~infinite
    if f.kind in ("int", "year"):
        frac = ok & (np.mod(np.nan_to_num(values), 1) != 0)
        rep.cells(
            "not_an_integer",
            f.name,
            np.flatnonzero(frac),
            lambda p: f"{f.name} must be a whole number; got {text[p]!r}",
        )
        ok &= ~frac
    if f.min_value is not None:
        low = ok & (np.nan_to_num(values, nan=f.min_value) < f.min_value)
        code = "negative" if f.min_value == 0 else "out_of_range"
        rep.cells(
            code,
            f.name,
            np.flatnonzero(low),
            lambda p: f"{f.name} must be ≥ {f.min_value:g}; got {text[p]!r}",
        )
        ok &= ~low
    if f.max_value is not None:
        high = ok & (np.nan_to_num(values, nan=f.max_value) > f.max_value)
        rep.cells(
            "out_of_range",
            f.name,
            np.flatnonzero(high),
            lambda p: f"{f.name} must be ≤ {f.max_value:g}; got {text[p]!r}",
        )
        ok &= ~high
    cast: Callable[[float], Any] = float if f.kind == "float" else int
    return [cast(v) if good else None for v, good in zip(values.tolist(), ok, strict=True)]


def _parse_links(f: Field, s: pd.Series, rep: Reporter, res: Resolver) -> list[Any]:
    def split(t: str) -> tuple[tuple[str, ...], list[str]]:
        parts = [p for p in re.split(r"[;,；，、\s]+", t) if p]
        codes = [res.lookup("links", p) for p in parts]
        found = tuple(sorted({c for c in codes if c is not None}))
        return found, [p for p, c in zip(parts, codes, strict=True) if c is None]

    values = _mapped(s, split)
    bad = [i for i, v in enumerate(values) if v is not None and v[1]]
    rep.cells(
        "unknown_link", f.name, bad, lambda p: f"{f.name}: unknown chain link(s) {', '.join(values[p][1])}"
    )
    return [() if v is None else v[0] for v in values]


def parse_column(f: Field, raw: pd.Series, rep: Reporter, res: Resolver) -> list[Any]:
    """Parse one column of strings into Python values (``None`` for missing), reporting bad cells.

    Lookups (choices, references, credit codes, link lists) run once per distinct value.
    """
    s = clean(raw)
    present = _present(s)
    if f.required:
        rep.cells(
            "required", f.name, np.flatnonzero(~present), lambda _p: f"{f.name} ({f.label_zh}) is required"
        )
    text: list[Any] = s.astype(object).tolist()

    if f.kind in ("text", "url"):
        control = present & s.str.contains(CONTROL_CHARACTERS.pattern, regex=True).fillna(False).to_numpy(dtype=bool)
        rep.cells(
            "control_character",
            f.name,
            np.flatnonzero(control),
            lambda p: f"{f.name} contains a control character "
            f"(U+{ord(CONTROL_CHARACTERS.search(text[p]).group()):04X}); only tab and line breaks are allowed",  # type: ignore[union-attr]
        )
        present = present & ~control
        if f.max_len:
            long = present & (s.str.len().fillna(0).to_numpy() > f.max_len)
            rep.cells(
                "too_long",
                f.name,
                np.flatnonzero(long),
                lambda p: f"{f.name} has {len(text[p])} characters; at most {f.max_len} allowed",
            )
        if f.kind == "url":
            bad = present & ~s.str.match(r"^https?://\S+$").fillna(False).to_numpy(dtype=bool)
            rep.cells(
                "invalid_url",
                f.name,
                np.flatnonzero(bad),
                lambda p: f"{f.name} must be an http(s) URL; got {text[p]!r}",
            )
        return [t if ok else None for t, ok in zip(text, present, strict=True)]

    if f.kind in ("float", "int", "year"):
        return _parse_numeric(f, s, present, text, rep)

    if f.kind == "date":
        dates = _parse_dates(s, present)
        ok = present & dates.notna().to_numpy(dtype=bool)
        rep.cells(
            "not_a_date",
            f.name,
            np.flatnonzero(present & ~ok),
            lambda p: f"{f.name} must be a date YYYY-MM-DD; got {text[p]!r}",
        )
        return _to_list(dates.dt.date, ok)

    if f.kind in ("choice", "bool", "ref"):
        if f.kind == "choice":
            mapping = choice_map(f)
            values = _mapped(s, lambda t: mapping.get(norm(t)))
            code, what = "invalid_choice", f"must be one of {f.allowed()}"
        elif f.kind == "bool":
            truth = {norm(v): True for v in ("true", "yes", "y", "1", "是", "t")}
            truth |= {norm(v): False for v in ("false", "no", "n", "0", "否", "f")}
            values = _mapped(s, lambda t: truth.get(norm(t)))
            code, what = "invalid_choice", "must be true/false (是/否)"
        else:
            ref = f.ref or ""
            values = _mapped(s, lambda t: res.lookup(ref, t))
            code = unknown_code(ref)
            what = f"is not in the registry's {ref}"
        bad = [i for i, (v, ok) in enumerate(zip(values, present, strict=True)) if ok and v is None]
        rep.cells(code, f.name, bad, lambda p: f"{f.name} {what}; got {text[p]!r}")
        return values

    if f.kind == "credit_code":
        checked = _mapped(s, lambda t: (cc.normalise(t), cc.problem(t)))
        for i, item in enumerate(checked):
            if item is not None and item[1] is not None:
                rep.problems.error(item[1][0], item[1][1], row=rep.row(i), column=f.name)
        return [None if item is None or item[1] is not None else item[0] for item in checked]

    if f.kind == "links":
        return _parse_links(f, s, rep, res)

    raise ValueError(f"unknown field kind {f.kind!r}")  # pragma: no cover - declarations are fixed


def map_headers(ent: Entity, columns: Sequence[str], problems: Problems) -> dict[str, str]:
    """Field name → the file's column for it; missing required columns and duplicates are errors."""
    spellings = header_map(ent)
    found: dict[str, str] = {}
    for col in columns:
        name = spellings.get(norm(col))
        if name is None:
            if str(col).startswith("Unnamed:") or not str(col).strip():
                continue
            problems.warn(
                "unknown_column", f"column {col!r} is not a field of {ent.name}; ignored", column=str(col)
            )
            continue
        if name in found:
            problems.error(
                "duplicate_column", f"columns {found[name]!r} and {col!r} both mean {name!r}", column=str(col)
            )
            continue
        found[name] = str(col)
    for f in ent.fields:
        if f.required and f.name not in found:
            problems.error(
                "missing_column", f"required column {f.name!r} ({f.label_zh}) is missing", column=f.name
            )
    return found


def note_hash(note: str) -> str:
    """The SHA-1 of a progress note's text (part of a note's identity)."""
    return hashlib.sha1(note.encode("utf-8")).hexdigest()


def parse_frame(
    ent: Entity, raw: pd.DataFrame, res: Resolver, problems: Problems, *, rows: np.ndarray | None
) -> pd.DataFrame:
    """Map headers, parse every field and run the entity's cross-field checks.

    Returns a frame with one object column per field (plus ``version`` when the file has it), holding
    Python values.  Problems go to ``problems``; the caller raises once.
    """
    columns = map_headers(ent, list(raw.columns), problems)
    rep = Reporter(problems, rows)
    if ent.name == "tasks" and "code" in columns:  # parents may be defined in the same file
        res.add("tasks", clean(raw[columns["code"]]).dropna().tolist())
    out: dict[str, list[Any]] = {}
    n = len(raw)
    for f in ent.fields:
        if f.name in columns:
            out[f.name] = parse_column(f, raw[columns[f.name]], rep, res)
        else:
            out[f.name] = [() if f.kind == "links" else None] * n
    if "version" in columns:
        out["version"] = parse_column(VERSION_FIELD, raw[columns["version"]], rep, res)
    frame = (
        pd.DataFrame(out, dtype=object) if n else pd.DataFrame({k: pd.Series([], dtype=object) for k in out})
    )
    _check_duplicates(ent, frame, rep)
    CROSS_CHECKS.get(ent.name, lambda *_: None)(frame, rep, res)
    return frame


def key_tuples(ent: Entity, frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    return list(zip(*(frame[k].tolist() for k in ent.key), strict=True)) if len(frame) else []


def _check_duplicates(ent: Entity, frame: pd.DataFrame, rep: Reporter) -> None:
    first: dict[tuple[Any, ...], int] = {}
    dupes: list[int] = []
    seen_at: dict[int, int] = {}
    for pos, key in enumerate(key_tuples(ent, frame)):
        if any(k is None for k in key):
            continue
        if key in first:
            dupes.append(pos)
            seen_at[pos] = first[key]
        else:
            first[key] = pos
    rep.cells(
        "duplicate_key",
        ent.key[0],
        dupes,
        lambda p: f"{'/'.join(ent.key)} repeats the key of row {rep.row(seen_at[p]) or seen_at[p] + 1}",
    )


def _check_projects(frame: pd.DataFrame, rep: Reporter, res: Resolver) -> None:
    """Stage dates, the investment-project code, transfers, county and platform against the location."""
    for pos, (signed, start) in enumerate(zip(frame["signed_date"], frame["start_date"], strict=True)):
        if signed is not None and start is not None and start < signed:
            row = rep.row(pos)
            rep.problems.warn(
                "start_before_signed",
                f"start_date {start} is before signed_date {signed}",
                row=row,
                column="start_date",
            )
    _check_stages(frame, rep)
    _check_investment_codes(frame, rep)
    columns = ("region", "origin_region", "transfer_type", "county", "platform")
    for pos, (region, origin, transfer, county, platform) in enumerate(
        zip(*(frame[c] for c in columns), strict=True)
    ):
        row = rep.row(pos)
        if transfer is not None and origin is None:
            rep.problems.error(
                "origin_required",
                f"a transfer ({transfer}) names where it comes from: origin_region is required",
                row=row,
                column="origin_region",
            )
        elif transfer is not None and origin is not None and origin == region:
            rep.problems.error(
                "origin_equals_location",
                f"a transfer ({transfer}) must come from elsewhere: origin_region and region are both {region}",
                row=row,
                column="origin_region",
            )
        if county is not None and region is not None and res.county_city.get(county) != region:
            rep.problems.error(
                "county_region_mismatch",
                f"county {county} lies in {res.county_city.get(county)}, not in the project's region {region}",
                row=row,
                column="county",
            )
        cities = res.platform_cities.get(platform) if platform is not None else None
        if cities is not None and region is not None and region not in cities:
            rep.problems.error(
                "platform_region_mismatch",
                f"platform {platform} lies in {', '.join(cities)}, not in the project's region {region}",
                row=row,
                column="platform",
            )


def _check_stages(frame: pd.DataFrame, rep: Reporter) -> None:
    """No date for a stage the project has not reached; stage dates in ladder order (a warning)."""
    order = {key: i for i, (key, _) in enumerate(STAGE_DATES)}
    dated = [(key, col) for key, col in STAGE_DATES if col is not None]
    for pos, status in enumerate(frame["status"]):
        if status is None:
            continue
        row = rep.row(pos)
        reached = order.get(status, len(order))  # terminated: any stage may have been reached
        previous: tuple[str, Any] | None = None
        for key, col in dated:
            value = frame.at[pos, col]
            if value is None:
                continue
            if order[key] > reached:
                rep.problems.error(
                    "stage_date_ahead",
                    f"{col} {value} is set but the project's stage is {status}, before {key}",
                    row=row,
                    column=col,
                )
            if previous is not None and value < previous[1] and col != "start_date":
                rep.problems.warn(
                    "stage_dates_out_of_order",
                    f"{col} {value} is before {previous[0]} {previous[1]}",
                    row=row,
                    column=col,
                )
            previous = (col, value)


def _check_investment_codes(frame: pd.DataFrame, rep: Reporter) -> None:
    from hqd.registry import investment_code as ic

    for pos, code in enumerate(frame["investment_code"]):
        if code is None:
            continue
        row = rep.row(pos)
        found = ic.problem(code)
        if found is not None:
            rep.problems.error(found[0], found[1], row=row, column="investment_code")
            frame.at[pos, "investment_code"] = None
            continue
        frame.at[pos, "investment_code"] = ic.normalise(code)
        warning = ic.area_warning(code)
        if warning is not None:
            rep.problems.warn("investment_code_area", warning, row=row, column="investment_code")


def _check_platforms(frame: pd.DataFrame, rep: Reporter, res: Resolver) -> None:
    """``other_cities`` are cities (stored as codes); a county lies in the platform's city."""
    for pos, (city, county, others) in enumerate(
        zip(frame["city"], frame["county"], frame["other_cities"], strict=True)
    ):
        row = rep.row(pos)
        if others is not None:
            parts = [p for p in re.split(r"[;,；，、\s]+", others) if p]
            codes = [res.lookup("cities", p) for p in parts]
            unknown = [p for p, c in zip(parts, codes, strict=True) if c is None]
            if unknown:
                rep.problems.error(
                    "unknown_city",
                    f"other_cities: {', '.join(unknown)} is not a city of the registry",
                    row=row,
                    column="other_cities",
                )
            frame.at[pos, "other_cities"] = ";".join(sorted({c for c in codes if c and c != city})) or None
        if county is not None and city is not None:
            allowed = {city, *(frame.at[pos, "other_cities"] or "").split(";")}
            if res.county_city.get(county) not in allowed:
                rep.problems.error(
                    "county_region_mismatch",
                    f"county {county} lies in {res.county_city.get(county)}, not in {city}",
                    row=row,
                    column="county",
                )


def _check_enterprises(frame: pd.DataFrame, rep: Reporter, res: Resolver) -> None:
    for pos, (city, zone) in enumerate(zip(frame["city"], frame["zone"], strict=True)):
        if city is not None and zone is not None and res.zone_city.get(zone) not in (None, city):
            row = rep.row(pos)
            rep.problems.warn(
                "zone_city_mismatch",
                f"zone {zone!r} lies in {res.zone_city[zone]}, not {city}",
                row=row,
                column="zone",
            )


def _check_edges(frame: pd.DataFrame, rep: Reporter, res: Resolver) -> None:
    for pos, (a, b) in enumerate(zip(frame["from_link"], frame["to_link"], strict=True)):
        row = rep.row(pos)
        if a is not None and a == b:
            rep.problems.error("self_loop", f"a link cannot precede itself ({a})", row=row, column="to_link")
        elif a is not None and b is not None and res.link_chain[a] != res.link_chain[b]:
            rep.problems.error(
                "edge_chain_mismatch",
                f"{a} ({res.link_chain[a]}) and {b} ({res.link_chain[b]}) belong to different chains",
                row=row,
                column="to_link",
            )


#: Ledger levels (台账层级), top down; a ledger may go this deep and no deeper.
TASK_LEVELS = ("重点任务", "举措", "年度要点", "季度节点")


def _check_tasks(frame: pd.DataFrame, rep: Reporter, res: Resolver) -> None:
    """A parent belongs to the same plan; no task is its own ancestor; at most len(TASK_LEVELS) levels."""
    in_file = {
        c: (p, par)
        for c, p, par in zip(frame["code"], frame["plan"], frame["parent"], strict=True)
        if c is not None
    }
    known = {**res.task_info, **in_file}
    raw_parent = frame["parent"].tolist()
    for pos, (code, plan, parent) in enumerate(zip(frame["code"], frame["plan"], raw_parent, strict=True)):
        if parent is None:
            continue
        row = rep.row(pos)
        if parent == code:
            rep.problems.error(
                "self_parent", f"task {code} cannot be its own parent", row=row, column="parent"
            )
            continue
        parent_plan, _ = known[parent]
        if plan is not None and parent_plan != plan:
            rep.problems.error(
                "parent_plan_mismatch",
                f"parent task {parent} belongs to plan {parent_plan}, not {plan}",
                row=row,
                column="parent",
            )
        chain, seen, up = [code], {code}, parent
        while up is not None and up not in seen:
            chain.append(up)
            seen.add(up)
            up = known.get(up, (None, None))[1]
        if up is not None:
            rep.problems.error(
                "parent_cycle",
                f"task {code}'s parents lead back to {up}: {' → '.join(chain)} → {up}",
                row=row,
                column="parent",
            )
        elif len(chain) > len(TASK_LEVELS):
            rep.problems.error(
                "too_deep",
                f"task {code} would be level {len(chain)}; ledgers have at most {len(TASK_LEVELS)} levels "
                f"({' → '.join(TASK_LEVELS)})",
                row=row,
                column="parent",
            )


CROSS_CHECKS: Mapping[str, Callable[[pd.DataFrame, Reporter, Resolver], None]] = {
    "projects": _check_projects,
    "enterprises": _check_enterprises,
    "platforms": _check_platforms,
    "edges": _check_edges,
    "tasks": _check_tasks,
}
