// ui.js — small drawing and DOM helpers shared by the section modules. No state lives here:
// every function works on what it is given (each section keeps its own state).

/** Create an element: h('p', { class: 'note' }, 'text', child, ...). */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k === 'html') e.innerHTML = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** Paragraph from a template with <code>/<em>/<strong> allowed (our own static prose only). */
export function prose(html, cls) {
  return h('p', { html, class: cls });
}

/**
 * Size a canvas for its CSS width and the screen's pixel ratio; returns the 2-D context
 * scaled so that drawing uses CSS pixels.
 */
export function fitCanvas(canvas, cssHeight, cssWidth) {
  const w = Math.max(50, Math.round(cssWidth ?? canvas.parentElement.clientWidth ?? 300));
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${cssHeight}px`;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(cssHeight * dpr);
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return { ctx, w, h: cssHeight };
}

/** Diverging colour for v in [-1, 1]: blue (negative) — white — red (positive). */
export function diverging(v) {
  const t = Math.max(-1, Math.min(1, v));
  const a = Math.abs(t);
  // blend white (250,250,250) toward blue (33,102,172) or red (178,24,43)
  const [r, g, b] = t < 0 ? [33, 102, 172] : [178, 24, 43];
  const mix = (c) => Math.round(250 + (c - 250) * a);
  return `rgb(${mix(r)},${mix(g)},${mix(b)})`;
}

/** Sequential colour for t in [0, 1] (light yellow to dark blue, roughly viridis-ish). */
export function sequential(t) {
  const stops = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const c = stops[i].map((s, k) => Math.round(s + (stops[i + 1][k] - s) * f));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/**
 * Draw a rows x cols matrix as coloured cells into (x, y, w, h) of ctx. `scale` maps a value to
 * [-1, 1] for the diverging palette (default: divide by the largest |value|). Cells are painted
 * one pixel each into an offscreen canvas and scaled up without smoothing, so thin rows stay
 * crisp and large matrices stay fast.
 */
export function drawMatrix(ctx, data, rows, cols, x, y, w, h, { scale, palette = diverging } = {}) {
  let m = scale;
  if (m === undefined) {
    m = 1e-12;
    for (let i = 0; i < rows * cols; i++) m = Math.max(m, Math.abs(data[i]));
  }
  const off = document.createElement('canvas');
  off.width = cols;
  off.height = rows;
  const octx = off.getContext('2d');
  const img = octx.createImageData(cols, rows);
  for (let i = 0; i < rows * cols; i++) {
    const [r, g, b] = rgbOf(palette(data[i] / m));
    img.data[4 * i] = r; img.data[4 * i + 1] = g; img.data[4 * i + 2] = b; img.data[4 * i + 3] = 255;
  }
  octx.putImageData(img, 0, 0);
  const smooth = ctx.imageSmoothingEnabled;
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, x, y, w, h);
  ctx.imageSmoothingEnabled = smooth;
  return m;
}

function rgbOf(css) {
  const m = /rgb\((\d+),(\d+),(\d+)\)/.exec(css);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
}

/** Draw an arrow from (x0, y0) to (x1, y1). */
export function arrow(ctx, x0, y0, x1, y1, color, width = 2.5) {
  const dx = x1 - x0, dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
  if (len < 1) return;
  const head = Math.min(10, len * 0.4);
  const ux = dx / len, uy = dy / len;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - ux * head - uy * head * 0.5, y1 - uy * head + ux * head * 0.5);
  ctx.lineTo(x1 - ux * head + uy * head * 0.5, y1 - uy * head - ux * head * 0.5);
  ctx.closePath();
  ctx.fill();
}

/** Format a number compactly for on-screen readouts. */
export function fmt(x, digits = 3) {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(digits - 1);
  return x.toFixed(digits);
}

/** Short axis labels: 12k, 1.5M, 0.25. */
export function compact(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)}k`;
  if (a >= 100 || a === 0) return String(Math.round(v));
  return String(+v.toPrecision(3));
}

