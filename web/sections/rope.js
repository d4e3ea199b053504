/**
 * @fileoverview Section 7, "Rotary positions (RoPE)": instead of adding a position vector,
 * rotate each pair of features by an angle proportional to the position (embedkit's Rope).
 * Uses the two sentences "The lion slept deeply." and "After a long day, the lion slept
 * deeply.": the vectors of "lion" and "deeply" turn as the sentence shifts, but the angle
 * between them, and their dot product, stay the same, because only their distance counts.
 * Compares with added sinusoidal positions, where the dot product drifts. Then shows the two
 * pairing conventions (half-split vs interleaved) and how scaling schemes (linear, NTK,
 * YaRN, Llama 3) stretch the rotation frequencies.
 */

import { Embedding, Rope, sinusoidal } from 'embedkit';
import { encode, decode } from 'gpt-tokenizer/r50k_base';
import { h, prose, fitCanvas, arrow, onWidthChange, lineChart, fmt, compact, int, SERIES_COLOURS, drawMatrix, colourLegend, dataTable, sliderText, planeTicks } from '../ui.js';

const VOCAB = 50257;
const SENTENCES = ['The lion slept deeply.', 'After a long day, the lion slept deeply.'];
const HEAD_DIM = 64;
const MAX_SHIFT = 60;
const MAX_POS = 128;

/** Index of the first token whose text (trimmed) is `word`. */
function find(ids, word) {
  return ids.findIndex((id) => decode([id]).trim().toLowerCase() === word);
}

function dot(a, i, b, j, d) {
  let s = 0;
  for (let c = 0; c < d; c++) s += a[i * d + c] * b[j * d + c];
  return s;
}

