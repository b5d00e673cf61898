// What every page needs: the chosen run, its framework, regions, years and region names; the user.
import { cached, chartOption, get } from "./api.js";

export const state = {
  runs: [],
  run: null, // the run summary (GET /api/runs)
  framework: [], // nodes: code, parent, name_zh, name_en, level
  indexCode: null,
  dimensions: [],
  years: [],
  regions: [], // codes, in the order of the run's scores
  names: {}, // lang -> code -> name
  user: null,
  canWrite: false,
  year: null,
  loginNeeded: false, // the server's reading needs a login (setting public_read = false)
};

export async function loadRuns() {
  const data = await get("/runs");
  state.runs = data.items;
  return state.runs;
}

/** Choose a run and read what every page needs from it. */
export async function useRun(id) {
  const summary = state.runs.find((r) => r.id === id) || state.runs[0] || null;
  state.run = summary;
  state.names = {};
  if (!summary) return null;
  const fw = await cached(`/runs/${encodeURIComponent(summary.id)}/framework`);
  state.framework = fw.items;
  const root = fw.items.find((n) => Number(n.level) === 0) || fw.items[0];
  state.indexCode = root ? String(root.code) : null;
  state.dimensions = fw.items.filter((n) => Number(n.level) === 1).map((n) => String(n.code));
  const index = await cached(`/runs/${encodeURIComponent(summary.id)}/scores`, { node: state.indexCode });
  state.years = [...new Set(index.items.map((r) => Number(r.year)))].sort((a, b) => a - b);
  state.regions = [...new Set(index.items.map((r) => String(r.region)))];
  if (!state.years.includes(state.year)) state.year = state.years[state.years.length - 1];
  return summary;
}

export function runPath(suffix = "") {
  return `/runs/${encodeURIComponent(state.run.id)}${suffix}`;
}

export function node(code) {
  return state.framework.find((n) => String(n.code) === String(code));
}

export function nodeName(code, lang) {
  const found = node(code);
  if (!found) return String(code);
  return (lang === "en" ? found.name_en : found.name_zh) || found.name_zh || found.name_en || String(code);
}

/**
 * Region names as the run names them (its regions.csv, else the built-in tables), in `lang`.
 * The API has no /runs/{id}/regions yet: the trend chart of every region, asked for in the order of
 * `state.regions`, names one series per region in that order (hqd.report.charts.trend keeps it).
 */
export async function regionNames(lang) {
  if (state.names[lang]) return state.names[lang];
  const option = await chartOption("trend", { run: state.run.id, lang, regions: state.regions.join(",") });
  const names = {};
  state.regions.forEach((code, i) => {
    names[code] = option.series[i] ? String(option.series[i].name) : code;
  });
  state.names[lang] = names;
  return names;
}

export async function loadUser() {
  const me = await get("/auth/me");
  state.user = me.user;
  state.canWrite = Boolean(me.can_write);
  return me;
}

/** Whether the user may edit a record located at `code` (hides controls; the server decides). */
export function covers(code) {
  if (!state.canWrite || !state.user) return false;
  const scope = state.user.scope;
  if (!scope) return true;
  if (!code) return false;
  const c = String(code);
  const s = String(scope);
  if (s.endsWith("0000")) return c.slice(0, 2) === s.slice(0, 2);
  if (s.endsWith("00")) return c.slice(0, 4) === s.slice(0, 4);
  return c === s;
}
