"""``hqd registry …``: the industrial coordination registry from the command line.

A thin layer over :mod:`hqd.registry`: every command calls one service function and prints its result.
The database is ``--db URL`` (or ``$HQD_DATABASE_URL``; default ``./hqd-registry.sqlite``); changes are
recorded under ``--actor`` (or ``$HQD_ACTOR``; default the login name).
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from hqd import registry as reg
from hqd.errors import HqdError, Problem
from hqd.registry import models as m
from hqd.registry.db import has_schema, resolve_url
from hqd.registry.summaries import ENTERPRISE_GROUPS, PROJECT_GROUPS

registry_app = typer.Typer(
    name="registry",
    help="Industrial coordination registry: clusters, chains, corridors, enterprises, zones, projects, ledgers.",
    no_args_is_help=True,
    add_completion=False,
)
summary_app = typer.Typer(
    name="summary", help="Counts and totals (projects, enterprises).", no_args_is_help=True
)
ledger_app = typer.Typer(
    name="ledger", help="Implementation ledgers (台账): overdue tasks, progress.", no_args_is_help=True
)
investment_app = typer.Typer(
    name="investment",
    help="Investment over time: annual plans and monthly completed investment (当月 / 本年累计).",
    no_args_is_help=True,
)
registry_app.add_typer(summary_app, name="summary")
registry_app.add_typer(ledger_app, name="ledger")
registry_app.add_typer(investment_app, name="investment")
console = Console()

SYNTHETIC_LINE = "synthetic demo data / 合成示例数据: names, codes and amounts are invented"
EntityArg = Annotated[str, typer.Argument(help=f"one of: {', '.join(reg.ENTITIES)}")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table | csv | json")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="write to this file instead of the screen")]
LangOpt = Annotated[str, typer.Option("--lang", help="header language: en (column names) | zh (中文表头)")]


@dataclass
class Settings:
    url: str
    actor: str


@registry_app.callback()
def _settings(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="HQD_DATABASE_URL",
            help="database URL or SQLite file (default ./hqd-registry.sqlite)",
        ),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", envvar="HQD_ACTOR", help="who is making the changes (change log)")
    ] = None,
) -> None:
    ctx.obj = Settings(resolve_url(db), actor or getpass.getuser())


def _settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.find_object(Settings)
    return obj if obj is not None else Settings(resolve_url(None), getpass.getuser())


@contextmanager
def _engine(ctx: typer.Context, *, create: bool = False) -> Iterator[Engine]:
    settings = _settings_of(ctx)
    url = make_url(settings.url)
    if not create and url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise HqdError(
            [
                Problem(
                    "not_initialised",
                    f"no registry database at {url.database}; run `hqd registry init` first (or pass --db)",
                )
            ]
        )
    engine = reg.connect(settings.url)
    try:
        if not create and not has_schema(engine):
            raise HqdError(
                [
                    Problem(
                        "not_initialised",
                        f"{url.render_as_string()} has no registry tables; run `hqd registry init` first",
                    )
                ]
            )
        yield engine
    finally:
        engine.dispose()


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "csv", "json")) -> None:
    if fmt not in allowed:
        raise HqdError(
            [
                Problem(
                    "invalid_choice",
                    f"--format must be one of {', '.join(allowed)}; got {fmt!r}",
                    column="format",
                )
            ]
        )


def _emit(
    frame: pd.DataFrame,
    fmt: str,
    out: Path | None,
    *,
    title: str = "",
    synthetic: bool = False,
    headline: str = "",
) -> None:
    """Print or write a frame as a table, CSV or JSON (synthetic data is labelled in every format)."""
    _check_format(fmt)
    data = frame.copy()
    if fmt == "table" and out is None:
        table = Table(title=title or None, show_lines=False)
        for col in data.columns:
            table.add_column(
                str(col), justify="right" if pd.api.types.is_numeric_dtype(data[col]) else "left"
            )
        for row in data.itertuples(index=False):
            table.add_row(*(_cell(v) for v in row))
        console.print(table)
        if headline:
            console.print(headline)
        if synthetic:
            console.print(f"[yellow]({SYNTHETIC_LINE})[/]")
        return
    if synthetic:
        data["data_label"] = "synthetic demo data (合成示例数据)"
    if fmt == "json":
        text = json.dumps(
            {
                "title": title,
                "headline": headline,
                "synthetic": synthetic,
                "rows": json.loads(data.to_json(orient="records", force_ascii=False, date_format="iso")),
            },
            ensure_ascii=False,
            indent=2,
        )
    else:
        text = data.to_csv(index=False)
    if out is None:
        typer.echo(text.rstrip("\n"))
    else:
        out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
        console.print(f"wrote {out}")


def _cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --- set-up and files ----------------------------------------------------------------------------


@registry_app.command("init")
def init_cmd(
    ctx: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="also load the synthetic demo data")] = False,
    seed: Annotated[int, typer.Option("--seed", help="seed of the synthetic demo data")] = 0,
    projects: Annotated[int, typer.Option("--projects", help="number of synthetic demo projects")] = 2000,
) -> None:
    """Create or upgrade the database and load the built-in taxonomy (idempotent)."""
    with _engine(ctx, create=True) as engine:
        reg.init_db(engine)
        console.print(f"registry ready at {_settings_of(ctx).url} (schema {reg.current_revision(engine)})")
        if demo:
            report = reg.load_demo(engine, seed=seed, n_projects=projects)
            console.print(str(report))


@registry_app.command("status")
def status_cmd(ctx: typer.Context) -> None:
    """Schema revision and record counts."""
    with _engine(ctx) as engine:
        rows = [(name, reg.count(engine, name)) for name in reg.ENTITIES]
        revision = reg.current_revision(engine)
        synthetic = reg.summarize_enterprises(engine, "city").synthetic
    frame = pd.DataFrame(rows, columns=["entity", "records"])
    _emit(
        frame,
        "table",
        None,
        title=f"registry {_settings_of(ctx).url} (schema {revision}, newest {reg.head_revision()})",
        synthetic=synthetic,
    )


@registry_app.command("template")
def template_cmd(
    entity: EntityArg,
    out: Annotated[Path, typer.Option("--out", "-o", help=".xlsx or .csv")],
    lang: LangOpt = "en",
) -> None:
    """Write an import template (headers, allowed values, an example row)."""
    console.print(f"wrote {reg.template(entity, out, lang=lang)}")


@registry_app.command("import")
def import_cmd(
    ctx: typer.Context,
    entity: EntityArg,
    file: Annotated[Path, typer.Argument(help="CSV or Excel file")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet (default: the first)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and count, write nothing")] = False,
) -> None:
    """Validate every row, then write all of them in one transaction (or nothing)."""
    with _engine(ctx) as engine:
        report = reg.import_file(
            engine, entity, file, actor=_settings_of(ctx).actor, sheet=sheet, dry_run=dry_run
        )
    console.print(str(report))
    for warning in report.warnings:
        console.print(f"[yellow]warning[/] {warning}")


@registry_app.command("export")
def export_cmd(
    ctx: typer.Context,
    entity: EntityArg,
    out: Annotated[Path, typer.Option("--out", "-o", help=".xlsx or .csv")],
    lang: LangOpt = "en",
) -> None:
    """Export all records (formula injection neutralised)."""
    with _engine(ctx) as engine:
        path = reg.export(engine, entity, out, lang=lang)
    console.print(f"wrote {path}")


# --- questions -----------------------------------------------------------------------------------


@summary_app.command("projects")
def summary_projects_cmd(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help=" | ".join(PROJECT_GROUPS))] = "chain",
    as_of: Annotated[str | None, typer.Option("--as-of", help="as the registry stood at the end of this date "
                                                             "(rebuilt from the change log)")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Projects and total investment (亿元) per chain, cluster, corridor, region, province, status or year."""
    from hqd.registry.asof import summarize_projects_as_of

    with _engine(ctx) as engine:
        summary = (reg.summarize_projects(engine, by) if as_of is None
                   else summarize_projects_as_of(engine, by, as_of))
    _emit(
        summary.table,
        fmt,
        out,
        title=f"projects by {by}" + (f" as of {as_of}" if as_of else ""),
        synthetic=summary.synthetic,
        headline=summary.headline(),
    )


