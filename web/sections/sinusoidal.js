/**
 * @fileoverview Section 6, "Positions without learning: sines and cosines". The sinusoidal table
 * of the original transformer, computed by embedkit's `sinusoidal` as the reader moves sliders
 * for its width (dim), its base and its layout; drawn as a heatmap of positions x dimensions,
 * with a few columns as waves. Then the matrix of dot products between every pair of positions,
 * which shows that the similarity of two positions depends only on how far apart they are.
 */

import { sinusoidal } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, sequential, diverging, onWidthChange, lineChart, fmt, int, colourLegend, sliderText } from '../ui.js';

const POSITIONS = 96;
const SEARCH = 1000;          // positions searched for the best look-alike of position 0

export async function mount(root) {
  root.append(prose('Learning a separate vector for every position costs parameters and cannot go past ' +
    'the longest sequence seen in training. The original transformer wrote its position vectors down ' +
    'with a formula instead. Pair up the <em>D</em> dimensions; pair <em>i</em> holds ' +
    '<code>sin(p·ω<sub>i</sub>)</code> and <code>cos(p·ω<sub>i</sub>)</code> for position <em>p</em>, ' +
    'where the speed <code>ω<sub>i</sub> = base<sup>−2i/D</sup></code> drops from 1 radian per position ' +
    'for the first pair to almost nothing for the last. Every position gets a different pattern, a bit ' +
    'like the hands of a clock with many dials, and nothing has to be learned.'));

  let dim = 64, base = 10000, layout = 'interleaved', frequencies = 'paper';
  let table = new Float32Array(0);

  const dimIn = h('input', { type: 'range', id: 'sin-dim', min: 2, max: 128, step: 2, value: dim, 'aria-label': 'Dimensions D' });
  const dimOut = h('output', { for: 'sin-dim' });
  const baseIn = h('input', { type: 'range', id: 'sin-base', min: 1, max: 6, step: 0.1, value: Math.log10(base), 'aria-label': 'Base (log10)' });
  const baseOut = h('output', { for: 'sin-base' });
  const layoutIn = h('select', { id: 'sin-layout', 'aria-label': 'Layout' },
    h('option', { value: 'interleaved', text: 'interleaved (sin, cos, sin, …)' }),
    h('option', { value: 'concat', text: 'concat (sines | cosines)' }));
  const freqIn = h('select', { id: 'sin-freqs', 'aria-label': 'Frequency formula' },
    h('option', { value: 'paper', text: 'speeds as in the paper' }),
    h('option', { value: 'tensor2tensor', text: 'speeds as in tensor2tensor' }));
  const heat = h('canvas', { class: 'plot', id: 'sin-heat', role: 'img', 'aria-label': 'Sinusoidal table heatmap: positions down, dimensions across' });
  const waves = h('div', { class: 'plot', id: 'sin-waves' });
  const dots = h('canvas', { class: 'plot', id: 'sin-dots', role: 'img', 'aria-label': 'Dot products between positions' });
  const dist = h('div', { class: 'plot', id: 'sin-dist' });
  const distNote = h('p', { class: 'note', id: 'sin-dist-note' });
  const notice = h('div', { class: 'callout', id: 'sin-notice', 'aria-live': 'polite' });

  root.append(
    h('div', { class: 'controls' },
      h('label', { for: 'sin-dim' }, 'D ', dimIn, dimOut),
      h('label', { for: 'sin-base' }, 'base ', baseIn, baseOut),
      h('label', { for: 'sin-layout' }, 'layout ', layoutIn),
      h('label', { for: 'sin-freqs' }, 'formula ', freqIn)),
    prose('Two details differ between implementations, and checkpoints only work with the one they were trained ' +
      'with. The paper interleaves sine and cosine; Google’s tensor2tensor code (and models built on it) puts all ' +
      'sines first, then all cosines. tensor2tensor also spaces the speeds slightly differently, so that the last ' +
      'pair turns at exactly 1/base. The dot products below do not care about either choice.', 'note'),
    notice,
    h('figure', { class: 'figure' }, heat,
      h('figcaption', { text: `The table for positions 0 to ${POSITIONS - 1} (down) and dimensions 0 to D−1 (across). Colour scale below the grid.` })),
    h('figure', { class: 'figure' }, waves,
      h('figcaption', { text: 'The sine column of four pairs as curves: the first pairs turn fast, later pairs slowly.' })),
    h('h3', { text: 'Similarity depends on distance' }),
    prose('Take the dot product of the vectors for positions <em>p</em> and <em>q</em>. Each pair contributes ' +
      '<code>sin(pω)sin(qω) + cos(pω)cos(qω) = cos((p−q)ω)</code>, so the sum depends on <em>p − q</em> alone. ' +
      'In the matrix below every diagonal has one colour; positions next to each other score high, and the ' +
      'score falls off (with ripples) as they move apart.'),
    h('div', { class: 'row2' },
      h('figure', { class: 'figure' }, dots, h('figcaption', { text: 'Dot product of position p (down) with position q (across), divided by D/2. Colour scale below the grid.' })),
      h('figure', { class: 'figure' }, dist, distNote)),
  );

  const wavesChart = await lineChart(waves, {
    series: ['pair 0 (fastest)', 'pair 1', 'middle pair', 'last pair (slowest)'].map((label) => ({ label })),
    data: [[0], [0], [0], [0], [0]], height: 200, xLabel: 'position', yRange: [-1.05, 1.05],
  });
  const distChart = await lineChart(dist, {
    series: [{ label: 'from position 0' }, { label: 'from position 40', dash: [6, 4] }],
    data: [[0], [0], [0]], height: 220, xLabel: 'distance q − p', yLabel: 'dot / (D/2)',
    // fit the data: with few dimensions the curve reaches −1
    yRange: (u, lo, hi) => {
      const r = [Math.min(-0.1, (lo ?? 0) - 0.05), Math.max(1.05, (hi ?? 1) + 0.05)];
      dist.dataset.ymin = String(r[0]);           // the range uPlot actually uses, for tests
      return r;
    },
  });

  function compute() {
    table = sinusoidal(POSITIONS, dim, { base, layout, frequencies });
  }

  function waveColumns() {
    // In both layouts, show the sine of pairs 0, 1, a middle one and the last one.
    const half = dim / 2;
    const pairs = [0, Math.min(1, half - 1), Math.floor(half / 2), half - 1];
    return pairs.map((i) => ({ i, col: layout === 'interleaved' ? 2 * i : i }));
  }

  function renderHeat() {
    const gridH = Math.min(288, POSITIONS * 3);
    const top = 30, left = 34, legendH = 34;
    const { ctx, w } = fitCanvas(heat, top + gridH + legendH);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    ctx.fillText(`${POSITIONS} positions × ${dim} dimensions · dimension →`, left, 0);
    const gw = w - left;
    drawMatrix(ctx, table, POSITIONS, dim, left, top, gw, gridH, { scale: 1 });
    ctx.textAlign = 'center';
    const every = dim <= 16 ? 2 : dim <= 64 ? 8 : 16;
    for (let c = 0; c < dim; c += every) ctx.fillText(String(c), left + ((c + 0.5) * gw) / dim, 15);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const p of [0, 16, 32, 48, 64, 80, POSITIONS - 1]) ctx.fillText(String(p), left - 4, top + ((p + 0.5) * gridH) / POSITIONS);
    ctx.save();
    ctx.translate(9, top + gridH / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'center';
    ctx.fillText('position ↓', 0, 0);
    ctx.restore();
    colourLegend(ctx, left, top + gridH + 8, Math.min(gw, 300), { palette: diverging, lo: -1, hi: 1, label: 'value' });
    heat.dataset.dim = String(dim);
    heat.dataset.base = String(base);
    heat.dataset.layout = layout;
    heat.dataset.row5 = JSON.stringify(Array.from(table.subarray(5 * dim, 6 * dim)));
  }

  /** What to notice: how long until some position looks like position 0 again (the D = 2 wrap-around). */
  function renderNotice() {
    const far = sinusoidal(SEARCH + 1, dim, { base, layout, frequencies });
    let best = 1, bestS = -Infinity;
    for (let q = 1; q <= SEARCH; q++) {
      let s = 0;
      for (let c = 0; c < dim; c++) s += far[c] * far[q * dim + c];
      s /= dim / 2;
      if (s > bestS) { bestS = s; best = q; }
    }
    const slowest = (2 * Math.PI) / Math.min(...Array.from({ length: dim / 2 }, (_, i) => (frequencies === 'paper'
      ? base ** (-(2 * i) / dim) : base ** (-i / Math.max(1, dim / 2 - 1)))));
    notice.dataset.best = String(best);
    notice.dataset.similarity = String(bestS);
    notice.replaceChildren(
      h('p', {}, h('strong', { text: 'What to notice. ' }),
        `Among positions 1 to ${int(SEARCH)}, the one whose vector looks most like position 0’s is position ${best}: ` +
        `their dot product is ${fmt(bestS, 4)} of the largest possible. ` +
        (bestS > 0.99 ? 'That is practically the same vector, so the model could not tell these two positions apart. '
          : 'No position comes close to repeating position 0, so every position in this range is recognisable. ')),
      h('p', {}, dim === 2
        ? `With D = 2 there is only one pair, turning 1 radian per position: a single clock hand. It comes back round every 2π ≈ 6.28 positions, so positions 0, 6, 13, 19, … point almost the same way, and whole numbers of turns that land very close to a whole number of positions (44 is 7 turns, ${best} is ${Math.round(best / (2 * Math.PI))}) repeat position 0 almost exactly. More pairs, each turning slower, are what make positions unique.`
        : `The slowest of the ${dim / 2} pairs takes about ${int(slowest)} positions to go once around. ` +
          (base < 100 ? 'A small base makes every pair turn fast, so far-apart positions start to look alike. '
            : 'A larger base slows the last pairs further, which keeps long texts unambiguous but makes neighbouring positions differ less in those pairs. ') +
          'Drag D down to 2 to see the wrap-around.'));
  }

  function renderWaves() {
    const xs = Array.from({ length: POSITIONS }, (_, p) => p);
    const cols = waveColumns();
    const ys = cols.map(({ col }) => xs.map((p) => table[p * dim + col]));
    wavesChart.set([xs, ...ys]);
  }

  function renderDots() {
    const n = POSITIONS;
    const m = new Float32Array(n * n);
    const norm = dim / 2;
    for (let p = 0; p < n; p++) {
      for (let q = p; q < n; q++) {
        let s = 0;
        for (let c = 0; c < dim; c++) s += table[p * dim + c] * table[q * dim + c];
        m[p * n + q] = m[q * n + p] = s / norm;
      }
    }
    const size = Math.min(dots.parentElement.clientWidth || 320, 380);
    const left = 28, top = 18, grid = size - left - 4;
    const { ctx } = fitCanvas(dots, top + grid + 34, size);
    let lo = Infinity, hi = -Infinity;
    for (const v of m) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
    drawMatrix(ctx, m, n, n, left, top, grid, grid, { scale: 1, palette: (v) => sequential((hi - v) / (hi - lo || 1)) });
    ctx.font = '10px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText('q →', left + grid - 12, 2);
    for (const p of [0, 32, 64, n - 1]) {
      ctx.fillText(String(p), left + ((p + 0.5) * grid) / n, 4);
      ctx.textAlign = 'right';
      ctx.fillText(String(p), left - 3, top + ((p + 0.5) * grid) / n - 5);
      ctx.textAlign = 'center';
    }
    ctx.textAlign = 'left';
    ctx.fillText('p ↓', 0, 4);
    // legend: high values are yellow (sequential(0)), low purple
    colourLegend(ctx, left, top + grid + 8, grid, { palette: (t) => sequential(1 - t), from: 0, lo, hi, label: 'dot' });
    // Distance curves from two starting positions, and how much each diagonal varies.
    const K = 48;
    const ks = Array.from({ length: K }, (_, k) => k);
    const from0 = ks.map((k) => m[0 * n + k]);
    const from40 = ks.map((k) => (40 + k < n ? m[40 * n + 40 + k] : null));
    let spread = 0;
    for (let k = 0; k < n; k++) {
      for (let p = 1; p + k < n; p++) spread = Math.max(spread, Math.abs(m[p * n + p + k] - m[k]));
    }
    distChart.set([ks, from0, from40]);
    dist.dataset.datamin = String(Math.min(...from0, ...from40.filter((v) => v !== null)));
    distNote.textContent = `Largest difference between any two entries on the same diagonal: ${fmt(spread, 2)} ` +
      '(float32 rounding). The two curves lie on top of each other: only the distance matters.';
    dots.dataset.spread = String(spread);
  }

  function render() {
    sliderText(dimIn, dimOut, String(dim));
    sliderText(baseIn, baseOut, Math.round(base).toLocaleString('en-US'));
    compute();
    renderNotice();
    renderHeat();
    renderWaves();
    renderDots();
  }

  dimIn.addEventListener('input', () => { dim = Number(dimIn.value); render(); });
  baseIn.addEventListener('input', () => { base = 10 ** Number(baseIn.value); render(); });
  layoutIn.addEventListener('change', () => { layout = layoutIn.value; render(); });
  freqIn.addEventListener('change', () => { frequencies = freqIn.value; render(); });
  onWidthChange(root, () => { renderHeat(); renderDots(); });
  render();
}
