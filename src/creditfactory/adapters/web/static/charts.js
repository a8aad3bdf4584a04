// Draws every [data-chart] element with Apache ECharts (vendor/echarts-*.min.js, loaded before
// this file by the chart_assets macro). The option comes from the server (adapters/web/charts.py)
// in the data-chart attribute: no inline script. SVG renderer: labels are text in the page.
"use strict";
(function () {
  function draw(root) {
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.getAttribute("data-drawn") === "1") { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(el.getAttribute("data-chart")));
      el.setAttribute("data-drawn", "1");
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSettle", function (event) { draw(event.target); });
})();
