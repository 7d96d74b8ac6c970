// Vigil console: progressive enhancement only; every page works without this file.
(function () {
  "use strict";

  // the browser's time zone, so the server shows times in it (validated server-side)
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && document.cookie.indexOf("vigil_tz=" + encodeURIComponent(zone)) < 0) {
      document.cookie = "vigil_tz=" + encodeURIComponent(zone) + "; path=/; SameSite=Strict; max-age=31536000";
    }
  } catch (e) { /* no Intl: UTC */ }

  // htmx requests that change something carry the CSRF token as a header
  document.addEventListener("htmx:configRequest", function (event) {
    var header = document.querySelector('meta[name="csrf-header"]');
    var token = document.querySelector('meta[name="csrf-token"]');
    if (header && token && event.detail.verb !== "get") {
      event.detail.headers[header.content] = token.content;
    }
  });

  function drawChart(el) {
    if (!window.uPlot || !el.dataset.series) {
      return;
    }
    var data = JSON.parse(el.dataset.series);
    if (!data.t || data.t.length === 0) {
      el.textContent = "No points of this series in the range.";
      return;
    }
    var series = [{}, { label: data.statistic, stroke: "#1f5fa8", width: 2, spanGaps: false }];
    var columns = [data.t, data.v];
    if (data.threshold !== "" && data.threshold !== null) {
      series.push({ label: "threshold", stroke: "#b3261e", dash: [6, 4], width: 1, points: { show: false } });
      columns.push(data.t.map(function () { return data.threshold; }));
    }
    el.textContent = "";
    var plot = new uPlot({ width: el.clientWidth || 800, height: 260, series: series,
      scales: { x: { time: true } } }, columns, el);
    el.setAttribute("data-drawn", String(data.t.length));
    window.addEventListener("resize", function () { plot.setSize({ width: el.clientWidth, height: 260 }); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var chart = document.getElementById("chart");
    if (chart) {
      drawChart(chart);
    }
  });
})();
