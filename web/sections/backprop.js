/**
 * @fileoverview Section 4, "Gradients flow back into the table": the backward pass of an
 * embedding layer, on a tiny real objective. A batch of GPT-2 ids goes through
 * Embedding.forward; a small linear layer y = W x + b (frozen, seeded) sits on top, and the loss
 * is half the mean squared distance of each y from a target for its position. Its gradient with
 * respect to each input row is Wᵀ (y − t) / n (the lecture's dy/dx = W); Embedding.backward
 * scatter-adds those rows into the table's gradient, and embedkit's SGD takes a step. Repeated
 * steps lower the loss; a learning rate past the limit worked out for this batch makes it
 * diverge. Teaches: only rows whose id occurred receive gradient (Embedding.touched), repeats add
 * up, a step leaves the other ~50,000 rows untouched bit for bit, and why the rate matters.
 */

import { Embedding, SGD } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, onWidthChange, int, fmt, lineChart, colourLegend, dataTable, sliderText } from '../ui.js';
import { showToken, gpt2Ids, tokenLabel } from './lookup.js';

const VOCAB = 50257;
const DIM = 6;
const OUT = 3;
const MAX_TOKENS = 16;
export const HEAD_SEED = 7, TARGET_SEED = 42, TABLE_SEED = 1;

