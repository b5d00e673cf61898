"""The report as data: sections of text, tables and charts, built once from a run directory.

:func:`build_document` reads a run directory (:class:`~hqd.report.rundata.RunData`) and lays out a
Blue-Book report: cover, summary (the generated narrative: growth, CAGR, drivers, laggards), rankings
and maps, one chapter per dimension, coordination and inequality, robustness, the registry
summaries (with a database), and an appendix (framework, methods and their formulas taken from the
methods' own docstrings, weights, data sources, manifest).  The HTML/PDF renderer
(:mod:`hqd.report.html`) and the Excel writer (:mod:`hqd.report.excel`) both render this one
:class:`Report`, so the workbook holds every table the HTML shows.

Nothing here computes an index: numbers come from the run directory's files (written by the
pipeline and the analyses) and from the registry's summary functions.  A part whose input is absent
is left out with a note (:attr:`Report.missing`), never an error.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from hqd.errors import HqdError
from hqd.report.charts import CHARTS
from hqd.report.messages import check_lang, column_label, join, t
from hqd.report.rundata import RunData

TextKind = Literal["p", "note", "narrative", "h3", "h4", "formula", "synthetic"]


@dataclass
class TextBlock:
    text: str
    kind: TextKind = "p"


@dataclass
class TableBlock:
    """A table: ``key`` is its sheet name in the workbook; ``frame`` keeps column keys (labels: messages)."""

    key: str
    title: str
    frame: pd.DataFrame
    digits: dict[str, int] = field(default_factory=dict)
    html_rows: int | None = None
    hide_in_html: tuple[str, ...] = ("region",)
    note: str = ""
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)

    def label(self, column: str, lang: str) -> str:
        """The header of ``column`` in ``lang``: the table's own labels, then the catalogue's."""
        if column in self.labels:
            zh, en = self.labels[column]
            return zh if lang == "zh" else en
        return column_label(column, lang)

    def labels_both(self, column: str) -> tuple[str, str]:
        if column in self.labels:
            return self.labels[column]
        return column_label(column, "zh"), column_label(column, "en")


@dataclass
class ChartBlock:
    name: str
    params: dict[str, Any]
    option: dict[str, Any] | None
    error: str = ""


Block = TextBlock | TableBlock | ChartBlock


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 1


@dataclass
class Report:
    lang: str
    title: str
    subtitle: str
    cover_lines: list[str]
    synthetic: bool
    synthetic_label: str
    sections: list[Section]
    missing: list[str]
    run_dir: str

    def tables(self) -> list[TableBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, TableBlock)]

    def charts(self) -> list[ChartBlock]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, ChartBlock)]


# ====================================================================================== builder
class _Builder:
    def __init__(self, run: RunData, lang: str, db: str | None) -> None:
        self.run = run
        self.lang = lang
        self.db = db
        self.missing: list[str] = []
        self.index = run.index_code
        self.years = run.years
        self.first, self.last = self.years[0], self.years[-1]

    # ---------------------------------------------------------------- helpers
    def t(self, key: str, **values: Any) -> str:
        return t(key, self.lang, **values)

    def name(self, code: str) -> str:
        return self.run.region_name(code, self.lang)

    def names(self, codes: Any) -> list[str]:
        return [self.name(str(c)) for c in codes]

    def node(self, code: str) -> str:
        return self.run.node_name(code, self.lang)

    def chart(self, name: str, **params: Any) -> ChartBlock:
        spec = CHARTS[name]
        try:
            option = spec.build(self.run, self.lang, **{**spec.defaults, **params})
        except HqdError as error:
            reason = "; ".join(p.message for p in error.problems)
            return ChartBlock(name, params, None, self.t("chart_failed", chart=name, reason=reason))
        return ChartBlock(name, params, option)

    def note_missing(self, key: str, **values: Any) -> TextBlock:
        text = self.t(key, **values)
        self.missing.append(text)
        return TextBlock(text, "note")

    def node_labels(self, codes: Any) -> dict[str, tuple[str, str]]:
        """Headers for columns named by node codes: (中文名, English name)."""
        return {str(c): (self.run.node_name(str(c), "zh"), self.run.node_name(str(c), "en")) for c in codes}

    def with_names(self, frame: pd.DataFrame, column: str = "region") -> pd.DataFrame:
        """``frame`` with a ``region_name`` column right after ``column``."""
        out = frame.copy()
        position = list(out.columns).index(column) + 1
        out.insert(position, "region_name", self.names(out[column]))
        return out

    # ---------------------------------------------------------------- document
    def build(self) -> Report:
        run = self.run
        index_name = self.node(self.index)
        manifest = run.manifest
        title = self.t("report_title", index=index_name)
        subtitle = self.t("report_subtitle", regions=len(run.regions), first=self.first, last=self.last)
        from hqd import __version__

        cover = [self.t("blue_book"),
                 self.t("generated_by", version=manifest.get("hqd_version", __version__),
                        date=date.today().isoformat())]
        recipe = manifest.get("recipe", {}).get("name") if isinstance(manifest.get("recipe"), dict) else None
        if recipe:
            cover.append(self.t("recipe_line", recipe=recipe))
        self.missing.extend(self.missing_parts())
        sections = [self.summary(), self.rankings(), *self.dimensions(), self.coordination(), self.robustness(),
                    self.registry(), *self.appendix()]
        sections = [s for s in sections if s.blocks]
        from hqd.io.rundir import SYNTHETIC_LABEL

        return Report(self.lang, title, subtitle, cover, run.synthetic, SYNTHETIC_LABEL, sections,
                      self.missing, str(run.path))

    # ---------------------------------------------------------------- summary
    def summary(self) -> Section:
        run, lang = self.run, self.lang
        section = Section("summary", self.t("sec_summary"))
        if run.synthetic:
            section.blocks.append(TextBlock(self.t("synthetic_banner"), "synthetic"))
        section.blocks.append(TextBlock(self.t("sub_narrative"), "h3"))
        lines = run.narrative(lang)
        if lines:
            section.blocks.extend(TextBlock(line, "narrative") for line in lines[:40])
            if len(lines) > 40:
                section.blocks.append(TextBlock(self.t("excel_only", sheet="narrative"), "note"))
        else:
            section.blocks.append(self.note_missing("missing_file", file="narrative.md",
                                                    what="叙述" if lang == "zh" else "the narrative"))
        index = run.node_scores(self.index)
        now = index[index["year"] == self.last].dropna(subset=["score"]).sort_values("score", ascending=False)
        if len(now) >= 2:
            k = min(3, len(now) // 2)
            section.blocks.append(TextBlock(self.t(
                "top_bottom", year=self.last, index=self.node(self.index),
                top=join(self.names(now["region"].head(k)), lang),
                bottom=join(self.names(now["region"].tail(k)), lang))))
        growth = run.table("growth.csv")
        if growth is not None:
            g = growth[growth["node"] == self.index] if "node" in growth.columns else growth
            g = g.dropna(subset=["cagr_pct"]).sort_values("cagr_pct", ascending=False)
            if len(g) >= 2:
                fmt = "{name}（{v:.2f}%）" if lang == "zh" else "{name} ({v:.2f}% a year)"
                section.blocks.append(TextBlock(self.t(
                    "fastest", first=int(g["start_year"].iloc[0]), last=int(g["end_year"].iloc[0]),
                    fast=fmt.format(name=self.name(g["region"].iloc[0]), v=g["cagr_pct"].iloc[0]),
                    slow=fmt.format(name=self.name(g["region"].iloc[-1]), v=g["cagr_pct"].iloc[-1]))))
                from hqd.analysis.verdicts import scale_caveat

                caveat = scale_caveat(run.manifest.get("policies"), lang)  # growth from a near-zero base
                if caveat:
                    section.blocks.append(TextBlock(caveat, "note"))
        drivers = run.table("drivers.csv")
        if drivers is not None and not drivers.empty:
            mean = drivers.groupby("child", sort=False)["share_pct"].mean().sort_values(ascending=False)
            if len(mean) >= 2:
                fmt = "{name}（{v:.1f}%）" if lang == "zh" else "{name} ({v:.1f}%)"
                top = [fmt.format(name=self.node(str(c)), v=v) for c, v in mean.head(2).items()]
                section.blocks.append(TextBlock(self.t(
                    "mean_drivers", drivers=join(top, lang),
                    laggard=fmt.format(name=self.node(str(mean.index[-1])), v=mean.iloc[-1]))))
        if self.missing_parts():
            section.blocks.append(TextBlock(self.t("missing_heading"), "h3"))
            section.blocks.extend(TextBlock(text, "note") for text in self.missing_parts())
        section.blocks.append(TextBlock(self.t("sub_growth"), "h3"))
        section.blocks.append(self.chart("trend"))
        if growth is not None:
            section.blocks.append(self.growth_table(growth))
        else:
            section.blocks.append(self.note_missing("missing_file", file="growth.csv",
                                                    what="增长表" if lang == "zh" else "the growth table"))
        section.blocks.append(TextBlock(self.t("sub_drivers"), "h3"))
        if drivers is not None and not drivers.empty:
            section.blocks.append(self.chart("drivers"))
            wide = drivers.pivot_table(index="region", columns="child", values="share_pct", sort=False)
            wide = wide.reindex(index=[r for r in run.regions if r in wide.index])
            dims = [str(c) for c in wide.columns]
            frame = self.with_names(wide.reset_index())
            section.blocks.append(TableBlock("drivers", self.t("sub_drivers") + " (%)", frame,
                                             digits=dict.fromkeys(dims, 1), labels=self.node_labels(dims)))
        else:
            section.blocks.append(self.note_missing("missing_file", file="drivers.csv",
                                                    what="增长动力" if lang == "zh" else "the drivers"))
        return section

    def missing_parts(self) -> list[str]:
        notes = []
        if not self.run.has_analysis:
            notes.append(self.t("missing_analysis"))
        if not self.run.has_uncertainty:
            notes.append(self.t("missing_uncertainty"))
        if self.db is None:
            notes.append(self.t("no_db"))
        return notes

    def growth_table(self, growth: pd.DataFrame) -> TableBlock:
        g = growth[growth["node"] == self.index] if "node" in growth.columns else growth
        ranks = self.run.rank_matrix(self.index)
        g = g[["region", "start_year", "end_year", "start", "end", "total_growth_pct", "cagr_pct"]].copy()
        first, last = int(g["start_year"].min()), int(g["end_year"].max())
        g["rank_first"] = g["region"].map(ranks[first]) if first in ranks.columns else np.nan
        g["rank_last"] = g["region"].map(ranks[last]) if last in ranks.columns else np.nan
        g["rank_change"] = g["rank_first"] - g["rank_last"]
        g = self.with_names(g.sort_values("cagr_pct", ascending=False))
        return TableBlock("growth", self.t("sub_growth"), g,
                          digits={"start": 3, "end": 3, "total_growth_pct": 2, "cagr_pct": 2, "start_year": 0,
                                  "end_year": 0, "rank_first": 0, "rank_last": 0, "rank_change": 0})

    # ---------------------------------------------------------------- rankings and maps
    def rankings(self) -> Section:
        run = self.run
        section = Section("rankings", self.t("sec_rankings"))
        section.blocks.append(TextBlock(self.t("sub_ranking"), "h3"))
        section.blocks.append(self.chart("ranking"))
        scores = self.with_names(run.score_matrix(self.index).rename(columns=str).reset_index())
        section.blocks.append(TableBlock("index_scores", f"{self.node(self.index)}（{self.t('axis_score')}）"
                                         if self.lang == "zh" else f"{self.node(self.index)}: scores", scores,
                                         digits=dict.fromkeys(scores.columns[2:], 3)))
        ranks = self.with_names(run.rank_matrix(self.index).rename(columns=str).reset_index())
        section.blocks.append(TableBlock("index_ranks", f"{self.node(self.index)}（{self.t('axis_rank')}）"
                                         if self.lang == "zh" else f"{self.node(self.index)}: ranks", ranks,
                                         digits=dict.fromkeys(ranks.columns[2:], 0)))
        section.blocks.append(TextBlock(self.t("sub_map"), "h3"))
        from hqd.datasets.boundaries import for_regions
        from hqd.report.charts import centres

        if for_regions(run.regions) is not None:  # filled polygons, natural-breaks classes
            section.blocks.append(self.chart("choropleth"))
            if self.first < self.last:  # and where the index moved most (score points: no near-zero base)
                section.blocks.append(self.chart("choropleth", base_year=self.first))
        else:
            placed = set(centres(run, None, "adcode")["code"]) & set(run.regions)
            if len(placed) * 2 >= len(run.regions):
                section.blocks.append(self.chart("map_points"))
            else:  # a map of a few of the regions would mislead
                section.blocks.append(self.note_missing("missing_centres", placed=len(placed),
                                                        total=len(run.regions)))
        if run.dimensions:
            section.blocks.append(self.chart("radar"))
        section.blocks.append(TextBlock(self.t("sub_grades"), "h3"))
        grades = run.table("grades.csv")
        if grades is None:
            section.blocks.append(self.note_missing("missing_file", file="grades.csv",
                                                    what="等级" if self.lang == "zh" else "the grades"))
            return section
        g = grades[grades["node"].astype(str) == self.index]
        label = "grade_zh" if self.lang == "zh" else "grade_en"
        last = g[g["year"] == self.last]
        counts = last.groupby(label, sort=False)["region"].count()
        text = "；" if self.lang == "zh" else "; "
        section.blocks.append(TextBlock(self.t("grade_counts", year=self.last, counts=text.join(
            f"{k} {v}" for k, v in counts.items()))))
        section.blocks.append(self.chart("grades"))
        wide = g.pivot_table(index="region", columns="year", values=label, aggfunc="first", sort=False)
        wide = wide.reindex(index=[r for r in run.regions if r in wide.index]).rename(columns=str)
        section.blocks.append(TableBlock("grades", self.t("sub_grades"), self.with_names(wide.reset_index())))
        return section

    # ---------------------------------------------------------------- dimensions
    def dimensions(self) -> list[Section]:
        run, lang = self.run, self.lang
        out = []
        weights = self.effective_weights()
        for dim in run.dimensions:
            name = self.node(dim)
            section = Section(f"dim_{dim}", self.t("sec_dimension", name=name))
            scores = run.score_matrix(dim)
            ranks = run.rank_matrix(dim)
            first, last = self.first, self.last
            table = pd.DataFrame({"region": scores.index, "score_first": scores[first].to_numpy(),
                                  "score_last": scores[last].to_numpy()})
            table["change"] = table["score_last"] - table["score_first"]
            with np.errstate(divide="ignore", invalid="ignore"):
                table["change_pct"] = np.where(table["score_first"] > 0,
                                               table["change"] / table["score_first"] * 100, np.nan)
            table["rank_first"] = ranks[first].to_numpy()
            table["rank_last"] = ranks[last].to_numpy()
            table["rank_change"] = table["rank_first"] - table["rank_last"]
            ordered = table.dropna(subset=["score_last"]).sort_values("score_last", ascending=False)
            if len(ordered) >= 2:
                k = min(3, len(ordered) // 2)
                section.blocks.append(TextBlock(self.t(
                    "dimension_lead", year=last, name=name, top=join(self.names(ordered["region"].head(k)), lang),
                    bottom=join(self.names(ordered["region"].tail(k)), lang))))
                change = table.dropna(subset=["change"]).sort_values("change", ascending=False)
                section.blocks.append(TextBlock(self.t(
                    "dimension_change", first=first, last=last, name=name, mean=float(change["change"].mean()),
                    most=self.name(change["region"].iloc[0]), least=self.name(change["region"].iloc[-1]))))
            section.blocks.append(self.chart("ranking", node=dim))
            section.blocks.append(self.chart("trend", node=dim))
            section.blocks.append(TableBlock(
                f"dim_{dim}"[:31], name, self.with_names(ordered),
                digits={"score_first": 3, "score_last": 3, "change": 3, "change_pct": 1, "rank_first": 0,
                        "rank_last": 0, "rank_change": 0}))
            indicators = self.indicator_table(dim, weights)
            if indicators is not None:
                section.blocks.append(TextBlock(self.t("sub_indicators"), "h3"))
                section.blocks.append(indicators)
            out.append(section)
        return out

    def effective_weights(self) -> pd.Series:
        weights = self.run.table("weights.csv")
        if weights is None or "effective_weight" not in weights.columns:
            return pd.Series(dtype=float)
        if "year" in weights.columns and weights["year"].notna().any():
            latest = weights["year"].max()
            weights = weights[weights["year"].isna() | (weights["year"] == latest)]
        return weights.drop_duplicates("node", keep="last").set_index("node")["effective_weight"]

    def indicator_table(self, dim: str, weights: pd.Series) -> TableBlock | None:
        run = self.run
        kids = [k for k in run.children(dim) if k in set(run.nodes())]
        if not kids:
            return None
        scores = run.scores
        now = scores[(scores["year"] == self.last) & scores["node"].isin(kids)]
        best = now.sort_values("score", ascending=False).drop_duplicates("node").set_index("node")["region"]
        worst = now.sort_values("score", ascending=True).drop_duplicates("node").set_index("node")["region"]
        mean = now.groupby("node")["score"].mean()
        fw = run.framework
        rows = []
        for code in kids:
            rows.append({
                "code": code, "name": self.node(code),
                "unit": _clean(fw.at[code, "unit"]) if "unit" in fw.columns and code in fw.index else "",
                "direction": _direction(fw.at[code, "direction"]) if "direction" in fw.columns and code in fw.index
                else "",
                "effective_weight": weights.get(code, np.nan), "mean": mean.get(code, np.nan),
                "best_region": self.name(str(best[code])) if code in best.index else "",
                "worst_region": self.name(str(worst[code])) if code in worst.index else "",
            })
        frame = pd.DataFrame(rows)
        return TableBlock(f"ind_{dim}"[:31], f"{self.node(dim)} · {self.t('sub_indicators')} ({self.last})", frame,
                          digits={"effective_weight": 4, "mean": 3}, hide_in_html=())

    # ---------------------------------------------------------------- coordination
    def coordination(self) -> Section:
        run, lang = self.run, self.lang
        section = Section("coordination", self.t("sec_coordination"))
        if not run.has_analysis:
            section.blocks.append(TextBlock(self.t("missing_analysis"), "note"))
            return section
        # coupling
        section.blocks.append(TextBlock(self.t("sub_coupling"), "h3"))
        jjj = run.analysis("coupling_jjj")
        if jjj is not None and not jjj.empty:
            row = jjj.iloc[-1]
            grade = "grade_zh" if lang == "zh" else "grade_en"
            variant = str(row["variant"]) if "variant" in jjj.columns else "standard"
            section.blocks.append(TextBlock(self.t("coupling_line", year=int(row["year"]),
                                                   region=self.name(str(row["region"])), d=float(row["D"]),
                                                   grade=row[grade], formula=self.t(f"coupling_formula_{variant}"))))
            # the other formula next to it: the standard C runs high when the subsystems differ a lot
            other = run.analysis("coupling_jjj_corrected" if variant == "standard" else "coupling_jjj")
            if other is not None and not other.empty and str(other.iloc[-1].get("variant", "")) != variant:
                alt = other[other["year"] == row["year"]].iloc[-1]
                same = int(alt["grade"]) == int(row["grade"])
                section.blocks.append(TextBlock(self.t(
                    "coupling_line_other", formula=self.t(f"coupling_formula_{alt['variant']}"), d=float(alt["D"]),
                    grade=alt[grade], agree=self.t("coupling_agree" if same else "coupling_disagree"))))
            section.blocks.append(self.chart("coupling", scope="jjj"))
            frame = jjj[["year", "C", "T", "D", "grade_zh" if lang == "zh" else "grade_en"]]
            section.blocks.append(TableBlock("coupling_jjj", self.t("chart_coupling_jjj"), frame,
                                             digits={"year": 0, "C": 4, "T": 4, "D": 4}))
        dims = run.analysis("coupling_dimensions")
        if dims is not None and not dims.empty:
            section.blocks.append(self.chart("coupling"))
            last = dims[dims["year"] == dims["year"].max()]
            frame = self.with_names(last[["region", "C", "T", "D", "grade_zh" if lang == "zh" else "grade_en"]]
                                    .sort_values("D", ascending=False))
            section.blocks.append(TableBlock("coupling", f"{self.t('chart_coupling')} ({int(last['year'].iloc[0])})",
                                             frame, digits={"C": 4, "T": 4, "D": 4}))
        if jjj is None and dims is None:
            section.blocks.append(self.note_missing("missing_file", file="analysis/jjj_coupling_*.csv",
                                                    what="耦合协调" if lang == "zh" else "coupling coordination"))
        # inequality
        section.blocks.append(TextBlock(self.t("sub_inequality"), "h3"))
        theil = run.analysis("theil")
        if theil is not None and not theil.empty:
            row = theil.iloc[-1]
            section.blocks.append(TextBlock(self.t("theil_line", year=int(row["year"]), total=float(row["total"]),
                                                   between=float(row["between_share"]) * 100,
                                                   within=float(row["within_share"]) * 100)))
            from hqd.analysis.verdicts import scale_caveat, theil_verdict

            section.blocks.append(TextBlock(theil_verdict(row, lang)))
            caveat = scale_caveat(run.manifest.get("policies"), lang)
            if caveat:
                section.blocks.append(TextBlock(caveat, "note"))
            section.blocks.append(self.chart("inequality", measure="theil"))
            section.blocks.append(TableBlock("theil", self.t("chart_inequality_theil"),
                                             theil[["year", "total", "within", "between", "within_share",
                                                    "between_share"]],
                                             digits={"year": 0, "total": 5, "within": 5, "between": 5,
                                                     "within_share": 3, "between_share": 3}))
        else:
            section.blocks.append(self.note_missing("missing_file", file="analysis/jjj_theil.csv",
                                                    what="泰尔指数" if lang == "zh" else "the Theil index"))
        dagum = run.analysis("dagum")
        if dagum is not None and not dagum.empty:
            from hqd.analysis.verdicts import dagum_verdict

            section.blocks.append(TextBlock(dagum_verdict(dagum.iloc[-1], lang)))
            section.blocks.append(self.chart("inequality", measure="dagum"))
            section.blocks.append(TableBlock("dagum", self.t("chart_inequality_dagum"),
                                             dagum[["year", "G", "G_w", "G_nb", "G_t", "G_w_share", "G_nb_share",
                                                    "G_t_share"]],
                                             digits={"year": 0, **dict.fromkeys(("G", "G_w", "G_nb", "G_t"), 5),
                                                     **dict.fromkeys(("G_w_share", "G_nb_share", "G_t_share"), 3)}))
        # convergence
        section.blocks.append(TextBlock(self.t("sub_convergence"), "h3"))
        sigma = run.analysis("sigma")
        if sigma is not None and not sigma.empty:
            section.blocks.append(TextBlock(self.t("sigma_line", first=int(sigma["year"].iloc[0]),
                                                   last=int(sigma["year"].iloc[-1]), start=float(sigma["std"].iloc[0]),
                                                   end=float(sigma["std"].iloc[-1]))))
            section.blocks.append(self.chart("convergence"))
            section.blocks.append(TableBlock("sigma", self.t("chart_convergence"),
                                             sigma[["year", "std", "cv", "log_std"]],
                                             digits={"year": 0, "std": 5, "cv": 5, "log_std": 5}))
        else:
            section.blocks.append(self.note_missing("missing_file", file="analysis/jjj_sigma.csv",
                                                    what="σ 收敛" if lang == "zh" else "σ convergence"))
        beta = run.analysis("beta")
        if beta is not None and not beta.empty:
            from types import SimpleNamespace

            from hqd.analysis.verdicts import beta_verdict

            for row in beta.to_dict("records"):  # the verdict names the model and error type in the reader's words
                fit = SimpleNamespace(**{**row, "converging": str(row.get("converging")) == "True",
                                         "cov_type": row.get("cov_type", "nonrobust")})
                section.blocks.append(TextBlock(beta_verdict(fit, lang)))
            columns = [c for c in ("kind", "beta", "se", "t", "p", "speed", "half_life", "r2", "n_obs", "converging")
                       if c in beta.columns]
            section.blocks.append(TableBlock("beta", "β", beta[columns],
                                             digits={"beta": 4, "se": 4, "t": 2, "p": 4, "speed": 4, "half_life": 2,
                                                     "r2": 3, "n_obs": 0}))
        # spatial
        section.blocks.append(TextBlock(self.t("sub_moran"), "h3"))
        moran = run.analysis("moran")
        if moran is not None and not moran.empty:
            row = moran.iloc[-1]
            from hqd.analysis.verdicts import moran_verdict

            p_value = float(row["p_sim"] if pd.notna(row["p_sim"]) else row["p_norm"])
            section.blocks.append(TextBlock(moran_verdict(int(row["year"]), float(row["I"]), p_value, lang)))
            section.blocks.append(TableBlock("moran", self.t("sub_moran"),
                                             moran[[c for c in ("year", "I", "EI", "z_norm", "p_norm", "p_sim")
                                                    if c in moran.columns]],
                                             digits={"year": 0, "I": 4, "EI": 4, "z_norm": 3, "p_norm": 4,
                                                     "p_sim": 3}))
        section.blocks.append(self.chart("moran_scatter"))
        from hqd.datasets.boundaries import for_regions

        if run.analysis("lisa") is not None and for_regions(run.regions) is not None:
            section.blocks.append(self.chart("lisa_map"))
        # obstacles
        section.blocks.append(TextBlock(self.t("sub_obstacles"), "h3"))
        obstacles = run.analysis("obstacles_dimensions")
        if obstacles is not None and not obstacles.empty:
            year = int(obstacles["year"].max())
            now = obstacles[obstacles["year"] == year]
            mean = now.groupby("dimension")["obstacle"].mean().sort_values(ascending=False)
            section.blocks.append(TextBlock(self.t("obstacle_line", year=year, dims=join(
                [f"{self.node(str(d))} ({v:.1%})" for d, v in mean.head(2).items()], lang))))
            section.blocks.append(self.chart("obstacles", year=year))
            wide = now.pivot_table(index="region", columns="dimension", values="obstacle", sort=False)
            wide = wide.reindex(index=[r for r in run.regions if r in wide.index])
            frame = self.with_names(wide.reset_index())
            dims = [str(d) for d in wide.columns]
            section.blocks.append(TableBlock("obstacles", f"{self.t('sub_obstacles')} ({year})", frame,
                                             digits=dict.fromkeys(dims, 3), labels=self.node_labels(dims)))
        else:
            section.blocks.append(self.note_missing("missing_file", file="analysis/jjj_obstacles_dimensions.csv",
                                                    what="障碍度" if lang == "zh" else "obstacle degrees"))
        return section

    # ---------------------------------------------------------------- robustness
    def robustness(self) -> Section:
        run, lang = self.run, self.lang
        section = Section("robustness", self.t("sec_robustness"))
        if not run.has_uncertainty:
            section.blocks.append(TextBlock(self.t("missing_uncertainty"), "note"))
            return section
        section.blocks.append(TextBlock(self.t("sub_rank_bands"), "h3"))
        stats = run.require("uncertainty/rank_stats.csv", "rank bands")
        node_stats = stats[stats["node"] == self.index]
        year = int(node_stats["year"].max()) if not node_stats.empty else self.last
        now = node_stats[node_stats["year"] == year].sort_values(["nominal", "median"]).copy()
        if not now.empty:
            now["width"] = now["q95"] - now["q05"]
            widest = now.sort_values("width", ascending=False).iloc[0]
            if float(widest["width"]) > 0:
                section.blocks.append(TextBlock(self.t("bands_line", year=year, width=float(now["width"].mean()),
                                                       region=self.name(str(widest["region"])),
                                                       lo=float(widest["q05"]), hi=float(widest["q95"]))))
            else:
                section.blocks.append(TextBlock(self.t("bands_stable", year=year)))
            section.blocks.append(self.chart("rank_bands", year=year))
            frame = self.with_names(now[["region", "nominal", "mean", "median", "q05", "q95", "width"]])
            section.blocks.append(TableBlock("rank_bands", f"{self.t('sub_rank_bands')} ({year})", frame,
                                             digits={"nominal": 0, "mean": 2, "median": 1, "q05": 1, "q95": 1,
                                                     "width": 1}))
        section.blocks.append(TextBlock(self.t("sub_sensitivity"), "h3"))
        sobol = run.table("uncertainty/sobol.csv")
        if sobol is None:
            section.blocks.append(self.note_missing("missing_file", file="uncertainty/sobol.csv",
                                                    what="Sobol 敏感性" if lang == "zh" else "Sobol sensitivity"))
            return section
        section.blocks.append(self.chart("sensitivity"))
        head = sobol[sobol["target"] == "mean_abs_rank_change"]
        if head[["S1", "ST"]].isna().all().all():
            section.blocks.append(TextBlock(self.t("sobol_nan"), "note"))
        main = sobol["target"] == "mean_abs_rank_change"
        ordered = pd.concat([sobol[main], sobol[~main]], ignore_index=True)
        section.blocks.append(TableBlock("sobol", self.t("sub_sensitivity"), ordered,
                                         digits={c: 3 for c in ("S1", "S1_lo", "S1_hi", "ST", "ST_lo", "ST_hi")},
                                         html_rows=int(main.sum()) or 12, hide_in_html=()))
        return section

    # ---------------------------------------------------------------- registry
    def registry(self) -> Section:
        section = Section("registry", self.t("sec_registry"))
        if self.db is None:
            return section
        from hqd.registry import summarize_enterprises, summarize_projects

        try:
            summaries = [("projects", by, summarize_projects(self.db, by=by)) for by in ("chain", "province", "status")]
            summaries += [("enterprises", by, summarize_enterprises(self.db, by=by)) for by in ("tier", "chain")]
        except HqdError:
            raise
        except Exception as exc:  # the database layer raises many types for one meaning: cannot read
            first = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise HqdError(f"cannot read the registry at {self.db}: {first}", code="database_error") from None
        label = "name_zh" if self.lang == "zh" else "name_en"
        shown_heads: set[str] = set()
        if any(s.synthetic for _, _, s in summaries):
            section.blocks.append(TextBlock(self.t("synthetic_banner"), "synthetic"))
        for subject, by, summary in summaries:
            if subject not in shown_heads:
                shown_heads.add(subject)
                section.blocks.append(TextBlock(self.t("sub_projects" if subject == "projects" else "sub_enterprises"),
                                                "h3"))
                section.blocks.append(TextBlock(self.t("registry_projects" if subject == "projects"
                                                       else "registry_enterprises", headline=summary.headline())))
            frame = summary.to_frame()
            frame = frame[["key", label, *[c for c in frame.columns if c not in ("key", "name_zh", "name_en")]]]
            frame = frame.rename(columns={label: "name"})
            title = self.t("reg_projects_by" if subject == "projects" else "reg_enterprises_by", by=self.t(f"by_{by}"))
            section.blocks.append(TableBlock(f"registry_{subject}_{by}"[:31], title, frame,
                                             digits={"projects": 0, "investment_100m_cny": 1, "enterprises": 0},
                                             hide_in_html=(), note="; ".join(summary.notes)))
        return section

    # ---------------------------------------------------------------- appendix
    def appendix(self) -> list[Section]:
        run, lang = self.run, self.lang
        section = Section("appendix", self.t("sec_appendix"))
        section.blocks.append(TextBlock(self.t("sub_framework"), "h3"))
        fw = run.table("framework.csv")
        if fw is not None:
            columns = [c for c in ("code", "parent", "level", "name_zh", "name_en", "direction", "weight", "unit")
                       if c in fw.columns]
            section.blocks.append(TableBlock("framework", self.t("sub_framework"), fw[columns],
                                             digits={"level": 0, "direction": 0, "weight": 4}, hide_in_html=()))
        else:
            section.blocks.append(self.note_missing("missing_file", file="framework.csv",
                                                    what="指标体系" if lang == "zh" else "the framework"))
        section.blocks.append(TextBlock(self.t("sub_methods"), "h3"))
        methods = method_docs(run)
        for step, name, doc in methods:
            section.blocks.append(TextBlock(f"{step} · {name}", "h4"))
            section.blocks.append(TextBlock(doc, "formula"))
        section.blocks.append(TableBlock("methods", self.t("sub_methods"),
                                         pd.DataFrame(methods, columns=["family", "method", "formula"]),
                                         hide_in_html=("family", "method", "formula")))
        section.blocks.append(TextBlock(self.t("sub_weights"), "h3"))
        weights = run.table("weights.csv")
        if weights is not None:
            frame = weights.copy()
            frame.insert(1, "name", [self.node(str(n)) for n in frame["node"]])
            section.blocks.append(TableBlock("weights", self.t("sub_weights"), frame,
                                             digits={"weight": 4, "effective_weight": 4, "year": 0}, hide_in_html=()))
        else:
            section.blocks.append(self.note_missing("missing_file", file="weights.csv",
                                                    what="权重" if lang == "zh" else "the weights"))
        section.blocks.append(TextBlock(self.t("sub_sources"), "h3"))
        sources = self.sources()
        section.blocks.append(TableBlock("sources", self.t("sub_sources"), sources, hide_in_html=()))
        section.blocks.append(TextBlock(self.t("sub_manifest"), "h3"))
        manifest = run.manifest
        if manifest:
            frame = pd.DataFrame({"key": list(manifest), "value": [
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, default=str) for v in manifest.values()]})
            section.blocks.append(TableBlock("manifest", self.t("sub_manifest"), frame, hide_in_html=()))
        else:
            section.blocks.append(self.note_missing("missing_file", file="manifest.json",
                                                    what="运行清单" if lang == "zh" else "the manifest"))
        full = run.scores
        section.blocks.append(TableBlock("scores", "scores.csv", self.with_names(full), html_rows=0))
        section.blocks.append(TextBlock(self.t("excel_only", sheet="scores"), "note"))
        return [section]

    def sources(self) -> pd.DataFrame:
        manifest = self.run.manifest
        rows: list[tuple[str, str]] = []
        for key in ("data_source", "framework_source", "recipe_source", "data_sha256", "framework_sha256",
                    "recipe_sha256"):
            if manifest.get(key):
                rows.append((key, str(manifest[key])))
        for note in manifest.get("data_notes", []) or []:
            rows.append(("data_notes", str(note)))
        for record in manifest.get("data_provenance", []) or []:
            rows.append(("data_provenance", json.dumps(record, ensure_ascii=False, default=str)
                         if not isinstance(record, str) else record))
        if self.run.has_analysis:
            from hqd.datasets.jjj_geo import CENTRES_FILE, CONTIGUITY_FILE

            rows.append(("city_centres", f"hqd/datasets/data/{CENTRES_FILE.name} (published city coordinates; sources "
                                         "in the file header)"))
            rows.append(("contiguity", f"hqd/datasets/data/{CONTIGUITY_FILE.name} (shared land borders; sources in "
                                       "the file header)"))
        if not rows:
            rows.append(("data_source", "—"))
        return pd.DataFrame(rows, columns=["key", "value"])


# ====================================================================================== methods
_SECTION_END = re.compile(r"^(Examples|Parameters|Returns|See Also|Notes)\n-{3,}\s*$", re.MULTILINE)

#: Analyses whose output files are in ``analysis/`` and the function documenting each.
_ANALYSES: tuple[tuple[str, str, str], ...] = (
    ("coupling_dimensions", "coupling", "coupling_coordination"),
    ("theil", "inequality", "theil"),
    ("dagum", "inequality", "dagum_gini"),
    ("sigma", "convergence", "sigma_convergence"),
    ("beta", "convergence", "beta_convergence"),
    ("moran", "spatial", "morans_i"),
    ("obstacles_dimensions", "obstacle", "obstacle_degree"),
)


def docstring_body(obj: Any) -> str:
    """A function's docstring without its numpydoc Parameters/Returns/Examples sections."""
    doc = inspect.getdoc(obj) or ""
    match = _SECTION_END.search(doc)
    return (doc[: match.start()] if match else doc).strip()


