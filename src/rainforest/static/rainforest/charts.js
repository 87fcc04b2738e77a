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

  var LINE = 15;  // an axis label's line height, px
  var measurer = null;

  // How wide a name is drawn in the axis labels' font (12px, the page's family).
  function textWidth(name) {
    if (!measurer) {
      measurer = document.createElement("canvas").getContext("2d");
      measurer.font = "12px " + window.getComputedStyle(document.body).fontFamily;
    }
    return measurer.measureText(String(name)).width;
  }

  // The width one category gets under vertical bars: the plot's width shared out, less a gap.
  function slot(categories, width) {
    return Math.max(24, Math.floor((width - 80) / Math.max(1, categories.length)) - 6);
  }

  // How many lines the longest name takes wrapped into its slot (words kept whole where they fit).
  function lines(categories, room) {
    var most = 1;
    categories.forEach(function (name) {
      var words = String(name).split(/\s+/);
      var longest = Math.max.apply(null, words.map(textWidth));
      most = Math.max(most, longest > room ? 99 : Math.ceil(textWidth(name) / room) + (words.length > 1 ? 1 : 0));
    });
    return most;
  }

  // Long names under narrow bars would be hidden or cut: such a chart is drawn with horizontal bars.
  function crowded(categories, width) {
    return categories.length > 0 && lines(categories, slot(categories, width)) > 3;
  }

  function option(spec, width) {
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var base = {
      animation: !reduced,
      // The page's own font by name: ECharts measures text (legend spacing, wrapping) in the family it
      // is given, and cannot measure "inherit".
      textStyle: {fontFamily: window.getComputedStyle(document.body).fontFamily},
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
    var horizontal = spec.horizontal || crowded(spec.categories || [], width);
    var category = {type: "category", data: spec.categories, name: horizontal ? spec.y_name : spec.x_name,
      axisLabel: {interval: 0, hideOverlap: false, overflow: "break", lineHeight: LINE,
        width: horizontal ? Math.max(72, Math.floor(width * 0.4)) : slot(spec.categories || [], width)},
      nameLocation: horizontal ? "end" : "middle", nameTextStyle: horizontal ? {align: "left"} : {},
      nameGap: horizontal ? 12 : lines(spec.categories || [], slot(spec.categories || [], width)) * LINE + 12,
      inverse: horizontal && !spec.horizontal};  // turned for room: the first category stays on top
    var measure = {type: "value", name: horizontal ? spec.x_name : spec.y_name, max: spec.max,
      nameLocation: horizontal ? "middle" : "end", nameGap: horizontal ? 28 : 12,
      nameTextStyle: horizontal ? {} : {align: "left"},
      axisLabel: {formatter: "{value}" + (spec.suffix || "")}};
    // Every label and axis name inside the chart's box (ECharts 6: outerBounds), never cut at its edge.
    base.grid = {left: 8, right: 24, top: 32, bottom: base.legend.show ? 40 : 8,
      outerBoundsMode: "same", outerBoundsContain: "all"};
    base.xAxis = horizontal ? measure : category;
    base.yAxis = horizontal ? category : measure;
    base.series = (spec.series || []).map(function (s, i) {
      var kind = s.kind || (spec.kind === "line" ? "line" : "bar");
      var out = {type: kind, name: s.name, data: s.data.map(function (item) {
        return item !== null && typeof item === "object" ? {value: item.value, text: item.text} : item;
      })};
      if (spec.labels) {
        out.label = {show: true, position: horizontal ? "right" : "top",
          formatter: function (p) { return text(p.data); }};
      }
      if (spec.kind === "stacked" && kind === "bar") {
        out.stack = "total";
      }
      if (spec.mark && i === 0) {
        out.markLine = {symbol: "none", silent: true,
          label: {formatter: spec.mark.name || "", position: "insideEndTop"},  // inside the grid, not past it
          data: [horizontal ? {xAxis: spec.mark.value} : {yAxis: spec.mark.value}]};
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
    if (!spec.horizontal && spec.kind !== "pie" && crowded(spec.categories || [], element.clientWidth)) {
      // Horizontal bars need a row per category, each as tall as its wrapped name.
      var rows = (spec.categories || []).length * Math.max(22, 2 * LINE + 4);
      element.style.height = Math.max(element.clientHeight, rows + 96) + "px";
    }
    var chart = window.echarts.init(element, null, {renderer: "svg"});
    chart.setOption(option(spec, element.clientWidth));
    window.addEventListener("resize", function () {
      chart.setOption(option(spec, element.clientWidth));  // the labels' room follows the width
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
