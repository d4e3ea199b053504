/**
 * @fileoverview Part of section 3: the word2vec network and its training pairs, read from the
 * live trainer. While training is paused, the worker hands over the sentence the trainer reads
 * next (it stops between sentences) and copies of both of its tables, W_in (the word vectors)
 * and W_out (the output vectors of negative sampling). The reader picks a centre word; the page
 * lists the (centre, context) pairs of skip-gram or the (context → centre) example of CBOW,
 * draws the network for one pair (one-hot → W_in row → scores against W_out rows of the true
 * word and of negatives drawn from count^0.75, as the trainer draws them), and applies one
 * update by the word2vec formulas to copies of those rows. Then: why W_in is the table kept.
 */

import { Neighbors } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, colourLegend, fmt, int } from '../ui.js';
import * as w2v from '../w2v-client.js';

const WINDOW = 5;
const NEG = 5;

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/** A small seeded generator (mulberry32) for the page's own negative draws. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function mountNetwork(root) {
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'net-refresh', text: 'Read the trainer again' });
  const sentence = h('div', { class: 'chips', id: 'net-sentence', role: 'group', 'aria-label': 'The sentence the trainer reads next; pick a centre word' });
  const pairs = h('div', { id: 'net-pairs' });
  const pick = h('select', { id: 'net-pair', 'aria-label': 'Pair to look at' });
  const diagram = h('canvas', { class: 'plot', id: 'net-diagram', role: 'img',
    'aria-label': 'The network for one pair: a one-hot input picks a row of W_in, which is scored against rows of W_out; the table below has the same numbers' });
  const scoreTable = h('div', { id: 'net-scores' });
  const update = h('div', { id: 'net-update' });
  const keep = h('div', { id: 'net-keep' });
  const state = h('p', { class: 'note', id: 'net-state', 'aria-live': 'polite', text: 'Waiting for the trainer…' });

  root.append(h('h3', { text: 'Inside one training step' }),
    prose('What does the trainer actually do with a sentence? Word2vec is a network with one hidden layer and no ' +
      'nonlinearity in it. The input is a word as a one-hot vector; multiplying it by the first matrix, <em>W</em><sub>in</sub>, ' +
      'picks that word’s row (the lookup of section 1). The second matrix, <em>W</em><sub>out</sub>, has a row per word too, and ' +
      'the network’s guess that word <em>o</em> belongs near the input is σ(row<sub>in</sub> · row<sub>out</sub>[<em>o</em>]), a ' +
      'number between 0 and 1. Training pushes that score toward 1 for a word that really was nearby and toward 0 for a few ' +
      'random words (“negatives”). Below is the sentence this page’s trainer reads next, with its real tables as they are right ' +
      'now. Pause the training to look; press Start to move on.'),
    state, h('div', { class: 'controls' }, refresh), sentence, pairs,
    h('div', { class: 'controls' }, h('label', { for: 'net-pair' }, 'pair ', pick)),
    h('figure', { class: 'figure' }, diagram,
      h('figcaption', { text: 'One pair through the network. Left: the input word’s one-hot id picks its row of W_in. Right: the rows of W_out for the true word and the negatives, each with its score σ(in · out). Colour scale below.' })),
    scoreTable, update, keep);

  let snap = null;        // { sentence, start, wordsDone, lr, weight, outputWeight, words, counts, dim, mode }
  let centre = 0;
  let cdf = null;         // for negatives: cumulative count^0.75

  function noiseTable() {
    const c = w2v.run.counts;
    cdf = new Float64Array(c.length);
    let s = 0;
    for (let i = 0; i < c.length; i++) { s += c[i] ** 0.75; cdf[i] = s; }
    for (let i = 0; i < c.length; i++) cdf[i] /= s;
  }
  function drawNegatives(avoid, seed) {
    const r = rng(seed);
    const out = [];
    while (out.length < NEG) {
      const u = r();
      let lo = 0, hi = cdf.length - 1;
      while (lo < hi) { const m = (lo + hi) >> 1; if (cdf[m] < u) lo = m + 1; else hi = m; }
      if (lo !== avoid && !out.includes(lo)) out.push(lo);
    }
    return out;
  }

  const row = (table, id) => snap[table].subarray(id * snap.dim, id * snap.dim + snap.dim);
  const dotp = (a, b) => { let s = 0; for (let c = 0; c < a.length; c++) s += a[c] * b[c]; return s; };

  /** The examples of the current centre word: skip-gram pairs, or one CBOW example. */
  function examples() {
    const s = snap.sentence;
    const lo = Math.max(0, centre - WINDOW), hi = Math.min(s.length - 1, centre + WINDOW);
    const ctx = [];
    for (let c = lo; c <= hi; c++) if (c !== centre) ctx.push(c);
    if (snap.mode === 'cbow') return [{ inputs: ctx, target: centre }];
    // as the word2vec tool does it: each context word's W_in row is scored against the centre word
    return ctx.map((c) => ({ inputs: [c], target: centre }));
  }

  function render() {
    if (!snap) return;
    const { words } = snap;
    const s = snap.sentence;
    sentence.replaceChildren(...Array.from(s, (id, i) => h('button', { type: 'button', class: 'chip',
      'aria-pressed': String(i === centre), 'data-index': i,
      onclick: () => { centre = i; render(); } },
    h('span', { class: 'tok', text: words[id] }), h('span', { class: 'id', text: Math.abs(i - centre) <= WINDOW && i !== centre ? 'context' : i === centre ? 'centre' : String(id) }))));
    const ex = examples();
    const name = (ids) => ids.map((i) => words[s[i]]).join(' + ');
    pairs.replaceChildren(h('p', {}, snap.mode === 'cbow'
      ? `CBOW: the ${ex[0].inputs.length} context words are averaged into one input, and the target is “${words[s[centre]]}”.`
      : `Skip-gram: ${ex.length} pairs for centre “${words[s[centre]]}”: ${ex.map((e) => `(${words[s[centre]]}, ${name(e.inputs)})`).join(', ')}. ` +
        'As in the original word2vec code, each pair scores the context word’s W_in row against the centre word’s W_out row; ' +
        'over the whole text every word is centre and context in turn, so it comes to the same.'),
    h('p', { class: 'note', text: `The trainer also draws, for each centre word, a window of 1 to ${WINDOW} instead of always ${WINDOW}, and skips some very frequent words (subsampling); the page shows the full window.` }));
    const prev = Number(pick.value) || 0;
    pick.replaceChildren(...ex.map((e, k) => h('option', { value: String(k), text: snap.mode === 'cbow' ? `context → ${words[s[e.target]]}` : `${name(e.inputs)} → ${words[s[e.target]]}` })));
    pick.value = String(Math.min(prev, ex.length - 1));
    renderPair();
  }

  function renderPair() {
    const ex = examples()[Number(pick.value) || 0];
    if (!ex || !ex.inputs.length) {
      root.dataset.netState = JSON.stringify({ wordsDone: snap.wordsDone, start: snap.start, centre, inputs: [], outs: [], scores: [], sigAfter: [], lr: snap.lr });
      scoreTable.replaceChildren(prose('This sentence has a single word, so it makes no training pairs: the trainer skips over it. Train a little further to see one.', 'note'));
      update.replaceChildren();
      return;
    }
    const { words, dim } = snap;
    const s = snap.sentence;
    const target = s[ex.target];
    // input: the W_in row (CBOW: the mean of the context rows)
    const input = new Float64Array(dim);
    for (const i of ex.inputs) { const r = row('weight', s[i]); for (let c = 0; c < dim; c++) input[c] += r[c] / ex.inputs.length; }
    const negs = drawNegatives(target, snap.wordsDone + 31 * centre + ex.inputs[0]);
    const outs = [target, ...negs];
    const scores = outs.map((o) => dotp(input, row('outputWeight', o)));
    const sig = scores.map(sigmoid);
    const loss = -Math.log(sig[0]) - sig.slice(1).reduce((t, p) => t + Math.log(1 - p), 0);
    // one update by the word2vec formulas: g = lr (label − σ); out[o] += g·in; in += Σ g·out[o]
    const lr = snap.lr;
    const neu1e = new Float64Array(dim);
    const outsAfter = outs.map((o, k) => {
      const g = lr * ((k === 0 ? 1 : 0) - sig[k]);
      const r = row('outputWeight', o);
      for (let c = 0; c < dim; c++) neu1e[c] += g * r[c];
      return Float64Array.from(r, (v, c) => v + g * input[c]);
    });
    const inputAfter = Float64Array.from(input, (v, c) => v + neu1e[c]);
    const sigAfter = outs.map((o, k) => sigmoid(dotp(inputAfter, outsAfter[k])));
    drawDiagram(ex, input, outs, sig);
    const inName = ex.inputs.map((i) => words[s[i]]).join(' + ');
    root.dataset.netState = JSON.stringify({ wordsDone: snap.wordsDone, start: snap.start, centre, inputs: ex.inputs.map((i) => s[i]), outs, scores, sigAfter, lr });
    scoreTable.replaceChildren(h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Scores of this pair' },
      h('table', { class: 'nums', id: 'net-table' },
        h('thead', {}, h('tr', {}, ...['W_out row of', 'role', 'in · out', 'σ (score)', 'after one update'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, ...outs.map((o, k) => h('tr', {}, h('th', { scope: 'row', text: `${words[o]} (${int(snap.counts[o])}×)` }),
          h('td', { text: k === 0 ? 'true word (label 1)' : 'negative (label 0)' }), h('td', { text: fmt(scores[k], 4) }),
          h('td', { text: fmt(sig[k], 4) }), h('td', { text: fmt(sigAfter[k], 4) })))))));
    update.replaceChildren(prose(`The loss of this example is −log σ(true) − Σ log(1 − σ(negative)) = ${fmt(loss, 4)}. ` +
      `One update with the trainer’s current learning rate (${fmt(lr, 5)}) moves the input row along the output rows and each output row ` +
      `along the input: the true word’s score goes from ${fmt(sig[0], 4)} to ${fmt(sigAfter[0], 4)}, the negatives’ go down. ` +
      `Only ${ex.inputs.length + outs.length} rows of the two ${int(words.length)}-row tables change, the same sparse update as section 5. ` +
      `(Input: ${inName}. The negatives are drawn here from count<sup>0.75</sup> as the trainer draws them; its own draws come from its internal generator.)`));
    renderKeep();
  }

  function drawDiagram(ex, input, outs, sig) {
    const { words, dim } = snap;
    const s = snap.sentence;
    const width = diagram.parentElement.clientWidth || 600;
    const narrow = width < 520;
    const rowH = 22, top = 30;
    const H = top + outs.length * (rowH + 8) + 40;
    const { ctx, w } = fitCanvas(diagram, H);
    const col1 = 0, col2 = narrow ? 78 : 150, stripW = narrow ? (w - col2 - 70) / 2 : Math.min(220, (w - 420) / 2 + 80);
    const col3 = col2 + stripW + (narrow ? 20 : 60);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'middle';
    ctx.fillText('one-hot input', col1, 12);
    ctx.fillText(`${ex.inputs.length > 1 ? 'mean of W_in rows' : 'W_in row'} · d0…d${dim - 1} →`, col2, 12);
    ctx.fillText(`W_out rows · d0…d${dim - 1} → σ`, col3, 12);
    let m = 1e-9;
    for (const v of input) m = Math.max(m, Math.abs(v));
    for (const o of outs) for (const v of row('outputWeight', o)) m = Math.max(m, Math.abs(v));
    const yIn = top + ((outs.length - 1) * (rowH + 8)) / 2;
    ctx.fillStyle = '#1d232b';
    ctx.font = '12px ui-monospace, Menlo, monospace';
    const inLabel = ex.inputs.length > 1 ? `${ex.inputs.length} ids` : `id ${s[ex.inputs[0]]}`;
    ctx.fillText(inLabel, col1, yIn + rowH / 2 - 7);
    ctx.fillText((ex.inputs.length > 1 ? 'context' : words[s[ex.inputs[0]]]).slice(0, narrow ? 9 : 16), col1, yIn + rowH / 2 + 8);
    drawMatrix(ctx, Float32Array.from(input), 1, dim, col2, yIn, stripW, rowH, { scale: m });
    outs.forEach((o, k) => {
      const y = top + k * (rowH + 8);
      ctx.strokeStyle = k === 0 ? 'rgba(21,128,61,0.8)' : 'rgba(185,28,28,0.5)';
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(col2 + stripW + 2, yIn + rowH / 2);
      ctx.lineTo(col3 - 2, y + rowH / 2);
      ctx.stroke();
      drawMatrix(ctx, row('outputWeight', o), 1, dim, col3, y, stripW, rowH, { scale: m });
      ctx.fillStyle = k === 0 ? '#15803d' : '#b91c1c';
      ctx.font = '12px system-ui, sans-serif';
      ctx.fillText(`${words[o].slice(0, narrow ? 7 : 12)} σ=${fmt(sig[k], 2)}`, col3 + stripW + 6, y + rowH / 2);
    });
    colourLegend(ctx, col2, H - 28, Math.min(w - col2 - 4, 280), { lo: -m, hi: m, label: 'value' });
  }

  let keepNb = null;
  function renderKeep() {
    const { words, dim } = snap;
    const q = words.indexOf('whale') >= 0 ? 'whale' : words[50];
    const trained = snap.wordsDone > 0;
    keepNb ??= { in: new Neighbors(snap.weight, { dim, words }), out: new Neighbors(snap.outputWeight, { dim, words }) };
    keepNb.in.update(snap.weight);
    keepNb.out.update(snap.outputWeight);
    const list = (nb) => nb.nearest(q, { k: 6 }).map((n) => `${n.word} ${fmt(n.score, 2)}`).join(', ');
    keep.replaceChildren(
      h('h4', { text: 'Why the first matrix is the one kept' }),
      prose('After training, the network’s job is done: nobody needs its guesses about neighbouring words. What is kept is ' +
        'W<sub>in</sub>, because using it needs nothing but the lookup: a word in, its row out, the first half of the network. ' +
        'W<sub>out</sub> rows live in a different role (they are what inputs get compared <em>against</em>); they start at zero, ' +
        'and pairs of words that appear near each other get W<sub>in</sub> and W<sub>out</sub> rows that agree, not W<sub>in</sub> rows ' +
        'that agree with each other directly. Skip-gram’s input is one word, so its W<sub>in</sub> row is that word’s vector on its own; ' +
        'CBOW’s input is an average of context rows, which is why its rows are harder to read one by one.'),
      trained
        ? h('p', { id: 'net-keep-lists' }, `Nearest to “${q}” among W_in rows: ${list(keepNb.in)}. Among W_out rows: ${list(keepNb.out)}.`)
        : h('p', { class: 'note', text: 'Train a little and the nearest rows of W_in and of W_out can be compared here.' }));
  }

  w2v.on('inside', (data) => {
    snap = { ...data, words: w2v.run.words, counts: w2v.run.counts, dim: w2v.run.options.dim, mode: w2v.run.options.mode };
    if (!snap.outputWeight) { state.textContent = 'This run has no W_out (negative sampling is off).'; return; }
    centre = Math.min(centre, snap.sentence.length - 1);
    if (snap.sentence.length > 1 && centre === 0) centre = Math.min(2, snap.sentence.length - 1);
    state.textContent = snap.wordsDone === 0
      ? 'Training has not started: W_in is random and W_out is all zeros, so every score is σ(0) = 0.5. This is the first sentence of the book.'
      : `The trainer has read ${int(snap.wordsDone)} words (learning rate now ${fmt(snap.lr, 5)}); this is the sentence it reads next.`;
    root.dataset.netReady = String(snap.wordsDone);
    render();
  });
  w2v.on('ready', () => { keepNb?.in.dispose(); keepNb?.out.dispose(); keepNb = null; noiseTable(); w2v.inside(); });
  w2v.on('state', ({ running }) => {
    refresh.disabled = running;
    if (!running) w2v.inside();
    else state.textContent = 'Training… pause it to look inside the next step.';
  });
  refresh.addEventListener('click', () => w2v.inside());
  pick.addEventListener('change', renderPair);
  if (w2v.run.words) { noiseTable(); w2v.inside(); }
}
