// Analysis: coupling coordination, inequality decomposition, convergence, kernel densities,
// Moran scatter and the LISA map.
import { cached, chartOption } from "../api.js";
import { chartBox, draw, drawProblem } from "../charts.js";
import { el, num, select, table } from "../dom.js";
import { col, lang, t } from "../i18n.js";
import { regionNames, runPath, state } from "../state.js";

const CLUSTER_COLOURS = { HH: "#c23531", LH: "#91c7ae", LL: "#2f4554", HL: "#d48265", ns: "#cccccc" };

function card(title, box, ...controls) {
  return el("section", { className: "card" }, el("header", {}, el("h2", {}, title), ...controls), box);
}

/** The first of `names` the run has among its analysis tables (``hqd analyze`` names them). */
function table_(names) {
  return names.find((n) => state.run.analyses.includes(n)) || null;
}

async function show(box, load) {
  try {
    draw(box, await load());
  } catch (err) {
    drawProblem(box, t("web_chart_failed", { reason: err.message }));
  }
}

function kdeOption(rows) {
  const years = [...new Set(rows.map((r) => Number(r.year)))].sort((a, b) => a - b);
  return {
    animation: false,
    title: { text: t("web_kde_title"), left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", confine: true },
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 16, top: 40, bottom: 40, containLabel: true },
    xAxis: { type: "value", name: t("axis_index"), scale: true },
    yAxis: { type: "value", name: t("web_density") },
    series: years.map((y) => ({ type: "line", name: String(y), showSymbol: false, smooth: false,
      data: rows.filter((r) => Number(r.year) === y).map((r) => [r.x, r.density]) })),
  };
}

/**
 * The LISA map: each region at its centre (the map_points option's coordinates), coloured by its
 * LISA cluster (analysis table lisa: significant HH/LL/HL/LH) or, without that table, by the Moran
 * scatter quadrant the server put it in.
 */
async function lisaOption(year) {
  const run = state.run.id;
  const points = await chartOption("map_points", { run, lang: lang(), year });
  const where = new Map(points.series[0].data.map((d) => [d.name, d.value.slice(0, 2)]));
  const groups = new Map();
  let subtitle;
  const lisa = table_(["lisa", "jjj_lisa"]);
  if (lisa) {
    const rows = (await cached(runPath(`/analyses/${lisa}`), { year })).items;
    const names = await regionNames(lang());
    for (const r of rows) {
      const key = ["HH", "LH", "LL", "HL"].includes(r.cluster) ? r.cluster : "ns";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(names[r.region] || r.region);
    }
    subtitle = t("web_lisa_significant");
  } else {
    const scatter = await chartOption("moran_scatter", { run, lang: lang(), year });
    const keys = ["HH", "LH", "LL", "HL"];
    scatter.series.filter((s) => s.type === "scatter").forEach((s, i) => groups.set(keys[i], s.data.map((d) => d.name)));
    subtitle = t("web_lisa_quadrants");
  }
  const label = (key) => (key === "ns" ? t("web_not_significant") : t(`quadrant_${key}`));
  return {
    animation: false,
    title: { text: t("web_lisa_title", { year }), subtext: subtitle, left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: "{a}: {b}", confine: true },
    legend: { bottom: 0 },
    grid: points.grid,
    xAxis: points.xAxis,
    yAxis: points.yAxis,
    series: ["HH", "LH", "LL", "HL", "ns"].filter((k) => groups.has(k)).map((k) => ({
      type: "scatter", name: label(k), symbolSize: 20, itemStyle: { color: CLUSTER_COLOURS[k], borderColor: "#333", borderWidth: 0.5 },
      label: { show: true, formatter: "{b}", position: "top", fontSize: 11 },
      data: groups.get(k).filter((n) => where.has(n)).map((n) => ({ name: n, value: where.get(n) })),
    })),
  };
}

