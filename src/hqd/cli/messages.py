"""The command line's words in English and Chinese: one catalogue, one lookup.

Every key holds ``{"en": …, "zh": …}``.  ``cmd.<command path>`` keys are the one-line help of each command
(the English is the command's own docstring's first line — a test checks they agree, so a changed
docstring fails until its Chinese is updated, as the dashboard's ``messages.json`` check does).

The language is ``hqd --lang zh|en …`` (a command's own ``--lang``, as ``hqd report``'s, counts too), else the
POSIX locale: the first of ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is
set and starts with ``zh`` selects Chinese; anything else is English.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    # --- the program, its options, its error lines ---
    "hqd.help": {
        "en": "HQD: regional high-quality development (高质量发展) evaluation and coordination monitoring.",
        "zh": "区域高质量发展评价与协同发展监测工具。",
    },
    "version": {"en": "hqd {version}", "zh": "hqd 版本 {version}"},
    "error.problems.one": {"en": "1 problem found:", "zh": "发现 1 个问题："},
    "error.problems.many": {"en": "{n} problems found:", "zh": "发现 {n} 个问题："},
    "error.io": {"en": "the operating system refused: {reason}", "zh": "操作系统拒绝了该操作：{reason}"},
    "option.version": {"en": "Print the version and exit.", "zh": "显示版本号后退出。"},
    "option.lang": {
        "en": "Language of help and messages: en | zh (default: from LC_ALL / LC_MESSAGES / LANG).",
        "zh": "帮助和提示信息的语言：en（英文）或 zh（中文）；默认取自系统语言环境。",
    },
    "option.help": {"en": "Show this message and exit.", "zh": "显示本帮助后退出。"},
    "panel.options": {"en": "Options", "zh": "选项"},
    "panel.arguments": {"en": "Arguments", "zh": "参数"},
    "panel.commands": {"en": "Commands", "zh": "命令"},
    # --- one-line help of every command (English = the docstring's first line) ---
    "cmd.run": {
        "en": "Build the index and write the run directory (scores, weights, manifest, results.xlsx).",
        "zh": "构建指数并写出运行目录（得分、权重、清单和结果工作簿）。",
    },
    "cmd.validate": {
        "en": "Check framework, data and recipe; list every problem (exit 0 when valid, 2 otherwise).",
        "zh": "检查指标体系、数据和方案，列出全部问题（有效时退出码为 0，否则为 2）。",
    },
    "cmd.methods": {
        "en": "List every registered method with its one-line description.",
        "zh": "列出全部已注册的方法及其简要说明。",
    },
    "cmd.growth": {
        "en": "Print total growth % and CAGR % between two values (CAGR over END_YEAR − START_YEAR intervals).",
        "zh": "计算两个数值之间的总增长率（%）和年均复合增长率（%，区间数为终止年份减起始年份）。",
    },
    "cmd.demo": {
        "en": "Run the bundled Jing-Jin-Ji demo (real framework, SYNTHETIC panel) and write its workbook.",
        "zh": "运行内置的京津冀示例（真实指标体系，合成面板数据）并写出其工作簿。",
    },
    "cmd.template": {
        "en": "Write a commented starting file (Excel for framework and data, YAML for the recipe).",
        "zh": "写出带说明的起始文件（指标体系和数据为表格文件，方案为配置文件）。",
    },
    "cmd.audit": {
        "en": "Statistical audit: indicator statistics and flags, correlations, Cronbach's alpha, PCA.",
        "zh": "统计审查：指标统计量与警示、相关系数、克朗巴哈系数、主成分分析。",
    },
    "cmd.uncertainty": {
        "en": "Monte Carlo uncertainty analysis (rank bands), Sobol sensitivity or leave-one-indicator-out.",
        "zh": "蒙特卡洛不确定性分析（排名区间）、索博尔敏感性分析或逐一剔除指标分析。",
    },
    "cmd.serve": {
        "en": "Serve the HQD JSON API (and the dashboard) — settings:",
        "zh": "启动数据接口服务（及可视化看板）——设置项如下：",
    },
    "cmd.report": {
        "en": "Write the Blue-Book report of a run: Excel workbook, self-contained HTML, or PDF (headless Chromium).",
        "zh": "写出一次运行的蓝皮书报告：表格工作簿、独立网页或便携文档（无界面浏览器生成）。",
    },
    "cmd.analyze": {
        "en": "Regional analysis: coupling coordination, inequality, convergence, dynamics, Moran's I, "
        "obstacles, grey relations (on a run directory or a plain table).",
        "zh": "区域分析：耦合协调、差异、收敛、动态演进、空间自相关、障碍度、灰色关联（基于运行目录或普通表格）。",
    },
    "cmd.analyze theil": {
        "en": "Theil index (T or L) with the within/between decomposition by group.",
        "zh": "泰尔指数（泰尔T或泰尔L）及其组内、组间分解。",
    },
    "cmd.analyze dagum": {
        "en": "Dagum Gini decomposition: within, net between, transvariation.",
        "zh": "达格姆基尼系数分解：组内差异、组间净差异、超变密度。",
    },
    "cmd.analyze gini": {"en": "Gini coefficient per year.", "zh": "逐年基尼系数。"},
    "cmd.analyze cv": {"en": "Coefficient of variation per year.", "zh": "逐年变异系数。"},
    "cmd.analyze coupling": {
        "en": "Coupling coordination degree (C, T, D, grade): between dimensions, or between provinces.",
        "zh": "耦合协调度（耦合度、综合评价指数、协调度及等级）：维度之间或省份之间。",
    },
    "cmd.analyze sigma": {"en": "σ convergence: dispersion per year and its trend.", "zh": "σ收敛：逐年离散程度及其趋势。"},
    "cmd.analyze beta": {
        "en": "β convergence regression: β, SE, p, speed and half-life.",
        "zh": "β收敛回归：收敛系数、标准误、显著性、收敛速度与半生命周期。",
    },
    "cmd.analyze kde": {
        "en": "Kernel density per year with peak, width and number of peaks.",
        "zh": "逐年核密度估计，给出主峰位置、宽度和峰数。",
    },
    "cmd.analyze markov": {
        "en": "Traditional (and with --weights, spatial) Markov transition probabilities.",
        "zh": "传统（给出空间权重时为空间）马尔可夫转移概率。",
    },
    "cmd.analyze gistar": {
        "en": "Getis-Ord Gi* hot and cold spots per region and year (esda, permutations seeded per year).",
        "zh": "逐年各地区的热点与冷点分析（局部统计量，置换检验按年设定随机种子）。"},
    "cmd.analyze gravity": {
        "en": "Centre of gravity (重心) of the index per year, its yearly shift distance (km) and direction.",
        "zh": "逐年指数重心、年度移动距离（千米）与方向。"},
    "cmd.analyze ellipse": {
        "en": "Standard deviational ellipse (标准差椭圆) of the index per year: centre, axes, azimuth, area.",
        "zh": "逐年指数的标准差椭圆：中心、长短轴、方位角与面积。"},
    "cmd.analyze sdm": {
        "en": "Spatial Durbin panel model with fixed effects, direct/indirect/total effects, LM/Wald/LR/Hausman tests.",
        "zh": "固定效应空间杜宾面板模型，含直接、间接与总效应及拉格朗日乘数、沃尔德、似然比与豪斯曼检验。"},
    "cmd.analyze sar": {"en": "Spatial lag panel model with fixed effects (spreg) and its effects.",
                        "zh": "固定效应空间滞后面板模型及其效应分解。"},
    "cmd.analyze sem": {"en": "Spatial error panel model with fixed effects (spreg).",
                        "zh": "固定效应空间误差面板模型。"},
    "cmd.analyze fe": {
        "en": "Panel regression with fixed effects and cluster-robust (by region) errors (linearmodels).",
        "zh": "固定效应面板回归，按地区聚类稳健标准误。"},
    "cmd.analyze mediation": {
        "en": "Mediation: stepwise regressions and the cluster-bootstrap indirect effect a·b.",
        "zh": "中介效应：逐步回归与聚类自助法间接效应。"},
    "cmd.analyze threshold": {
        "en": "Hansen (1999) panel threshold regression (single or double) with bootstrap p-values.",
        "zh": "汉森（1999）面板门槛回归（单门槛或双门槛），自助法显著性检验。"},
    "cmd.analyze moran": {"en": "Global Moran's I per year (esda).", "zh": "逐年全局莫兰指数。"},
    "cmd.analyze lisa": {
        "en": "Local Moran's I (LISA) with HH/LL/HL/LH clusters (esda).",
        "zh": "局部莫兰指数及高高、低低、高低、低高集聚类型。",
    },
    "cmd.analyze obstacle": {
        "en": "Obstacle degree of indicators and dimensions (needs a run directory).",
        "zh": "指标和维度的障碍度（需要运行目录）。",
    },
    "cmd.analyze grey": {
        "en": "Grey relational grade of each region against the ideal.",
        "zh": "各地区相对于理想方案的灰色关联度。",
    },
    "cmd.analyze jjj": {
        "en": "Every Jing-Jin-Ji analysis of the demo on a run directory of the 13 cities.",
        "zh": "对13个城市的运行目录执行示例中的全部京津冀分析。",
    },
    "cmd.users": {"en": "API users, roles and region scopes; API tokens.", "zh": "接口用户、角色与地区权限范围；访问令牌。"},
    "cmd.users add": {"en": "Add a user.", "zh": "添加用户。"},
    "cmd.users list": {"en": "List users with their roles and scopes.", "zh": "列出用户及其角色和权限范围。"},
    "cmd.users set-role": {
        "en": "Change a user's role (and scope: omitted means no scope).",
        "zh": "修改用户角色（及权限范围；省略即不限范围）。",
    },
    "cmd.users remove": {
        "en": "Remove a user with their tokens and sessions.",
        "zh": "删除用户及其令牌和会话。",
    },
    "cmd.users token": {
        "en": "Make an API token for a user; it is printed once and stored only as a hash.",
        "zh": "为用户生成访问令牌；令牌只显示一次，仅以哈希值保存。",
    },
    "cmd.efficiency": {
        "en": "Efficiency view: DEA (CCR/BCC), SBM with undesirable outputs, ML/GML productivity, geodetector, "
              "GM(1,1) forecasts, composite-system synergy (on a run directory or a plain table).",
        "zh": "效率视角：数据包络分析（规模报酬不变与可变）、含非期望产出的松弛测度模型、全局曼奎斯特—卢恩伯格生产率指数、"
              "地理探测器、灰色预测、复合系统协同度（基于运行目录或普通表格）。"},
    "cmd.efficiency dea": {
        "en": "Radial DEA: CCR (constant) or BCC (variable returns to scale), input-oriented, with slacks and λ.",
        "zh": "径向数据包络分析：规模报酬不变或可变、投入导向，含松弛变量与权重λ。"},
    "cmd.efficiency sbm": {
        "en": "Slacks-based measure (Tone 2001) with undesirable outputs (Tone 2004); --super for super-SBM.",
        "zh": "松弛测度模型（托恩2001），含非期望产出（托恩2004）；可选超效率模型。"},
    "cmd.efficiency gml": {
        "en": "Malmquist–Luenberger / global ML productivity index with its EC × TC decomposition.",
        "zh": "曼奎斯特—卢恩伯格及全局曼奎斯特—卢恩伯格生产率指数，分解为效率变化与技术变化。"},
    "cmd.efficiency geodetector": {
        "en": "Geographical detector: factor (q, p), interaction (five types), risk and ecological detectors.",
        "zh": "地理探测器：因子探测（解释力与显著性）、交互探测（五种类型）、风险探测与生态探测。"},
    "cmd.efficiency forecast": {
        "en": "GM(1,1) forecast of each region's series (C, P, grade) compared with ARIMA and Holt on a hold-out.",
        "zh": "各地区序列的灰色预测（后验差比值、小误差概率与精度等级），并在留出期与自回归移动平均、霍尔特平滑比较。"},
    "cmd.efficiency synergy": {
        "en": "Composite-system synergy degree (孟庆松 & 韩文秀 2000) and the relative development degree of the "
              "subsystems' order degrees.",
        "zh": "复合系统协同度（孟庆松、韩文秀2000）及各子系统有序度的相对发展度。"},
    "cmd.industry": {
        "en": "Industrial-coordination measures (产业协同): location quotients, structural similarity, Krugman, "
              "localisation, shift-share, input–output linkages.",
        "zh": "产业协同测度：区位熵、产业结构相似系数、克鲁格曼专业化指数、地方化系数、偏离—份额分解、投入产出关联。",
    },
    "cmd.industry lq": {"en": "Location quotient (区位熵) of every region and industry.",
                        "zh": "各地区各行业的区位熵。"},
    "cmd.industry similarity": {
        "en": "Structural similarity coefficient (产业结构相似系数, UNIDO cosine) of every pair of regions.",
        "zh": "各地区两两之间的产业结构相似系数（联合国工业发展组织余弦形式）。"},
    "cmd.industry krugman": {"en": "Krugman specialisation index of each region, and pairwise dissimilarity.",
                             "zh": "各地区的克鲁格曼专业化指数及两两差异度。"},
    "cmd.industry localisation": {"en": "Hoover localisation coefficient and locational Gini of each industry.",
                                  "zh": "各行业的胡佛地方化系数与区位基尼系数。"},
    "cmd.industry shift-share": {
        "en": "Shift-share decomposition: national, industry-mix and competitive effects (classic or dynamic).",
        "zh": "偏离—份额分解：全国增长效应、产业结构效应与竞争效应（经典或动态）。"},
    "cmd.industry io": {
        "en": "Input–output linkages: Leontief inverse, backward/forward linkages, Rasmussen indices, key sectors.",
        "zh": "投入产出关联：列昂惕夫逆矩阵、后向与前向关联、拉斯穆森指数、关键部门。"},
    "cmd.industry indicators": {
        "en": "Industry measures as indicator values (region, year, indicator, value) for an 产业协同 dimension.",
        "zh": "将产业测度转为指标值（地区、年份、指标、数值），用于产业协同维度。"},
    "cmd.industry demo": {
        "en": "SYNTHETIC 13-city demo: structural similarity of the three provinces and the top LQ industries per city.",
        "zh": "合成数据的13市示例：三省市产业结构相似系数及各市区位熵最高的行业。"},
    "cmd.industry codes": {
        "en": "Check industry codes against the bundled GB/T 4754-2017 list and print their canonical form.",
        "zh": "对照内置的国民经济行业分类（2017）核对行业代码并输出规范写法。"},
    "cmd.registry": {
        "en": "Industrial coordination registry: clusters, chains, corridors, enterprises, zones, projects, ledgers.",
        "zh": "产业协同数据库：产业集群、产业链、走廊、企业、园区、项目和台账。",
    },
    "cmd.registry progress": {
        "en": "序时进度: expected progress at a date (from the annual plan or the schedule) against actual.",
        "zh": "序时进度：某日应完成进度（按年度计划或起止日期）与实际完成进度的对比。"},
    "cmd.registry escalate": {
        "en": "Record a step of the supervision ladder (no level skipped without --skip-reason).",
        "zh": "记录一级督办措施（提醒、督办、通报、约谈；越级须说明理由）。"},
    "cmd.registry escalations": {
        "en": "Escalations, oldest first.",
        "zh": "督办记录，按时间先后列出。"},
    "cmd.registry respond": {
        "en": "Record the response to an escalation.",
        "zh": "记录对督办事项的回复。"},
    "cmd.registry close": {
        "en": "Close an escalation (销号).",
        "zh": "督办事项销号。"},
    "cmd.registry investment": {
        "en": "Investment over time: annual plans and monthly completed investment (当月 / 本年累计).",
        "zh": "投资进度：年度计划投资与逐月完成投资（当月、本年累计）。"},
    "cmd.registry investment import": {
        "en": "Import monthly completed investment; each period in the file replaces that period (all or nothing).",
        "zh": "导入月度完成投资；文件中每个月份整体替换该月数据（全部成功或全部不写入）。"},
    "cmd.registry investment show": {
        "en": "Monthly rows: 当月完成 and 本年累计完成 (亿元) per project and month.",
        "zh": "逐项目逐月的当月完成与本年累计完成投资（亿元）。"},
    "cmd.registry investment plans": {
        "en": "Annual planned investment (年度计划投资, 亿元) per project and year.",
        "zh": "逐项目逐年的年度计划投资（亿元）。"},
    "cmd.registry investment imports": {
        "en": "Every monthly import: who, when, which file (SHA-256), which periods, rows written and replaced.",
        "zh": "每次月度导入的记录：导入人、时间、文件及其哈希值、涉及月份、写入与替换的行数。"},
    "cmd.registry warnings": {
        "en": "Red-yellow-green warnings (红黄绿灯) from the editable rule table.",
        "zh": "按可编辑规则表生成的红黄绿灯预警。"},
    "cmd.registry warnings show": {
        "en": "The colour of every project or task at a date and the rule that fired.",
        "zh": "某日各项目或任务的预警颜色及触发的规则。"},
    "cmd.registry warnings rules": {
        "en": "The rule table, in the order rules are tried (red before yellow, then priority).",
        "zh": "预警规则表，按判定顺序列出（先红后黄，再按优先级）。"},
    "cmd.registry warnings set-rule": {
        "en": "Create or change a rule (versioned, in the change log).",
        "zh": "新建或修改一条预警规则（带版本号，记入变更日志）。"},
    "cmd.registry init": {
        "en": "Create or upgrade the database and load the built-in taxonomy (idempotent).",
        "zh": "创建或升级数据库并载入内置分类（可重复执行）。",
    },
    "cmd.registry status": {"en": "Schema revision and record counts.", "zh": "数据库结构版本与记录数。"},
    "cmd.registry template": {
        "en": "Write an import template (headers, allowed values, an example row).",
        "zh": "写出导入模板（表头、允许取值和一行示例）。",
    },
    "cmd.registry import": {
        "en": "Validate every row, then write all of them in one transaction (or nothing).",
        "zh": "逐行校验后在一个事务中全部写入（否则一行也不写）。",
    },
    "cmd.registry export": {
        "en": "Export all records (formula injection neutralised).",
        "zh": "导出全部记录（已防范公式注入）。",
    },
    "cmd.registry gaps": {
        "en": "Fill (补链), strengthen (强链) and extend (延链) targets of a chain map in an area.",
        "zh": "某地区产业链图谱的补链、强链和延链目标。",
    },
    "cmd.registry show": {
        "en": "List the built-in and user reference data (with sources).",
        "zh": "列出内置和用户的参考数据（附来源）。",
    },
    "cmd.registry history": {
        "en": "The change log: who changed what, when, old → new.",
        "zh": "变更日志：何人何时修改了什么，旧值与新值。",
    },
    "cmd.registry summary": {"en": "Counts and totals (projects, enterprises).", "zh": "计数与合计（项目、企业）。"},
    "cmd.registry summary projects": {
        "en": "Projects and total investment (亿元) per chain, cluster, corridor, region, province, status or year.",
        "zh": "按产业链、集群、走廊、地区、省份、状态或年份统计项目数与总投资（亿元）。",
    },
    "cmd.registry summary enterprises": {
        "en": "Enterprises per tier, city or chain.",
        "zh": "按梯队、城市或产业链统计企业数。",
    },
    "cmd.registry ledger": {
        "en": "Implementation ledgers (台账): overdue tasks, progress.",
        "zh": "落实台账：逾期任务与进度。",
    },
    "cmd.registry ledger overdue": {"en": "Open tasks past their deadline.", "zh": "已过期限仍未完成的任务。"},
    "cmd.registry ledger progress": {
        "en": "Share of work items done, per lead department or responsible person.",
        "zh": "按牵头部门或责任人统计的工作事项完成比例。",
    },
}

_current = "en"


def normalise(lang: str | None) -> str | None:
    """``"zh"``, ``"zh-CN"``, ``"zh_CN.UTF-8"`` → ``"zh"``; ``"en…"`` → ``"en"``; anything else → ``None``."""
    if not lang:
        return None
    head = lang.strip().lower().replace("-", "_").split("_")[0].split(".")[0]
    return head if head in LANGUAGES else None


def detect(args: Sequence[str], env: Mapping[str, str]) -> str:
    """The language a command line asks for: its ``--lang`` value, else the locale, else English."""
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = arg.partition("=")[2] if arg.startswith("--lang=") else (
            args[i + 1] if arg == "--lang" and i + 1 < len(args) else None)
        if value is not None and normalise(value) is not None:
            return str(normalise(value))
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:  # POSIX: the first one set wins, whatever it says
            return "zh" if normalise(value) == "zh" else "en"
    return "en"


def set_language(lang: str) -> None:
    """Use ``lang`` (``en`` or ``zh``) for help and messages from now on."""
    global _current
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    _current = lang


def language() -> str:
    return _current


def text(key: str, lang: str | None = None) -> str:
    """The catalogue's text for ``key`` in ``lang`` (default: the current language)."""
    return MESSAGES[key][lang or _current]


def command_help(path: str, lang: str | None = None) -> str | None:
    """The one-line help of the command ``path`` (e.g. ``"analyze theil"``), or ``None`` if uncatalogued."""
    entry = MESSAGES.get(f"cmd.{path}")
    return entry[lang or _current] if entry else None


def problems_found(n: int) -> str:
    """``"3 problems found:"`` / ``"发现 3 个问题："``."""
    return text("error.problems.one") if n == 1 else text("error.problems.many").format(n=n)


def translate_typer_panels() -> None:
    """Name the panels of Typer's Rich help (Options, Arguments, Commands) in the current language."""
    if _current == "en" and "typer.rich_utils" not in sys.modules:
        return  # nothing to undo, and English needs no import
    from typer import rich_utils

    for attribute, key in (("OPTIONS_PANEL_TITLE", "panel.options"), ("ARGUMENTS_PANEL_TITLE", "panel.arguments"),
                           ("COMMANDS_PANEL_TITLE", "panel.commands")):
        if hasattr(rich_utils, attribute):
            setattr(rich_utils, attribute, text(key))
