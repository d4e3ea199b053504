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
 * [-1, 1] for the diverging palette (default: divide by the largest |value|).
 */
export function drawMatrix(ctx, data, rows, cols, x, y, w, h, { scale, palette = diverging } = {}) {
  let m = scale;
  if (m === undefined) {
    m = 1e-12;
    for (let i = 0; i < rows * cols; i++) m = Math.max(m, Math.abs(data[i]));
  }
  const cw = w / cols, ch = h / rows;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      ctx.fillStyle = palette(data[r * cols + c] / m);
      ctx.fillRect(x + c * cw, y + r * ch, Math.ceil(cw), Math.ceil(ch));
    }
  }
  return m;
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

/** A "coming soon" box for a section whose kernels have not landed yet. */
export function placeholder(root, what, body) {
  root.append(h('div', { class: 'placeholder', 'data-placeholder': what },
    h('strong', { text: `Coming with the ${what}.` }), ' ', body ?? ''));
}
