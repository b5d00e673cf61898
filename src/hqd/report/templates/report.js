// HQD report: draw every chart from the JSON block with the vendored ECharts (SVG renderer, offline).
(function () {
  var specs = JSON.parse(document.getElementById("hqd-charts").textContent);
  var state = { charts: specs.length, rendered: 0, failed: [] };
  specs.forEach(function (spec) {
    var el = document.getElementById(spec.id);
    try {
      var option = spec.option;
      // boundaries travel with a choropleth's option (hqdMaps: name -> GeoJSON); register, then draw
      if (option.hqdMaps) {
        Object.keys(option.hqdMaps).forEach(function (name) { echarts.registerMap(name, option.hqdMaps[name]); });
        delete option.hqdMaps;
      }
      delete option.hqdClasses;
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      state.rendered += 1;
    } catch (err) {
      state.failed.push(spec.id + ": " + err);
      el.className += " chart-error";
      el.textContent = String(err);
    }
  });
  window.HQD_REPORT = state;
})();