/** Integer with thin thousands separators. */
export function int(n) {
  return Math.round(n).toLocaleString('en-US');
}

/** Run fn on resize of el's width (debounced to animation frames). */
export function onWidthChange(el, fn) {
  let last = el.clientWidth, raf = 0;
  const ro = new ResizeObserver(() => {
    if (el.clientWidth === last) return;
    last = el.clientWidth;
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(fn);
  });
  ro.observe(el);
  return ro;
}


/** Colours for line series, readable on white and distinct for common colour blindness. */
export const SERIES_COLOURS = ['#1f6feb', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0891b2', '#a16207', '#be185d'];

/**
 * A uPlot line chart that follows its container's width. `series`: [{ label, colour?, dash? }];
 * `data`: [xs, ys1, ys2, ...]. Returns { set(data), chart }.
 */
export async function lineChart(container, { series, data, height = 220, xLabel, yLabel, yLog = false, xLog = false, yRange, points = false, yFormat, yIncrs }) {
  const { default: uPlot } = await import('uplot');
  const width = () => Math.max(240, container.clientWidth || 300);
  const opts = {
    width: width(),
    height,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: false, distr: xLog ? 3 : 1 },
      y: { distr: yLog ? 3 : 1, ...(yRange ? { range: yRange } : {}) },
    },
    axes: [
      { label: xLabel, labelSize: xLabel ? 22 : 0, size: 34, stroke: '#5b6673', grid: { stroke: '#eceff3' },
        values: (u, vals) => vals.map((v) => (v === null ? '' : compact(v))) },
      { label: yLabel, labelSize: yLabel ? 22 : 0, size: 58, stroke: '#5b6673', grid: { stroke: '#eceff3' },
        ...(yIncrs ? { incrs: yIncrs } : {}),
        values: (u, vals) => vals.map((v) => (v === null ? '' : (yFormat ?? compact)(v))) },
    ],
    series: [{ label: xLabel ?? 'x' }, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.colour ?? SERIES_COLOURS[i % SERIES_COLOURS.length],
      width: s.width ?? 2,
      dash: s.dash,
      points: { show: s.points ?? points },
    }))],
  };
  // Text alternative: the container is one image to assistive technology, named by a summary
  // of the data it currently shows (kept up to date by uPlot's setData hook).
  container.setAttribute('role', 'img');
  const describe = (u) => container.setAttribute('aria-label', chartSummary(u.data, opts.series, xLabel, yLabel));
  opts.hooks = { ready: [describe], setData: [describe] };
  const chart = new uPlot(opts, data, container);
  onWidthChange(container, () => chart.setSize({ width: width(), height }));
  return { chart, set: (d) => chart.setData(d) };
}

/** One sentence per line chart for screen readers: the axes, the x range and each series' first, last, min and max. */
export function chartSummary(data, series, xLabel = 'x', yLabel = '') {
  const xs = data[0] ?? [];
  const head = `Line chart of ${yLabel || series.slice(1).map((s) => s.label).join(', ')} against ${xLabel ?? 'x'}`;
  if (!xs.length) return `${head}: no data yet.`;
  const parts = series.slice(1).map((s, i) => {
    const ys = Array.from(data[i + 1] ?? []).filter((v) => v !== null && Number.isFinite(v));
    if (!ys.length) return `${s.label}: no values`;
    const lo = ys.reduce((a, b) => Math.min(a, b)), hi = ys.reduce((a, b) => Math.max(a, b));
    return `${s.label} from ${compact(ys[0])} to ${compact(ys.at(-1))} (lowest ${compact(lo)}, highest ${compact(hi)})`;
  });
  return `${head}, ${xs.length} points, ${xLabel ?? 'x'} from ${compact(xs[0])} to ${compact(xs.at(-1))}: ${parts.join('; ')}.`;
}

/**
 * A horizontal colour legend: a bar painted with `palette` over [-1, 1] (or [0, 1] when
 * `from` is 0), with tick labels at its ends and middle, into (x, y, w) of ctx; 10 px tall plus
 * 14 px of labels. `lo`/`hi` are the values at the ends, `mid` the one in the middle (default
 * their mean; give it for a non-linear scale); `label` is drawn to the left.
 */