export async function mount(root) {
  root.append(prose('Added position vectors mix “where” into “what” once, at the bottom of the model. ' +
    'Rotary position embeddings (RoPE), used by Llama, Qwen, Mistral and most recent models, do ' +
    'something else: they leave the vector’s length alone and <em>turn</em> it. Picture two features ' +
    'as an arrow; a token at position <em>p</em> has its arrow rotated by <em>p</em>·θ. When the model ' +
    'later compares two tokens with a dot product, only the difference of their rotations survives, ' +
    'so what matters is how far apart the tokens are, not where the sentence happens to start.'));

  const idsA = encode(SENTENCES[0]);
  const idsB = encode(SENTENCES[1]);
  const lionA = find(idsA, 'lion'), deepA = find(idsA, 'deeply');
  const lionB = find(idsB, 'lion'), deepB = find(idsB, 'deeply');

  // ---- the 2-D picture ----------------------------------------------------------------------
  const tok2 = new Embedding(VOCAB, 2, { seed: 9 });
  const rope2 = new Rope({ headDim: 2, maxPositions: MAX_POS + MAX_SHIFT, scaling: { type: 'linear', factor: 4 } });
  const pair = tok2.forward([idsA[lionA], idsA[deepA]]);        // lion, deeply (unrotated)
  let shift = 0;

  const shiftIn = h('input', { type: 'range', id: 'rope-shift', min: 0, max: MAX_SHIFT, step: 1, value: 0, 'aria-label': 'Extra tokens in front of sentence 2' });
  const shiftOut = h('output', { for: 'rope-shift', text: '0' });
  const panels = [0, 1].map((k) => h('canvas', { class: 'plot', id: `rope-plane-${k}`, role: 'img',
    'aria-label': `Rotated vectors of lion and deeply in sentence ${k + 1}` }));
  const readouts = [0, 1].map((k) => h('p', { class: 'note', id: `rope-read-${k}` }));
  const posLine = (ids, l, d) => h('p', { class: 'mono' }, ...ids.map((id, i) => {
    const t = decode([id]);
    return h('span', { class: i === l || i === d ? 'chip on' : '', style: 'padding:0 .15rem', text: `${t}` });
  }));

  root.append(
    h('h3', { text: 'The lion, twice' }),
    h('p', {}, 'Sentence 1 puts ', h('em', { text: 'lion' }), ` at position ${lionA} and `, h('em', { text: 'deeply' }),
      ` at ${deepA}; sentence 2 puts them at ${lionB} and ${deepB}. Different places, same distance (${deepA - lionA} tokens).`),
    posLine(idsA, lionA, deepA), posLine(idsB, lionB, deepB),
    prose('Here each word has just two features (drawn from a seeded random table, since this page has no ' +
      'trained model), and θ is ¼ radian per position so the turns are easy to follow. Faint arrows are the ' +
      'vectors before rotation.', 'note'),
    h('div', { class: 'controls' }, h('label', { for: 'rope-shift' }, 'extra tokens in front of sentence 2 ', shiftIn, shiftOut)),
    h('div', { class: 'row2' },
      h('figure', { class: 'figure' }, panels[0], readouts[0]),
      h('figure', { class: 'figure' }, panels[1], readouts[1])),
  );

  function rotate2(posLion, posDeep) {
    return rope2.forward(pair, [1, 2, 1, 2], { positions: [posLion, posDeep] });
  }

  function drawPanel(canvas, rotated, posL, posD, title) {
    const size = Math.min(canvas.parentElement.clientWidth || 300, 340);
    const { ctx, w, h: H } = fitCanvas(canvas, size, size);
    let r = 0;
    r = Math.max(Math.hypot(pair[0], pair[1]), Math.hypot(pair[2], pair[3]), 1e-6) * 1.2;
    const cx = w / 2, cy = H / 2, s = (Math.min(w, H) / 2 - 10) / r;
    ctx.strokeStyle = '#e3e6ea';
    ctx.beginPath();
    ctx.moveTo(0, cy); ctx.lineTo(w, cy); ctx.moveTo(cx, 0); ctx.lineTo(cx, H);
    ctx.stroke();
    planeTicks(ctx, (v) => cx + v * s, (v) => cy - v * s, r, w, H);
    const colours = [SERIES_COLOURS[1], SERIES_COLOURS[0]];
    ctx.globalAlpha = 0.22;
    for (let k = 0; k < 2; k++) arrow(ctx, cx, cy, cx + pair[2 * k] * s, cy - pair[2 * k + 1] * s, colours[k], 2);
    ctx.globalAlpha = 1;
    // the angle between the rotated arrows, as an arc
    const a0 = Math.atan2(rotated[1], rotated[0]), a1 = Math.atan2(rotated[3], rotated[2]);
    let d = a1 - a0;
    while (d > Math.PI) d -= 2 * Math.PI;
    while (d < -Math.PI) d += 2 * Math.PI;
    ctx.strokeStyle = '#7c3aed';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(cx, cy, 26, -a0, -(a0 + d), d > 0);
    ctx.stroke();
    for (let k = 0; k < 2; k++) arrow(ctx, cx, cy, cx + rotated[2 * k] * s, cy - rotated[2 * k + 1] * s, colours[k], 3);
    ctx.font = '13px system-ui, sans-serif';
    const label = (text, x, y, colour) => {
      const tw = ctx.measureText(text).width;
      ctx.fillStyle = colour;
      ctx.fillText(text, Math.max(2, Math.min(w - tw - 2, x + 4)), Math.max(28, Math.min(H - 4, y - 4)));
    };
    label(`lion @${posL}`, cx + rotated[0] * s, cy - rotated[1] * s, colours[0]);
    label(`deeply @${posD}`, cx + rotated[2] * s, cy - rotated[3] * s, colours[1]);
    ctx.fillStyle = '#1d232b';
    ctx.fillText(title, 4, 14);
    return Math.abs(d);
  }

  function render2d() {
    sliderText(shiftIn, shiftOut, String(shift));
    const cases = [[lionA, deepA, 'sentence 1'], [lionB + shift, deepB + shift, shift ? `sentence 2, shifted by ${shift}` : 'sentence 2']];
    cases.forEach(([pl, pd, title], k) => {
      const rot = rotate2(pl, pd);
      const angle = drawPanel(panels[k], rot, pl, pd, title);
      const dp = rot[0] * rot[2] + rot[1] * rot[3];
      readouts[k].textContent = `angle between them ${fmt((angle * 180) / Math.PI, 2)}°, dot product ${fmt(dp, 4)}`;
      readouts[k].dataset.dot = String(dp);
    });
  }

  // ---- full width: D = 64, RoPE versus added sinusoidal positions ----------------------------
  // One seeded row per distinct token of the two sentences (a full 50257-row table would only
  // cost start-up time here).
  const distinct = [...new Set([...idsA, ...idsB])];
  const local = new Map(distinct.map((id, i) => [id, i]));
  const tok64 = new Embedding(distinct.length, HEAD_DIM, { seed: 0 });
  const rowsOf = (ids) => tok64.forward(ids.map((id) => local.get(id)));
  const PE = sinusoidal(idsB.length + MAX_SHIFT, HEAD_DIM);     // every position the shifts need
  const rope64 = new Rope({ headDim: HEAD_DIM, maxPositions: MAX_POS + MAX_SHIFT });
  const table = h('table', { class: 'nums', id: 'rope-table' });
  const driftPlot = h('div', { class: 'plot', id: 'rope-drift' });
  root.append(
    h('h3', { text: 'The same with 64 features' }),
    prose('Real heads have many pairs, each turning at its own speed (θ<sub>i</sub> = 10000<sup>−2i/64</sup>). ' +
      'Below, the two sentences go through <code>Rope.forward</code> as whole sequences ' +
      `([1, seq, 1, ${HEAD_DIM}]), and we take the dot product of the rotated “lion” and “deeply”. For ` +
      'contrast, the same vectors with sinusoidal positions <em>added</em> instead.'),
    h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Dot products of lion and deeply' }, table),
    h('figure', { class: 'figure' }, driftPlot,
      h('figcaption', { text: 'Dot product of “lion” and “deeply” as sentence 2 gets more tokens in front. With RoPE the line is flat; with added positions it wanders.' })),
  );

  function rotatedPair(ids, l, d, off) {
    const x = rowsOf(ids);
    const y = rope64.forward(x, [1, ids.length, 1, HEAD_DIM], { offset: off });
    return dot(y, l, y, d, HEAD_DIM);
  }
  function addedPair(ids, l, d, off) {
    const x = rowsOf(ids);
    for (let i = 0; i < x.length; i++) x[i] += PE[off * HEAD_DIM + i];
    return dot(x, l, x, d, HEAD_DIM);
  }

  function renderTable() {
    const rA = rotatedPair(idsA, lionA, deepA, 0);
    const rB = rotatedPair(idsB, lionB, deepB, shift);
    const row = (label, a, b, id) => h('tr', { id },
      h('th', { text: label }), h('td', { text: fmt(a, 5) }), h('td', { text: fmt(b, 5) }), h('td', { text: fmt(Math.abs(a - b), 2) }));
    const rows = [row('RoPE (rotated)', rA, rB, 'rope-row-rope'),
      row('sinusoidal (added)', addedPair(idsA, lionA, deepA, 0), addedPair(idsB, lionB, deepB, shift), 'rope-row-added')];
    table.replaceChildren(
      h('tr', {}, h('th', { text: 'lion · deeply' }), h('th', { text: 'sentence 1' }),
        h('th', { text: shift ? `sentence 2 (+${shift})` : 'sentence 2' }), h('th', { text: '|difference|' })),
      ...rows);
    table.dataset.ropeA = String(rA);
    table.dataset.ropeB = String(rB);
  }

  const shifts = Array.from({ length: MAX_SHIFT + 1 }, (_, k) => k);
  const ropeLine = shifts.map((k) => rotatedPair(idsB, lionB, deepB, k));
  const addedLine = shifts.map((k) => addedPair(idsB, lionB, deepB, k));
  await lineChart(driftPlot, {
    series: [{ label: 'RoPE' }, { label: 'added sinusoidal' }],
    data: [shifts, ropeLine, addedLine], height: 220, xLabel: 'tokens in front',
  });

  // ---- RoPE inside attention: q and k, and their score matrix ---------------------------------
  // A seeded stand-in for one attention head: q = W_q x and k = W_k x, both rotated by Rope.
  const projections = new Embedding(2 * HEAD_DIM, HEAD_DIM, { seed: 11, std: 1 / Math.sqrt(HEAD_DIM) });
  const WQ = projections.weight.slice(0, HEAD_DIM * HEAD_DIM), WK = projections.weight.slice(HEAD_DIM * HEAD_DIM);
  projections.dispose();
  const project = (x, Wm, n) => {
    const out = new Float32Array(n * HEAD_DIM);
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < HEAD_DIM; o++) {
        let s = 0;
        for (let c = 0; c < HEAD_DIM; c++) s += Wm[o * HEAD_DIM + c] * x[i * HEAD_DIM + c];
        out[i * HEAD_DIM + o] = s;
      }
    }
    return out;
  };
  const labelsA = idsA.map((id) => decode([id])), labelsB = idsB.map((id) => decode([id]));
  const scoreCanvases = [0, 1].map((k) => h('canvas', { class: 'plot', id: `rope-scores-${k}`, role: 'img',
    'aria-label': `Attention scores q·k/√d between every pair of tokens of sentence ${k + 1}; the same numbers are in the table below the figure` }));
  const scoreData = [h('div', {}), h('div', {})];
  const scoreNote = h('p', { id: 'rope-scores-note' });
  root.append(
    h('h3', { text: 'Where the rotation is used: queries, keys and their scores' }),
    prose('In a transformer the rotation is not applied to the embedding once at the bottom. Each attention head makes a ' +
      '<em>query</em> q = W<sub>q</sub>x and a <em>key</em> k = W<sub>k</sub>x from every token, rotates both by the token’s ' +
      'position, and scores every pair by the dot product q<sub>i</sub>·k<sub>j</sub>/√d; the scores decide how much token ' +
      '<em>i</em> takes from token <em>j</em>. It does this in every layer, so position stays fresh all the way up. Below, one ' +
      'head with seeded W<sub>q</sub>, W<sub>k</sub> (64 × 64), and the full score matrix of each sentence. The shift slider above ' +
      'moves sentence 2 further along.'),
    h('div', { class: 'row2' },
      h('figure', { class: 'figure' }, scoreCanvases[0], h('figcaption', { text: 'Sentence 1: query token down, key token across.' }), scoreData[0]),
      h('figure', { class: 'figure' }, scoreCanvases[1], h('figcaption', { text: 'Sentence 2: query token down, key token across.' }), scoreData[1])),
    scoreNote,
  );

  function scores(ids, offset) {
    const n = ids.length;
    const x = rowsOf(ids);
    const q = rope64.forward(project(x, WQ, n), [1, n, 1, HEAD_DIM], { offset });
    const k = rope64.forward(project(x, WK, n), [1, n, 1, HEAD_DIM], { offset });
    const m = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = dot(q, i, k, j, HEAD_DIM) / Math.sqrt(HEAD_DIM);
    return m;
  }

  function drawScores(canvas, m, labels, mark, scale) {
    const n = labels.length;
    const size = Math.min(canvas.parentElement.clientWidth || 300, 380);
    const left = 64, top = 58, grid = size - left - 4, cell = grid / n;
    const { ctx } = fitCanvas(canvas, top + grid + 36, size);
    drawMatrix(ctx, Float32Array.from(m), n, n, left, top, grid, grid, { scale });
    ctx.font = '11px ui-monospace, Menlo, monospace';
    ctx.fillStyle = '#1d232b';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    labels.forEach((t, i) => ctx.fillText(`${t.trim() || '␣'}`.slice(0, 7), left - 4, top + (i + 0.5) * cell));
    labels.forEach((t, j) => {
      ctx.save();
      ctx.translate(left + (j + 0.5) * cell, top - 4);
      ctx.rotate(-Math.PI / 3);
      ctx.textAlign = 'left';
      ctx.fillText(`${t.trim() || '␣'}`.slice(0, 7), 0, 0);
      ctx.restore();
    });
    ctx.strokeStyle = '#7c3aed';
    ctx.lineWidth = 2.5;
    ctx.strokeRect(left + mark[1] * cell + 1, top + mark[0] * cell + 1, cell - 2, cell - 2);
    colourLegend(ctx, left, top + grid + 8, grid, { lo: -scale, hi: scale, label: 'score' });
  }

  function renderScores() {
    const mA = scores(idsA, 0), mB = scores(idsB, shift);
    let scale = 1e-9;
    for (const v of [...mA, ...mB]) scale = Math.max(scale, Math.abs(v));
    drawScores(scoreCanvases[0], mA, labelsA, [lionA, deepA], scale);
    drawScores(scoreCanvases[1], mB, labelsB, [lionB, deepB], scale);
    // the tokens the two sentences share at the same distances: lion, slept, deeply, '.'
    const shared = idsA.map((id, i) => i).filter((i) => i >= lionA);
    let worst = 0;
    for (const i of shared) {
      for (const j of shared) {
        const a = mA[i * idsA.length + j], b = mB[(i - lionA + lionB) * idsB.length + (j - lionA + lionB)];
        worst = Math.max(worst, Math.abs(a - b));
      }
    }
    const a = mA[lionA * idsA.length + deepA], b = mB[lionB * idsB.length + deepB];
    scoreCanvases[0].dataset.scores = JSON.stringify(Array.from(mA));
    scoreCanvases[1].dataset.scores = JSON.stringify(Array.from(mB));
    scoreNote.dataset.maxDiff = String(worst);
    scoreNote.textContent = `The framed cell is the score of query “lion” against key “deeply”: ${fmt(a, 5)} in sentence 1 and ${fmt(b, 5)} in ` +
      `sentence 2${shift ? ` (shifted by ${shift})` : ''}. Over all pairs among “lion slept deeply.”, which sit at the same distances in both, ` +
      `the largest difference is ${fmt(worst, 2)} (float32 rounding): the scores depend only on how far apart two tokens are. ` +
      'Rows and columns of the other tokens differ because those tokens differ.';
    const tableOf = (m, labels, k, id) => dataTable(`Scores of sentence ${k} as a table`, ['query \\ key', ...labels.map((t) => t.trim() || '␣')],
      labels.map((t, i) => [t.trim() || '␣', ...Array.from(m.subarray(i * labels.length, (i + 1) * labels.length))]), id);
    scoreData[0].replaceChildren(tableOf(mA, labelsA, 1, 'rope-scores-0-data'));
    scoreData[1].replaceChildren(tableOf(mB, labelsB, 2, 'rope-scores-1-data'));
  }

  function render() { render2d(); renderTable(); renderScores(); scalingMarker?.(); }
  let scalingMarker = null;
  shiftIn.addEventListener('input', () => { shift = Number(shiftIn.value); render(); });
  onWidthChange(root, () => { render2d(); renderScores(); });
  render();

  // ---- pairing conventions -------------------------------------------------------------------
  const pairing = h('canvas', { class: 'plot', id: 'rope-pairing', role: 'img',
    'aria-label': 'Which features are rotated together: half-split pairs i with i + D/2, interleaved pairs 2i with 2i + 1' });
  const pairCheck = h('p', { class: 'note', id: 'rope-pair-check' });
  root.append(
    h('h3', { text: 'Which features make a pair?' }),
    prose('“Rotate each pair” leaves open which two features form a pair, and real code disagrees. GPT-NeoX and ' +
      'Hugging Face’s Llama pair feature <em>i</em> with <em>i</em> + D/2 (“half-split”, the ' +
      '<code>rotate_half</code> trick); GPT-J, the RoFormer paper and Meta’s original Llama code pair neighbours ' +
      '2<em>i</em> and 2<em>i</em>+1 (“interleaved”). Both are the same rotation after reordering the features, ' +
      'but loading weights trained one way into code written the other way silently breaks a model.'),
    h('figure', { class: 'figure' }, pairing, h('figcaption', { text: 'D = 8. Same colour = rotated together, at the same speed.' })),
    pairCheck,
  );

  function drawPairing() {
    const D = 8;
    const { ctx, w } = fitCanvas(pairing, 160);
    const cell = Math.min(48, (w - 130) / D);
    const x0 = 120;
    ctx.font = '13px system-ui, sans-serif';
    ctx.textBaseline = 'middle';
    const rowsY = [52, 120];
    ['half-split', 'interleaved'].forEach((name, r) => {
      const y = rowsY[r];
      ctx.fillStyle = '#1d232b';
      ctx.textAlign = 'left';
      ctx.fillText(name, 0, y + cell / 2 - 6);
      for (let f = 0; f < D; f++) {
        const p = r === 0 ? f % (D / 2) : f >> 1;
        ctx.fillStyle = SERIES_COLOURS[p];
        ctx.globalAlpha = 0.85;
        ctx.fillRect(x0 + f * cell + 2, y - 6, cell - 4, cell - 12);
        ctx.globalAlpha = 1;
        ctx.fillStyle = '#fff';
        ctx.textAlign = 'center';
        ctx.fillText(String(f), x0 + f * cell + cell / 2, y + cell / 2 - 12);
      }
      for (let p = 0; p < D / 2; p++) {
        const [a, b] = r === 0 ? [p, p + D / 2] : [2 * p, 2 * p + 1];
        const xa = x0 + a * cell + cell / 2, xb = x0 + b * cell + cell / 2;
        ctx.strokeStyle = SERIES_COLOURS[p];
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(xa, y - 8);
        const lift = r === 1 ? 14 : 14 + p * 7;
        ctx.bezierCurveTo(xa, y - 8 - lift, xb, y - 8 - lift, xb, y - 8);
        ctx.stroke();
      }
    });
  }
  // Check with the kernels: the interleaved rotation of x equals the half-split rotation of the
  // reordered x, reordered back.
  {
    const x = rowsOf([idsA[lionA]]);
    const half = new Rope({ headDim: HEAD_DIM, maxPositions: 16 });
    const inter = new Rope({ headDim: HEAD_DIM, maxPositions: 16, interleaved: true });
    const perm = new Float32Array(HEAD_DIM);      // interleaved order -> half-split order
    for (let i = 0; i < HEAD_DIM / 2; i++) { perm[i] = x[2 * i]; perm[i + HEAD_DIM / 2] = x[2 * i + 1]; }
    const yi = inter.forward(x, [1, 1, 1, HEAD_DIM], { offset: 7 });
    const yh = half.forward(perm, [1, 1, 1, HEAD_DIM], { offset: 7 });
    let worst = 0;
    for (let i = 0; i < HEAD_DIM / 2; i++) {
      worst = Math.max(worst, Math.abs(yi[2 * i] - yh[i]), Math.abs(yi[2 * i + 1] - yh[i + HEAD_DIM / 2]));
    }
    pairCheck.textContent = `Checked with the kernels at position 7, D = ${HEAD_DIM}: interleaved RoPE of a vector equals ` +
      `half-split RoPE of the same vector with its features reordered; largest difference ${fmt(worst, 2)}.`;
    half.dispose();
    inter.dispose();
  }
  drawPairing();
  onWidthChange(pairing.parentElement, drawPairing);

  // ---- scaling: frequency curves, interactive ---------------------------------------------------
  const freqPlot = h('div', { class: 'plot', id: 'rope-freqs' });
  const typeIn = h('select', { id: 'rope-scale-type', 'aria-label': 'Scaling scheme' },
    ...[['linear', 'linear (position interpolation)'], ['dynamic', 'dynamic NTK'], ['yarn', 'YaRN'], ['llama3', 'Llama 3']]
      .map(([value, text]) => h('option', { value, text })));
  const factorIn = h('input', { type: 'range', id: 'rope-scale-factor', min: 1, max: 32, step: 1, value: 4, 'aria-label': 'Stretch factor' });
  const factorOut = h('output', { for: 'rope-scale-factor' });
  const lenIn = h('input', { type: 'range', id: 'rope-scale-len', min: 9, max: 15, step: 1, value: 12, 'aria-label': 'Trained context length (power of two)' });
  const lenOut = h('output', { for: 'rope-scale-len' });
  const scaleNote = h('p', { class: 'note', id: 'rope-scale-note', 'aria-live': 'polite' });
  const scaleData = h('div', {});
  root.append(
    h('h3', { text: 'Stretching RoPE to longer texts' }),
    prose('Each pair turns at its own speed, so each has a wavelength: how many tokens it takes to go once ' +
      'around. The fastest pair repeats every 6 tokens, the slowest only after tens of thousands. A model ' +
      'trained on texts of some length has never seen the slow pairs turn past a certain angle, so feeding it longer ' +
      'text shows it angles it does not know. Scaling schemes slow the rotation down: <em>linear</em> ' +
      '(position interpolation) divides every speed by the factor; <em>dynamic NTK</em> raises the base so ' +
      'fast pairs barely change and slow pairs stretch the most; <em>YaRN</em> and <em>Llama 3</em> leave fast ' +
      'pairs alone, stretch slow ones fully, and blend in between. Pick a scheme, a factor and the length the model was ' +
      'trained on; the curves are read from <code>Rope.invFreq</code>.'),
    h('div', { class: 'controls' }, h('label', { for: 'rope-scale-type' }, 'scheme ', typeIn),
      h('label', { for: 'rope-scale-factor' }, 'factor ', factorIn, factorOut),
      h('label', { for: 'rope-scale-len' }, 'trained length ', lenIn, lenOut)),
    h('figure', { class: 'figure' }, freqPlot,
      h('figcaption', { text: 'Wavelength 2π/θ of each pair (log scale), head size 128. Grey dotted: the trained length; green dashed: trained length × factor, the length the scheme aims at; purple: the position of “deeply” in sentence 2 with the current shift from the slider above (pairs below it have already gone round at least once there).' }),
      scaleData),
    scaleNote,
  );
  const HD = 128;
  const pairsX = Array.from({ length: HD / 2 }, (_, i) => i);
  function wavelengths(scaling, orig) {
    // Only the frequencies are needed, so static kinds get a tiny table; dynamic picks its
    // frequencies per call from the sequence length, so it is asked for one as long as the target.
    const long = scaling?.type === 'dynamic' ? Math.max(2, Math.round(scaling.factor * orig)) : 2;
    const r = new Rope({ headDim: HD, maxPositions: long, scaling });
    try {
      if (scaling?.type === 'dynamic') r.forward(new Float32Array(HD), [1, 1, 1, HD], { positions: [long - 1] });
      return Array.from(r.invFreq, (f) => (2 * Math.PI) / f);
    } finally {
      r.dispose();
    }
  }
  const base = wavelengths(null, 4096);
  const chart = await lineChart(freqPlot, {
    series: [{ label: 'no scaling' }, { label: 'scaled' }, { label: 'trained length', colour: '#8b95a1', dash: [3, 4], width: 1.5 },
      { label: 'target length', colour: '#15803d', dash: [8, 4], width: 1.5 }, { label: 'current position', colour: '#7c3aed', width: 1.5 }],
    data: [pairsX, ...Array.from({ length: 5 }, () => pairsX.map(() => 1))],
    height: 260, xLabel: 'pair index i', yLabel: 'wavelength (tokens)', yIncrs: [1], yFormat: (v) => compact(10 ** v),
  });
  function renderScaling() {
    const type = typeIn.value, factor = Number(factorIn.value), orig = 2 ** Number(lenIn.value);
    sliderText(factorIn, factorOut, `×${factor}`);
    sliderText(lenIn, lenOut, int(orig));
    const scaling = type === 'linear' ? { type, factor }
      : type === 'dynamic' ? { type, factor, originalMaxPositions: orig }
        : type === 'yarn' ? { type, factor, originalMaxPositions: orig }
          : { type, factor, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: orig };
    const scaled = wavelengths(scaling, orig);
    const here = deepB + shift;
    const log = (a) => a.map((v) => Math.log10(v));
    chart.set([pairsX, log(base), log(scaled), pairsX.map(() => Math.log10(orig)), pairsX.map(() => Math.log10(orig * factor)),
      pairsX.map(() => Math.log10(Math.max(1, here)))]);
    freqPlot.dataset.scaled = JSON.stringify(scaled);
    freqPlot.dataset.here = String(here);
    const untouched = scaled.filter((v, i) => Math.abs(v / base[i] - 1) < 1e-6).length;
    const full = scaled.filter((v, i) => Math.abs(v / base[i] - factor) < 1e-6 * factor).length;
    scaleNote.textContent = `${type === 'linear' ? 'Linear' : type === 'dynamic' ? 'Dynamic NTK' : type === 'yarn' ? 'YaRN' : 'Llama 3'} ×${factor} ` +
      `on a model trained on ${int(orig)} tokens: ${untouched} of ${HD / 2} pairs keep their speed, ${full} are slowed by the full factor, ` +
      `the other ${HD / 2 - untouched - full} by something in between. ` +
      `Pairs whose wavelength is below the purple line (position ${here}) have turned at least once by “deeply”.`;
    scaleData.replaceChildren(dataTable('The wavelengths as a table', ['pair', 'no scaling', 'scaled'],
      pairsX.filter((i) => i % 8 === 0 || i === HD / 2 - 1).map((i) => [String(i), base[i], scaled[i]]), 'rope-scale-data'));
  }
  scalingMarker = renderScaling;
  for (const el of [typeIn, factorIn, lenIn]) el.addEventListener('input', renderScaling);
  renderScaling();
}
