/**
 * @fileoverview Section 4, "Gradients flow back into the table": the backward pass of an
 * embedding layer. A small batch of GPT-2 ids with repeats goes through Embedding.forward; a
 * gradient for each output row comes back from "the layer above" (seeded random numbers here,
 * since this page has no model above the layer); Embedding.backward scatter-adds them into the
 * gradient table. Teaches: only rows whose id occurred receive gradient (Embedding.touched),
 * repeated ids add their gradients together, and one SGD step changes exactly those rows and
 * leaves the other ~50,000 untouched, bit for bit.
 */

import { Embedding, SGD } from 'embedkit';
import { decode } from 'gpt-tokenizer/r50k_base';
import { h, prose, fitCanvas, drawMatrix, onWidthChange, int, fmt } from '../ui.js';
import { showToken, gpt2Ids } from './lookup.js';

const VOCAB = 50257;
const DIM = 6;
const MAX_TOKENS = 16;

export function mount(root) {
  let table = new Embedding(VOCAB, DIM, { seed: 1 });
  // "The layer above": a seeded source of per-position gradient rows (its own small table).
  const upstream = new Embedding(MAX_TOKENS, DIM, { seed: 42, std: 0.5 });
  let ids = [];
  let grads = new Float32Array(0);
  let touched = new Int32Array(0);
  let stepped = false;

  const input = h('input', { type: 'text', id: 'backprop-text', value: 'the cat sat on the mat and the cat slept',
    'aria-label': 'Batch of text for the backward pass', autocomplete: 'off', spellcheck: 'false' });
  const chips = h('ol', { class: 'chips', 'aria-label': 'Batch ids' });
  const flow = h('canvas', { class: 'plot', id: 'backprop-flow', role: 'img',
    'aria-label': 'Gradient rows of each position flowing into rows of the gradient table' });
  const sums = h('p', { id: 'backprop-sums' });
  const stats = h('div', { class: 'stats', id: 'backprop-stats' });
  const lr = h('input', { type: 'range', id: 'backprop-lr', min: 0.05, max: 1, step: 0.05, value: 0.5, 'aria-label': 'Learning rate' });
  const lrOut = h('output', { for: 'backprop-lr', text: '0.50' });
  const optIn = h('select', { id: 'backprop-opt', 'aria-label': 'Update rule' },
    h('option', { value: 'plain', text: 'SGD' }),
    h('option', { value: 'wd-lazy', text: 'SGD + weight decay, lazy' }),
    h('option', { value: 'wd-dense', text: 'SGD + weight decay, dense' }));
  const stepBtn = h('button', { type: 'button', id: 'backprop-step', text: 'Take one SGD step' });
  const resetBtn = h('button', { type: 'button', class: 'secondary', id: 'backprop-reset', text: 'Reset the table' });
  const stepOut = h('div', { id: 'backprop-result', 'aria-live': 'polite' });

  root.append(
    prose('Training needs to change the table, and it does so the same way it changes any other ' +
      'weights: the layers above hand back a gradient for every output row, and the layer turns that ' +
      'into a gradient for its own parameters. Because the output rows <em>are</em> copies of table ' +
      'rows, the rule is short: the gradient of output row <em>i</em> is added into the gradient of ' +
      'table row <code>ids[i]</code>. Nothing else in the table gets anything.'),
    h('label', { for: 'backprop-text', text: 'A batch of text (repeat some words):' }),
    input, chips,
    prose('Below, each line on the left is the gradient that came back for one position. There is no ' +
      'real model above this layer on the page, so these rows are seeded random numbers standing in for ' +
      'one. On the right are the rows of <code>grad</code> that <code>Embedding.backward</code> wrote.', 'note'),
    h('figure', { class: 'figure' }, flow,
      h('figcaption', { text: 'Left: gradient per position. Right: the gradient table, only the rows that received something. Lines show where each position’s gradient went.' })),
    sums, stats,
    h('h3', { text: 'One step of gradient descent' }),
    prose('Stochastic gradient descent moves each parameter a little against its gradient: ' +
      '<code>W[r] -= lr · grad[r]</code>. Since all other gradient rows are zero, the step only has ' +
      'to visit the touched rows. The button applies it, then compares the whole table with a copy ' +
      'taken just before.'),
    h('div', { class: 'controls' }, h('label', { for: 'backprop-lr' }, 'learning rate ', lr, lrOut),
      h('label', { for: 'backprop-opt' }, 'rule ', optIn), stepBtn, resetBtn),
    prose('Weight decay also shrinks every weight a little on each step. Applied to the ' +
      'whole table (“dense”, as PyTorch’s plain SGD does) that means rewriting all 50,257 rows for a batch of ten ' +
      'tokens; a “lazy” optimizer (PyTorch’s SparseAdam idea) applies it only to the rows that got gradient, ' +
      'so a step costs what the batch touched. Pick a rule and compare the counts.', 'note'),
    stepOut,
  );

  function compute() {
    ids = gpt2Ids(input.value).slice(0, MAX_TOKENS);
    const pos = ids.map((_, i) => i);
    grads = upstream.forward(pos);
    table.zeroGrad();
    if (ids.length) table.backward(ids, grads);
    touched = table.touched;
  }

  function renderChips() {
    const count = new Map();
    for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
    chips.replaceChildren(...ids.map((id) => h('li', { class: `chip${count.get(id) > 1 ? ' on' : ''}`, 'data-id': id },
      h('span', { class: 'tok', text: showToken(decode([id])) }), h('span', { class: 'id', text: String(id) }))));
  }

  function renderFlow() {
    const n = ids.length, t = touched.length;
    const rowH = 22, top = 22;
    const { ctx, w } = fitCanvas(flow, Math.max(60, top + Math.max(n, 1) * rowH + 6));
    const narrow = w < 520;
    const labelW = narrow ? 62 : 90;
    const blockW = Math.max(48, Math.min(150, (w - 2 * labelW - 60) / 2));
    const idW = narrow ? 0 : 52;
    const xL = labelW, xR = w - blockW - idW - 4;
    const gTable = table.grad;
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText('gradOutput', xL, 9);
    ctx.fillText('grad (table)', xR, 9);
    if (!n) return;
    const scale = 1.2;
    drawMatrix(ctx, grads, n, DIM, xL, top, blockW, n * rowH - 2, { scale });
    const rowsOut = new Float32Array(t * DIM);
    for (let k = 0; k < t; k++) rowsOut.set(gTable.subarray(touched[k] * DIM, touched[k] * DIM + DIM), k * DIM);
    // touched rows sit vertically centred against the positions
    const yR = (k) => top + k * rowH + ((n - t) * rowH) / 2;
    for (let k = 0; k < t; k++) drawMatrix(ctx, rowsOut.subarray(k * DIM, k * DIM + DIM), 1, DIM, xR, yR(k), blockW, rowH - 2, { scale });
    ctx.font = '12px ui-monospace, Menlo, monospace';
    ctx.textAlign = 'right';
    const index = new Map(Array.from(touched, (r, k) => [r, k]));
    for (let i = 0; i < n; i++) {
      const y = top + i * rowH + rowH / 2 - 1;
      ctx.fillStyle = '#1d232b';
      ctx.fillText(showToken(decode([ids[i]])).slice(0, narrow ? 7 : 11), xL - 6, y);
      const k = index.get(ids[i]);
      ctx.strokeStyle = `hsla(${(k * 67) % 360} 65% 45% / 0.75)`;
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(xL + blockW + 3, y);
      const y2 = yR(k) + rowH / 2 - 1;
      const mid = (xL + blockW + xR) / 2;
      ctx.bezierCurveTo(mid, y, mid, y2, xR - 3, y2);
      ctx.stroke();
    }
    ctx.textAlign = 'left';
    ctx.fillStyle = '#1d232b';
    if (!narrow) for (let k = 0; k < t; k++) ctx.fillText(String(touched[k]), xR + blockW + 6, yR(k) + rowH / 2 - 1);
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
      const at = ids.flatMap((x, i) => (x === id ? [i] : []));
      if (at.length < 2) return;
      for (let c = 0; c < DIM; c++) {
        let s = 0;
        for (const i of at) s += grads[i * DIM + c];
        worst = Math.max(worst, Math.abs(s - g[id * DIM + c]));
      }
      parts.push(`“${decode([id]).trim()}” (row ${id}) came ${at.length} times, so its gradient row is the sum of ${at.length} lines`);
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

  function render() {
    compute();
    renderChips();
    renderFlow();
    renderSums();
  }

  /** One step of embedkit's SGD; lazy (the default) visits only the touched rows. */
  function sgdStep(rate) {
    const rule = optIn.value;
    const opt = new SGD(table, { lr: rate, weightDecay: rule === 'plain' ? 0 : 0.01, lazy: rule !== 'wd-dense' });
    try { opt.step(); } finally { opt.dispose(); }
    return `embedkit’s SGD optimizer (${rule === 'plain' ? 'no weight decay' : `weight decay 0.01, ${rule === 'wd-dense' ? 'dense' : 'lazy'}`})`;
  }

  stepBtn.addEventListener('click', () => {
    if (!ids.length) {
      stepOut.replaceChildren(prose('The batch is empty: type some words first.', 'note'));
      return;
    }
    const before = table.weight.slice();
    const rate = Number(lr.value);
    const how = sgdStep(rate);
    const after = table.weight;
    const changed = [];
    for (let r = 0; r < VOCAB; r++) {
      for (let c = 0; c < DIM; c++) {
        if (!Object.is(before[r * DIM + c], after[r * DIM + c])) { changed.push(r); break; }
      }
    }
    const same = changed.length === touched.length && changed.every((r, k) => r === touched[k]);
    const dense = optIn.value === 'wd-dense';
    stepped = true;
    stepOut.replaceChildren(
      h('p', { class: same || dense ? 'callout' : 'warn', 'data-changed': changed.length <= 64 ? JSON.stringify(changed) : null,
        'data-changed-count': String(changed.length),
        'data-rows': changed.length <= 64 ? JSON.stringify(changed.map((r) => Array.from(after.subarray(r * DIM, r * DIM + DIM)))) : null },
        `Step taken with ${how}, learning rate ${fmt(rate, 2)}. Compared all ${int(VOCAB)} rows with the copy: ` +
        `${int(changed.length)} changed${changed.length <= 16 ? ` (rows ${changed.join(', ')})` : ''}. `,
        same ? `Those are exactly the touched rows. The other ${int(VOCAB - changed.length)} rows did not move by a single bit.`
          : dense ? 'Dense weight decay shrank every row of the table, not just the ones this batch used.'
            : 'That differs from the touched rows!'),
      prose('Press again and the same rows move again by the same amount (the gradient is unchanged). ' +
        'In real training each step brings a fresh batch, a fresh gradient, and a different handful of rows.', 'note'));
  });
  resetBtn.addEventListener('click', () => {
    table.dispose();
    table = new Embedding(VOCAB, DIM, { seed: 1 });
    stepOut.replaceChildren(prose('Table reset to its seeded starting values.', 'note'));
    render();
  });
  lr.addEventListener('input', () => { lrOut.textContent = Number(lr.value).toFixed(2); });
  input.addEventListener('input', () => { render(); if (stepped) stepOut.replaceChildren(); });
  onWidthChange(root, renderFlow);
  render();
}
