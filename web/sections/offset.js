/**
 * @fileoverview Section 5, "Position as an offset": embedkit's InputEmbedding adds a position
 * vector to each token vector. With D = 2 both are arrows in the plane: the token arrow says
 * which word, the position arrow moves it to where the word stands. Teaches: the same word at
 * two positions starts from the same point and ends at two different points; learned position
 * vectors are arbitrary (random until trained), sinusoidal ones walk around a circle.
 */

import { InputEmbedding, sinusoidal } from 'embedkit';
import { decode } from 'gpt-tokenizer/r50k_base';
import { h, prose, fitCanvas, arrow, onWidthChange, fmt, int, sliderText, planeTicks } from '../ui.js';
import { showToken, gpt2Ids } from './lookup.js';

const VOCAB = 50257;
const MAX_POS = 16;
const SEED = 16;

/** Rows of a [n, dim] array, as strings of their exact bits, sorted: the multiset of vectors. */
function vectorSet(a, n, dim) {
  const rows = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(new Uint32Array(a.slice(i * dim, i * dim + dim).buffer), (b) => b.toString(16)).join(','));
  return rows.sort();
}

export function mount(root) {
  mountOrder(root);
  root.append(prose('The token table answers “which word?”, never “where?”. A model that only saw ' +
    'token vectors could not tell “the lion ate the gazelle” from “the gazelle ate the lion”. The fix in ' +
    'GPT-2 is a second table indexed by position: row 0 for the first slot, row 1 for the second, and so ' +
    'on. The layer looks up both and adds them. You can read the position vector as an offset that ' +
    'nudges the word’s point to a spot that also says where it stands.'));

  let mode = 'learned';
  let layer = null;
  let ids = [];
  let tok = new Float32Array(0), pos = new Float32Array(0), sum = new Float32Array(0);
  let focus = -1;

  const input = h('input', { type: 'text', id: 'offset-text', value: 'the lion chased the deer past the dog',
    'aria-label': 'Sentence for the position picture', autocomplete: 'off', spellcheck: 'false' });
  const radios = h('div', { class: 'controls choices', role: 'radiogroup', 'aria-label': 'Kind of position vectors' },
    ...[['learned', 'learned positions (a second table, random until trained)'], ['sinusoidal', 'sinusoidal positions (a formula)']]
      .map(([value, text]) => h('label', {}, h('input', { type: 'radio', name: 'offset-mode', value, checked: value === mode }), text)));
  const chips = h('div', { class: 'chips', id: 'offset-chips', role: 'group', 'aria-label': 'Highlight one token' });
  const plane = h('canvas', { class: 'plot', id: 'offset-plane', role: 'img',
    'aria-label': 'Token vectors plus position vectors drawn as arrows in two dimensions' });
  const readout = h('p', { class: 'note', id: 'offset-readout', 'aria-live': 'polite' });

  root.append(
    h('label', { for: 'offset-text', text: 'Sentence (up to 16 tokens):' }), input, radios,
    h('figure', { class: 'figure' }, plane,
      h('figcaption', { text: 'Solid arrow: the token vector. Dashed arrow: the position vector added to it. Dot: the sum, what the next layer receives. D = 2 so it fits on paper; real models do this in hundreds of dimensions.' })),
    chips, readout);

  function build() {
    layer?.dispose();
    layer = new InputEmbedding({ vocabSize: VOCAB, maxPositions: MAX_POS, dim: 2, position: mode, seed: SEED });
  }

  function compute() {
    ids = gpt2Ids(input.value).slice(0, MAX_POS);
    const n = ids.length;
    tok = n ? layer.token.forward(ids) : new Float32Array(0);
    pos = mode === 'learned'
      ? (n ? layer.position.forward(ids.map((_, i) => i)) : new Float32Array(0))
      : sinusoidal(Math.max(n, 1), 2).subarray(0, 2 * n);
    sum = n ? layer.forward(ids, [1, n]) : new Float32Array(0);
  }

  const colour = (i) => `hsl(${(i * 137.5) % 360} 65% 40%)`;

  function draw() {
    const n = ids.length;
    const width = plane.parentElement.clientWidth || 500;
    const size = Math.min(width, 560);
    const { ctx, w, h: H } = fitCanvas(plane, size);
    let r = 1;
    for (let i = 0; i < 2 * n; i++) r = Math.max(r, Math.abs(tok[i]), Math.abs(sum[i]));
    r *= 1.15;
    const sx = (x) => w / 2 + (x / r) * (Math.min(w, H) / 2 - 8);
    const sy = (y) => H / 2 - (y / r) * (Math.min(w, H) / 2 - 8);
    ctx.strokeStyle = '#d9dde3';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, sy(0)); ctx.lineTo(w, sy(0));
    ctx.moveTo(sx(0), 0); ctx.lineTo(sx(0), H);
    ctx.stroke();
    planeTicks(ctx, sx, sy, r, w, H, 'dimension 0', 'dimension 1');
    ctx.font = '13px ui-monospace, Menlo, monospace';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < n; i++) {
      const dim = focus >= 0 && focus !== i && ids[focus] !== ids[i];
      ctx.globalAlpha = dim ? 0.18 : 1;
      const c = colour(ids.indexOf(ids[i]));
      const [tx, ty, fx, fy] = [tok[2 * i], tok[2 * i + 1], sum[2 * i], sum[2 * i + 1]];
      arrow(ctx, sx(0), sy(0), sx(tx), sy(ty), c, 2.5);
      ctx.setLineDash([5, 4]);
      arrow(ctx, sx(tx), sy(ty), sx(fx), sy(fy), c, 1.8);
      ctx.setLineDash([]);
      ctx.beginPath();
      ctx.arc(sx(fx), sy(fy), 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = c;
      ctx.fill();
      ctx.fillText(`${decode([ids[i]]).trim()} @${i}`, sx(fx) + 7, sy(fy) - 8);
    }
    ctx.globalAlpha = 1;
    plane.dataset.sum = JSON.stringify(Array.from(sum));
  }

  function renderChips() {
    chips.replaceChildren(...ids.map((id, i) => h('button', {
      type: 'button', class: 'chip', 'aria-pressed': String(focus === i), title: 'Highlight this token',
      onclick: () => { focus = focus === i ? -1 : i; renderChips(); draw(); explain(); },
    }, h('span', { class: 'tok', text: showToken(decode([id])) }), h('span', { class: 'id', text: `pos ${i}` }))));
  }

  function explain() {
    const i = focus >= 0 ? focus : ids.findIndex((id, k) => ids.indexOf(id) !== k);
    if (i < 0 || !ids.length) {
      readout.textContent = 'Use a word twice to see one token vector end up in two places.';
      return;
    }
    const v = (a, k) => `(${fmt(a[2 * k], 2)}, ${fmt(a[2 * k + 1], 2)})`;
    const same = ids.flatMap((id, k) => (id === ids[i] ? [k] : []));
    readout.textContent = `“${decode([ids[i]]).trim()}” ` + same.map((k) =>
      `at position ${k}: token ${v(tok, k)} + position ${v(pos, k)} = ${v(sum, k)}`).join('; ') +
      (same.length > 1 ? '. Same start, different ends.' : '.');
  }

  function render(first = false) {
    compute();
    if (focus >= ids.length) focus = -1;
    if (first) focus = ids.findIndex((id, k) => ids.indexOf(id) !== k);  // start on a repeated word
    renderChips();
    draw();
    explain();
  }

  radios.addEventListener('change', (e) => { mode = e.target.value; build(); render(); });
  input.addEventListener('input', render);
  onWidthChange(root, draw);
  build();
  render(true);
  mountLimits(root);
}

