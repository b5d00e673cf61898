// Building the page from data: text is always set with textContent, never parsed as HTML.

/** An element: el("td", {className: "num", title: "…"}, "text", childNode …). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "className") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

/** Append children: strings become text nodes (so "<img …>" stays text). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** A <select> of [value, label] pairs. */
export function select(options, value, props = {}) {
  const node = el("select", props);
  for (const [v, label] of options) node.appendChild(el("option", { value: String(v) }, label));
  if (value !== undefined && value !== null) node.value = String(value);
  return node;
}

/** Format a number for display (no computation of results: only rounding for the eye). */
export function num(value, digits = 3) {
  if (value === null || value === undefined || Number.isNaN(value)) return "—";
  return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A table: columns [{key, label, format?, className?}], rows of objects. */
export function table(columns, rows, { rowClass, extra } = {}) {
  const head = el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", className: c.className }, c.label))));
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr", { className: rowClass ? rowClass(row) : undefined });
    for (const c of columns) {
      const value = c.format ? c.format(row[c.key], row) : row[c.key];
      tr.appendChild(el("td", { className: c.className }, value instanceof Node ? value : value ?? "—"));
    }
    if (extra) tr.appendChild(el("td", { className: "actions" }, extra(row)));
    body.appendChild(tr);
  }
  if (extra) head.firstChild.appendChild(el("th", { className: "actions" }));
  return el("table", { className: "data" }, head, body);
}
