// Charts drawn with Apache ECharts (served locally as vendor/echarts/echarts.min.js) from data a page
// puts in a json_script element; the Content-Security-Policy forbids inline scripts, so every chart
// is started here. The data table beneath each chart stays the primary, accessible content: the chart
// is a picture of it (role="img" and aria-label belong on the container, set by the template).
//
// Markup:  <div class="chart" data-chart="ID" role="img" aria-label="…"></div>
//          {{ spec|json_script:"ID" }}
// Spec:    {"kind": "bar" | "line" | "stacked" | "pie",
//           "categories": ["…"],                      // the category axis (pie: the slices' names)
//           "series": [{"name": "…", "data": [n | {"value": n, "text": "shown in the tooltip"}],
//                       "kind": "line" (optional, e.g. a target drawn over bars)}],
//           "x_name": "…", "y_name": "…",              // axis titles (optional)
//           "suffix": "%", "max": 100,                 // after the value axis' numbers; its top (optional)
//           "horizontal": false, "mark": {"value": n, "name": "…"},  // a reference line (optional)
//           "labels": true,                            // each bar or point labelled with its text (optional)
//           "height": 320}
(function () {
  "use strict";

  function text(item) {
    return item !== null && typeof item === "object" ? item.text || item.value : item;
  }

  function value(item) {
    return item !== null && typeof item === "object" ? item.value : item;
  }

  function escape(value) {
    return String(value).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[c];
    });
  }

  // The tooltip is HTML: the page's names and numbers are escaped, ECharts' colour marker is not.
  function tooltip(params) {
    var rows = Array.isArray(params) ? params : [params];
    var lines = [escape(rows.length ? rows[0].name : "")];
    rows.forEach(function (p) {
      var shown = text(p.data);
      lines.push(p.marker + escape((p.seriesName ? p.seriesName + ": " : "") +
        (shown === null || shown === undefined ? "—" : shown)));
    });
    return lines.join("<br>");
  }

  function option(spec) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var base = {
      animation: !reduced,
      textStyle: {fontFamily: "inherit"},
      tooltip: {trigger: spec.kind === "pie" ? "item" : "axis", formatter: tooltip},
      legend: {show: (spec.series || []).length > 1 || spec.kind === "pie", bottom: 0},
    };
    if (spec.kind === "pie") {
      var series = spec.series[0];
      base.series = [{
        type: "pie", name: series.name, radius: ["35%", "65%"], center: ["50%", "45%"],
        avoidLabelOverlap: true, label: {formatter: "{b}: {d}%"},
        data: spec.categories.map(function (name, i) {
          var item = series.data[i];
          return {name: name, value: value(item), text: text(item)};
        }),
      }];
      return base;
    }
    var category = {type: "category", data: spec.categories, name: spec.horizontal ? spec.y_name : spec.x_name,
      axisLabel: {interval: 0, hideOverlap: true}};
    var measure = {type: "value", name: spec.horizontal ? spec.x_name : spec.y_name, max: spec.max,
      nameLocation: "middle", nameGap: spec.horizontal ? 28 : 48,
      axisLabel: {formatter: "{value}" + (spec.suffix || "")}};
    base.grid = {left: 8, right: 32, top: 24, bottom: base.legend.show ? 56 : 32, containLabel: true};
    base.xAxis = spec.horizontal ? measure : category;
    base.yAxis = spec.horizontal ? category : measure;
    base.series = (spec.series || []).map(function (s, i) {
      var kind = s.kind || (spec.kind === "line" ? "line" : "bar");
      var out = {type: kind, name: s.name, data: s.data.map(function (item) {
        return item !== null && typeof item === "object" ? {value: item.value, text: item.text} : item;
      })};
      if (spec.labels) {
        out.label = {show: true, position: spec.horizontal ? "right" : "top",
          formatter: function (p) { return text(p.data); }};
      }
      if (spec.kind === "stacked" && kind === "bar") {
        out.stack = "total";
      }
      if (spec.mark && i === 0) {
        out.markLine = {symbol: "none", silent: true, label: {formatter: spec.mark.name || ""},
          data: [spec.horizontal ? {xAxis: spec.mark.value} : {yAxis: spec.mark.value}]};
      }
      return out;
    });
    return base;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) {
      return;  // no data or no library: the table beneath says it all
    }
    var spec = JSON.parse(source.textContent);
    if (!element.clientHeight) {
      element.style.height = (spec.height || 320) + "px";
    }
    var chart = window.echarts.init(element, null, {renderer: "svg"});
    chart.setOption(option(spec));
    window.addEventListener("resize", function () {
      chart.resize();
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
