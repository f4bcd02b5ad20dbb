/* Dashboard charts (Apache ECharts, vendored). No animation for automated browsers
   (navigator.webdriver) or people who ask for reduced motion, so screenshots and tests
   never catch a bar mid-move. */
(function () {
  var node = document.getElementById("oversight-chart-data");
  if (!node || !window.echarts) return;
  var data = JSON.parse(node.textContent);
  var still = navigator.webdriver || window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var BAD = "#a4161a", OK = "#0b4f9c", COLORS = ["#0b4f9c", "#136c2e", "#b35c00", "#6a3d9a"];
  var font = '"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif';
  // Tooltips drawn in the chart itself: ECharts' HTML tooltips carry style="" attributes,
  // which the site's Content-Security-Policy (style-src 'self') refuses.
  var TIP = "richText";

  function targetLine(value, name, position) {
    if (value === null || value === undefined) return undefined;
    return { silent: true, symbol: "none", lineStyle: { type: "dashed", color: BAD },
             label: { formatter: name + "目标 " + value + "%", position: position || "insideEndTop",
                      color: BAD, backgroundColor: "rgba(255,255,255,0.85)" },
             data: [{ yAxis: value }] };
  }

  var trend = document.getElementById("trend-chart");
  if (trend) {
    var chart = echarts.init(trend, null, { renderer: "svg" });
    chart.setOption({
      animation: !still, textStyle: { fontFamily: font }, color: COLORS,
      tooltip: { trigger: "axis", renderMode: TIP, valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
      legend: { top: 0 },
      grid: { left: 48, right: 24, top: 56, bottom: 32 },
      xAxis: { type: "category", data: data.months },
      yAxis: { type: "value", min: function (v) { return Math.max(0, Math.floor((v.min - 5) / 10) * 10); }, max: 100,
               axisLabel: { formatter: "{value}%" } },
      series: data.trends.map(function (t, i) {
        return { name: t.name, type: "line", connectNulls: false, symbolSize: 7, data: t.values,
                 markLine: i < 2 ? targetLine(t.target, t.name, i === 0 ? "insideStartTop" : "insideEndBottom") : undefined,
                 itemStyle: { color: COLORS[i] } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  var rank = document.getElementById("rank-chart");
  if (rank) {
    var r = data.rank, chart2 = echarts.init(rank, null, { renderer: "svg" });
    chart2.setOption({
      animation: !still, textStyle: { fontFamily: font },
      tooltip: { trigger: "axis", renderMode: TIP, axisPointer: { type: "shadow" } },
      grid: { left: 190, right: 80, top: 24, bottom: 24 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: r.units, axisLabel: { width: 180, overflow: "truncate" } },
      series: [{
        name: r.name, type: "bar", barMaxWidth: 22,
        label: { show: true, position: "right", formatter: function (p) {
          var miss = r.target !== null && p.value < r.target;
          return p.value + "%" + (miss ? " 未达标" : ""); } },
        data: r.values.map(function (v) {
          var miss = r.target !== null && v < r.target;
          return { value: v, itemStyle: { color: miss ? BAD : OK } };
        }),
        markLine: targetLine(r.target, "")
      }]
    });
    window.addEventListener("resize", function () { chart2.resize(); });
  }
})();
