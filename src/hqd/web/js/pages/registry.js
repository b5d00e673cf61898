// Registry: chain maps (graph charts coloured by the gap analysis), the project library, enterprises,
// zones and ledgers; editing for users whose role allows it (optimistic locking by version).
import { ApiError, cached, forget, get, patch } from "../api.js";
import { chartBox, draw, drawProblem } from "../charts.js";
import { clear, el, num, select, table } from "../dom.js";
import { col, has, lang, t } from "../i18n.js";
import { covers, state } from "../state.js";

export const TABS = ["chains", "projects", "enterprises", "zones", "ledgers"];
const PAGE = 50;
const ROLE_COLOURS = { strengthen: "#2f6fb0", extend: "#e6842a", fill: "#c23531", present: "#9a9a9a" };
const LOCATION = { projects: "region", enterprises: "city", zones: "city" };
const KEY = { projects: "project_id", enterprises: "credit_code", zones: "code", tasks: "code" };

// ------------------------------------------------------------------------------------------ labels
/** A field's header: the catalogue's reg_<entity>_<field> (its Chinese equals the registry schema's). */
function fieldLabel(entity, field) {
  const key = `reg_${entity}_${field.name || field}`;
  if (has(key)) return t(key);
  return lang() === "zh" && field.label_zh ? field.label_zh : col(field.name || field);
}

function choiceLabel(entity, field, value) {
  if (value === null || value === undefined || value === "") return "—";
  const key = `reg_choice_${entity}_${field}_${value}`;
  return has(key) ? t(key) : String(value);
}

const reference = () => cached("/registry/reference");

function refName(ref, kind, code) {
  if (code === null || code === undefined || code === "") return "—";
  const found = (ref[kind] || []).find((r) => String(r.code) === String(code));
  if (!found) return String(code);
  return (lang() === "en" ? found.name_en : found.name_zh) || found.name_zh || String(code);
}

const schema = (entity) => cached(`/registry/${entity}`);

// ------------------------------------------------------------------------------------------- editing
function inputFor(entity, field, value) {
  const id = `edit-${field.name}`;
  let input;
  if (field.kind === "choice") {
    input = select([["", "—"], ...field.choices.map((c) => [c.key, choiceLabel(entity, field.name, c.key)])], value ?? "", { id });
  } else if (field.kind === "bool") {
    input = el("input", { type: "checkbox", id, checked: Boolean(value) });
  } else {
    const type = { float: "number", int: "number", year: "number", date: "date" }[field.kind] || "text";
    input = el("input", { type, id, value: value ?? "", step: field.kind === "float" ? "any" : field.kind === "int" || field.kind === "year" ? "1" : undefined,
      maxlength: field.max_len || undefined });
  }
  input.name = field.name;
  return input;
}

function readInput(field, input) {
  if (field.kind === "bool") return input.checked;
  const raw = input.value.trim();
  if (raw === "") return null;
  if (field.kind === "float") return Number(raw);
  if (field.kind === "int" || field.kind === "year") return Math.trunc(Number(raw));
  return raw;
}

function same(a, b) {
  if ((a === null || a === undefined || a === "") && (b === null || b === undefined || b === "")) return true;
  if (typeof b === "number") return Number(a) === b;
  if (typeof b === "boolean") return Boolean(a) === b;
  return String(a ?? "") === String(b ?? "");
}