/**
 * Word order: the same words in two orders go through InputEmbedding with position 'none' and
 * 'learned'. Without positions the two outputs are the same set of rows (compared bit for bit
 * after sorting), so a layer that treats its input as a set, as attention does, cannot tell them
 * apart; with positions they differ.
 */
function mountOrder(root) {
  const ORDERS = ['the dog bit the man', 'the man bit the dog'];
  const toggle = h('input', { type: 'checkbox', id: 'order-positions', role: 'switch' });
  const out = h('div', { id: 'order-result', 'aria-live': 'polite' });
  root.append(
    h('h3', { text: 'Why the model needs positions at all' }),
    prose('The layers after the embedding (attention, next week) compare every token with every other token and ' +
      'add up the results. Shuffle the input rows and they compute the same things, just shuffled: they see a ' +
      '<em>set</em> of vectors, not a sequence. So unless something in the vectors themselves says where each token ' +
      'stands, two sentences with the same words in a different order look identical. Try it:'),
    h('div', { class: 'controls' }, h('label', { for: 'order-positions' }, toggle, 'add position vectors')),
    out);
  const layers = {};
  const render = () => {
    const mode = toggle.checked ? 'learned' : 'none';
    layers[mode] ??= new InputEmbedding({ vocabSize: VOCAB, maxPositions: MAX_POS, dim: 8, position: mode, seed: SEED });
    const sets = ORDERS.map((t) => {
      const ids = gpt2Ids(t);
      return { ids, set: vectorSet(layers[mode].forward(ids, [1, ids.length]), ids.length, 8) };
    });
    const same = sets[0].set.length === sets[1].set.length && sets[0].set.every((r, i) => r === sets[1].set[i]);
    out.dataset.same = String(same);
    out.replaceChildren(
      h('ul', {}, ...ORDERS.map((t, k) => h('li', {}, h('q', { text: t }), ` → ${sets[k].ids.length} vectors of D = 8`))),
      h('p', { class: same ? 'warn' : 'callout' }, same
        ? 'Without positions: sorted, the two lists of vectors are identical, bit for bit. Whatever comes next sees the same input for both sentences, so it cannot know who bit whom.'
        : 'With positions: the lists differ. “dog” at position 1 and “dog” at position 4 are now different vectors, and so are the two sentences.'));
  };
  toggle.addEventListener('change', render);
  render();
}

