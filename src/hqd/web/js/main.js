// The dashboard: header (run, language, login), hash routes, pages.
import { ApiError, post } from "./api.js";
import { disposeIn } from "./charts.js";
import { el, select } from "./dom.js";
import { applyStatic, lang, loadCatalogue, setLang, t } from "./i18n.js";
import * as analysis from "./pages/analysis.js";
import * as overview from "./pages/overview.js";
import * as region from "./pages/region.js";
import * as registry from "./pages/registry.js";
import { loadRuns, loadUser, state, useRun } from "./state.js";

const PAGES = { overview, region, analysis, registry };
const RUN_PAGES = new Set(["overview", "region", "analysis"]);
const view = () => document.getElementById("view");

function route() {
  const [page, arg] = location.hash.replace(/^#\/?/, "").split("/");
  return { page: PAGES[page] ? page : "overview", arg: arg ? decodeURIComponent(arg) : undefined };
}

let rendering = 0;

async function show() {
  const { page, arg } = route();
  const ticket = ++rendering;
  document.body.dataset.loading = "true";
  document.body.dataset.page = page;
  for (const link of document.querySelectorAll("#nav a")) {
    const active = link.dataset.page === page;
    link.classList.toggle("active", active);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const node = view();
  disposeIn(node);
  node.replaceChildren(el("p", { className: "loading" }, t("web_loading")));
  try {
    if (state.loginNeeded && !state.user) {
      node.replaceChildren(el("p", { className: "problem" }, t("web_login_needed")));
    } else if (RUN_PAGES.has(page) && !state.run) {
      node.replaceChildren(el("p", { className: "problem" }, t("web_no_runs")));
    } else {
      await PAGES[page].render(node, arg);
    }
  } catch (err) {
    if (ticket === rendering) node.replaceChildren(el("p", { className: "problem" }, t("web_page_failed", { reason: err.message })));
  } finally {
    if (ticket === rendering) document.body.dataset.loading = "false";
  }
}

function renderHeader() {
  applyStatic();
  document.title = t("web_title");
  const runBox = document.getElementById("run-picker");
  if (state.runs.length) {
    const pick = select(state.runs.map((r) => [r.id, r.name === r.id ? r.id : `${r.name} (${r.id})`]), state.run && state.run.id,
      { id: "run-select", "aria-label": t("web_run") });
    pick.addEventListener("change", async () => {
      localStorage.setItem("hqd-run", pick.value);
      await useRun(pick.value);
      renderHeader();
      show();
    });
    runBox.replaceChildren(el("label", { htmlFor: "run-select" }, t("web_run")), pick);
  } else {
    runBox.replaceChildren();
  }
  document.getElementById("synthetic").hidden = !(state.run && state.run.synthetic);
  for (const button of document.querySelectorAll("[data-lang]")) button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
  const who = document.getElementById("who");
  const login = document.getElementById("login-open");
  const logout = document.getElementById("logout");
  if (state.user) {
    const scope = state.user.scope ? ` · ${state.user.scope_name || state.user.scope}` : "";
    who.textContent = `${state.user.username} (${t(`web_role_user_${state.user.role}`)}${scope})`;
    login.hidden = true;
    logout.hidden = false;
  } else {
    who.textContent = "";
    login.hidden = false;
    logout.hidden = true;
  }
}

async function changeLang(value) {
  setLang(value);
  localStorage.setItem("hqd-lang", value);
  renderHeader();
  await show();
}

function setupLogin() {
  const dialog = document.getElementById("login-dialog");
  const form = document.getElementById("login-form");
  const message = document.getElementById("login-message");
  document.getElementById("login-open").addEventListener("click", () => {
    message.textContent = "";
    dialog.showModal();
  });
  document.getElementById("login-cancel").addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    try {
      await post("/auth/login", { username: String(data.get("username")), password: String(data.get("password")) });
      form.reset();
      dialog.close();
      await loadUser();
      if (state.loginNeeded) { location.reload(); return; }
      renderHeader();
      await show();
    } catch (err) {
      message.textContent = err instanceof ApiError && err.status === 429 ? t("web_login_locked") : t("web_login_failed");
    }
  });
  document.getElementById("logout").addEventListener("click", async () => {
    await post("/auth/logout");
    await loadUser();
    renderHeader();
    await show();
  });
}

async function boot() {
  await loadCatalogue();
  const params = new URLSearchParams(location.search);
  setLang(params.get("lang") || localStorage.getItem("hqd-lang") || "zh");
  await loadUser();
  try {
    await loadRuns();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) throw err;
    state.runs = []; // reading needs a login on this server (setting public_read)
    state.loginNeeded = true;
  }
  const wanted = params.get("run") || localStorage.getItem("hqd-run");
  // the API's demo run, else the run `hqd demo --out DIR` writes (DIR/run), else the first
  const fallback = ["jjj-demo", "run"].find((id) => state.runs.some((r) => r.id === id)) || (state.runs[0] || {}).id;
  await useRun(state.runs.some((r) => r.id === wanted) ? wanted : fallback);
  for (const button of document.querySelectorAll("[data-lang]")) button.addEventListener("click", () => changeLang(button.dataset.lang));
  setupLogin();
  renderHeader();
  window.addEventListener("hashchange", show);
  await show();
}

boot().catch((err) => {
  document.body.dataset.loading = "false";
  view().replaceChildren(el("p", { className: "problem" }, `HQD: ${err.message}`));
});