@summary_app.command("enterprises")
def summary_enterprises_cmd(
    ctx: typer.Context,
    by: Annotated[str, typer.Option("--by", help=" | ".join(ENTERPRISE_GROUPS))] = "tier",
    as_of: Annotated[str | None, typer.Option("--as-of", help="as the registry stood at the end of this date "
                                                             "(rebuilt from the change log)")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Enterprises per tier, city or chain."""
    from hqd.registry.asof import summarize_enterprises_as_of

    with _engine(ctx) as engine:
        summary = (reg.summarize_enterprises(engine, by) if as_of is None
                   else summarize_enterprises_as_of(engine, by, as_of))
    _emit(
        summary.table,
        fmt,
        out,
        title=f"enterprises by {by}" + (f" as of {as_of}" if as_of else ""),
        synthetic=summary.synthetic,
        headline=summary.headline() + "".join(f"; {n}" for n in summary.notes),
    )


@registry_app.command("gaps")
def gaps_cmd(
    ctx: typer.Context,
    chain: Annotated[str, typer.Option("--chain", help="chain code or name, e.g. robotics or 机器人产业链")],
    region: Annotated[
        str | None, typer.Option("--region", help="city, province or corridor (default: all)")
    ] = None,
    strong_quantile: Annotated[
        float, typer.Option("--strong-quantile", help="quantile for strong links")
    ] = 0.75,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table | csv | json (ECharts nodes/edges)")
    ] = "table",
    out: OutOpt = None,
) -> None:
    """Fill (补链), strengthen (强链) and extend (延链) targets of a chain map in an area."""
    with _engine(ctx) as engine:
        report = reg.chain_gaps(engine, chain, region, strong_quantile=strong_quantile)
    if fmt == "json":
        text = json.dumps(report.graph(), ensure_ascii=False, indent=2)
        if out is None:
            typer.echo(text)
        else:
            out.write_text(text, encoding="utf-8")
            console.print(f"wrote {out}")
        return
    cols = ["code", "name_zh", "name_en", "segment", "enterprises", "role", "role_zh"]
    _emit(
        report.links[cols],
        fmt,
        out,
        title=f"{report.chain_name_zh} in {report.area_name_zh}",
        synthetic=report.synthetic,
        headline="fill 补链: "
        + ", ".join(report.targets("fill"))
        + "\nextend 延链: "
        + ", ".join(report.targets("extend"))
        + "\nstrengthen 强链: "
        + ", ".join(report.targets("strengthen")),
    )


@ledger_app.command("overdue")
def ledger_overdue_cmd(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="date YYYY-MM-DD")],
    plan: Annotated[str | None, typer.Option("--plan", help="only this plan")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Open tasks past their deadline."""
    with _engine(ctx) as engine:
        frame = reg.overdue(engine, as_of, plan=plan)
    cols = [
        "code",
        "plan",
        "title",
        "lead_department",
        "responsible_person",
        "deadline",
        "status",
        "days_overdue",
    ]
    _emit(
        frame[cols],
        fmt,
        out,
        title=f"overdue on {frame.attrs['as_of']}",
        synthetic=frame.attrs["synthetic"],
        headline=f"{len(frame):,} overdue task{'s' if len(frame) != 1 else ''}",
    )


@ledger_app.command("progress")
def ledger_progress_cmd(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option("--plan", help="plan code")],
    by: Annotated[str, typer.Option("--by", help="department | person")] = "department",
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Share of work items done, per lead department or responsible person."""
    if by not in ("department", "person"):
        raise HqdError(
            [Problem("invalid_choice", f"--by must be department or person; got {by!r}", column="by")]
        )
    with _engine(ctx) as engine:
        result = reg.progress(engine, plan)
    frame = result.by_department if by == "department" else result.by_person
    _emit(
        frame,
        fmt,
        out,
        title=f"progress of {result.plan} by {by}",
        synthetic=result.synthetic,
        headline=f"{result.share_done:.0%} of {len(result.items[result.items['status'] != 'cancelled']):,} "
        "work items done",
    )


@registry_app.command("show")
def show_cmd(
    ctx: typer.Context,
    what: Annotated[str, typer.Argument(help="clusters | chains | corridors | zones | platforms | links")],
    chain: Annotated[str | None, typer.Option("--chain", help="links of this chain only")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """List the built-in and user reference data (with sources)."""
    models: dict[str, Any] = {"clusters": m.Cluster, "chains": m.Chain, "corridors": m.Corridor}
    with _engine(ctx) as engine, engine.connect() as conn:
        if what in models:
            model = models[what]
            frame = pd.DataFrame(
                conn.execute(select(model.code, model.name_zh, model.name_en, model.source)).all(),
                columns=["code", "name_zh", "name_en", "source"],
            )
            if what == "corridors":
                cities = pd.DataFrame(
                    conn.execute(select(m.CorridorCity.corridor, m.CorridorCity.city)).all(),
                    columns=["code", "city"],
                )
                frame["cities"] = frame["code"].map(cities.groupby("code")["city"].agg(";".join))
        elif what in ("zones", "platforms"):
            frame = reg.export_frame(engine, what)
        elif what == "links":
            frame = reg.export_frame(engine, "links")
            if chain is not None:
                frame = frame[frame["chain"] == chain]
        else:
            raise HqdError(
                [
                    Problem(
                        "invalid_choice",
                        f"cannot show {what!r}; valid: clusters, chains, corridors, zones, platforms, links",
                    )
                ]
            )
    _emit(frame.reset_index(drop=True), fmt, out, title=what)


@registry_app.command("history")
def history_cmd(
    ctx: typer.Context,
    entity: Annotated[str | None, typer.Argument(help="entity (default: all)")] = None,
    key: Annotated[str | None, typer.Argument(help="record key")] = None,
    limit: Annotated[int, typer.Option("--limit", help="newest N changes")] = 50,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """The change log: who changed what, when, old → new."""
    with _engine(ctx) as engine:
        frame = reg.history(engine, entity, key, limit=limit)
    _emit(frame, fmt, out, title="change log")


# --- investment over time ------------------------------------------------------------------------


@investment_app.command("import")
def investment_import_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="the monthly Excel or CSV (one row per project and month)")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet (default: the first)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="validate and count, write nothing")] = False,
) -> None:
    """Import monthly completed investment; each period in the file replaces that period (all or nothing)."""
    from hqd.registry import investment

    with _engine(ctx) as engine:
        report = investment.import_monthly(engine, file, actor=_settings_of(ctx).actor, sheet=sheet,
                                           dry_run=dry_run)
    console.print(str(report))
    for warning in report.warnings:
        console.print(f"[yellow]warning[/] {warning}")


@investment_app.command("show")
def investment_show_cmd(
    ctx: typer.Context,
    project: Annotated[str | None, typer.Option("--project", help="one project id")] = None,
    year: Annotated[int | None, typer.Option("--year", help="one calendar year")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="the figures as imported by this date")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Monthly rows: 当月完成 and 本年累计完成 (亿元) per project and month."""
    from hqd.registry import investment

    with _engine(ctx) as engine:
        frame = investment.monthly(engine, project=project, year=year, as_of=as_of)
        synthetic = _synthetic(engine)
    _emit(frame, fmt, out, title="monthly investment (亿元)" + (f" as of {as_of}" if as_of else ""),
          synthetic=synthetic, headline=f"{len(frame):,} project-months; 当月 sum "
          f"{frame['month_100m_cny'].sum():,.2f} 亿元")


@investment_app.command("plans")
def investment_plans_cmd(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", help="one calendar year")] = None,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Annual planned investment (年度计划投资, 亿元) per project and year."""
    from hqd.registry import investment

    with _engine(ctx) as engine:
        frame = investment.annual_plans(engine, year)
        synthetic = _synthetic(engine)
    _emit(frame, fmt, out, title="annual planned investment (亿元)", synthetic=synthetic)


@investment_app.command("imports")
def investment_imports_cmd(ctx: typer.Context, fmt: FormatOpt = "table", out: OutOpt = None) -> None:
    """Every monthly import: who, when, which file (SHA-256), which periods, rows written and replaced."""
    from hqd.registry import investment

    with _engine(ctx) as engine:
        frame = investment.imports_log(engine)
    _emit(frame, fmt, out, title="monthly investment imports")


def _synthetic(engine: Engine) -> bool:
    from hqd.registry.db import read
    from hqd.registry.summaries import is_synthetic

    with read(engine) as conn:
        return is_synthetic(conn)


# --- progress, warnings, supervision ---------------------------------------------------------------

warnings_app = typer.Typer(
    name="warnings", help="Red-yellow-green warnings (红黄绿灯) from the editable rule table.", no_args_is_help=True
)
registry_app.add_typer(warnings_app, name="warnings")
SubjectOpt = Annotated[str, typer.Option("--subject", help="projects | tasks")]
MethodOpt = Annotated[str, typer.Option("--method", help="序时进度: days (calendar days) | months (completed months)")]


@registry_app.command("progress")
def progress_cmd(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="the date, YYYY-MM-DD")],
    subject: SubjectOpt = "projects",
    method: MethodOpt = "days",
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """序时进度: expected progress at a date (from the annual plan or the schedule) against actual."""
    from hqd.registry import pace as progress

    with _engine(ctx) as engine:
        frame = (progress.project_progress(engine, as_of, method=method) if subject == "projects"
                 else progress.task_progress(engine, as_of, method=method) if subject == "tasks"
                 else _bad_subject(subject))
        synthetic = _synthetic(engine)
    rated = frame[frame["basis"].isin(["plan", "schedule"])]
    behind = int((rated["behind_points"] > 0).sum())
    headline = (f"{len(rated):,} of {len(frame):,} {subject} have a basis for 序时进度 on {as_of} ({method}); "
                f"{behind:,} are behind it")
    _emit(frame, fmt, out, title=f"序时进度 of {subject} on {as_of}", synthetic=synthetic, headline=headline)


def _bad_subject(subject: str) -> Any:
    raise HqdError([Problem("invalid_choice", f"unknown subject {subject!r}; valid: projects, tasks",
                            column="subject")])


@warnings_app.command("show")
def warnings_show_cmd(
    ctx: typer.Context,
    as_of: Annotated[str, typer.Option("--as-of", help="the date, YYYY-MM-DD")],
    subject: SubjectOpt = "projects",
    by: Annotated[str | None, typer.Option("--by", help="count colours per this column (chain, region, plan…)")]
    = None,
    colour: Annotated[str | None, typer.Option("--colour", help="only red | yellow | green | unrated")] = None,
    method: MethodOpt = "days",
    record: Annotated[bool, typer.Option("--record", help="store each colour and the rule that fired")] = False,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """The colour of every project or task at a date and the rule that fired."""
    from hqd.registry import warnings

    with _engine(ctx) as engine:
        frame = warnings.evaluate(engine, subject, as_of, method=method, record=record,
                                  actor=_settings_of(ctx).actor)
        synthetic = _synthetic(engine)
    tally = frame["colour"].value_counts()
    headline = ", ".join(f"{c} {int(tally.get(c, 0)):,}" for c in warnings.COLOURS) + f" ({subject}, {as_of})"
    if by is not None:
        if by not in frame:
            raise HqdError([Problem("invalid_choice", f"cannot count by {by!r}; valid: "
                                    f"{', '.join(c for c in frame.columns if frame[c].dtype == object)}",
                                    column="by")])
        _emit(warnings.counts(frame, by), fmt, out, title=f"colours by {by}", synthetic=synthetic,
              headline=headline)
        return
    if colour is not None:
        frame = frame[frame["colour"] == colour]
    keep = [c for c in ("key", "name", "title", "region", "chain", "lead_department", "responsible_person",
                        "colour", "rule", "metric_value", "behind_points") if c in frame]
    _emit(frame[keep], fmt, out, title=f"warnings on {as_of}", synthetic=synthetic, headline=headline)


@warnings_app.command("rules")
def warnings_rules_cmd(ctx: typer.Context, subject: Annotated[str | None, typer.Option("--subject")] = None,
                       fmt: FormatOpt = "table", out: OutOpt = None) -> None:
    """The rule table, in the order rules are tried (red before yellow, then priority)."""
    from hqd.registry import warnings

    with _engine(ctx) as engine:
        frame = warnings.rules(engine, subject)
    _emit(frame.drop(columns=["updated_at"]), fmt, out, title="warning rules")


@warnings_app.command("set-rule")
def warnings_set_rule_cmd(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="rule code (new or existing)")],
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    colour: Annotated[str | None, typer.Option("--colour", help="red | yellow")] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="behind_points | days_not_started | days_overdue")]
    = None,
    min_value: Annotated[float | None, typer.Option("--min")] = None,
    strict_min: Annotated[bool | None, typer.Option("--strict-min/--inclusive-min")] = None,
    max_value: Annotated[float | None, typer.Option("--max")] = None,
    priority: Annotated[int | None, typer.Option("--priority")] = None,
    active: Annotated[bool | None, typer.Option("--active/--inactive")] = None,
    label: Annotated[str | None, typer.Option("--label", help="规则说明")] = None,
) -> None:
    """Create or change a rule (versioned, in the change log)."""
    from hqd.registry import warnings

    values = {k: v for k, v in (("subject", subject), ("colour", colour), ("metric", metric),
                                ("min_value", min_value), ("strict_min", strict_min), ("max_value", max_value),
                                ("priority", priority), ("active", active), ("label_zh", label)) if v is not None}
    with _engine(ctx) as engine:
        rule = warnings.set_rule(engine, code, values, actor=_settings_of(ctx).actor)
    console.print(f"rule {rule['code']} (version {rule['version']}): {rule['colour']} when {rule['metric']} in "
                  f"[{rule['min_value']}, {rule['max_value']}]")