/** The edit dialog of one record; `done` runs after a successful save. */
async function openEditor(entity, record, done) {
  const info = await schema(entity);
  const keyFields = info.key;
  const key = keyFields.map((k) => record[k]).join("|");
  const dialog = document.getElementById("edit-dialog");
  const form = clear(dialog);
  let current = record;
  const message = el("p", { className: "message", id: "edit-message", role: "alert" });
  const fields = info.fields.filter((f) => !f.key && f.kind !== "links");
  const inputs = new Map();
  const versionText = el("span", { id: "edit-version" });
  const fill = (rec) => {
    current = rec;
    versionText.textContent = t("web_version", { version: rec.version });
    for (const f of fields) {
      const input = inputs.get(f.name);
      if (f.kind === "bool") input.checked = Boolean(rec[f.name]);
      else input.value = rec[f.name] === null || rec[f.name] === undefined ? "" : String(rec[f.name]).slice(0, f.kind === "date" ? 10 : undefined);
    }
  };
  const rows = fields.map((f) => {
    const input = inputFor(entity, f, null);
    inputs.set(f.name, input);
    return el("div", { className: "field" }, el("label", { htmlFor: input.id }, fieldLabel(entity, f)), input);
  });
  const save = el("button", { type: "submit", className: "primary", id: "edit-save" }, t("web_save"));
  const reload = el("button", { type: "button", id: "edit-reload", hidden: true }, t("web_reload"));
  const cancel = el("button", { type: "button", id: "edit-cancel" }, t("web_cancel"));
  form.append(
    el("h2", {}, t("web_edit_title", { entity: t(`web_tab_${entity}`), key })), versionText,
    el("form", { method: "dialog", id: "edit-form", onsubmit: async (event) => {
      event.preventDefault();
      const changes = {};
      for (const f of fields) {
        const value = readInput(f, inputs.get(f.name));
        if (!same(current[f.name] === undefined ? null : (f.kind === "date" && current[f.name] ? String(current[f.name]).slice(0, 10) : current[f.name]), value)) changes[f.name] = value;
      }
      if (!Object.keys(changes).length) { message.textContent = t("web_no_changes"); return; }
      save.disabled = true;
      try {
        const answer = await patch(`/registry/${entity}/records/${encodeURIComponent(key)}`, { version: current.version, changes });
        forget("/registry");
        dialog.close();
        await done(answer.record);
      } catch (err) {
        message.className = "message error";
        if (err instanceof ApiError && err.status === 409) {
          message.textContent = t("web_conflict", { version: current.version }) + " " + err.message;
          reload.hidden = false;
        } else if (err instanceof ApiError && (err.status === 403 || err.status === 401)) {
          message.textContent = t("web_forbidden") + " " + err.message;
        } else {
          message.textContent = t("web_save_failed") + " " + err.message;
        }
      } finally {
        save.disabled = false;
      }
    } }, ...rows, message, el("div", { className: "buttons" }, save, reload, cancel)),
  );
  reload.addEventListener("click", async () => {
    const fresh = await get(`/registry/${entity}/records/${encodeURIComponent(key)}`);
    fill(fresh.record);
    reload.hidden = true;
    message.className = "message";
    message.textContent = t("web_reloaded", { version: fresh.record.version });
  });
  cancel.addEventListener("click", () => dialog.close());
  fill(record);
  dialog.showModal();
}

function editButton(entity, record, done) {
  const location = LOCATION[entity];
  const allowed = location ? covers(record[location]) : state.canWrite && state.user && !state.user.scope;
  if (!allowed) return null;
  return el("button", { type: "button", className: "small edit", dataset: { key: record[KEY[entity]] },
    onclick: () => openEditor(entity, record, done) }, t("web_edit"));
}

// ------------------------------------------------------------------------------------------ records
/** A filtered, sorted, paged list of an entity with the sums of the whole filter. */
function recordList(entity, columns, { filters = [], sort: initialSort, summary } = {}) {
  const box = el("div", { className: "records", id: `${entity}-records` });
  const status = el("p", { className: "summary", id: `${entity}-summary`, "aria-live": "polite" });
  const pager = el("div", { className: "pager" });
  let sort = initialSort;
  let offset = 0;
  const params = () => {
    const p = { limit: PAGE, offset, sort };
    for (const f of filters) if (f.input.value) p[f.param] = f.input.value;
    return p;
  };
  const load = async () => {
    const query = params();
    const data = await get(`/registry/${entity}/records`, query);
    box.dataset.query = new URLSearchParams(query).toString(); // what the list shows (tests wait on it)
    status.dataset.total = String(data.total);
    const sum = data.sums && data.sums.investment_100m_cny;
    if (sum !== undefined) status.dataset.investment = String(sum);
    status.textContent = summary ? summary(data) : t("web_records_total", { count: data.total });
    const header = columns.map((c) => ({
      ...c, label: el("button", { type: "button", className: "sort", dataset: { field: c.key },
        onclick: () => { sort = sort === c.key ? `-${c.key}` : c.key; offset = 0; load(); } },
      c.label, sort === c.key ? " ▲" : sort === `-${c.key}` ? " ▼" : ""),
    }));
    box.replaceChildren(table(header, data.items, {
      rowClass: (r) => (r.__class || undefined),
      extra: state.canWrite ? (r) => editButton(entity, r, async () => { await load(); if (summaryReload) await summaryReload(); }) : undefined,
    }));
    const last = Math.min(offset + PAGE, data.total);
    pager.replaceChildren(
      el("button", { type: "button", className: "small", disabled: offset === 0, onclick: () => { offset = Math.max(0, offset - PAGE); load(); } }, t("web_prev")),
      el("span", {}, t("web_page_range", { first: data.total ? offset + 1 : 0, last, total: data.total })),
      el("button", { type: "button", className: "small", disabled: last >= data.total, onclick: () => { offset += PAGE; load(); } }, t("web_next")));
  };
  let summaryReload = null;
  for (const f of filters) f.input.addEventListener("change", () => { offset = 0; load(); });
  const bar = el("div", { className: "toolbar" }, filters.map((f) => [el("label", { htmlFor: f.input.id }, f.label), f.input]));
  return { node: el("div", {}, bar, status, box, pager), load, onSaved: (fn) => { summaryReload = fn; } };
}

