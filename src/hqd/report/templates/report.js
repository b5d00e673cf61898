// HQD report: draw every chart from the JSON block with the vendored ECharts (SVG renderer, offline).
(function () {
  var specs = JSON.parse(document.getElementById("hqd-charts").textContent);
  var state = { charts: specs.length, rendered: 0, failed: [] };
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    try {
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(spec.option);
      state.rendered += 1;
    } catch (err) {
      state.failed.push(spec.id + ": " + err);
      el.className += " chart-error";
      el.textContent = String(err);
    }
  });
  window.HQD_REPORT = state;
})();
