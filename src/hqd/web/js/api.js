// The JSON API: every number the dashboard shows comes from here.

/** An API error in the one error shape {ok: false, error, errors: [...], status}. */
export class ApiError extends Error {
  constructor(status, body) {
    const errors = (body && body.errors) || [];
    super(errors.map((e) => e.message).join("; ") || (body && body.error) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.error) || "http_error";
    this.errors = errors;
  }
}

function csrfCookie() {
  const found = document.cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith("hqd_csrf="));
  return found ? decodeURIComponent(found.slice("hqd_csrf=".length)) : null;
}

/** Query string from an object (arrays repeat the key; null/undefined/"" are left out). */
export function query(params = {}) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === null || value === undefined || value === "") continue;
    for (const v of Array.isArray(value) ? value : [value]) q.append(key, String(v));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

export async function request(method, path, { params, body } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = csrfCookie();
    if (token) headers["X-CSRF-Token"] = token;
  }
  const response = await fetch(`/api${path}${query(params)}`, {
    method, headers, credentials: "same-origin", body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok || (data && data.ok === false)) throw new ApiError(response.status, data);
  return data;
}

export const get = (path, params) => request("GET", path, { params });
export const post = (path, body) => request("POST", path, { body });
export const patch = (path, body) => request("PATCH", path, { body });

const cache = new Map();

/** GET with a per-page-load cache (run tables and chart options do not change under a run id). */
export function cached(path, params) {
  const key = path + query(params);
  if (!cache.has(key)) cache.set(key, get(path, params).catch((err) => { cache.delete(key); throw err; }));
  return cache.get(key);
}

/** Forget cached registry answers after a write. */
export function forget(prefix) {
  for (const key of [...cache.keys()]) if (key.startsWith(prefix)) cache.delete(key);
}

/** The ECharts option of a chart built by the server (hqd.report.charts). */
export async function chartOption(name, params) {
  const data = await cached(`/charts/${encodeURIComponent(name)}`, params);
  return data.option;
}
