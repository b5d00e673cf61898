// Region: every dimension and indicator over time, strengths and weaknesses, main obstacles, rank band.
import { cached, chartOption } from "../api.js";
import { chartBox, draw, drawProblem } from "../charts.js";
import { el, num, select, table } from "../dom.js";
import { col, lang, t } from "../i18n.js";
import { nodeName, regionNames, runPath, state } from "../state.js";

function card(title, box, ...controls) {
  return el("section", { className: "card" }, el("header", {}, el("h2", {}, title), ...controls), box);
}

/** Lines of the API's scores of `codes` for one region, year by year (drawn, not computed). */
function linesOption(title, rows, codes) {
  const years = state.years;
  const series = codes.map((code) => {
    const byYear = new Map(rows.filter((r) => String(r.node) === code).map((r) => [Number(r.year), r.score]));
    return { type: "line", name: nodeName(code, lang()), symbolSize: 4, data: years.map((y) => byYear.get(y) ?? null) };
  });
  return {
    animation: false,
    title: { text: title, left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis", confine: true },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: years.map(String), boundaryGap: false },
    yAxis: { type: "value", name: t("axis_score"), scale: true },
    series,
  };
}

function bandOption(rows) {
  const years = rows.map((r) => String(r.year));
  const line = (key, label, style = {}) => ({ type: "line", name: label, data: rows.map((r) => r[key]), symbolSize: 5, ...style });
  return {
    animation: false,
    title: { text: t("web_rank_band_title"), left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis", confine: true },
    legend: { bottom: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 36, containLabel: true },
    xAxis: { type: "category", data: years, boundaryGap: false },
    yAxis: { type: "value", name: t("axis_rank"), inverse: true, min: 1, max: state.regions.length, interval: 1 },
    series: [
      line("q05", col("q05"), { lineStyle: { type: "dashed" }, symbol: "none" }),
      line("q95", col("q95"), { lineStyle: { type: "dashed" }, symbol: "none" }),
      line("nominal", t("s_nominal"), { symbol: "diamond" }),
      line("median", t("s_median")),
    ],
  };
}

export async function render(view, code) {
  const run = state.run;
  const names = await regionNames(lang());
  const region = state.regions.includes(code) ? code : state.regions[0];
  const picker = select(state.regions.map((c) => [c, names[c]]), region, { id: "region-select", "aria-label": t("web_region") });
  picker.addEventListener("change", () => { location.hash = `#/region/${encodeURIComponent(picker.value)}`; });
  const yearPick = select(state.years.map((y) => [y, String(y)]), state.year, { id: "region-year", "aria-label": t("web_year") });
  yearPick.addEventListener("change", () => { state.year = Number(yearPick.value); render(view, region); });

  const scores = await cached(runPath("/scores"), { region });
  const rows = scores.items;
  const dims = state.dimensions;
  const dimBox = chartBox("region-dimensions", { wide: true });
  const indicatorBoxes = dims.map((d) => chartBox(`region-indicators-${d}`));
  const obstaclesBox = chartBox("region-obstacles");
  const bandBox = chartBox("region-rank-band");
  const driversBox = chartBox("region-drivers");

  // Strengths and weaknesses: the region's indicators sorted by their rank among the regions (API ranks).
  const year = state.year;
  const indicators = rows.filter((r) => Number(r.year) === year && Number(r.level) >= 2 && r.rank !== null)
    .sort((a, b) => a.rank - b.rank || String(a.node).localeCompare(String(b.node)));
  const nodeCols = [
    { key: "node", label: col("indicator"), format: (v) => nodeName(v, lang()) },
    { key: "parent", label: col("dimension"), format: (v, r) => nodeName(parentOf(r.node), lang()) },
    { key: "score", label: col("score"), format: (v) => num(v), className: "num" },
    { key: "rank", label: col("rank"), format: (v) => num(v, 0), className: "num" },
  ];
  const strengths = indicators.slice(0, 5);
  const weaknesses = indicators.slice(-5).reverse();
  const dimRows = rows.filter((r) => Number(r.year) === year && Number(r.level) === 1);

  const heading = el("h2", { className: "region-name", id: "region-name" }, names[region]);
  const narrative = el("p", { className: "narrative", id: "region-narrative" });
  view.replaceChildren(
    el("div", { className: "toolbar" }, el("label", { htmlFor: "region-select" }, t("web_region")), picker,
      el("label", { htmlFor: "region-year" }, t("web_year")), yearPick),
    el("section", { className: "card wide" }, heading, narrative,
      el("div", { className: "columns" },
        el("div", {}, el("h3", {}, t("web_dimension_scores", { year })), table([
          { key: "node", label: col("dimension"), format: (v) => nodeName(v, lang()) },
          { key: "score", label: col("score"), format: (v) => num(v), className: "num" },
          { key: "rank", label: col("rank"), format: (v) => num(v, 0), className: "num" }], dimRows)),
        el("div", { id: "strengths" }, el("h3", {}, t("web_strengths")), table(nodeCols, strengths)),
        el("div", { id: "weaknesses" }, el("h3", {}, t("web_weaknesses")), table(nodeCols, weaknesses)))),
    el("div", { className: "grid" },
      card(t("web_dimensions_over_time"), dimBox),
      card(t("sub_obstacles"), obstaclesBox),
      card(t("sub_rank_bands"), bandBox),
      card(t("sub_drivers"), driversBox),
      ...dims.map((d, i) => card(t("web_indicators_of", { name: nodeName(d, lang()) }), indicatorBoxes[i]))),
  );

  draw(dimBox, linesOption(t("web_dimensions_over_time"), rows, dims));
  dims.forEach((d, i) => {
    const children = state.framework.filter((n) => String(n.parent) === d).map((n) => String(n.code));
    draw(indicatorBoxes[i], linesOption(nodeName(d, lang()), rows, children));
  });

  const tasks = [];
  if (run.analyses.includes("jjj_obstacles_top")) {
    tasks.push(chartOption("obstacles", { run: run.id, lang: lang(), region, year })
      .then((o) => draw(obstaclesBox, o), (err) => drawProblem(obstaclesBox, t("web_chart_failed", { reason: err.message }))));
  } else {
    drawProblem(obstaclesBox, t("web_needs_analysis", { command: `hqd analyze jjj RUN --out RUN/analysis` }));
  }
  if (run.uncertainty.includes("rank_stats")) {
    tasks.push(cached(runPath("/uncertainty/rank_stats"), { region, node: state.indexCode }).then((band) => {
      draw(bandBox, bandOption(band.items));
      const now = band.items.find((r) => Number(r.year) === year);
      if (now) bandBox.after(el("p", { className: "note", id: "rank-band-text" }, t("web_rank_band_line",
        { year, nominal: now.nominal, lo: now.q05, hi: now.q95, median: now.median })));
    }, (err) => drawProblem(bandBox, t("web_chart_failed", { reason: err.message }))));
  } else {
    drawProblem(bandBox, t("missing_uncertainty"));
  }
  tasks.push(chartOption("drivers", { run: run.id, lang: lang(), regions: region })
    .then((o) => draw(driversBox, o), (err) => drawProblem(driversBox, t("web_chart_failed", { reason: err.message }))));
  tasks.push(cached(runPath("/narrative"), { region, lang: lang() }).then((n) => {
    const item = n.items.find((i) => i.region === region) || null;
    narrative.textContent = item && item.text ? item.text : "";
  }, () => { narrative.textContent = ""; }));
  await Promise.all(tasks);
}

function parentOf(code) {
  const found = state.framework.find((n) => String(n.code) === String(code));
  return found ? found.parent : "";
}
