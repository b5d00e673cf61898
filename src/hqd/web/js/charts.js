// Drawing ECharts options: the server builds most of them (hqd.report.charts); the page only draws.
import { el } from "./dom.js";
import { fontStack } from "./i18n.js";

const echarts = window.echarts;

/**
 * Make an option safe to draw: tooltips are rendered as rich text inside the canvas (never as HTML),
 * so names taken from data (a region called "<img src=x onerror=…>") can only ever be shown as text.
 */
export function harden(option) {
  const tooltip = option.tooltip;
  const fix = (tip) => ({ ...tip, renderMode: "richText", ...(typeof tip.formatter === "function" ? { formatter: undefined } : {}) });
  if (Array.isArray(tooltip)) option.tooltip = tooltip.map(fix);
  else option.tooltip = fix(tooltip || {});
  option.textStyle = { fontFamily: fontStack(), ...(option.textStyle || {}) };
  return option;
}

/** A chart box: a titled frame the chart is drawn into (data-chart names it for tests). */
export function chartBox(name, { tall = false, wide = false } = {}) {
  return el("div", { className: `chart${tall ? " tall" : ""}${wide ? " wide" : ""}`, dataset: { chart: name } });
}

export function draw(node, option) {
  // boundaries travel with a choropleth's option (hqdMaps: name -> GeoJSON); the class table (hqdClasses)
  // is kept on the node for tests and readers
  if (option.hqdMaps) {
    for (const [name, geojson] of Object.entries(option.hqdMaps)) echarts.registerMap(name, geojson);
    delete option.hqdMaps;
  }
  if (option.hqdClasses) {
    node.dataset.classes = JSON.stringify(option.hqdClasses);
    delete option.hqdClasses;
  }
  let chart = echarts.getInstanceByDom(node);
  if (!chart) chart = echarts.init(node, null, { renderer: "canvas" });
  chart.setOption(harden(option), true);
  node.classList.remove("failed");
  return chart;
}

/** Show why a chart is missing instead of the chart (text only). */
export function drawProblem(node, message) {
  const chart = echarts.getInstanceByDom(node);
  if (chart) chart.dispose();
  node.replaceChildren(el("p", { className: "problem" }, message));
  node.classList.add("failed");
}

export function disposeIn(root) {
  for (const node of root.querySelectorAll(".chart")) {
    const chart = echarts.getInstanceByDom(node);
    if (chart) chart.dispose();
  }
}

export function registerMap(name, geojson) {
  echarts.registerMap(name, geojson);
}

let resizeTimer = null;
window.addEventListener("resize", () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const node of document.querySelectorAll(".chart")) {
      const chart = echarts.getInstanceByDom(node);
      if (chart) chart.resize();
    }
  }, 120);
});