function regionOptions(ref, all) {
  return [["", all], ...ref.regions.map((r) => [r.code, (lang() === "en" ? r.name_en : r.name_zh) || r.code])];
}

function summaryChart(box, data, valueKey, title) {
  const names = data.items.map((r) => (lang() === "en" ? r.name_en : r.name_zh) || r.key);
  draw(box, {
    animation: false,
    title: { text: title, left: "center", textStyle: { fontSize: 13 } },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
    grid: { left: 8, right: 48, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: names, inverse: true },
    // rounded for the eye only: the exact sums are in the table and the API answer
    series: [{ type: "bar", name: title, data: data.items.map((r) => (r[valueKey] === null ? null : Math.round(r[valueKey] * 100) / 100)),
      label: { show: true, position: "right", formatter: "{c}" } }],
  });
}

async function projects(view, ref) {
  const info = await schema("projects");
  const statusField = info.fields.find((f) => f.name === "status");
  const filters = [
    { param: "chain", label: fieldLabel("projects", "chain"), input: select([["", t("web_all")], ...ref.chains.map((c) => [c.code, refName(ref, "chains", c.code)])], "", { id: "filter-chain" }) },
    { param: "in_region", label: fieldLabel("projects", "region"), input: select(regionOptions(ref, t("web_all")), "", { id: "filter-region" }) },
    { param: "status", label: fieldLabel("projects", "status"), input: select([["", t("web_all")], ...statusField.choices.map((c) => [c.key, choiceLabel("projects", "status", c.key)])], "", { id: "filter-status" }) },
  ];
  const columns = [
    { key: "project_id", label: fieldLabel("projects", "project_id") },
    { key: "name", label: fieldLabel("projects", "name") },
    { key: "chain", label: fieldLabel("projects", "chain"), format: (v) => refName(ref, "chains", v) },
    { key: "region", label: fieldLabel("projects", "region"), format: (v) => refName(ref, "regions", v) },
    { key: "investment_100m_cny", label: fieldLabel("projects", "investment_100m_cny"), format: (v) => num(v, 2), className: "num" },
    { key: "status", label: fieldLabel("projects", "status"), format: (v) => choiceLabel("projects", "status", v) },
    { key: "signed_date", label: fieldLabel("projects", "signed_date"), format: (v) => (v ? String(v).slice(0, 10) : "—") },
    { key: "version", label: t("web_version_column"), className: "num" },
  ];
  const list = recordList("projects", columns, { filters, sort: "-investment_100m_cny",
    summary: (d) => t("web_projects_total", { count: d.total.toLocaleString("en-US"), investment: num(d.sums.investment_100m_cny, 2) }) });
  const chartBoxNode = chartBox("projects-by-province");
  const headline = el("p", { className: "headline", id: "projects-headline" });
  const loadSummary = async () => {
    const s = await get("/registry/summary/projects", { by: "province" });
    headline.textContent = t("web_library_total", { count: s.total_count.toLocaleString("en-US"),
      investment: num(s.total_investment_100m_cny, 2) }) + (s.synthetic ? ` · ${t("web_synthetic")}` : "");
    headline.dataset.investment = String(s.total_investment_100m_cny);
    summaryChart(chartBoxNode, s, "investment_100m_cny", t("reg_projects_by", { by: t("by_province") }));
  };
  list.onSaved(loadSummary);
  view.replaceChildren(el("div", { className: "grid registry" },
    el("section", { className: "card wide" }, el("h2", {}, t("sub_projects")), headline, list.node),
    el("section", { className: "card" }, chartBoxNode)));
  await Promise.all([list.load(), loadSummary()]);
}