/**
 * The learned position table's cost and limit: S x D parameters, and what happens past S
 * (InputEmbedding refuses: there is no row to look up), against the sinusoidal formula,
 * which has a value for any position.
 */
function mountLimits(root) {
  const sIn = h('input', { type: 'range', id: 'limits-s', min: 6, max: 17, step: 1, value: 10, 'aria-label': 'Maximum sequence length S (power of two)' });
  const sOut = h('output', { for: 'limits-s' });
  const dIn = h('input', { type: 'range', id: 'limits-d', min: 6, max: 14, step: 1, value: 10, 'aria-label': 'Vector length D (power of two)' });
  const dOut = h('output', { for: 'limits-d' });
  const count = h('p', { id: 'limits-count' });
  const past = h('div', { id: 'limits-past', 'aria-live': 'polite' });
  root.append(
    h('h3', { text: 'A learned table: S × D numbers, and nothing past S' }),
    prose('A learned position table is an embedding table like the token table, with one row per position instead of per ' +
      'token. It must be sized for the longest input the model will ever take, <em>S</em>, and every one of its ' +
      '<em>S × D</em> numbers has to be learned from text that is long enough to reach that position.'),
    h('div', { class: 'controls' },
      h('label', { for: 'limits-s' }, 'S ', sIn, sOut), h('label', { for: 'limits-d' }, 'D ', dIn, dOut)),
    count, past);
  const render = () => {
    const S = 2 ** Number(sIn.value), D = 2 ** Number(dIn.value);
    sliderText(sIn, sOut, int(S));
    sliderText(dIn, dOut, int(D));
    count.dataset.count = String(S * D);
    count.textContent = `${int(S)} positions × ${int(D)} dimensions = ${int(S * D)} learned numbers (${fmt((S * D * 4) / 2 ** 20, 1)} MiB as float32). ` +
      'GPT-2 has S = 1,024 and D = 768: 786,432 of them.';
    // What the library does at position S: a small table of the same S (D kept small to stay cheap).
    const small = Math.min(D, 8);
    const layer = new InputEmbedding({ vocabSize: 16, maxPositions: S, dim: small, position: 'learned', seed: SEED });
    let msg;
    try {
      layer.forward([1], [1, 1], { offset: S });
      msg = 'no error (unexpected)';
    } catch (err) {
      msg = `${err.name}: ${err.message}`;
    } finally {
      layer.dispose();
    }
    const last = sinusoidal(S + 1, small).subarray(S * small, S * small + small);
    past.dataset.error = msg;
    past.replaceChildren(
      h('p', {}, `Ask a learned table of S = ${int(S)} for position ${int(S)} (the ${int(S + 1)}th token) and embedkit’s InputEmbedding refuses:`),
      h('pre', { class: 'mono scroll-x', tabindex: '0', text: msg }),
      h('p', {}, `There is no row for it; a model with a learned table simply cannot read longer text. The sinusoidal formula of the next section ` +
        `has an answer for any position; at position ${int(S)} its first ${small} values are [${Array.from(last, (v) => fmt(v, 3)).join(', ')}]. ` +
        'Whether a model trained on shorter text can make sense of them is another matter (section 9, on stretching RoPE).'));
  };
  sIn.addEventListener('input', render);
  dIn.addEventListener('input', render);
  render();
}
