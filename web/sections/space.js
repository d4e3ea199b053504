/**
 * @fileoverview Section 2, "The space the vectors live in": an explorer of word vectors. It opens
 * on vectors that embedkit trained on Moby-Dick when the page was built (web/build-lib.js, the
 * same run section 3 trains live), and switches to the live run's vectors (embedkit's Word2Vec
 * in a Web Worker) once the reader starts training. The vectors are flattened to 2-D with PCA
 * (ml-pca) and drawn as a map with hover/tap labels and a zoom on the query; a search lists the
 * nearest neighbours by cosine similarity (embedkit's Neighbors) with each word's frequency; an
 * analogy box runs Neighbors.analogy; and a measurement shows why rare words get near-1 junk
 * neighbours.
 */

import { PCA } from 'ml-pca';
import { h, prose, fitCanvas, onWidthChange, fmt, int, dataTable, sliderText } from '../ui.js';
import * as w2v from '../w2v-client.js';
import { SETTINGS } from '../w2v-settings.js';
import { prebuiltVectors } from '../prebuilt.js';

const FROM_RANK = 40;          // skip the most frequent words (the, of, and, ...)
const N_MAP = 600;             // words drawn on the map
const K = 10;
const LABELLED = ['whale', 'ship', 'sea', 'boat', 'captain', 'ahab', 'starbuck', 'stubb', 'queequeg', 'harpoon',
  'ocean', 'water', 'night', 'day', 'head', 'hand', 'eyes', 'white', 'black', 'three', 'two', 'four', 'god',
  'men', 'man', 'deck', 'sperm', 'oil', 'wind', 'land'];
const RARE_SAMPLE = 60;