async function enterprises(view, ref) {
  const filters = [{ param: "in_region", label: fieldLabel("enterprises", "city"), input: select(regionOptions(ref, t("web_all")), "", { id: "filter-city" }) }];
  const year = (v) => (v === null || v === undefined ? "—" : String(v));
  const columns = [
    { key: "name", label: fieldLabel("enterprises", "name") },
    { key: "city", label: fieldLabel("enterprises", "city"), format: (v) => refName(ref, "regions", v) },
    { key: "zone", label: fieldLabel("enterprises", "zone") },
    { key: "little_giant_year", label: fieldLabel("enterprises", "little_giant_year"), format: year, className: "num" },
    { key: "specialised_sme_year", label: fieldLabel("enterprises", "specialised_sme_year"), format: year, className: "num" },
    { key: "innovative_sme_year", label: fieldLabel("enterprises", "innovative_sme_year"), format: year, className: "num" },
    { key: "high_tech_year", label: fieldLabel("enterprises", "high_tech_year"), format: year, className: "num" },
  ];
  const list = recordList("enterprises", columns, { filters, sort: "name" });
  const box = chartBox("enterprises-by-tier");
  const loadSummary = async () => {
    const s = await get("/registry/summary/enterprises", { by: "tier" });
    summaryChart(box, s, "enterprises", t("reg_enterprises_by", { by: t("by_tier") }));
  };
  list.onSaved(loadSummary);
  view.replaceChildren(el("div", { className: "grid registry" },
    el("section", { className: "card wide" }, el("h2", {}, t("sub_enterprises")), list.node),
    el("section", { className: "card" }, box)));
  await Promise.all([list.load(), loadSummary()]);
}

async function zones(view, ref) {
  const columns = [
    { key: "code", label: fieldLabel("zones", "code") },
    { key: lang() === "en" ? "name_en" : "name_zh", label: fieldLabel("zones", lang() === "en" ? "name_en" : "name_zh") },
    { key: "level", label: fieldLabel("zones", "level"), format: (v) => choiceLabel("zones", "level", v) },
    { key: "city", label: fieldLabel("zones", "city"), format: (v) => refName(ref, "regions", v) },
    { key: "alliance_member", label: fieldLabel("zones", "alliance_member"), format: (v) => t(v ? "yes" : "no") },
    { key: "source", label: fieldLabel("zones", "source") },
  ];
  const list = recordList("zones", columns, { sort: "code" });
  view.replaceChildren(el("section", { className: "card wide" }, el("h2", {}, t("web_tab_zones")), list.node));
  await list.load();
}

async function ledgers(view) {
  const plans = (await get("/registry/plans/records", { limit: 500 })).items;
  if (!plans.length) { view.replaceChildren(el("p", { className: "problem" }, t("web_no_plans"))); return; }
  const pick = select(plans.map((p) => [p.code, p.name || p.code]), plans[0].code, { id: "plan-select" });
  const body = el("div", { id: "ledger" });
  const load = async () => {
    const plan = pick.value;
    const [tasks, overdue, progress] = await Promise.all([
      get("/registry/tasks/records", { plan, sort: "deadline", limit: 1000 }),
      get("/registry/ledgers/overdue", { plan }),
      get(`/registry/ledgers/progress/${encodeURIComponent(plan)}`),
    ]);
    const late = new Map(overdue.items.map((r) => [r.code, r.days_overdue]));
    const columns = ["code", "title", "lead_department", "responsible_person", "post", "deadline", "status"].map((key) => ({
      key, label: fieldLabel("tasks", key),
      format: key === "status" ? (v) => choiceLabel("tasks", "status", v) : key === "deadline" ? (v) => (v ? String(v).slice(0, 10) : "—") : undefined,
    }));
    columns.push({ key: "code", label: t("web_days_overdue"), className: "num", format: (v) => (late.has(v) ? String(late.get(v)) : "") });
    const rows = tasks.items;
    body.replaceChildren(
      el("p", { className: "summary", id: "ledger-summary" }, t("web_ledger_summary", { tasks: rows.length, overdue: late.size,
        done: num(100 * (progress.share_done ?? 0), 0), as_of: overdue.as_of })),
      table(columns, rows, {
        rowClass: (r) => (late.has(r.code) ? "overdue" : undefined),
        extra: state.canWrite ? (r) => editButton("tasks", r, load) : undefined,
      }));
  };
  pick.addEventListener("change", load);
  view.replaceChildren(el("section", { className: "card wide" }, el("h2", {}, t("web_tab_ledgers")),
    el("div", { className: "toolbar" }, el("label", { htmlFor: "plan-select" }, fieldLabel("tasks", "plan")), pick), body));
  await load();
}

