/**
 * @fileoverview Section "GloVe beside word2vec": the same book, counted first. A Web Worker
 * (web/glove-worker.js) builds the word-by-word co-occurrence matrix of Moby-Dick with
 * embedkit's Cooccurrence and trains embedkit's GloVe on it, live. The page shows a block of the
 * matrix as a heatmap (log scale, with axes, legend and a table), the cost per step, and the
 * nearest neighbours of a word under word2vec (the vectors trained at build time, same
 * vocabulary) and under GloVe side by side.
 */

import { Neighbors } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, sequential, onWidthChange, lineChart, colourLegend, dataTable, fmt, int } from '../ui.js';
import { prebuiltVectors } from '../prebuilt.js';
import { GLOVE } from '../w2v-settings.js';

const BLOCK = ['whale', 'sperm', 'white', 'sea', 'water', 'ship', 'boat', 'boats', 'captain', 'ahab', 'starbuck', 'harpoon', 'line', 'oil', 'head', 'god'];
const K = 8;

export async function mount(root) {
  const status = h('p', { class: 'note', id: 'glove-status', 'aria-live': 'polite', text: 'Counting the co-occurrences of the book…' });
  const heat = h('canvas', { class: 'plot', id: 'glove-matrix', role: 'img', 'aria-label': 'Co-occurrence counts of 16 words of the book; the same numbers are in the table below the figure' });
  const heatData = h('div', {});
  const stats = h('p', { class: 'note', id: 'glove-stats' });
  const startBtn = h('button', { type: 'button', id: 'glove-start', text: 'Train GloVe', disabled: true });
  const progress = h('progress', { id: 'glove-progress', max: 1, value: 0, style: 'width:100%' });
  const costBox = h('div', { class: 'plot', id: 'glove-cost' });
  const wordIn = h('input', { type: 'text', id: 'glove-word', value: 'whale', 'aria-label': 'Word to compare', autocomplete: 'off', spellcheck: 'false', list: 'space-words' });
  const lists = [h('ol', { id: 'glove-near-w2v', class: 'neighbours-1' }), h('ol', { id: 'glove-near-glove', class: 'neighbours-1' })];
  const compareNote = h('p', { class: 'note', id: 'glove-compare-note' });

  root.append(
    prose('Word2vec learns from one small window at a time and never looks at the book as a whole. GloVe (Pennington, Socher ' +
      'and Manning, 2014) starts from the whole: it first counts, for every pair of words, how often they appear near each ' +
      'other anywhere in the text (closer pairs count more), giving one big table <em>X</em>, the co-occurrence matrix. ' +
      'Then it fits two vectors per word so that their dot product plus two biases comes close to log <em>X</em>: words that ' +
      'keep the same company get vectors that point the same way. Rare pairs are down-weighted, since their counts are noise.'),
    status,
    h('figure', { class: 'figure' }, heat,
      h('figcaption', { text: `Co-occurrence counts X of ${BLOCK.length} words (row word with column word, within ${GLOVE.window} words, each pair weighted 1/distance), colour on a log scale. Colour scale below.` }),
      heatData),
    stats,
    h('h3', { text: 'Fitting the vectors' }),
    h('div', { class: 'controls' }, startBtn),
    progress,
    h('figure', { class: 'figure' }, costBox, h('figcaption', { text: 'Weighted squared error of w·w̃ + b + b̃ against log X, per entry, for each chunk of entries.' })),
    h('h3', { text: 'Same book, two methods' }),
    h('label', { for: 'glove-word', text: 'Compare the nearest words of:' }), wordIn,
    h('div', { class: 'row2' },
      h('div', {}, h('h4', { text: 'word2vec (skip-gram, trained at build time)' }), lists[0]),
      h('div', {}, h('h4', { text: 'GloVe (trained here)' }), lists[1])),
    compareNote,
  );

  let w2v = null;
  try { w2v = await prebuiltVectors(); } catch { /* the comparison then shows GloVe only */ }
  let g = null;               // { words, counts, weight, nb, progress }
  let index = new Map();
  let block = null, blockIds = [];
  const costs = [[], []];

  function drawBlock() {
    if (!block) return;
    const n = blockIds.length;
    const width = heat.parentElement.clientWidth || 500;
    const left = 70, top = 70, grid = Math.min(width - left - 6, 430), cell = grid / n;
    const { ctx } = fitCanvas(heat, top + grid + 36, Math.min(width, left + grid + 6));
    const logv = Float32Array.from(block, (v) => Math.log1p(v));
    let hi = 1e-9;
    for (const v of logv) hi = Math.max(hi, v);
    drawMatrix(ctx, logv, n, n, left, top, grid, grid, { scale: 1, palette: (t) => sequential(1 - t / (hi || 1)) });
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#1d232b';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    blockIds.forEach((id, i) => ctx.fillText(g.words[id], left - 4, top + (i + 0.5) * cell));
    blockIds.forEach((id, j) => {
      ctx.save();
      ctx.translate(left + (j + 0.5) * cell, top - 4);
      ctx.rotate(-Math.PI / 3);
      ctx.textAlign = 'left';
      ctx.fillText(g.words[id], 0, 0);
      ctx.restore();
    });
    // legend in counts: log1p(x) from 0 to hi, labelled by x
    colourLegend(ctx, left, top + grid + 8, grid, { palette: (t) => sequential(1 - t), from: 0, lo: 0, mid: Math.expm1(hi / 2), hi: Math.expm1(hi), label: 'X (log scale)' });
    heat.dataset.words = JSON.stringify(blockIds.map((id) => g.words[id]));
    heat.dataset.values = JSON.stringify(Array.from(block));
  }

  function compare() {
    const q = wordIn.value.trim().toLowerCase();
    const id = index.get(q);
    if (id === undefined) {
      lists.forEach((l) => l.replaceChildren());
      compareNote.textContent = q ? `“${q}” is not in the vocabulary.` : '';
      return;
    }
    const show = (list, near) => list.replaceChildren(...near.map((n) => h('li', { 'data-id': n.id, 'data-score': n.score },
      `${n.word} `, h('span', { class: 'note', text: fmt(n.score, 3) }))));
    const a = w2v ? w2v.nb.nearest(q, { k: K }) : [];
    const b = g.nb.nearest(id, { k: K });
    show(lists[0], a);
    show(lists[1], b);
    const common = a.filter((x) => b.some((y) => y.id === x.id)).map((x) => x.word);
    const p = g.progress;
    compareNote.textContent = (!p || p.entriesDone === 0 ? 'GloVe has not been trained yet, so its list is noise. ' : '') +
      `${common.length} of ${K} words are in both lists${common.length ? ` (${common.join(', ')})` : ''}. Both methods learn from the same ` +
      'co-occurrences, one window at a time or all counted at once; on one book they agree on some of the close company and ' +
      'differ on the rest. GloVe’s scores run close to 1 here because all its vectors share a large common part (the biases ' +
      'absorb only some of the word frequency), so look at the order rather than the size of the scores.';
  }

  const worker = new Worker(new URL('../glove-worker.js', import.meta.url), { type: 'module' });
  worker.onerror = (e) => { status.textContent = `GloVe failed: ${e.message}`; console.error(e.message); };
  let chart = null;
  worker.onmessage = ({ data }) => {
    if (data.type === 'ready') {
      g = { words: data.words, counts: data.counts, weight: data.weight, progress: null,
        nb: new Neighbors(data.weight, { dim: data.options.dim, words: data.words }) };
      index = new Map(g.words.map((w, i) => [w, i]));
      block = data.block;
      blockIds = data.blockIds;
      const V = g.words.length;
      stats.textContent = `The whole matrix is ${int(V)} × ${int(V)} (${int(V * V)} cells), but only ${int(data.nonzeros)} pairs ever occur ` +
        `(${fmt((100 * data.nonzeros) / (V * V), 1)}%), so embedkit stores it sparsely; counting the book took ${fmt(data.stats.countMs, 0)} ms. ` +
        'The brightest cells pair a word with the words of its own phrases (“sperm whale”, “white whale”).';
      status.textContent = `Counted. ${int(data.totalEntries)} non-zero entries to fit, ${GLOVE.epochs} passes, D = ${GLOVE.dim}.`;
      startBtn.disabled = false;
      root.dataset.ready = 'true';
      drawBlock();
      heatData.replaceChildren(dataTable('The counts as a table', ['word \\ context word', ...blockIds.map((id) => g.words[id])],
        blockIds.map((id, i) => [g.words[id], ...Array.from(block.subarray(i * blockIds.length, (i + 1) * blockIds.length), (v) => fmt(v, 1))]), 'glove-matrix-data'));
      compare();
    } else if (data.type === 'progress') {
      const p = data.progress;
      g.progress = p;
      progress.value = p.fraction;
      if (p.cost !== null) {
        costBox.hidden = false;
        costs[0].push(p.entriesDone);
        costs[1].push(p.cost);
        chart?.set(costs);
        costBox.dataset.costs = JSON.stringify(costs[1]);
      }
      status.textContent = p.done ? `Done: ${GLOVE.epochs} passes over ${int(p.totalEntries)} entries in ${fmt(p.elapsedMs / 1000, 1)} s of computing.`
        : `Pass ${p.epoch + 1} of ${GLOVE.epochs}: ${fmt(100 * p.fraction, 0)}% (${int(p.entriesPerSec)} entries/s).`;
      if (p.done) { startBtn.disabled = true; startBtn.textContent = 'Training finished'; root.dataset.done = 'true'; }
    } else if (data.type === 'vectors') {
      g.weight = data.weight;
      g.progress = data.progress;
      g.nb.update(data.weight);
      compare();
      if (data.progress.done) root.dataset.final = 'true';
    } else if (data.type === 'state') {
      if (!g.progress?.done) startBtn.textContent = data.running ? 'Pause' : 'Resume GloVe';
    } else if (data.type === 'error') {
      status.textContent = `GloVe failed: ${data.message}`;
      console.error(data.message);
    }
  };
  startBtn.addEventListener('click', () => {
    worker.postMessage({ type: startBtn.textContent === 'Pause' ? 'pause' : 'start' });
  });
  wordIn.addEventListener('input', () => { if (g) compare(); });
  onWidthChange(root, drawBlock);
  chart = await lineChart(costBox, { series: [{ label: 'cost' }], data: costs, height: 200, xLabel: 'entries fitted', yLabel: 'cost', yLog: true });
  if (!costs[0].length) costBox.hidden = true;      // shown with the first cost
  worker.postMessage({ type: 'setup', words: BLOCK });
}
