/**
 * @fileoverview Part of section 3: the word2vec network and its training pairs, read from the
 * live trainer. While training is paused, the worker hands over what the trainer trains next
 * (Word2Vec#peek(): the sentence after subsampling, each centre word's window, the examples and
 * the negatives its own generator will draw; it stops between sentences) and copies of both of
 * its tables, W_in (the word vectors) and W_out (the output vectors of negative sampling). The
 * reader picks a centre word; the page lists the (centre, context) pairs of skip-gram or the
 * (context → centre) example of CBOW, draws the network for one pair (one-hot → W_in row →
 * scores against the W_out rows of the true word and of the trainer's negatives), and applies
 * one update by the word2vec formulas to copies of those rows. Then: why W_in is the table kept.
 */

import { Neighbors } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, colourLegend, fmt, int } from '../ui.js';
import * as w2v from '../w2v-client.js';

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

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

  let snap = null;        // { next (Word2Vec#peek()), text, wordsDone, lr, weight, outputWeight, words, counts, dim, mode }
  let centre = 0;         // index in the trainer's sentence (next.sentence)

  const row = (table, id) => snap[table].subarray(id * snap.dim, id * snap.dim + snap.dim);
  const dotp = (a, b) => { let s = 0; for (let c = 0; c < a.length; c++) s += a[c] * b[c]; return s; };

  /** The trainer's examples for the current centre word: skip-gram pairs, or one CBOW example. */
  const examples = () => snap.next.examples.filter((e) => e.centre === centre);

  function render() {
    if (!snap?.next) return;
    const { words, next } = snap;
    const s = next.sentence;
    const radius = next.windows[centre];
    // The stretch of the book the trainer reads: kept words are buttons (pick a centre), words
    // dropped by subsampling are shown struck through; they are not in the trainer's sentence.
    const kept = new Map(Array.from(next.positions, (p, i) => [p, i]));
    const chips = Array.from(snap.text, (id, k) => {
      const i = kept.get(next.start + k);
      if (id < 0) return h('span', { class: 'chip dropped', title: 'sentence break', text: '·' });
      if (i === undefined) {
        return h('span', { class: 'chip dropped', title: 'dropped by subsampling' },
          h('span', { class: 'tok', text: words[id] }), h('span', { class: 'id', text: 'dropped' }));
      }
      const role = i === centre ? 'centre' : Math.abs(i - centre) <= radius ? 'context' : String(id);
      return h('button', { type: 'button', class: 'chip', 'aria-pressed': String(i === centre), 'data-index': i,
        onclick: () => { centre = i; render(); } },
      h('span', { class: 'tok', text: words[id] }), h('span', { class: 'id', text: role }));
    });
    sentence.replaceChildren(...chips);
    const ex = examples();
    const name = (idx) => Array.from(idx, (i) => words[s[i]]).join(' + ');
    const dropped = snap.text.filter((id) => id >= 0).length - s.length;
    pairs.replaceChildren(h('p', {}, snap.mode === 'cbow'
      ? `CBOW: the ${ex[0]?.context.length ?? 0} context words are averaged into one input, and the target is “${words[s[centre]]}”.`
      : `Skip-gram: ${ex.length} pairs for centre “${words[s[centre]]}”: ${ex.map((e) => `(${words[s[centre]]}, ${name(e.context)})`).join(', ')}. ` +
        'As in the original word2vec code, each pair scores the context word’s W_in row against the centre word’s W_out row; ' +
        'over the whole text every word is centre and context in turn, so it comes to the same.'),
    h('p', { class: 'note', text: (snap.shrink
      ? `For this centre word the trainer drew a window of ${radius} word${radius === 1 ? '' : 's'} on each side ` +
        `(it draws 1 to ${snap.window} for every centre word, so near words count more often than far ones)`
      : `The window is ${radius} word${radius === 1 ? '' : 's'} on each side`) +
      (dropped > 0 ? `, and subsampling dropped ${dropped} of the ${s.length + dropped} words read (struck through: very frequent words are skipped at random).` : '.') }));
    const prev = Number(pick.value) || 0;
    pick.replaceChildren(...ex.map((e, k) => h('option', { value: String(k), text: snap.mode === 'cbow' ? `context → ${words[s[e.centre]]}` : `${name(e.context)} → ${words[s[e.centre]]}` })));
    pick.value = String(Math.min(prev, Math.max(0, ex.length - 1)));
    renderPair();
  }

  function renderPair() {
    const k0 = Number(pick.value) || 0;
    const ex = examples()[k0];
    if (!ex) return;
    const { words, dim } = snap;
    const s = snap.next.sentence;
    // input: the W_in row (CBOW: the mean of the context rows)
    const input = new Float64Array(dim);
    for (const id of ex.inputs) { const r = row('weight', id); for (let c = 0; c < dim; c++) input[c] += r[c] / ex.inputs.length; }
    // the true word and the negatives the trainer's generator draws for this example
    const outs = [ex.word, ...ex.negatives];
    const scores = outs.map((o) => dotp(input, row('outputWeight', o)));
    const sig = scores.map(sigmoid);
    const loss = -Math.log(sig[0]) - sig.slice(1).reduce((t, p) => t + Math.log(1 - p), 0);
    // one update by the word2vec formulas, row after row as the trainer does (a negative drawn
    // twice is updated twice): g = lr (label − σ(in · out)); e += g·out; out += g·in; then in += e
    const lr = snap.next.lr;
    const neu1e = new Float64Array(dim);
    const after = new Map();
    const cur = (o) => after.get(o) ?? Float64Array.from(row('outputWeight', o));
    outs.forEach((o, k) => {
      const r = cur(o);
      const g = lr * ((k === 0 ? 1 : 0) - sigmoid(dotp(input, r)));
      for (let c = 0; c < dim; c++) neu1e[c] += g * r[c];
      after.set(o, Float64Array.from(r, (v, c) => v + g * input[c]));
    });
    const inputAfter = Float64Array.from(input, (v, c) => v + neu1e[c]);
    const sigAfter = outs.map((o) => sigmoid(dotp(inputAfter, after.get(o))));
    drawDiagram(ex, input, outs, sig);
    const inName = Array.from(ex.context, (i) => words[s[i]]).join(' + ');
    root.dataset.netState = JSON.stringify({ wordsDone: snap.wordsDone, start: snap.next.start, centre, pair: k0,
      inputs: Array.from(ex.inputs), outs, scores, sigAfter, lr });
    scoreTable.replaceChildren(h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Scores of this pair' },
      h('table', { class: 'nums', id: 'net-table' },
        h('thead', {}, h('tr', {}, ...['W_out row of', 'role', 'in · out', 'σ (score)', 'after one update'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, ...outs.map((o, k) => h('tr', {}, h('th', { scope: 'row', text: `${words[o]} (${int(snap.counts[o])}×)` }),
          h('td', { text: k === 0 ? 'true word (label 1)' : 'negative (label 0)' }), h('td', { text: fmt(scores[k], 4) }),
          h('td', { text: fmt(sig[k], 4) }), h('td', { text: fmt(sigAfter[k], 4) })))))));
    const nNeg = ex.negatives.length;
    update.replaceChildren(prose(`The loss of this example is −log σ(true) − Σ log(1 − σ(negative)) = ${fmt(loss, 4)}. ` +
      `One update with the trainer’s learning rate for this sentence (${fmt(lr, 5)}) moves the input row along the output rows and each output row ` +
      `along the input: the true word’s score goes from ${fmt(sig[0], 4)} to ${fmt(sigAfter[0], 4)}, the negatives’ go down. ` +
      `Only ${ex.inputs.length + new Set(outs).size} rows of the two ${int(words.length)}-row tables change, the same sparse update as section 5. ` +
      `(Input: ${inName}. The ${nNeg} negative${nNeg === 1 ? '' : 's'} are the trainer’s own: the ids its generator will draw for this pair, ` +
      `from count<sup>0.75</sup>, read with <code>Word2Vec#peek()</code> without training` +
      (nNeg < snap.negative ? `; it drew ${snap.negative}, and a draw equal to the true word is skipped` : '') +
      '. The trainer updates the tables with the pairs before this one first, so its numbers move a little from the ones here.)'));
    renderKeep();
  }

  function drawDiagram(ex, input, outs, sig) {
    const { words, dim } = snap;
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
    const inLabel = ex.inputs.length > 1 ? `${ex.inputs.length} ids` : `id ${ex.inputs[0]}`;
    ctx.fillText(inLabel, col1, yIn + rowH / 2 - 7);
    ctx.fillText((ex.inputs.length > 1 ? 'context' : words[ex.inputs[0]]).slice(0, narrow ? 9 : 16), col1, yIn + rowH / 2 + 8);
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
    const trained = snap.outputWeight.some((v) => v !== 0);
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
    const { options } = w2v.run;
    snap = { ...data, words: w2v.run.words, counts: w2v.run.counts, dim: options.dim, mode: options.mode,
      window: options.window, negative: options.negative, shrink: options.shrinkWindows };
    if (!snap.outputWeight) { state.textContent = 'This run has no W_out (negative sampling is off).'; return; }
    root.dataset.netReady = String(snap.wordsDone);
    if (!snap.next) {
      state.textContent = 'Training has finished: there is no next step. The tables below are the trained ones.';
      sentence.replaceChildren();
      pairs.replaceChildren();
      pick.replaceChildren();
      renderKeep();
      return;
    }
    const len = snap.next.sentence.length;
    centre = Math.min(centre, len - 1);
    if (len > 1 && centre === 0) centre = Math.min(2, len - 1);
    const fresh = !snap.outputWeight.some((v) => v !== 0);
    state.textContent = (fresh
      ? 'Training has not started: W_in is random and W_out is all zeros, so every score is σ(0) = 0.5. This is the first sentence the trainer reads.'
      : `The trainer has read ${int(snap.wordsDone)} words (learning rate now ${fmt(snap.lr, 5)}); this is the sentence it trains next.`) +
      (options.threads > 1 ? ` It trains on ${options.threads} threads, each on its own part of the book; this is the next sentence of one of them.` : '');
    render();
  });
  w2v.on('ready', () => { keepNb?.in.dispose(); keepNb?.out.dispose(); keepNb = null; w2v.inside(); });
  w2v.on('state', ({ running }) => {
    refresh.disabled = running;
    if (!running) w2v.inside();
    else state.textContent = 'Training… pause it to look inside the next step.';
  });
  refresh.addEventListener('click', () => w2v.inside());
  pick.addEventListener('change', renderPair);
  if (w2v.run.words) w2v.inside();
}
