/**
 * @fileoverview Section 2, "The space the vectors live in": the N-dimensional view of an
 * embedding. The word vectors of the word2vec run (section 3, embedkit's Word2Vec in a Web
 * Worker) are flattened to 2-D with PCA (ml-pca, bundled locally) and drawn as a map; a search
 * box lists a word's nearest neighbours by cosine similarity (embedkit's Neighbors) and lights
 * them up on the map. Before training has run, the vectors are the trainer's random starting
 * values, and the page says so.
 */

import { PCA } from 'ml-pca';
import { h, prose, fitCanvas, onWidthChange, fmt, int } from '../ui.js';
import * as w2v from '../w2v-client.js';

const FROM_RANK = 40;          // skip the most frequent words (the, of, and, ...)
const N_MAP = 600;             // words drawn on the map
const LABELLED = ['whale', 'ship', 'sea', 'boat', 'captain', 'ahab', 'starbuck', 'stubb', 'queequeg', 'harpoon',
  'ocean', 'water', 'night', 'day', 'head', 'hand', 'eyes', 'white', 'black', 'three', 'two', 'four', 'god',
  'men', 'man', 'deck', 'sperm', 'oil', 'wind', 'land'];

export function mount(root) {
  const intro = prose('The lookup table has a second reading. Each row is a list of <em>D</em> numbers, so it is a point in ' +
    'a <em>D</em>-dimensional space, and two words are “close” when their arrows point the same way. The ' +
    'usual measure is the cosine of the angle between them: 1 for the same direction, 0 for unrelated, ' +
    '−1 for opposite. A useful table puts words that are used alike near each other: names near names, ' +
    'numbers near numbers, “boat” near “oar”.');
  root.append(intro);
  const state = h('p', { class: 'warn', id: 'space-state', 'aria-live': 'polite', text: 'Waiting for the word vectors…' });
  const search = h('input', { type: 'search', id: 'space-search', value: 'whale', 'aria-label': 'Find a word and its neighbours',
    autocomplete: 'off', spellcheck: 'false', list: 'space-words' });
  const datalist = h('datalist', { id: 'space-words' });
  const map = h('canvas', { class: 'plot', id: 'space-map', role: 'img', 'aria-label': 'Word vectors projected to two dimensions' });
  const list = h('ol', { class: 'neighbours', id: 'space-neighbours', 'aria-live': 'polite' });
  const note = h('p', { class: 'note', id: 'space-note' });

  root.append(
    state,
    h('div', { class: 'controls' }, h('label', { for: 'space-search' }, 'find a word ', search), datalist),
    h('div', { class: 'row2' },
      h('figure', { class: 'figure' }, map, h('figcaption', { text:
        `The ${N_MAP} words after the ${FROM_RANK} most common, flattened from D dimensions to the two directions ` +
        'along which they spread most (principal component analysis). Distances on a flat map are only a hint; the list uses all D dimensions.' })),
      h('div', {}, h('h3', { text: 'Nearest by cosine similarity' }), list, note)),
  );

  let shownWords = null;      // the vocabulary the datalist and word index were built for
  let pca = null, prevVecs = null;
  let coords = null;          // Float64Array(2 * nWords) projections for every word
  let wordIndex = new Map();

  function unitRows(weight, dim, ids) {
    return ids.map((id) => {
      const row = Array.from(weight.subarray(id * dim, id * dim + dim));
      const n = Math.hypot(...row) || 1;
      return row.map((x) => x / n);
    });
  }

  function project() {
    const { weight, words, options } = w2v.run;
    const dim = options.dim;
    const nWords = words.length;
    const mapIds = Array.from({ length: Math.min(N_MAP, nWords - FROM_RANK) }, (_, i) => FROM_RANK + i);
    pca = new PCA(unitRows(weight, dim, mapIds), { center: true });
    // Keep the map from flipping between updates: orient each axis like the previous one.
    const ev = pca.getEigenvectors();
    const vecs = [0, 1].map((c) => Array.from({ length: dim }, (_, j) => ev.get(j, c)));
    const flip = vecs.map((v, c) => (prevVecs && v.reduce((s, x, j) => s + x * prevVecs[c][j], 0) < 0 ? -1 : 1));
    prevVecs = vecs.map((v, c) => v.map((x) => x * flip[c]));
    const all = pca.predict(unitRows(weight, dim, Array.from({ length: nWords }, (_, i) => i)), { nComponents: 2 });
    coords = new Float64Array(2 * nWords);
    for (let i = 0; i < nWords; i++) { coords[2 * i] = all.get(i, 0) * flip[0]; coords[2 * i + 1] = all.get(i, 1) * flip[1]; }
    return mapIds;
  }

  let mapIds = [];
  function draw(focus = [], query = -1) {
    if (!coords) return;
    const width = map.parentElement.clientWidth || 400;
    const size = Math.min(width, 520);
    const { ctx, w, h: H } = fitCanvas(map, size);
    let mx = 1e-9, my = 1e-9;
    for (const id of mapIds) { mx = Math.max(mx, Math.abs(coords[2 * id])); my = Math.max(my, Math.abs(coords[2 * id + 1])); }
    const sx = (x) => w / 2 + (x / mx) * (w / 2 - 12);
    const sy = (y) => H / 2 - (y / my) * (H / 2 - 12);
    ctx.fillStyle = '#fbfaf7';
    ctx.fillRect(0, 0, w, H);
    ctx.fillStyle = '#9aa4b1';
    for (const id of mapIds) ctx.fillRect(sx(coords[2 * id]) - 1.5, sy(coords[2 * id + 1]) - 1.5, 3, 3);
    // Labels: the query and its neighbours first, then well-known words where there is room.
    const placed = [];
    const label = (text, x, y, colour, font, force) => {
      ctx.font = font;
      const tw = ctx.measureText(text).width;
      const bx = Math.max(1, Math.min(w - tw - 2, x + 5)), by = Math.max(12, y - 4);
      const box = [bx - 1, by - 11, bx + tw + 1, by + 2];
      if (!force && placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) return;
      placed.push(box);
      ctx.fillStyle = colour;
      ctx.fillText(text, bx, by);
    };
    for (const id of focus) {
      ctx.strokeStyle = 'rgba(194,65,12,0.45)';
      ctx.beginPath();
      ctx.moveTo(sx(coords[2 * query]), sy(coords[2 * query + 1]));
      ctx.lineTo(sx(coords[2 * id]), sy(coords[2 * id + 1]));
      ctx.stroke();
    }
    for (const id of [query, ...focus]) {
      if (id < 0) continue;
      const x = sx(coords[2 * id]), y = sy(coords[2 * id + 1]);
      ctx.fillStyle = id === query ? '#1f6feb' : '#c2410c';
      ctx.beginPath();
      ctx.arc(x, y, id === query ? 5 : 4, 0, 2 * Math.PI);
      ctx.fill();
    }
    for (const id of [query, ...focus]) {
      if (id < 0) continue;
      label(w2v.run.words[id], sx(coords[2 * id]), sy(coords[2 * id + 1]), id === query ? '#1f6feb' : '#c2410c',
        `${id === query ? 'bold ' : ''}13px system-ui, sans-serif`, id === query);
    }
    for (const word of LABELLED) {
      const id = wordIndex.get(word);
      if (id === undefined || focus.includes(id) || id === query) continue;
      label(word, sx(coords[2 * id]), sy(coords[2 * id + 1]), '#5b6673', '11px system-ui, sans-serif', false);
    }
  }

  function lookup() {
    const nb = w2v.run.neighbours;
    if (!nb) return;
    const q = search.value.trim().toLowerCase();
    const id = wordIndex.get(q);
    if (id === undefined) {
      list.replaceChildren();
      note.textContent = q ? `“${q}” is not in the vocabulary (words used fewer than 5 times were dropped).` : '';
      draw();
      return;
    }
    const near = nb.nearest(id, { k: 10 });
    list.replaceChildren(...near.map((n) => h('li', { 'data-id': n.id },
      h('button', { type: 'button', class: 'linklike', text: n.word, onclick: () => { search.value = n.word; lookup(); } }),
      ' ', h('span', { class: 'note', text: fmt(n.score, 3) }))));
    note.textContent = `“${q}” was used ${int(w2v.run.counts[id])} times in the book.`;
    list.dataset.query = q;
    draw(near.map((n) => n.id), id);
  }

  function describe() {
    const p = w2v.run.progress;
    if (!p || p.wordsDone === 0) {
      state.className = 'warn';
      state.textContent = 'These vectors are random: they are the trainer’s starting values and nothing has been ' +
        'learned yet, so the neighbours below are accidents. Start the training in section 3 and watch this map ' +
        'and the list sort themselves out.';
    } else {
      state.className = p.done ? 'callout' : 'warn';
      state.textContent = p.done
        ? `Learned from ${int(p.wordsDone)} words of Moby-Dick (${w2v.run.options.epochs} passes, ${w2v.run.options.mode === 'cbow' ? 'CBOW' : 'skip-gram'}, D = ${w2v.run.options.dim}).`
        : `${w2v.run.running ? 'Training in progress' : 'Training paused'}: ${fmt(100 * p.fraction, 0)}% of ${int(p.totalWords)} words read. ${w2v.run.running ? 'The map follows along.' : 'Resume it in section 3.'}`;
    }
  }

  function refresh() {
    const { weight, words } = w2v.run;
    if (!weight) return;
    if (shownWords !== words) {     // a new run (setup): new vocabulary, new map orientation
      shownWords = words;
      wordIndex = new Map(words.map((w, i) => [w, i]));
      datalist.replaceChildren(...words.slice(0, 1500).map((w) => h('option', { value: w })));
      prevVecs = null;
    }
    mapIds = project();
    describe();
    lookup();
  }

  let pending = false;
  const soon = () => {           // coalesce bursts of updates into one redraw per frame
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; refresh(); });
  };
  w2v.on('ready', soon);
  w2v.on('vectors', soon);
  w2v.on('progress', ({ progress }) => { if (progress.done) soon(); });
  w2v.on('state', () => { if (w2v.run.weight) describe(); });
  search.addEventListener('input', lookup);
  onWidthChange(root, lookup);
  if (w2v.run.weight) refresh();
}