export async function mount(root) {
  root.append(prose('The lookup table has a second reading. Each row is a list of <em>D</em> numbers, so it is a point in ' +
    'a <em>D</em>-dimensional space, and two words are “close” when their arrows point the same way. The ' +
    'usual measure is the cosine of the angle between them: 1 for the same direction, 0 for unrelated, ' +
    '−1 for opposite. A useful table puts words that are used alike near each other: names near names, ' +
    'numbers near numbers, “boat” near “oar”. The vectors below were learned from <em>Moby-Dick</em> by word2vec ' +
    '(section 3 shows how, and can redo it live).'));
  const state = h('p', { class: 'callout', id: 'space-state', 'aria-live': 'polite', text: 'Loading the word vectors…' });
  const sourceIn = h('div', { class: 'controls choices', role: 'radiogroup', 'aria-label': 'Which vectors to explore' },
    h('label', {}, h('input', { type: 'radio', name: 'space-source', value: 'prebuilt', checked: true }), 'trained when this page was built'),
    h('label', {}, h('input', { type: 'radio', name: 'space-source', value: 'live', disabled: true }), 'the live run of section 3'));
  const search = h('input', { type: 'search', id: 'space-search', value: 'whale', 'aria-label': 'Find a word and its neighbours',
    autocomplete: 'off', spellcheck: 'false', list: 'space-words' });
  const datalist = h('datalist', { id: 'space-words' });
  const zoomIn = h('input', { type: 'range', id: 'space-zoom', min: 0, max: 3, step: 0.25, value: 0, 'aria-label': 'Zoom into the query’s neighbourhood' });
  const zoomOut = h('output', { for: 'space-zoom' });
  const map = h('canvas', { class: 'plot', id: 'space-map', role: 'img',
    'aria-label': 'Word vectors projected to two dimensions; the list of nearest words beside it gives the same information as text' });
  const tip = h('div', { class: 'tip', id: 'space-tip', role: 'status', hidden: true });
  const list = h('ol', { class: 'neighbours', id: 'space-neighbours', 'aria-live': 'polite' });
  const note = h('p', { class: 'note', id: 'space-note' });
  const coordData = h('div', {});

  root.append(
    state, sourceIn,
    h('div', { class: 'controls' }, h('label', { for: 'space-search' }, 'find a word ', search), datalist,
      h('label', { for: 'space-zoom' }, 'zoom ', zoomIn, zoomOut)),
    h('div', { class: 'row2' },
      h('figure', { class: 'figure map-wrap' }, map, tip, h('figcaption', { text:
        `The ${N_MAP} words after the ${FROM_RANK} most common (grey dots), flattened from D dimensions to the two directions ` +
        'along which they spread most (principal component analysis). Blue: the word you searched; orange: its nearest words, ' +
        'placed on the same scale. Hover or tap a dot for its word and frequency; tapping makes it the query. Zoom with the ' +
        'slider, the mouse wheel or two fingers (around the point under them). Distances on a ' +
        'flat map are only a hint; the list uses all D dimensions.' }), coordData),
      h('div', {}, h('h3', { text: 'Nearest by cosine similarity' }), list, note)),
  );

  // ---- analogies ---------------------------------------------------------------------------
  const [aIn, bIn, cIn] = [['space-a', 'he', 'first word'], ['space-b', 'his', 'word to subtract'], ['space-c', 'her', 'word to add']]
    .map(([id, value, label]) => h('input', { type: 'text', id, value, 'aria-label': label, autocomplete: 'off', spellcheck: 'false', list: 'space-words', class: 'short' }));
  const anaOut = h('ol', { class: 'neighbours', id: 'space-analogy', 'aria-live': 'polite' });
  const anaNote = h('p', { class: 'note', id: 'space-analogy-note' });
  root.append(
    h('h3', { text: 'Analogies: a − b + c' }),
    prose('If a direction in the space means something (“plural”, “female”, “past tense”), then adding and subtracting ' +
      'vectors moves along it: take <em>a</em>, subtract <em>b</em>, add <em>c</em>, and look for the word nearest to the ' +
      'result (each of the three scaled to length 1 first, and the three themselves left out). This is ' +
      '<code>Neighbors.analogy(a, b, c)</code>. One book of 200,000 words is a small corpus for this; famous results such ' +
      'as king − man + woman ≈ queen come from billions of words, so expect the right answer somewhere in the top five ' +
      'rather than always first.'),
    h('div', { class: 'controls analogy' }, aIn, h('span', { text: '−' }), bIn, h('span', { text: '+' }), cIn, h('span', { text: '≈' })),
    anaOut, anaNote,
  );

  // ---- rare words --------------------------------------------------------------------------
  const rare = h('div', { id: 'space-rare' });
  root.append(h('h3', { text: 'Why rare words have junk neighbours scoring near 1' }), rare);

  let vec = null;            // { words, counts, weight, dim, nb, source }
  let prebuilt = null;
  let pcaVecs = null;        // previous axes, to keep the map from flipping
  let coords = null, mapIds = [];
  let wordIndex = new Map();
  let query = -1, focus = [];
  let view = { cx: 0, cy: 0, scale: 1, w: 0, h: 0 };
  let centre = null;         // [x, y] in PCA units set by wheel or pinch zoom; null: the query (zoomed in) or the middle

  function unitRows(ids) {
    const { weight, dim } = vec;
    return ids.map((id) => {
      const row = Array.from(weight.subarray(id * dim, id * dim + dim));
      const n = Math.hypot(...row) || 1;
      return row.map((x) => x / n);
    });
  }

  function project() {
    const nWords = vec.words.length;
    mapIds = Array.from({ length: Math.min(N_MAP, nWords - FROM_RANK) }, (_, i) => FROM_RANK + i);
    const pca = new PCA(unitRows(mapIds), { center: true });
    const ev = pca.getEigenvectors();
    const axes = [0, 1].map((c) => Array.from({ length: vec.dim }, (_, j) => ev.get(j, c)));
    const flip = axes.map((v, c) => (pcaVecs && pcaVecs[c].length === v.length && v.reduce((s, x, j) => s + x * pcaVecs[c][j], 0) < 0 ? -1 : 1));
    pcaVecs = axes.map((v, c) => v.map((x) => x * flip[c]));
    const all = pca.predict(unitRows(Array.from({ length: nWords }, (_, i) => i)), { nComponents: 2 });
    coords = new Float64Array(2 * nWords);
    for (let i = 0; i < nWords; i++) { coords[2 * i] = all.get(i, 0) * flip[0]; coords[2 * i + 1] = all.get(i, 1) * flip[1]; }
  }

  const zoom = () => 2 ** Number(zoomIn.value);

  function draw() {
    if (!coords) return;
    const width = map.parentElement.clientWidth || 400;
    const size = Math.min(width, 520);
    const { ctx, w, h: H } = fitCanvas(map, size);
    let mx = 1e-9, my = 1e-9;
    for (const id of mapIds) { mx = Math.max(mx, Math.abs(coords[2 * id])); my = Math.max(my, Math.abs(coords[2 * id + 1])); }
    const z = zoom();
    // the centre a wheel or pinch zoom chose; else, zoomed in, the query (else the middle of the map)
    const [cx, cy] = centre ?? (query >= 0 && z > 1 ? [coords[2 * query], coords[2 * query + 1]] : [0, 0]);
    const pad = 14, left = 34, bottom = 22;
    const pw = w - left - pad, ph = H - bottom - pad;
    const sx = (x) => left + pw / 2 + ((x - cx) / mx) * (pw / 2) * z;
    const sy = (y) => pad + ph / 2 - ((y - cy) / my) * (ph / 2) * z;
    // and back: the PCA coordinates under canvas point (x, y)
    const ux = (x) => cx + ((x - left - pw / 2) / (pw / 2) / z) * mx;
    const uy = (y) => cy - ((y - pad - ph / 2) / (ph / 2) / z) * my;
    view = { sx, sy, ux, uy, w, h: H, left, pad, pw, ph, mx, my };
    const ticks = { x: [], y: [] };
    ctx.fillStyle = '#fbfaf7';
    ctx.fillRect(0, 0, w, H);
    // axes with ticks in PCA units
    ctx.strokeStyle = '#aab3bf';
    ctx.fillStyle = '#5b6673';
    ctx.font = '10px system-ui, sans-serif';
    ctx.strokeRect(left, pad, pw, ph);
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const f of [-1, -0.5, 0, 0.5, 1]) {
      const x = left + pw / 2 + f * pw / 2;
      ctx.fillRect(x, pad + ph, 1, 4);
      ticks.x.push(fmt(cx + (f * mx) / z, 2));
      ctx.fillText(ticks.x.at(-1), x, pad + ph + 5);
    }
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const f of [-1, 0, 1]) {
      const y = pad + ph / 2 - f * ph / 2;
      ctx.fillRect(left - 4, y, 4, 1);
      ticks.y.push(fmt(cy + (f * my) / z, 2));
      ctx.fillText(ticks.y.at(-1), left - 5, y);
    }
    ctx.save();
    ctx.textAlign = 'left';
    ctx.fillText('PC 1 →', left + 4, pad + ph - 8);
    ctx.translate(left + 10, pad + 40);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('PC 2 →', 0, 0);
    ctx.restore();
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, pad, pw, ph);
    ctx.clip();
    ctx.fillStyle = '#9aa4b1';
    for (const id of mapIds) ctx.fillRect(sx(coords[2 * id]) - 1.5, sy(coords[2 * id + 1]) - 1.5, 3, 3);
    const placed = [];
    const shown = [];   // [word, x, y] of each word label drawn (where its dot is), for tests and tools
    const label = (text, x, y, colour, font, force) => {
      ctx.font = font;
      const tw = ctx.measureText(text).width;
      const bx = Math.max(left + 1, Math.min(left + pw - tw - 2, x + 5)), by = Math.max(pad + 12, y - 4);
      const box = [bx - 1, by - 11, bx + tw + 1, by + 2];
      if (!force && placed.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3])) return;
      placed.push(box);
      if (x >= left && x <= left + pw && y >= pad && y <= pad + ph) shown.push([text, x, y]);
      ctx.fillStyle = colour;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'alphabetic';
      ctx.fillText(text, bx, by);
    };
    if (query >= 0) {
      for (const id of focus) {
        ctx.strokeStyle = 'rgba(194,65,12,0.45)';
        ctx.beginPath();
        ctx.moveTo(sx(coords[2 * query]), sy(coords[2 * query + 1]));
        ctx.lineTo(sx(coords[2 * id]), sy(coords[2 * id + 1]));
        ctx.stroke();
      }
      for (const id of [...focus, query]) {
        ctx.fillStyle = id === query ? '#1f6feb' : '#c2410c';
        ctx.beginPath();
        ctx.arc(sx(coords[2 * id]), sy(coords[2 * id + 1]), id === query ? 5 : 4, 0, 2 * Math.PI);
        ctx.fill();
      }
      for (const id of [query, ...focus]) {
        label(vec.words[id], sx(coords[2 * id]), sy(coords[2 * id + 1]), id === query ? '#1f6feb' : '#b4400b',
          `${id === query ? 'bold ' : ''}13px system-ui, sans-serif`, id === query);
      }
    }
    for (const word of LABELLED) {
      const id = wordIndex.get(word);
      if (id === undefined || focus.includes(id) || id === query) continue;
      label(word, sx(coords[2 * id]), sy(coords[2 * id + 1]), '#4b5563', '11px system-ui, sans-serif', false);
    }
    ctx.restore();
    map.dataset.zoom = String(z);
    map.dataset.view = JSON.stringify({ cx, cy, z, ticks, labels: shown });
    // where the query and its first neighbour were drawn (CSS px), for tests and tools
    map.dataset.points = JSON.stringify(query >= 0 ? [query, ...focus.slice(0, 1)].map((id) => [id, sx(coords[2 * id]), sy(coords[2 * id + 1])]) : []);
  }

  /** The word drawn nearest to canvas point (x, y), within 10 px; -1 if none. */
  function hit(x, y) {
    if (!coords) return -1;
    let best = -1, bd = 100;
    for (const id of [...mapIds, ...focus, ...(query >= 0 ? [query] : [])]) {
      const d = (view.sx(coords[2 * id]) - x) ** 2 + (view.sy(coords[2 * id + 1]) - y) ** 2;
      if (d < bd) { bd = d; best = id; }
    }
    return best;
  }

  function showTip(id, x, y) {
    if (id < 0) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = `${vec.words[id]} · used ${int(vec.counts[id])} times`;
    tip.style.left = `${Math.min(x + 10, view.w - 150)}px`;
    tip.style.top = `${Math.max(0, y - 30)}px`;
    tip.dataset.id = String(id);
  }

  const at = (e) => { const r = map.getBoundingClientRect(); return [e.clientX - r.left, e.clientY - r.top]; };

  /**
   * Zoom to slider value v (log2 of the factor, rounded to the slider's steps and range) with the
   * map point (u, w) (PCA units) drawn at canvas point (x, y); the slider follows. At the
   * slider's lowest value the whole map is shown, centred as usual.
   */
  function zoomTo(v, u, w, x, y) {
    const step = Number(zoomIn.step), lo = Number(zoomIn.min), hi = Number(zoomIn.max);
    const nv = Math.min(hi, Math.max(lo, Math.round(v / step) * step));
    const { left, pad, pw, ph, mx, my } = view;
    const z = 2 ** nv;
    centre = nv === lo ? null : [u - ((x - left - pw / 2) / (pw / 2) / z) * mx, w + ((y - pad - ph / 2) / (ph / 2) / z) * my];
    zoomIn.value = String(nv);
    sliderText(zoomIn, zoomOut, `${fmt(zoom(), 1)}×`);
    draw();
  }

  // Mouse wheel (and a trackpad's pinch, which arrives as a wheel event with ctrlKey): a notch
  // (100 px of deltaY) is one slider step, smaller deltas add up.
  let wheelSum = 0;
  map.addEventListener('wheel', (e) => {
    if (!coords) return;
    e.preventDefault();
    wheelSum -= e.deltaY * (e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 400 : 1) * (e.ctrlKey ? 4 : 1);
    const steps = Math.trunc(wheelSum / 100);
    if (!steps) return;
    wheelSum -= steps * 100;
    const [x, y] = at(e);
    zoomTo(Number(zoomIn.value) + steps * Number(zoomIn.step), view.ux(x), view.uy(y), x, y);   // the point under the pointer stays
  }, { passive: false });

  // Two-finger pinch (pointer events; the canvas keeps one-finger vertical scrolling for the
  // page): the zoom follows the fingers' distance, and the map point that was between them at the
  // start stays between them.
  const touches = new Map();
  let pinch = null;           // { d0, v0, u, w }: distance, slider value and map point at the start
  const spread = () => { const [a, b] = [...touches.values()]; return [Math.hypot(a[0] - b[0], a[1] - b[1]), (a[0] + b[0]) / 2, (a[1] + b[1]) / 2]; };
  map.addEventListener('pointerdown', (e) => {
    if (e.pointerType !== 'touch' || !coords) return;
    touches.set(e.pointerId, at(e));
    if (touches.size !== 2) return;
    const [d0, x, y] = spread();
    pinch = { d0, v0: Number(zoomIn.value), u: view.ux(x), w: view.uy(y) };
  });
  map.addEventListener('pointermove', (e) => {
    if (!touches.has(e.pointerId)) return;
    touches.set(e.pointerId, at(e));
    if (!pinch || touches.size !== 2) return;
    const [d, x, y] = spread();
    if (d > 0 && pinch.d0 > 0) zoomTo(pinch.v0 + Math.log2(d / pinch.d0), pinch.u, pinch.w, x, y);
  });
  for (const type of ['pointerup', 'pointercancel']) {
    map.addEventListener(type, (e) => { touches.delete(e.pointerId); if (touches.size < 2) pinch = null; });
  }

  map.addEventListener('pointermove', (e) => { const [x, y] = at(e); showTip(hit(x, y), x, y); });
  map.addEventListener('pointerleave', () => { tip.hidden = true; });
  map.addEventListener('click', (e) => {
    const [x, y] = at(e);
    const id = hit(x, y);
    if (id < 0) return;
    search.value = vec.words[id];
    lookup();
    showTip(id, x, y);
  });

  function lookup() {
    if (!vec) return;
    const q = search.value.trim().toLowerCase();
    const id = wordIndex.get(q);
    if (id === undefined) {
      list.replaceChildren();
      query = -1; focus = [];
      note.textContent = q ? `“${q}” is not in the vocabulary (words used fewer than 5 times were dropped).` : '';
      draw();
      return;
    }
    const near = vec.nb.nearest(id, { k: K });
    list.replaceChildren(...near.map((n) => h('li', { 'data-id': n.id, 'data-score': n.score },
      h('button', { type: 'button', class: 'linklike', text: n.word, onclick: () => { search.value = n.word; lookup(); } }),
      ' ', h('span', { class: 'note', text: `${fmt(n.score, 3)} · ${int(vec.counts[n.id])}×` }))));
    note.textContent = `“${q}” was used ${int(vec.counts[id])} times in the book (the number after each neighbour is its own count).`;
    list.dataset.query = q;
    if (id !== query) centre = null;   // a new query: the zoom centres on it again
    query = id;
    focus = near.map((n) => n.id);
    draw();
    coordData.replaceChildren(dataTable('The query and its neighbours on the map (PCA coordinates)', ['word', 'PC 1', 'PC 2', 'cosine', 'count'],
      [[q, coords[2 * id], coords[2 * id + 1], 1, int(vec.counts[id])],
        ...near.map((n) => [n.word, coords[2 * n.id], coords[2 * n.id + 1], n.score, int(vec.counts[n.id])])], 'space-map-data'));
  }

  function analogy() {
    if (!vec) return;
    const words = [aIn, bIn, cIn].map((x) => x.value.trim().toLowerCase());
    const missing = words.filter((w) => !wordIndex.has(w));
    if (missing.length) {
      anaOut.replaceChildren();
      anaNote.textContent = `Not in the vocabulary: ${missing.map((w) => `“${w}”`).join(', ') || '(empty)'}.`;
      return;
    }
    const res = vec.nb.analogy(words[0], words[1], words[2], { k: 5 });
    anaOut.dataset.query = JSON.stringify(words);
    anaOut.replaceChildren(...res.map((n) => h('li', { 'data-id': n.id, 'data-score': n.score },
      h('strong', { text: n.word }), ' ', h('span', { class: 'note', text: fmt(n.score, 3) }))));
    anaNote.textContent = `${words[0]} − ${words[1]} + ${words[2]}: the five words whose vectors point most nearly the same way as the result.`;
  }

  /** Best neighbour score of rare words against words of middling frequency, measured on the current vectors. */
  function rareWords() {
    const n = vec.words.length;
    const best = (ids) => ids.map((id) => vec.nb.nearest(id, { k: 1 })[0]);
    const mean = (a) => a.reduce((s, x) => s + x.score, 0) / a.length;
    const rareIds = Array.from({ length: RARE_SAMPLE }, (_, i) => n - 1 - i);
    const midIds = Array.from({ length: RARE_SAMPLE }, (_, i) => FROM_RANK + i);
    const rb = best(rareIds), mb = best(midIds);
    const span = (lo, hi) => (lo === hi ? int(lo) : `${int(Math.min(lo, hi))}–${int(Math.max(lo, hi))}`);
    const ex = rareIds[0], exNear = vec.nb.nearest(ex, { k: 3 });
    rare.dataset.rare = String(mean(rb));
    rare.dataset.common = String(mean(mb));
    rare.replaceChildren(
      prose('Look up a word used only five or six times, say <em>' + vec.words[ex] + '</em>: its nearest words score close to 1 and make no sense (' +
        exNear.map((x) => `${x.word} ${fmt(x.score, 2)}, ${int(vec.counts[x.id])}×`).join('; ') + '). A word gets a training update each time it ' +
        'appears. Every word also drifts in one shared direction early in training, as the output vectors of common words pull ' +
        'them along. Frequent words get thousands of updates that carry them away from that drift toward their own neighbourhoods; ' +
        'a rare word gets a handful, so it stays near the common direction, and so do all the other rare words. They all end up ' +
        'pointing almost the same way, and cosine similarity, which ignores length, calls them near-identical. The score is high ' +
        'because the evidence is thin, not because the words are related.'),
      h('div', { class: 'scroll-x', tabindex: '0', role: 'region', 'aria-label': 'Best-neighbour scores of rare and frequent words' },
        h('table', { class: 'nums', id: 'space-rare-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'words' }), h('th', { scope: 'col', text: 'uses in the book' }), h('th', { scope: 'col', text: 'mean score of the best neighbour' }))),
        h('tbody', {},
          h('tr', {}, h('th', { scope: 'row', text: `the ${RARE_SAMPLE} rarest` }), h('td', { text: span(vec.counts[rareIds[0]], vec.counts[rareIds[RARE_SAMPLE - 1]]) }), h('td', { text: fmt(mean(rb), 3) })),
          h('tr', {}, h('th', { scope: 'row', text: `ranks ${FROM_RANK + 1}–${FROM_RANK + RARE_SAMPLE}` }), h('td', { text: span(vec.counts[midIds[RARE_SAMPLE - 1]], vec.counts[midIds[0]]) }), h('td', { text: fmt(mean(mb), 3) }))))),
      prose('Measured just now on the vectors shown above. The usual cures: drop rare words (a higher minimum count), train longer, ' +
        'or restrict the search to the frequent part of the vocabulary (<code>restrictVocab</code>).', 'note'));
  }

  function describe() {
    if (!vec) return;
    if (vec.source === 'prebuilt') {
      state.className = 'callout';
      state.textContent = `These vectors were trained by embedkit on the whole of Moby-Dick when this page was built ` +
        `(${SETTINGS.epochs} passes of skip-gram, D = ${SETTINGS.dim}, ${int(vec.words.length)} words). ` +
        'Start the training in section 3 to watch the same run from random vectors.';
      return;
    }
    const p = w2v.run.progress;
    if (!p || p.wordsDone === 0) {
      state.className = 'warn';
      state.textContent = 'These vectors are random: they are the live trainer’s starting values and nothing has been ' +
        'learned yet, so the neighbours below are accidents.';
    } else {
      state.className = p.done ? 'callout' : 'warn';
      state.textContent = p.done
        ? `Learned live from ${int(p.wordsDone)} words of Moby-Dick (${w2v.run.options.epochs} passes, ${w2v.run.options.mode === 'cbow' ? 'CBOW' : 'skip-gram'}, D = ${w2v.run.options.dim}).`
        : `Live run: ${w2v.run.running ? 'training in progress' : 'training paused'}, ${fmt(100 * p.fraction, 0)}% of ${int(p.totalWords)} words read. ${w2v.run.running ? 'The map follows along.' : 'Resume it in section 3.'}`;
    }
  }

  function use(next) {
    const newVocab = !vec || vec.words !== next.words;
    vec = next;
    if (newVocab) {
      wordIndex = new Map(vec.words.map((w, i) => [w, i]));
      datalist.replaceChildren(...vec.words.slice(0, 1500).map((w) => h('option', { value: w })));
      pcaVecs = null;
    }
    root.dataset.source = vec.source;
    project();
    describe();
    lookup();
    analogy();
    rareWords();
  }

  function liveVectors() {
    const r = w2v.run;
    return { words: r.words, counts: r.counts, weight: r.weight, dim: r.options.dim, nb: r.neighbours, source: 'live' };
  }

  const selected = () => root.querySelector('input[name=space-source]:checked').value;
  let pending = false;
  const soon = () => {           // coalesce bursts of live updates into one redraw per frame
    if (pending || selected() !== 'live') return;
    pending = true;
    requestAnimationFrame(() => { pending = false; if (w2v.run.weight) use(liveVectors()); });
  };
  const liveRadio = root.querySelector('input[name=space-source][value=live]');
  w2v.on('ready', () => { liveRadio.disabled = false; soon(); });
  w2v.on('vectors', soon);
  w2v.on('progress', ({ progress }) => { if (progress.done) soon(); });
  w2v.on('state', ({ running }) => {
    if (running && selected() !== 'live') {        // the reader started training: follow it
      liveRadio.checked = true;
      soon();
    } else if (vec?.source === 'live') describe();
  });
  sourceIn.addEventListener('change', () => {
    if (selected() === 'live' && w2v.run.weight) use(liveVectors());
    else if (selected() === 'prebuilt' && prebuilt) use(prebuilt);
  });
  search.addEventListener('input', lookup);
  for (const x of [aIn, bIn, cIn]) x.addEventListener('input', analogy);
  zoomIn.addEventListener('input', () => {
    if (Number(zoomIn.value) === Number(zoomIn.min)) centre = null;
    sliderText(zoomIn, zoomOut, `${fmt(zoom(), 1)}×`);
    draw();
  });
  sliderText(zoomIn, zoomOut, '1×');
  onWidthChange(root, draw);

  try {
    prebuilt = await prebuiltVectors();
    if (selected() === 'prebuilt') use(prebuilt);
  } catch (err) {
    state.className = 'warn';
    state.textContent = `The prebuilt vectors could not be read (${err.message}); start the training in section 3 to explore live ones.`;
    root.querySelector('input[name=space-source][value=prebuilt]').disabled = true;
    liveRadio.checked = true;
    soon();
  }
}