def method_docs(run: RunData) -> list[tuple[str, str, str]]:
    """``(step, method, documentation)`` of every method the run used (recipe) and every analysis present."""
    from hqd.methods import catalog
    from hqd.model.recipe import STEP_FAMILY, STEPS

    recipe = run.manifest.get("recipe")
    out: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str]] = set()
    if isinstance(recipe, dict):
        for step in STEPS:
            for name in _methods_of(recipe.get(step)):
                family = STEP_FAMILY[step]
                if name == "none" or (family, name) in seen:
                    continue
                seen.add((family, name))
                try:
                    method = catalog.get(family, name)
                except HqdError:
                    continue
                out.append((step, name, docstring_body(method.func)))
    if run.has_analysis:
        import hqd.analysis as analysis

        for file, family, function in _ANALYSES:
            if run.analysis(file) is not None:
                out.append((family, function, docstring_body(getattr(analysis, function))))
    if run.has_uncertainty:
        from hqd.robustness import uncertainty

        func = getattr(uncertainty, "uncertainty_analysis", None)
        if func is not None:
            out.append(("robustness", "uncertainty_analysis", docstring_body(func)))
        if run.has("uncertainty/sobol.csv"):
            from hqd.robustness import sensitivity

            sobol = getattr(sensitivity, "sobol_indices", None)
            if sobol is not None:
                out.append(("robustness", "sobol_indices", docstring_body(sobol)))
    return out


def _methods_of(choice: Any) -> list[str]:
    """Method names in a recipe step (its own, ``by_level`` overrides, combined weights' parts)."""
    if not isinstance(choice, dict):
        return []
    names = [str(choice["method"])] if "method" in choice else []
    for key in ("first", "second"):
        names += _methods_of(choice.get(key))
    params = choice.get("params")
    if isinstance(params, dict):
        for key in ("first", "second"):
            names += _methods_of(params.get(key))
    by_level = choice.get("by_level")
    if isinstance(by_level, dict):
        for sub in by_level.values():
            names += _methods_of(sub)
    return names


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    return str(value)


def _direction(value: Any) -> str:
    text = _clean(value)
    try:
        number = float(text)
    except ValueError:
        return text
    return "+" if number > 0 else ("−" if number < 0 else text)


def build_document(run_dir: Any, *, lang: str = "zh", db: str | None = None) -> Report:
    """The report of the run directory ``run_dir`` in ``lang`` (``db``: a registry URL for its summaries)."""
    check_lang(lang)
    run = run_dir if isinstance(run_dir, RunData) else RunData(run_dir)
    return _Builder(run, lang, db).build()
