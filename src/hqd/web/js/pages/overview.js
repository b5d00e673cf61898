// Overview: map (bundled boundaries, centres or a user's GeoJSON), ranking, trend, dimension radar, drivers, grades.
import { cached, chartOption } from "../api.js";
import { chartBox, draw, drawProblem, registerMap } from "../charts.js";
import { el, select } from "../dom.js";
import { lang, t } from "../i18n.js";
import { nodeName, regionNames, runPath, state } from "../state.js";

let geo = null; // {name, data, field} of a GeoJSON the user opened (kept in the browser only)

function card(titleKey, box, ...controls) {
  return el("section", { className: "card" }, el("header", {}, el("h2", {}, t(titleKey)), ...controls), box);
}

async function show(box, load) {
  try {
    draw(box, await load());
  } catch (err) {
    drawProblem(box, t("web_chart_failed", { reason: err.message }));
  }
}

/** The property of the GeoJSON's features holding most of the run's region codes. */
function codeField(data) {
  const counts = {};
  const wanted = new Set(state.regions);
  for (const f of data.features || []) {
    for (const [key, value] of Object.entries(f.properties || {})) {
      if (wanted.has(String(value))) counts[key] = (counts[key] || 0) + 1;
    }
  }
  const best = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  return best ? best[0] : null;
}

/** A true choropleth: the user's boundaries coloured by the scores the API returns for the year. */
async function choropleth() {
  const scores = await cached(runPath("/scores"), { node: state.indexCode, year: state.year });
  const names = await regionNames(lang());
  const nameMap = {};
  for (const f of geo.data.features) {
    const code = String((f.properties || {})[geo.field]);
    if (names[code]) nameMap[code] = names[code];
  }
  const data = scores.items.filter((r) => r.score !== null).map((r) => ({ name: names[r.region] || r.region, value: r.score }));
  const values = data.map((d) => d.value);
  return {
    title: { text: t("web_map_title", { year: state.year, node: nodeName(state.indexCode, lang()) }), left: "center",
      subtext: t("web_map_geojson_note", { file: geo.name }), textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: "{b}: {c}" },
    visualMap: { type: "continuous", min: Math.min(...values), max: Math.max(...values), right: 0, top: "middle",
      text: [t("axis_score"), ""], calculable: false, inRange: { color: ["#dbe9f6", "#6baed6", "#08519c"] } },
    series: [{ type: "map", map: geo.key, nameProperty: geo.field, nameMap, roam: true, data,
      label: { show: true, fontSize: 10 }, emphasis: { label: { show: true } } }],
  };
}

export async function render(view) {
  const run = state.run.id;
  const years = state.years;
  const yearLabel = el("output", { className: "year-value" }, String(state.year));
  const slider = el("input", { type: "range", min: years[0], max: years[years.length - 1], step: 1, value: state.year,
    id: "year-slider", "aria-label": t("web_year") });
  const mapBox = chartBox("map", { tall: true });
  const rankBox = chartBox("ranking", { tall: true });
  const trendBox = chartBox("trend");
  const radarBox = chartBox("radar");
  const driversBox = chartBox("drivers");
  const gradesBox = chartBox("grades");
  const names = await regionNames(lang());
  const radarPick = select([["", t("web_radar_default")], ...state.regions.map((c) => [c, names[c]])], "",
    { id: "radar-region", "aria-label": t("web_region") });
  const file = el("input", { type: "file", accept: ".geojson,.json,application/geo+json,application/json", id: "geojson-file",
    className: "visually-hidden" });
  const fileButton = el("label", { htmlFor: "geojson-file", className: "button small" }, t("web_open_geojson"));
  const resetGeo = el("button", { type: "button", className: "small", hidden: !geo }, t("web_centres"));

  // the server's choropleth (bundled boundaries, natural-breaks classes); its centre points when the run's
  // regions have no bundled boundaries; a GeoJSON the user opened, drawn in the browser
  const drawMap = () => {
    if (geo) return show(mapBox, choropleth);
    return show(mapBox, () => chartOption("choropleth", { run, lang: lang(), year: state.year })
      .catch(() => chartOption("map_points", { run, lang: lang(), year: state.year })));
  };
  const drawRadar = () => show(radarBox, () => chartOption("radar", { run, lang: lang(), year: state.year,
    regions: radarPick.value || undefined }));
  const drawYear = () => Promise.all([
    drawMap(),
    show(rankBox, () => chartOption("ranking", { run, lang: lang(), year: state.year })),
    drawRadar(),
  ]);

  slider.addEventListener("input", () => { yearLabel.textContent = slider.value; });
  slider.addEventListener("change", () => {
    state.year = Number(slider.value);
    yearLabel.textContent = slider.value;
    document.body.dataset.loading = "true";
    drawYear().finally(() => { document.body.dataset.loading = "false"; });
  });
  radarPick.addEventListener("change", drawRadar);
  file.addEventListener("change", async () => {
    const chosen = file.files[0];
    if (!chosen) return;
    try {
      const data = JSON.parse(await chosen.text());
      const field = codeField(data);
      if (!field) throw new Error(t("web_geojson_no_codes"));
      geo = { name: chosen.name, data, field, key: `hqd-user-${Date.now()}` };
      registerMap(geo.key, data);
      resetGeo.hidden = false;
      await drawMap();
    } catch (err) {
      drawProblem(mapBox, t("web_geojson_failed", { reason: err.message }));
    }
  });
  resetGeo.addEventListener("click", () => { geo = null; resetGeo.hidden = true; drawMap(); });

  view.replaceChildren(
    el("div", { className: "toolbar" },
      el("label", { htmlFor: "year-slider" }, t("web_year")), slider, yearLabel),
    el("div", { className: "grid" },
      card("sub_map", mapBox, fileButton, file, resetGeo),
      card("sub_ranking", rankBox),
      card("web_trend", trendBox),
      card("web_radar", radarBox, radarPick),
      card("sub_drivers", driversBox),
      card("sub_grades", gradesBox)),
  );
  await Promise.all([
    drawYear(),
    show(trendBox, () => chartOption("trend", { run, lang: lang() })),
    show(driversBox, () => chartOption("drivers", { run, lang: lang() })),
    show(gradesBox, () => chartOption("grades", { run, lang: lang() })),
  ]);
}