export function colourLegend(ctx, x, y, w, { palette = diverging, from = -1, lo, hi, mid = (lo + hi) / 2, label = '' } = {}) {
  ctx.save();
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillStyle = '#5b6673';
  let x0 = x;
  if (label) {
    ctx.textAlign = 'left';
    ctx.fillText(label, x, y);
    x0 = x + ctx.measureText(label).width + 6;
  }
  const bw = Math.max(40, x + w - x0 - 4);
  for (let i = 0; i < bw; i++) {
    ctx.fillStyle = palette(from + ((1 - from) * i) / (bw - 1));
    ctx.fillRect(x0 + i, y, 1.5, 10);
  }
  ctx.strokeStyle = '#aab3bf';
  ctx.strokeRect(x0, y, bw, 10);
  ctx.fillStyle = '#5b6673';
  const ticks = [[0, lo], [0.5, mid], [1, hi]];
  for (const [f, v] of ticks) {
    ctx.textAlign = f === 0 ? 'left' : f === 1 ? 'right' : 'center';
    ctx.fillText(compact(Math.abs(v) < 1e-3 * Math.max(Math.abs(lo), Math.abs(hi)) ? 0 : v), x0 + f * bw, y + 12);
  }
  ctx.restore();
}

/**
 * A collapsed table with the numbers behind a chart (its text alternative): <details> with a
 * summary line and a table of `head` (column titles) and `rows` (arrays of cells).
 */
export function dataTable(summary, head, rows, id) {
  return h('details', { class: 'data', id },
    h('summary', { text: summary }),
    h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': summary },
      h('table', { class: 'nums' },
        // a header cell with no title (e.g. a corner) still gets a name for screen readers
        h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { scope: 'col' },
          String(t).trim() ? String(t) : h('span', { class: 'visually-hidden', text: i === 0 ? 'row' : `column ${i}` }))))),
        h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0
          ? h('th', { scope: 'row', text: String(c) }) : h('td', { text: typeof c === 'number' ? fmt(c, 3) : String(c) })))))))));
}

/** Label a slider's current value for screen readers (aria-valuetext) and for the eye (output). */
export function sliderText(input, output, text) {
  input.setAttribute('aria-valuetext', text);
  if (output) output.textContent = text;
}

/**
 * Tick marks and labels on the two axes through the origin of a plane drawn with scale
 * functions sx, sy (data -> CSS px), for data within +-r; labels the axes `xName`, `yName`.
 */
export function planeTicks(ctx, sx, sy, r, w, H, xName = 'feature 0', yName = 'feature 1') {
  const step = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10].find((s) => r / s <= 4) ?? Math.ceil(r / 4);
  ctx.save();
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#5b6673';
  ctx.strokeStyle = '#aab3bf';
  for (let v = -Math.floor(r / step) * step; v <= r + 1e-9; v += step) {
    if (Math.abs(v) < 1e-9) continue;
    const x = sx(v), y = sy(v);
    if (x > 4 && x < w - 4) {
      ctx.beginPath(); ctx.moveTo(x, sy(0) - 3); ctx.lineTo(x, sy(0) + 3); ctx.stroke();
      ctx.textAlign = 'center'; ctx.textBaseline = 'top';
      ctx.fillText(compact(v), x, sy(0) + 4);
    }
    if (y > 4 && y < H - 4) {
      ctx.beginPath(); ctx.moveTo(sx(0) - 3, y); ctx.lineTo(sx(0) + 3, y); ctx.stroke();
      ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
      ctx.fillText(compact(v), sx(0) + 5, y);
    }
  }
  ctx.textAlign = 'right'; ctx.textBaseline = 'bottom';
  ctx.fillText(`${xName} →`, w - 2, sy(0) - 3);
  ctx.textAlign = 'left'; ctx.textBaseline = 'top';
  ctx.fillText(`↑ ${yName}`, sx(0) + 5, 2);
  ctx.restore();
}
