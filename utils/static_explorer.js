/* An explorer without a kernel: HTML controls over views measured when the page was built.
 *
 * utils/static_explorer.py writes, inside one <div class="tg-explorer">, the controls, an empty
 * <svg>, a <script type="application/json"> with the data, and this script. The data holds the
 * controls, the panels' fixed styles (texts in which {0}, {1}, ... stand for the controls'
 * settings), the numeric series (shared between views) and one view per combination of the option
 * indexes of the controls that do not truncate, keyed "i-j-k": for each panel, the index of a
 * part (shared between views) that gives its lines (series indexes) and an optional note, log
 * axis and title. Each panel is drawn in its own band of the SVG. No library, no network: plain DOM and SVG. The Python side calls this
 * function expression with the explorer's <div>.
 */
(function (root) {
  "use strict";
  var data = JSON.parse(root.querySelector("script.tg-explorer-data").textContent);
  var svg = root.querySelector("svg.tg-explorer-figure");
  var NS = "http://www.w3.org/2000/svg";
  var WIDTH = 640, FONT = 13;
  var MARGIN = { left: 70, right: 16, top: 28, bottom: 44 };
  // Okabe and Ito's colour-blind-safe palette, each colour with its own dash pattern.
  var COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var DASHES = ["", "7 4", "2 3", "9 3 2 3", "4 4", "1 2", "12 4"];

  function el(name, attributes, parent, text) {
    var node = document.createElementNS(NS, name);
    for (var key in attributes) node.setAttribute(key, attributes[key]);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function series(reference) {
    return data.series[reference];
  }

  function setting(index) {
    var control = data.controls[index];
    return control.options[control.kind === "menu" ? control.element.selectedIndex : Number(control.element.value)];
  }

  function fill(template) {
    return (template || "").replace(/\{(\d+)\}/g, function (_, index) { return setting(Number(index)); });
  }

  function niceStep(span, count) {
    var raw = span / Math.max(count, 1), power = Math.pow(10, Math.floor(Math.log10(raw)));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= raw) return steps[i] * power;
    return 10 * power;
  }

  function linearTicks(low, high, count) {
    var step = niceStep(high - low, count), ticks = [];
    for (var t = Math.ceil(low / step - 1e-9) * step; t <= high + step * 1e-9; t += step) {
      ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
    }
    return ticks;
  }

  function formatLinear(value, step) {
    var decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
    return value.toFixed(Math.min(decimals, 4)).replace("-", "\u2212");
  }

  function logTickText(parent, x, y, exponent) {
    var text = el("text", { x: x, y: y, "text-anchor": "end", "dominant-baseline": "middle" }, parent, "10");
    el("tspan", { dy: -6, "font-size": FONT - 2 }, text, String(exponent).replace("-", "\u2212"));
  }

  function range(panel) {
    var low = Infinity, high = -Infinity;
    panel.lines.forEach(function (line) {
      line.ys.forEach(function (value) {
        if (value === null || (panel.log && value <= 0)) return;
        low = Math.min(low, value);
        high = Math.max(high, value);
      });
    });
    (panel.hlines || []).forEach(function (h) {
      low = Math.min(low, h.y);
      high = Math.max(high, h.y);
    });
    if (low === Infinity) return panel.log ? [0.1, 10] : [-1, 1];
    if (panel.log) {
      var middle = Math.sqrt(low * high); // at least two decades, so that a level profile looks level
      return [Math.min(low / 2, middle / 10), Math.max(high * 2, middle * 10)];
    }
    var pad = (high - low) * 0.06 || Math.abs(high) * 0.1 || 1;
    return [low - pad, high + pad];
  }

  // panel: {title, xlabel, ylabel, log, hlines, note, lines: [{xs, ys, label, style}]}
  function drawPanel(panel, top, height) {
    var group = el("g", { transform: "translate(0," + top + ")" }, svg);
    var legendRows = panel.lines.some(function (l) { return l.label; }) || panel.hlines.some(function (h) { return h.label; });
    var plotTop = MARGIN.top + (legendRows ? 22 : 0);
    var x0 = MARGIN.left, x1 = WIDTH - MARGIN.right, y0 = plotTop, y1 = height - MARGIN.bottom;
    var xlow = Infinity, xhigh = -Infinity;
    panel.lines.forEach(function (line) {
      xlow = Math.min(xlow, Math.min.apply(null, line.xs));
      xhigh = Math.max(xhigh, Math.max.apply(null, line.xs));
    });
    if (xlow === xhigh) { xlow -= 1; xhigh += 1; }
    var xticks = linearTicks(xlow, xhigh, 8), xstep = niceStep(xhigh - xlow, 8);
    var xpad = (xhigh - xlow) * 0.02;
    xlow -= xpad;
    xhigh += xpad;
    var ylim = range(panel);
    var ty = panel.log ? Math.log10 : function (v) { return v; };
    var ylow = ty(ylim[0]), yhigh = ty(ylim[1]);
    function X(v) { return x0 + (v - xlow) / (xhigh - xlow) * (x1 - x0); }
    function Y(v) { return y1 - (ty(v) - ylow) / (yhigh - ylow) * (y1 - y0); }

    el("text", { x: (x0 + x1) / 2, y: 16, "text-anchor": "middle", "font-weight": "bold" }, group, panel.title || "");
    el("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0, fill: "none", stroke: "#444" }, group);
    var ticks = el("g", { "font-size": FONT }, group);
    xticks.forEach(function (t) {
      el("line", { x1: X(t), x2: X(t), y1: y1, y2: y1 + 5, stroke: "#444" }, ticks);
      el("text", { x: X(t), y: y1 + 18, "text-anchor": "middle" }, ticks, formatLinear(t, xstep));
    });
    if (panel.log) {
      var lowExp = Math.ceil(ylow - 1e-9), highExp = Math.floor(yhigh + 1e-9);
      var every = Math.max(1, Math.ceil((highExp - lowExp + 1) / 7));
      for (var e = lowExp; e <= highExp; e++) {
        if ((e - lowExp) % every) continue;
        el("line", { x1: x0 - 5, x2: x1, y1: Y(Math.pow(10, e)), y2: Y(Math.pow(10, e)), stroke: "#ddd" }, ticks);
        logTickText(ticks, x0 - 8, Y(Math.pow(10, e)), e);
      }
    } else {
      var step = niceStep(ylim[1] - ylim[0], 5);
      linearTicks(ylim[0], ylim[1], 5).forEach(function (t) {
        el("line", { x1: x0 - 5, x2: x1, y1: Y(t), y2: Y(t), stroke: "#ddd" }, ticks);
        el("text", { x: x0 - 8, y: Y(t), "text-anchor": "end", "dominant-baseline": "middle" }, ticks, formatLinear(t, step));
      });
    }
    el("text", { x: (x0 + x1) / 2, y: height - 8, "text-anchor": "middle" }, group, panel.xlabel || "");
    el("text", { transform: "translate(16," + (y0 + y1) / 2 + ") rotate(-90)", "text-anchor": "middle" }, group, panel.ylabel || "");

    var clipId = root.id + "-clip-" + top;
    el("rect", { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, el("clipPath", { id: clipId }, group));
    var plot = el("g", { "clip-path": "url(#" + clipId + ")" }, group);
    var legend = [];
    panel.hlines.forEach(function (h) {
      el("line", { x1: x0, x2: x1, y1: Y(h.y), y2: Y(h.y), stroke: "#666", "stroke-dasharray": "2 3", "stroke-width": 1.3 }, plot);
      if (h.label) legend.push({ label: h.label, color: "#666", dash: "2 3" });
    });
    panel.lines.forEach(function (line, index) {
      var ys = line.ys, lx = line.xs, d = "", pen = "M";
      for (var i = 0; i < ys.length; i++) {
        if (ys[i] === null || (panel.log && ys[i] <= 0)) { pen = "M"; continue; }
        d += pen + X(lx[i]).toFixed(1) + "," + Y(ys[i]).toFixed(1);
        pen = "L";
      }
      var style = line.style !== undefined ? line.style : index;
      var color = COLORS[style % COLORS.length], dash = DASHES[style % DASHES.length];
      el("path", { d: d, fill: "none", stroke: color, "stroke-width": 2, "stroke-dasharray": dash }, plot);
      if (ys.length <= 60) {
        for (var j = 0; j < ys.length; j++) {
          if (ys[j] === null || (panel.log && ys[j] <= 0)) continue;
          el("circle", { cx: X(lx[j]).toFixed(1), cy: Y(ys[j]).toFixed(1), r: 2.2, fill: color }, plot);
        }
      }
      if (line.label) legend.push({ label: line.label, color: color, dash: dash });
    });
    var lx0 = x0;
    legend.forEach(function (item) {
      el("line", { x1: lx0, x2: lx0 + 26, y1: plotTop - 12, y2: plotTop - 12, stroke: item.color, "stroke-width": 2, "stroke-dasharray": item.dash }, group);
      var text = el("text", { x: lx0 + 31, y: plotTop - 12, "dominant-baseline": "middle" }, group, item.label);
      lx0 += 31 + text.getComputedTextLength() + 16;
    });
    if (panel.note) {
      var lines = panel.note.split("\n"), box = el("g", {}, group);
      var back = el("rect", { fill: "white", "fill-opacity": 0.85 }, box), widest = 0;
      lines.forEach(function (text, i) {
        var node = el("text", { x: x0 + 8, y: y1 - 10 - (lines.length - 1 - i) * (FONT + 3) }, box, text);
        widest = Math.max(widest, node.getComputedTextLength());
      });
      back.setAttribute("x", x0 + 3);
      back.setAttribute("y", y1 - 8 - lines.length * (FONT + 3) - 2);
      back.setAttribute("width", widest + 10);
      back.setAttribute("height", lines.length * (FONT + 3) + 6);
    }
  }

  function resolve(reference, points) {
    var line = typeof reference === "number" ? { y: reference } : reference;
    var ys = series(line.y), xs = line.x !== undefined ? series(line.x) : ys.map(function (_, i) { return i + 1; });
    return { ys: ys.slice(0, points), xs: xs.slice(0, points), label: line.label, style: line.style };
  }

  function draw() {
    var key = [], points = Infinity;
    data.controls.forEach(function (control, index) {
      if (control.truncates) points = Math.min(points, Number(setting(index)));
      else key.push(control.kind === "menu" ? control.element.selectedIndex : Number(control.element.value));
    });
    key = key.join("-");
    var view = data.views[key].map(function (index) { return data.parts[index]; }), alt = fill(data.alt);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var total = data.panels.reduce(function (sum, style) { return sum + style.height; }, 0);
    svg.setAttribute("viewBox", "0 0 " + WIDTH + " " + total);
    svg.setAttribute("aria-label", alt);
    el("title", {}, svg, alt);
    var top = 0;
    data.panels.forEach(function (style, i) {
      var part = view[i], log = part.log !== undefined ? part.log : style.log;
      drawPanel({
        title: part.title || fill(style.title),
        xlabel: fill(style.xlabel),
        ylabel: fill(style.ylabel) + (log && !style.log ? " (log scale)" : ""),
        log: log,
        hlines: style.hlines,
        note: part.note || "",
        lines: part.lines.map(function (reference) { return resolve(reference, points); })
      }, top, style.height);
      top += style.height;
    });
    root.setAttribute("data-view", key + "|" + (points === Infinity ? "" : points));
  }

  data.controls.forEach(function (control, index) {
    var label = root.querySelectorAll(".tg-control")[index];
    control.element = label.querySelector("input, select");
    control.kind = control.element.tagName === "SELECT" ? "menu" : "slider";
    var readout = label.querySelector("output");
    function changed() {
      if (readout) readout.textContent = setting(index);
      draw();
    }
    control.element.addEventListener("input", changed);
    control.element.addEventListener("change", changed);
  });
  draw();
})
