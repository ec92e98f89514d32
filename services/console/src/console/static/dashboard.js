/* 交办率 / 按时回复率 per unit with ECharts, the target as a line across the bars. */
(function () {
  "use strict";
  var el = document.getElementById("rates-chart");
  var data = document.getElementById("rates-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: "WenQuanYi Micro Hei, sans-serif" },
    legend: { data: ["交办率", "按时回复率"], top: 0 },
    grid: { left: 48, right: 24, top: 36, bottom: 48 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(2) + "%"; } },
    xAxis: { type: "category", data: d.units, axisLabel: { interval: 0, rotate: d.units.length > 8 ? 30 : 0 } },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "交办率", type: "bar", data: d.assignment, itemStyle: { color: "#2f6fa6" },
        markLine: { symbol: "none", silent: true, lineStyle: { color: "#b3261e", width: 2 },
          label: { formatter: "目标 " + d.target + "%", color: "#b3261e", position: "insideEndTop" }, data: [{ yAxis: d.target }] } },
      { name: "按时回复率", type: "bar", data: d.on_time, itemStyle: { color: "#3f8f5f" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