export async function render(view) {
  const run = state.run.id;
  const L = lang();
  const hasAnalysis = state.run.analyses.some((n) => n.startsWith("jjj_"));
  const variant = select([["standard", t("web_variant_standard")], ["corrected", t("web_variant_corrected")]], "standard",
    { id: "coupling-variant", "aria-label": t("web_variant") });
  const yearPick = select(state.years.map((y) => [y, String(y)]), state.year, { id: "analysis-year", "aria-label": t("web_year") });
  const boxes = {
    couplingJjj: chartBox("coupling-jjj"), couplingDims: chartBox("coupling-dimensions"),
    theil: chartBox("inequality-theil"), dagum: chartBox("inequality-dagum"),
    sigma: chartBox("convergence"), kde: chartBox("kde"), moran: chartBox("moran-scatter"), lisa: chartBox("lisa-map"),
  };
  const beta = el("div", { id: "beta-table" });
  const moranTable = el("div", { id: "moran-table" });
  view.replaceChildren(
    el("div", { className: "toolbar" }, el("label", { htmlFor: "analysis-year" }, t("web_year")), yearPick,
      el("label", { htmlFor: "coupling-variant" }, t("web_variant")), variant),
    el("div", { className: "grid" },
      card(t("chart_coupling_jjj"), boxes.couplingJjj),
      card(t("sub_coupling"), boxes.couplingDims),
      card(t("chart_inequality_theil"), boxes.theil),
      card(t("chart_inequality_dagum"), boxes.dagum),
      card(t("sub_convergence"), boxes.sigma, beta),
      card(t("web_kde"), boxes.kde),
      card(t("sub_moran"), boxes.moran, moranTable),
      card(t("web_lisa"), boxes.lisa)),
  );
  if (!hasAnalysis) {
    for (const box of Object.values(boxes)) drawProblem(box, t("missing_analysis"));
    return;
  }
  const coupling = () => Promise.all([
    show(boxes.couplingJjj, () => chartOption("coupling", { run, lang: L, scope: "jjj", variant: variant.value })),
    show(boxes.couplingDims, () => chartOption("coupling", { run, lang: L, scope: "dimensions", variant: variant.value })),
  ]);
  const spatial = () => {
    const year = Number(yearPick.value);
    return Promise.all([
      show(boxes.moran, () => chartOption("moran_scatter", { run, lang: L, year })),
      show(boxes.lisa, () => lisaOption(year)),
    ]);
  };
  variant.addEventListener("change", coupling);
  yearPick.addEventListener("change", () => { state.year = Number(yearPick.value); spatial(); });
  const kde = table_(["kde_curves", "jjj_kde_curves"]);
  const tasks = [coupling(), spatial(),
    show(boxes.theil, () => chartOption("inequality", { run, lang: L, measure: "theil" })),
    show(boxes.dagum, () => chartOption("inequality", { run, lang: L, measure: "dagum" })),
    show(boxes.sigma, () => chartOption("convergence", { run, lang: L }))];
  if (kde) tasks.push(show(boxes.kde, async () => kdeOption((await cached(runPath(`/analyses/${kde}`))).items)));
  else drawProblem(boxes.kde, t("web_needs_analysis", { command: "hqd analyze kde RUN --out RUN/analysis" }));
  if (state.run.analyses.includes("jjj_beta")) {
    tasks.push(cached(runPath("/analyses/jjj_beta")).then((b) => beta.replaceChildren(table([
      { key: "kind", label: col("kind") },
      { key: "beta", label: col("beta"), format: (v) => num(v, 4), className: "num" },
      { key: "p", label: col("p"), format: (v) => num(v, 4), className: "num" },
      { key: "half_life", label: col("half_life"), format: (v) => num(v, 1), className: "num" },
      { key: "converging", label: col("converging"), format: (v) => t(v ? "yes" : "no") }], b.items))));
  }
  if (state.run.analyses.includes("jjj_moran")) {
    tasks.push(cached(runPath("/analyses/jjj_moran")).then((m) => moranTable.replaceChildren(table([
      { key: "year", label: col("year") },
      { key: "I", label: col("I"), format: (v) => num(v, 4), className: "num" },
      { key: "z_norm", label: col("z_norm"), format: (v) => num(v, 2), className: "num" },
      { key: "p_sim", label: col("p_sim"), format: (v) => num(v, 3), className: "num" }], m.items))));
  }
  await Promise.all(tasks);
}