// --------------------------------------------------------------------------------------------- chains
function graphOption(gaps) {
  const g = gaps.graph;
  const roles = g.categories.map((_, i) => (g.nodes.find((n) => n.category === i) || {}).role || null);
  const roleName = (role, i) => (role ? t(`web_role_${role}`) : g.categories[i].name);
  return {
    animation: false,
    title: { text: lang() === "en" ? t("web_chain_map_title", { chain: gaps.chain_name }) : t("web_chain_map_title", { chain: gaps.chain_name_zh }),
      subtext: gaps.synthetic ? t("web_synthetic") : "", left: "center", textStyle: { fontSize: 14 } },
    tooltip: { trigger: "item", formatter: "{b}", confine: true },
    legend: { bottom: 0, data: roles.map(roleName) },
    color: roles.map((r) => ROLE_COLOURS[r] || "#999"),
    series: [{
      type: "graph", layout: "none", roam: true, draggable: false, top: 64, bottom: 48, left: 24, right: 280,
      categories: roles.map((r, i) => ({ name: roleName(r, i), itemStyle: { color: ROLE_COLOURS[r] || "#999" } })),
      data: g.nodes.map((n) => ({ ...n, name: lang() === "en" ? n.name_en || n.name : n.name })),
      links: g.links.map((l) => ({ source: l.source, target: l.target })), // node ids
      edgeSymbol: ["none", "arrow"], edgeSymbolSize: 8,
      label: { show: true, position: "right", fontSize: 11 },
      lineStyle: { color: "#888", curveness: 0.1 },
    }],
  };
}

async function chains(view, ref) {
  const chainPick = select(ref.chains.map((c) => [c.code, refName(ref, "chains", c.code)]), ref.chains.some((c) => c.code === "robotics") ? "robotics" : ref.chains[0]?.code, { id: "chain-select" });
  const areas = [["", t("web_area_jjj")], ...ref.regions.map((r) => [r.code, (lang() === "en" ? r.name_en : r.name_zh) || r.code]),
    ...ref.corridors.map((c) => [c.code, refName(ref, "corridors", c.code)])];
  const areaPick = select(areas, "", { id: "area-select" });
  const box = chartBox("chain-map", { tall: true });
  const targets = el("div", { id: "chain-targets" });
  const load = async () => {
    try {
      const gaps = await cached(`/registry/gaps/${encodeURIComponent(chainPick.value)}`, { region: areaPick.value || undefined });
      gaps.chain_name = refName(ref, "chains", gaps.chain);
      draw(box, graphOption(gaps));
      const name = (l) => (lang() === "en" ? l.name_en || l.name_zh : l.name_zh);
      targets.replaceChildren(table([
        { key: "name_zh", label: fieldLabel("links", "name_zh"), format: (v, l) => name(l) },
        { key: "segment", label: t("web_segment"), format: (v) => (has(`web_segment_${v}`) ? t(`web_segment_${v}`) : v) },
        { key: "enterprises", label: col("enterprises"), className: "num" },
        { key: "role", label: t("web_role"), format: (v) => t(`web_role_${v}`) }], gaps.links,
      { rowClass: (l) => `role-${l.role}` }));
    } catch (err) {
      drawProblem(box, t("web_chart_failed", { reason: err.message }));
    }
  };
  chainPick.addEventListener("change", load);
  areaPick.addEventListener("change", load);
  view.replaceChildren(el("div", { className: "grid registry" },
    el("section", { className: "card wide" }, el("h2", {}, t("web_chain_maps")),
      el("div", { className: "toolbar" }, el("label", { htmlFor: "chain-select" }, fieldLabel("projects", "chain")), chainPick,
        el("label", { htmlFor: "area-select" }, t("web_area")), areaPick),
      el("p", { className: "note" }, t("web_chain_note")), box),
    el("section", { className: "card wide" }, targets)));
  await load();
}

export async function render(view, tab) {
  const ref = await reference();
  const chosen = TABS.includes(tab) ? tab : "projects";
  const nav = el("nav", { className: "subtabs", "aria-label": t("web_tab_registry") }, TABS.map((name) =>
    el("a", { href: `#/registry/${name}`, className: name === chosen ? "active" : undefined, "aria-current": name === chosen ? "page" : undefined }, t(`web_tab_${name}`))));
  const body = el("div", { id: "registry-body" });
  view.replaceChildren(nav, body);
  await { chains, projects, enterprises, zones, ledgers }[chosen](body, ref);
}
