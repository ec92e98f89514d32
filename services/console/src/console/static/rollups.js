/* The reserve's roll-ups as bar charts (亿元), one per grouping; the tables carry the figures. */
(function () {
  "use strict";
  var data = document.getElementById("rollup-data");
  if (!data || !window.echarts) return;
  var all = JSON.parse(data.textContent);
  Object.keys(all).forEach(function (by) {
    var el = document.getElementById("chart-" + by);
    if (!el) return;
    var d = all[by];
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: "WenQuanYi Micro Hei, sans-serif" },
      grid: { left: 56, right: 16, top: 16, bottom: 72 },
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v.toFixed(4) + " 亿元"; } },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 4 ? 35 : 0, width: 90, overflow: "truncate" } },
      yAxis: { type: "value", name: "亿元" },
      series: [{ type: "bar", data: d.yi, itemStyle: { color: "#2f6fa6" } }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