@registry_app.command("escalate")
def escalate_cmd(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="projects | tasks")],
    key: Annotated[str, typer.Argument(help="project id or task code")],
    level: Annotated[str, typer.Argument(help="提醒 | 督办 | 通报 | 约谈 (remind | supervise | notify | interview)")],
    on: Annotated[str, typer.Option("--on", help="the date, YYYY-MM-DD")],
    leader: Annotated[str | None, typer.Option("--leader", help="responsible leader")] = None,
    department: Annotated[str | None, typer.Option("--department", help="responsible department")] = None,
    reason: Annotated[str | None, typer.Option("--reason")] = None,
    skip_reason: Annotated[str | None, typer.Option("--skip-reason", help="why a level is skipped")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="the warning rule that prompted it")] = None,
) -> None:
    """Record a step of the supervision ladder (no level skipped without --skip-reason)."""
    from hqd.registry import supervision

    with _engine(ctx) as engine:
        row = supervision.escalate(engine, subject, key, level, on, actor=_settings_of(ctx).actor, leader=leader,
                                   department=department, reason=reason, skip_reason=skip_reason, rule=rule)
    console.print(f"escalation {row['id']}: {subject} {key} {supervision.LABELS_ZH[row['level']]} on {on}")


@registry_app.command("escalations")
def escalations_cmd(
    ctx: typer.Context,
    subject: Annotated[str | None, typer.Option("--subject")] = None,
    key: Annotated[str | None, typer.Option("--key")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="only cases not closed")] = False,
    fmt: FormatOpt = "table",
    out: OutOpt = None,
) -> None:
    """Escalations, oldest first."""
    from hqd.registry import supervision

    with _engine(ctx) as engine:
        frame = supervision.escalations(engine, subject, key, open_only=open_only)
    _emit(frame.drop(columns=["recorded_at"]), fmt, out, title="escalations")


@registry_app.command("respond")
def respond_cmd(ctx: typer.Context, escalation: Annotated[int, typer.Argument(help="escalation id")],
                response: Annotated[str, typer.Argument(help="the response")],
                on: Annotated[str, typer.Option("--on", help="the date, YYYY-MM-DD")]) -> None:
    """Record the response to an escalation."""
    from hqd.registry import supervision

    with _engine(ctx) as engine:
        supervision.respond(engine, escalation, response, on, actor=_settings_of(ctx).actor)
    console.print(f"escalation {escalation}: response recorded")


@registry_app.command("close")
def close_cmd(ctx: typer.Context, escalation: Annotated[int, typer.Argument(help="escalation id")],
              closure: Annotated[str, typer.Argument(help="what settled it")],
              on: Annotated[str, typer.Option("--on", help="the date, YYYY-MM-DD")]) -> None:
    """Close an escalation (销号)."""
    from hqd.registry import supervision

    with _engine(ctx) as engine:
        supervision.close(engine, escalation, closure, on, actor=_settings_of(ctx).actor)
    console.print(f"escalation {escalation}: closed")