export function mount(root) {
  let table = new Embedding(VOCAB, DIM, { seed: TABLE_SEED });
  // The frozen layer above (W: OUT x DIM, b: OUT) and the targets per position, all seeded.
  const head = new Embedding(OUT + 1, DIM, { seed: HEAD_SEED, std: 0.6 });
  const W = head.weight.slice(0, OUT * DIM);
  const b = head.weight.slice(OUT * DIM, OUT * DIM + OUT);
  head.dispose();
  const targetTable = new Embedding(MAX_TOKENS, OUT, { seed: TARGET_SEED });
  let ids = [], targets = new Float32Array(0);
  let x = new Float32Array(0), y = new Float64Array(0), grads = new Float32Array(0);
  let touched = new Int32Array(0);
  let loss = 0;
  let history = [[], []];
  let lastStep = null;       // { rows, before, after }

  const input = h('input', { type: 'text', id: 'backprop-text', value: 'the cat sat on the mat and the cat slept',
    'aria-label': 'Batch of text for the backward pass', autocomplete: 'off', spellcheck: 'false' });
  const chips = h('ol', { class: 'chips', 'aria-label': 'Batch ids' });
  const flow = h('canvas', { class: 'plot', id: 'backprop-flow', role: 'img',
    'aria-label': 'Gradient rows of each position flowing into rows of the gradient table; the sums are listed below' });
  const sums = h('p', { id: 'backprop-sums' });
  const stats = h('div', { class: 'stats', id: 'backprop-stats' });
  const lr = h('input', { type: 'range', id: 'backprop-lr', min: 0.05, max: 4, step: 0.05, value: 0.5, 'aria-label': 'Learning rate' });
  const lrOut = h('output', { for: 'backprop-lr' });
  const limitOut = h('p', { class: 'note', id: 'backprop-limit' });
  const optIn = h('select', { id: 'backprop-opt', 'aria-label': 'Update rule' },
    h('option', { value: 'plain', text: 'SGD' }),
    h('option', { value: 'wd-lazy', text: 'SGD + weight decay, lazy' }),
    h('option', { value: 'wd-dense', text: 'SGD + weight decay, dense' }));
  const stepBtn = h('button', { type: 'button', id: 'backprop-step', text: 'Take one SGD step' });
  const step10Btn = h('button', { type: 'button', class: 'secondary', id: 'backprop-step10', text: 'Take 10 steps' });
  const resetBtn = h('button', { type: 'button', class: 'secondary', id: 'backprop-reset', text: 'Reset the table' });
  const lossNow = h('output', { id: 'backprop-loss' });
  const lossBox = h('div', { class: 'plot', id: 'backprop-loss-chart' });
  const rowsCanvas = h('canvas', { class: 'plot', id: 'backprop-rows', role: 'img', 'aria-label': 'The touched rows before and after the last step' });
  const rowsData = h('div', {});
  const stepOut = h('div', { id: 'backprop-result', 'aria-live': 'polite' });

  root.append(
    prose('Training changes the table the same way it changes any other weights. Think of the fully connected layer ' +
      '<code>y = W x + b</code>. Its gradient with respect to <code>W</code> involves <code>x</code> (that is how <code>W</code> ' +
      'learns), and its gradient with respect to the input, <code>dy/dx = W</code>, is what it hands down to the layer below. ' +
      'For the embedding layer, the input <code>x</code> <em>is</em> a row of the table, so that handed-down gradient lands ' +
      'straight on the table: the gradient of output row <em>i</em> is added into row <code>ids[i]</code>, and nothing ' +
      'else in the table gets anything.'),
    prose(`Here the layer above is a real, tiny one: <code>y = W x + b</code> with <code>W</code> of size ${OUT} × ${DIM}, frozen ` +
      'at seeded values, and the task is to make each position’s <code>y</code> hit a target (three seeded numbers per position). ' +
      'The loss is half the mean squared miss. Its gradient for each position’s input row is ' +
      '<code>Wᵀ (y − target) / n</code>: the “dy/dx = W” of the lecture, times how far off we are.'),
    h('label', { for: 'backprop-text', text: 'A batch of text (repeat some words):' }),
    input, chips,
    h('figure', { class: 'figure' }, flow,
      h('figcaption', { text: 'Left: the gradient that came back for each position (gradOutput, one row per token, dimension across). Right: the gradient table, only the rows that received something, with their row ids. Lines show where each position’s gradient went. Colour scale below.' })),
    sums, stats,
    h('h3', { text: 'Gradient descent, step by step' }),
    prose('Stochastic gradient descent moves each parameter a little against its gradient: ' +
      '<code>E[r] -= lr · grad[r]</code>. Since every other gradient row is zero, the step only has ' +
      'to visit the touched rows. Press the button a few times and watch the loss fall; then push the learning ' +
      'rate up until it overshoots.'),
    h('div', { class: 'controls' }, h('label', { for: 'backprop-lr' }, 'learning rate ', lr, lrOut),
      h('label', { for: 'backprop-opt' }, 'rule ', optIn), stepBtn, step10Btn, resetBtn),
    limitOut,
    h('div', { class: 'stats' }, h('div', {}, 'loss now: ', lossNow)),
    h('figure', { class: 'figure' }, lossBox, h('figcaption', { text: 'Loss after each step (log scale). Reset the table to start a new curve.' })),
    h('figure', { class: 'figure' }, rowsCanvas, h('figcaption', { text: 'The rows the last step changed: before (left) and after (right), with their row ids.' }), rowsData),
    prose('Weight decay also shrinks every weight a little on each step. Applied to the ' +
      'whole table (“dense”, as PyTorch’s plain SGD does) that means rewriting all 50,257 rows for a batch of ten ' +
      'tokens; a “lazy” optimizer (PyTorch’s SparseAdam idea) applies it only to the rows that got gradient, ' +
      'so a step costs what the batch touched. Pick a rule and compare the counts.', 'note'),
    stepOut,
  );

  /** Forward, loss and backward for the current table. */
  function compute() {
    ids = gpt2Ids(input.value).slice(0, MAX_TOKENS);
    const n = ids.length;
    targets = n ? targetTable.forward(ids.map((_, i) => i)) : new Float32Array(0);
    x = n ? table.forward(ids) : new Float32Array(0);
    y = new Float64Array(n * OUT);
    grads = new Float32Array(n * DIM);
    loss = 0;
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < OUT; o++) {
        let s = b[o];
        for (let c = 0; c < DIM; c++) s += W[o * DIM + c] * x[i * DIM + c];
        y[i * OUT + o] = s;
        const e = s - targets[i * OUT + o];
        loss += (0.5 * e * e) / n;
        for (let c = 0; c < DIM; c++) grads[i * DIM + c] += (W[o * DIM + c] * e) / n;
      }
    }
    table.zeroGrad();
    if (n) table.backward(ids, grads);
    touched = table.touched;
  }

  /** Largest learning rate that still converges on this batch: 2 / the largest curvature of any row. */
  function rateLimit() {
    // The loss is quadratic in each row r, with Hessian (count_r / n) WᵀW; its top eigenvalue by power iteration.
    const n = ids.length;
    if (!n) return Infinity;
    const v = new Float64Array(DIM).fill(1);
    let lam = 0;
    for (let it = 0; it < 100; it++) {
      const wv = new Float64Array(OUT);
      for (let o = 0; o < OUT; o++) for (let c = 0; c < DIM; c++) wv[o] += W[o * DIM + c] * v[c];
      const u = new Float64Array(DIM);
      for (let o = 0; o < OUT; o++) for (let c = 0; c < DIM; c++) u[c] += W[o * DIM + c] * wv[o];
      lam = Math.hypot(...u);
      for (let c = 0; c < DIM; c++) v[c] = u[c] / lam;
    }
    const count = new Map();
    for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
    return 2 / ((Math.max(...count.values()) / n) * lam);
  }

  function renderChips() {
    const count = new Map();
    for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
    chips.replaceChildren(...ids.map((id) => h('li', { class: `chip${count.get(id) > 1 ? ' on' : ''}`, 'data-id': id },
      h('span', { class: 'tok', text: showToken(tokenLabel(id)) }), h('span', { class: 'id', text: String(id) }))));
  }

  function renderFlow() {
    const n = ids.length, t = touched.length;
    const rowH = 22, top = 22, legendH = 30;
    const { ctx, w } = fitCanvas(flow, top + Math.max(n, 1) * rowH + 6 + legendH);
    const narrow = w < 520;
    const labelW = narrow ? 56 : 90;
    const idW = narrow ? 44 : 52;                      // row ids stay on every width
    const blockW = Math.max(40, Math.min(150, (w - labelW - idW - 60) / 2));
    const xL = labelW, xR = w - blockW - idW - 4;
    const gTable = table.grad;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(narrow ? `gradOut d0…${DIM - 1}` : `gradOutput · d0…d${DIM - 1} →`, xL, 9);
    ctx.fillText(narrow ? `grad d0…${DIM - 1}` : `grad (table) · d0…d${DIM - 1} →`, xR, 9);
    ctx.textAlign = 'right';
    ctx.fillText('row', w - 2, 9);
    if (!n) return;
    let scale = 1e-9;
    for (const g of grads) scale = Math.max(scale, Math.abs(g));
    drawMatrix(ctx, grads, n, DIM, xL, top, blockW, n * rowH - 2, { scale });
    const rowsOut = new Float32Array(t * DIM);
    for (let k = 0; k < t; k++) rowsOut.set(gTable.subarray(touched[k] * DIM, touched[k] * DIM + DIM), k * DIM);
    const yR = (k) => top + k * rowH + ((n - t) * rowH) / 2;
    for (let k = 0; k < t; k++) drawMatrix(ctx, rowsOut.subarray(k * DIM, k * DIM + DIM), 1, DIM, xR, yR(k), blockW, rowH - 2, { scale });
    ctx.font = '12px ui-monospace, Menlo, monospace';
    ctx.textAlign = 'right';
    const index = new Map(Array.from(touched, (r, k) => [r, k]));
    for (let i = 0; i < n; i++) {
      const yy = top + i * rowH + rowH / 2 - 1;
      ctx.fillStyle = '#1d232b';
      ctx.fillText(showToken(tokenLabel(ids[i])).slice(0, narrow ? 6 : 11), xL - 6, yy);
      const k = index.get(ids[i]);
      ctx.strokeStyle = `hsla(${(k * 67) % 360} 65% 40% / 0.8)`;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(xL + blockW + 3, yy);
      const y2 = yR(k) + rowH / 2 - 1;
      const mid = (xL + blockW + xR) / 2;
      ctx.bezierCurveTo(mid, yy, mid, y2, xR - 3, y2);
      ctx.stroke();
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1d232b';
    ctx.font = `${narrow ? 11 : 12}px ui-monospace, Menlo, monospace`;
    for (let k = 0; k < t; k++) ctx.fillText(String(touched[k]), xR + blockW + 5, yR(k) + rowH / 2 - 1);
    colourLegend(ctx, xL, top + n * rowH + 8, Math.min(w - xL - 4, 300), { lo: -scale, hi: scale, label: 'gradient' });
  }

  function renderSums() {
    // For each repeated id, compare its gradient row with the float64 sum of its positions' rows.
    const g = table.grad;
    const parts = [];
    let worst = 0;
    const seen = new Set();
    ids.forEach((id) => {
      if (seen.has(id)) return;
      seen.add(id);
      const at = ids.flatMap((v, i) => (v === id ? [i] : []));
      if (at.length < 2) return;
      for (let c = 0; c < DIM; c++) {
        let s = 0;
        for (const i of at) s += grads[i * DIM + c];
        worst = Math.max(worst, Math.abs(s - g[id * DIM + c]));
      }
      parts.push(`“${tokenLabel(id).trim()}” (row ${id}) came ${at.length} times, so its gradient row is the sum of ${at.length} lines`);
    });
    sums.textContent = parts.length
      ? `${parts.join('; ')}. Largest gap between grad and the sum worked out in float64: ${fmt(worst, 2)} (float32 rounding).`
      : 'No id occurs twice in this batch; repeat a word to see gradients add up.';
    sums.dataset.maxDiff = String(worst);
    let nonzero = 0;
    for (const r of touched) for (let c = 0; c < DIM; c++) if (g[r * DIM + c] !== 0) nonzero++;
    stats.replaceChildren(
      h('div', {}, 'positions in the batch: ', h('output', { text: String(ids.length) })),
      h('div', {}, 'rows touched: ', h('output', { id: 'backprop-touched', text: `${touched.length} of ${int(VOCAB)}` })),
      h('div', {}, 'non-zero gradient entries: ', h('output', { text: `${nonzero} of ${int(VOCAB * DIM)}` })));
  }

  function renderLimit() {
    const lim = rateLimit();
    const rate = Number(lr.value);
    sliderText(lr, lrOut, fmt(rate, 2));
    limitOut.dataset.limit = String(lim);
    limitOut.textContent = Number.isFinite(lim)
      ? `For this batch, plain SGD converges for learning rates below ${fmt(lim, 2)} (2 divided by the steepest curvature ` +
        'of the loss along any one row; a row used k times out of n gets k/n of the pull). ' +
        (rate < lim ? 'The current rate is below it: the loss will fall.' : 'The current rate is above it: each step overshoots further and the loss will grow.')
      : '';
  }

  let chart = null;
  function renderLoss() {
    lossNow.textContent = fmt(loss, 5);
    lossNow.dataset.value = String(loss);
    chart?.set(history);
    lossBox.dataset.losses = JSON.stringify(history[1]);
  }

  function renderRows() {
    const { ctx, w } = fitCanvas(rowsCanvas, lastStep ? 26 + lastStep.rows.length * 20 + 32 : 40);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'middle';
    if (!lastStep) {
      ctx.fillText('No step taken yet.', 0, 16);
      rowsData.replaceChildren();
      return;
    }
    const { rows, before, after } = lastStep;
    const shown = Array.from(rows.slice(0, 16));
    const idW = 60, gap = 24, bw = Math.min(220, (w - idW - gap) / 2);
    ctx.textAlign = 'left';
    ctx.fillText(`before · d0…d${DIM - 1} →`, idW, 10);
    ctx.fillText(`after · d0…d${DIM - 1} →`, idW + bw + gap, 10);
    ctx.textAlign = 'right';
    ctx.fillText('row', idW - 6, 10);
    ctx.textAlign = 'left';
    let m = 1e-9;
    for (const v of [...before, ...after]) m = Math.max(m, Math.abs(v));
    shown.forEach((r, k) => {
      const yy = 22 + k * 20;
      ctx.fillStyle = '#1d232b';
      ctx.textAlign = 'right';
      ctx.font = '12px ui-monospace, Menlo, monospace';
      ctx.fillText(String(r), idW - 6, yy + 9);
      drawMatrix(ctx, before.subarray(k * DIM, k * DIM + DIM), 1, DIM, idW, yy, bw, 18, { scale: m });
      drawMatrix(ctx, after.subarray(k * DIM, k * DIM + DIM), 1, DIM, idW + bw + gap, yy, bw, 18, { scale: m });
    });
    colourLegend(ctx, idW, 22 + shown.length * 20 + 6, Math.min(w - idW - 4, 300), { lo: -m, hi: m, label: 'value' });
    rowsData.replaceChildren(dataTable('The changed rows as numbers', ['row', 'when', ...Array.from({ length: DIM }, (_, c) => `d${c}`)],
      shown.flatMap((r, k) => [[String(r), 'before', ...before.subarray(k * DIM, k * DIM + DIM)], [String(r), 'after', ...after.subarray(k * DIM, k * DIM + DIM)]]),
      'backprop-rows-data'));
  }

  function render() {
    compute();
    renderChips();
    renderFlow();
    renderSums();
    renderLimit();
    renderLoss();
  }

  /** One step of embedkit's SGD; lazy (the default) visits only the touched rows. */
  function sgdStep(rate) {
    const rule = optIn.value;
    const opt = new SGD(table, { lr: rate, weightDecay: rule === 'plain' ? 0 : 0.01, lazy: rule !== 'wd-dense' });
    try { opt.step(); } finally { opt.dispose(); }
    return `embedkit’s SGD optimizer (${rule === 'plain' ? 'no weight decay' : `weight decay 0.01, ${rule === 'wd-dense' ? 'dense' : 'lazy'}`})`;
  }

  function step(times) {
    if (!(loss < 1e12)) {
      stepOut.replaceChildren(prose('The loss has blown up (the learning rate was too high). Reset the table and try a smaller rate.', 'warn'));
      return;
    }
    if (!ids.length) {
      stepOut.replaceChildren(prose('The batch is empty: type some words first.', 'note'));
      return;
    }
    const rate = Number(lr.value);
    if (!history[0].length) { history[0].push(0); history[1].push(loss); }
    let how = '', changed = [], before = null;
    for (let k = 0; k < times; k++) {
      before = table.weight.slice();
      const lossBefore = loss;
      how = sgdStep(rate);
      const after = table.weight;
      changed = [];
      for (let r = 0; r < VOCAB; r++) {
        for (let c = 0; c < DIM; c++) {
          if (!Object.is(before[r * DIM + c], after[r * DIM + c])) { changed.push(r); break; }
        }
      }
      compute();            // the new loss and gradient, for the next step
      history[0].push(history[0].length);
      history[1].push(loss);
      lastStep = { rows: changed.length <= 64 ? changed : touched.slice(), lossBefore };
      if (!(loss < 1e12)) break;        // diverged far enough to make the point
    }
    const rowsToShow = lastStep.rows;
    lastStep.before = new Float32Array(rowsToShow.length * DIM);
    lastStep.after = new Float32Array(rowsToShow.length * DIM);
    const w = table.weight;
    rowsToShow.forEach((r, k) => {
      lastStep.before.set(before.subarray(r * DIM, r * DIM + DIM), k * DIM);
      lastStep.after.set(w.subarray(r * DIM, r * DIM + DIM), k * DIM);
    });
    const same = changed.length === touched.length && changed.every((r, k) => r === touched[k]);
    const dense = optIn.value === 'wd-dense';
    stepOut.replaceChildren(
      h('p', { class: same || dense ? 'callout' : 'warn', 'data-changed': changed.length <= 64 ? JSON.stringify(changed) : null,
        'data-changed-count': String(changed.length),
        'data-rows': changed.length <= 64 ? JSON.stringify(changed.map((r) => Array.from(w.subarray(r * DIM, r * DIM + DIM)))) : null },
        `${times > 1 ? `${times} steps` : 'Step'} taken with ${how}, learning rate ${fmt(rate, 2)}. Compared all ${int(VOCAB)} rows with a copy taken before the last step: ` +
        `${int(changed.length)} changed${changed.length <= 16 ? ` (rows ${changed.join(', ')})` : ''}. `,
        same ? `Those are exactly the touched rows. The other ${int(VOCAB - changed.length)} rows did not move by a single bit.`
          : dense ? 'Dense weight decay shrank every row of the table, not just the ones this batch used.'
            : 'That differs from the touched rows!'),
      prose(`Loss: ${fmt(lastStep.lossBefore, 5)} before the last step, ${fmt(loss, 5)} after. ` +
        (loss < lastStep.lossBefore ? 'Down: the rows moved toward values that serve the targets better.' : 'Up: the step overshot.') +
        ' A word used at two positions with different targets cannot satisfy both, so the loss levels off above zero.', 'note'));
    renderChips();
    renderFlow();
    renderSums();
    renderLoss();
    renderRows();
  }

  stepBtn.addEventListener('click', () => step(1));
  step10Btn.addEventListener('click', () => step(10));
  resetBtn.addEventListener('click', () => {
    table.dispose();
    table = new Embedding(VOCAB, DIM, { seed: TABLE_SEED });
    history = [[], []];
    lastStep = null;
    stepOut.replaceChildren(prose('Table reset to its seeded starting values.', 'note'));
    render();
    renderRows();
  });
  lr.addEventListener('input', renderLimit);
  input.addEventListener('input', () => { history = [[], []]; render(); stepOut.replaceChildren(); });
  onWidthChange(root, () => { renderFlow(); renderRows(); });
  render();
  renderRows();
  lineChart(lossBox, { series: [{ label: 'loss' }], data: history, height: 200, xLabel: 'step', yLabel: 'loss', yLog: true })
    .then((c) => { chart = c; renderLoss(); });
}
