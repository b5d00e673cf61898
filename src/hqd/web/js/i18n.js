// The one message catalogue (hqd.report.messages, exported to messages.json) in the browser.

let catalogue = { messages: {}, columns: {}, langs: ["zh", "en"] };
let current = "zh";

export async function loadCatalogue() {
  const response = await fetch("messages.json", { credentials: "same-origin" });
  catalogue = await response.json();
  return catalogue;
}

export function lang() {
  return current;
}

export function setLang(value) {
  current = catalogue.langs.includes(value) ? value : "zh";
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
  return current;
}

/** Python-style "{name}" / "{name:.3f}" / "{name:+.1f}" / "{name:.3g}" placeholders. */
function formatValue(value, spec) {
  if (!spec || typeof value !== "number") return String(value);
  const match = /^([+]?)(,?)\.(\d+)([fg%])$/.exec(spec);
  if (!match) return String(value);
  const [, sign, , digits, kind] = match;
  let text;
  if (kind === "f") text = value.toFixed(Number(digits));
  else if (kind === "%") text = `${(value * 100).toFixed(Number(digits))}%`;
  else text = String(Number(value.toPrecision(Math.max(1, Number(digits)))));
  return sign && value >= 0 ? `+${text}` : text;
}

/** The message `key` in the current language with `values` filled in; a missing key shows as [key]. */
export function t(key, values = {}, language = current) {
  const entry = catalogue.messages[key];
  if (!entry) {
    console.warn(`message ${key} is not in the catalogue`);
    return `[${key}]`;
  }
  return entry[language].replace(/\{(\w+)(?::([^}]+))?\}/g, (whole, name, spec) =>
    name in values ? formatValue(values[name], spec) : whole);
}

/** The header of a table column (hqd.report.messages.COLUMNS); the key itself when unknown. */
export function col(key, language = current) {
  const entry = catalogue.columns[key];
  return entry ? entry[language] : key;
}

export function has(key) {
  return key in catalogue.messages;
}

/** Fill every [data-i18n] element of `root` (text) and [data-i18n-title] (tooltip). */
export function applyStatic(root = document) {
  for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of root.querySelectorAll("[data-i18n-title]")) node.title = t(node.dataset.i18nTitle);
  for (const node of root.querySelectorAll("[data-i18n-label]")) node.setAttribute("aria-label", t(node.dataset.i18nLabel));
}

export function fontStack() {
  return catalogue.font_stack;
}
