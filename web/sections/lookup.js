/**
 * @fileoverview Section 1, "From text to ids to vectors": the lookup-table view of an embedding.
 * The reader types a sentence; GPT-2's own byte-pair tokenizer (r50k_base, run in the page)
 * splits it into tokens and ids; each id picks one row of a 50257 x D table held by embedkit's
 * Embedding; the picked rows (Embedding.forward) are drawn as a heatmap. Teaches: ids are row
 * numbers, the output is a copy of table rows, the same id always gives the same row, and how
 * big such a table gets.
 */

import { Embedding } from 'embedkit';
import r50k, { encode, decode } from 'gpt-tokenizer/r50k_base';
import { h, prose, fitCanvas, drawMatrix, onWidthChange, int, fmt, colourLegend, dataTable, sliderText } from '../ui.js';

const VOCAB = 50257;           // GPT-2's vocabulary (r50k_base)
const SEED = 0;
const DIMS = [4, 8, 16, 32, 64];
export const MAX_TOKENS = 64;

/** The raw bytes of one GPT-2 token (r50k_base stores some tokens as bytes that are not whole UTF-8 characters). */
function tokenBytes(id) {
  const t = r50k.bytePairEncodingCoreProcessor?.tryDecodeToken(id);
  if (t instanceof Uint8Array) return t;
  return new TextEncoder().encode(typeof t === 'string' ? t : decode([id]));
}

/**
 * How each token of `ids` reads. Byte-pair tokens are byte strings, so one character of several
 * UTF-8 bytes (é, 🐋) can be split over tokens. Each character is credited to the token holding
 * its last byte; a token's own leftover bytes are listed in hex. Returns, per token,
 * { text, bytes, partial } where text is the characters it completes (with a leading partial
 * byte run shown as ‹E2 80›) and partial tells whether it holds bytes of an unfinished character.
 * gpt-tokenizer's decode([id]) one token at a time cannot do this (it keeps a half character in
 * its decoder and prints it with the next call).
 */
export function tokenPieces(ids) {
  const bytes = ids.map(tokenBytes);
  const owner = [];
  bytes.forEach((b, t) => { for (let i = 0; i < b.length; i++) owner.push(t); });
  const all = new Uint8Array(owner.length);
  let o = 0;
  for (const b of bytes) { all.set(b, o); o += b.length; }
  const pieces = ids.map((id, t) => ({ id, bytes: bytes[t], text: '', partial: false, hex: [] }));
  const dec = new TextDecoder('utf-8', { fatal: false });
  let s = 0;
  while (s < all.length) {
    const lead = all[s];
    let len = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (s + len > all.length) len = all.length - s;
    const e = s + len;
    const ch = dec.decode(all.subarray(s, e));
    const last = owner[e - 1];
    for (let i = s; i < e - 1; i++) {
      if (owner[i] !== last) { pieces[owner[i]].partial = true; pieces[owner[i]].hex.push(all[i]); }
    }
    pieces[last].text += ch;
    s = e;
  }
  const hx = (b) => b.toString(16).toUpperCase().padStart(2, '0');
  for (const p of pieces) {
    if (p.hex.length) p.text += `‹${p.hex.map(hx).join(' ')}›`;
    p.byteText = Array.from(p.bytes, hx).join(' ');
  }
  return pieces;
}

/**
 * GPT-2 ids of `text`. A typed special-token string such as <|endoftext|> is read as plain text
 * (the tokenizer would otherwise refuse the whole input), as tiktoken does with
 * disallowed_special=().
 */
export function gpt2Ids(text) {
  return encode(text, { disallowedSpecial: new Set() });
}

/** How a token's text looks on a chip: spaces made visible. */
export function showToken(s) {
  return s.replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/\t/g, '⇥') || '∅';
}

export function mount(root) {
  let dim = 16;
  let table = new Embedding(VOCAB, dim, { seed: SEED });
  let ids = [];
  let pieces = [];
  let cut = 0;                 // tokens dropped past MAX_TOKENS
  let vectors = new Float32Array(0);
  let pick = 0;                // token index for the one-hot view

  const input = h('input', { type: 'text', id: 'lookup-text', value: 'The lion saw the other lion and slept.',
    'aria-label': 'Sentence to tokenise', autocomplete: 'off', spellcheck: 'false' });
  const dimOut = h('output', { id: 'lookup-dim-out', for: 'lookup-dim' });
  const dimSlider = h('input', { type: 'range', id: 'lookup-dim', min: 0, max: DIMS.length - 1, step: 1,
    value: DIMS.indexOf(dim), 'aria-label': 'Vector length D' });
  const chips = h('ol', { class: 'chips', id: 'lookup-chips', 'aria-label': 'Tokens and their ids' });
  const cutNote = h('p', { class: 'warn', id: 'lookup-cut', role: 'status', hidden: true });
  const strip = h('canvas', { class: 'plot', id: 'lookup-strip', role: 'img',
    'aria-label': 'Where the looked-up rows sit in the 50257-row table' });
  const heat = h('canvas', { class: 'plot', id: 'lookup-heat', role: 'img', 'aria-label': 'The looked-up vectors as a heatmap, one row per token' });
  const heatData = h('div', {});
  const sizeNote = h('p', { class: 'note', id: 'lookup-size' });
  const sameNote = h('p', { class: 'note', id: 'lookup-same' });
  const spaceNote = h('p', { class: 'note', id: 'lookup-space' });

  // one-hot x table
  const pickIn = h('select', { id: 'onehot-token', 'aria-label': 'Token to multiply as a one-hot vector' });
  const onehot = h('canvas', { class: 'plot', id: 'onehot-strip', role: 'img', 'aria-label': 'The one-hot vector: 50,257 entries, all zero except one' });
  const onehotZoom = h('p', { class: 'mono scroll-x', id: 'onehot-zoom', tabindex: '0' });
  const product = h('div', { id: 'onehot-product' });
  const costNote = h('p', { id: 'onehot-cost' });

  root.append(
    prose('A tokenizer has already turned text into integers. The first layer of the model turns ' +
      'each integer into a list of <em>D</em> numbers, a vector. The simplest way to picture it: a ' +
      'table with one row per possible id. GPT-2 knows 50,257 different tokens, so its table has ' +
      '50,257 rows, and the id is nothing more than the row number.'),
    h('label', { for: 'lookup-text', text: 'Type a sentence:' }),
    input,
    cutNote,
    chips,
    spaceNote,
    h('div', { class: 'controls' },
      h('label', { for: 'lookup-dim' }, 'Vector length D ', dimSlider, dimOut)),
    h('figure', { class: 'figure' }, strip,
      h('figcaption', { text: 'The whole table, id 0 on the left to id 50,256 on the right. Each mark is a row your sentence asked for.' })),
    h('figure', { class: 'figure' }, heat,
      h('figcaption', { text: 'The rows that came out, one per token (Embedding.forward): token and id down the side, dimension 0 to D−1 across. Colour scale below the grid.' }),
      heatData),
    sameNote,
    sizeNote,
    prose('Right now the table is random: every entry was drawn from a normal distribution with a ' +
      'fixed seed, which is exactly how a model starts before training. Nothing about “lion” is in ' +
      'its row yet. Training (sections 3 to 5) is what moves the rows to useful places.', 'note'),
    h('h3', { id: 'onehot-h', text: 'A lookup is a matrix product with a one-hot vector' }),
    prose('Text books often write the embedding layer as a multiplication: turn id <em>k</em> into a ' +
      '<em>one-hot</em> vector, 50,257 entries long, all zero except a single 1 at place <em>k</em>, and ' +
      'multiply it by the table. Each output number is a sum over all 50,257 rows, and every term but ' +
      'one is zero times something. What survives is row <em>k</em>, untouched. So the product and the ' +
      'lookup give the same numbers, and the lookup skips all the multiplications by zero.'),
    h('div', { class: 'controls' }, h('label', { for: 'onehot-token' }, 'token ', pickIn)),
    h('figure', { class: 'figure' }, onehot, onehotZoom,
      h('figcaption', { text: 'The one-hot vector of the chosen token, drawn along the 50,257 ids, and the entries around its 1.' })),
    product,
    costNote,
  );

  function tokenize() {
    ids = gpt2Ids(input.value);
    cut = Math.max(0, ids.length - MAX_TOKENS);
    if (cut) ids = ids.slice(0, MAX_TOKENS);
    pieces = tokenPieces(ids);
    vectors = table.forward(ids);
  }

  function renderChips() {
    chips.replaceChildren(...pieces.map((p, i) => h('li', { class: `chip${p.partial ? ' partial' : ''}`, 'data-id': p.id, 'data-index': i,
      'data-text': p.text, title: `bytes ${p.byteText}` },
      h('span', { class: 'tok', text: showToken(p.text) }),
      h('span', { class: 'id', text: String(p.id) }))));
    cutNote.hidden = !cut;
    cutNote.textContent = cut ? `This text is ${int(cut + MAX_TOKENS)} tokens long; the page shows the first ${MAX_TOKENS} ` +
      `and leaves out the last ${int(cut)}. (A real model has a limit too, its context length.)` : '';
    const partial = pieces.filter((p) => p.partial).length;
    const the = gpt2Ids('the')[0], sthe = gpt2Ids(' the')[0], The = gpt2Ids(' The')[0];
    spaceNote.textContent = `A token is a string of bytes, and a leading space is part of it: “the” is id ${the}, “␣the” is id ${sthe} ` +
      `and “␣The” is id ${The}: three different rows of the table. ` +
      (partial ? `${partial} token${partial > 1 ? 's' : ''} here hold${partial > 1 ? '' : 's'} only part of a character ` +
        '(accents and emoji take 2 to 4 bytes in UTF-8, and the tokenizer may split them): the unfinished bytes are shown in hex as ‹…›, and the character is shown on the token that completes it. ' +
        `Their bytes: ${pieces.map((p, i) => ({ p, i })).filter(({ i }) => pieces[i].partial || (i > 0 && pieces[i - 1].partial))
          .slice(0, 6).map(({ p }) => `id ${p.id} = ${p.byteText}`).join('; ')}.`
        : 'Type an emoji or an accented letter to see a character split over several tokens.');
  }

  function colourOf(i) {
    return `hsl(${(i * 137.5) % 360} 70% 38%)`;
  }

  function renderStrip() {
    const { ctx, w } = fitCanvas(strip, 58);
    ctx.fillStyle = '#eef1f5';
    ctx.fillRect(0, 14, w, 26);
    ctx.fillStyle = '#5b6673';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    for (const t of [0, 10000, 20000, 30000, 40000, 50000]) {
      const x = (t / VOCAB) * w;
      ctx.fillRect(x, 40, 1, 3);
      ctx.textAlign = t === 0 ? 'left' : x > w - 30 ? 'right' : 'center';
      ctx.fillText(int(t), x, 45);
    }
    ids.forEach((id, i) => {
      const x = ((id + 0.5) / VOCAB) * w;
      ctx.fillStyle = colourOf(i);
      ctx.fillRect(Math.max(0, x - 1.5), 10, 3, 34);
    });
    ctx.fillStyle = '#1d232b';
    ctx.textAlign = 'left';
    ctx.fillText(`${int(VOCAB)} rows × ${dim} columns (row id →)`, 2, 0);
  }

  const SCALE = 2.5;
  function renderHeat() {
    const n = ids.length;
    const width = heat.parentElement.clientWidth || 600;
    const rowH = n > 20 ? 16 : 24;
    const top = 32, legendH = 34;
    const { ctx, w } = fitCanvas(heat, top + Math.max(1, n) * rowH + legendH);
    ctx.font = '12px ui-monospace, Menlo, monospace';
    const labels = pieces.map((p) => {
      const t = showToken(p.text);
      return `${t.length > 10 ? t.slice(0, 9) + '…' : t} ${p.id}`;
    });
    const widest = Math.max(40, ...labels.map((l) => ctx.measureText(l).width));
    const labelW = Math.min(widest + 10, width * 0.45);
    const gridW = w - labelW;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#5b6673';
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.fillText('dimension →', labelW, 8);
    ctx.textAlign = 'right';
    ctx.fillText('token  id', labelW - 6, top - 9);
    ctx.textAlign = 'center';
    const cw = gridW / dim;
    const every = cw >= 22 ? 1 : cw >= 10 ? 4 : 8;
    for (let c = 0; c < dim; c += every) ctx.fillText(String(c), labelW + (c + 0.5) * cw, top - 9);
    ctx.font = '12px ui-monospace, Menlo, monospace';
    if (n) drawMatrix(ctx, vectors, n, dim, labelW, top, gridW, n * rowH, { scale: SCALE });
    ctx.textAlign = 'right';
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colourOf(i);
      ctx.fillText(labels[i], labelW - 6, top + (i + 0.5) * rowH);
    }
    if (cw >= 38 && rowH >= 20) {       // wide cells: print the numbers too
      ctx.textAlign = 'center';
      ctx.font = '11px ui-monospace, Menlo, monospace';
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < dim; c++) {
          const v = vectors[i * dim + c];
          ctx.fillStyle = Math.abs(v) > 1.6 ? '#fff' : '#1d232b';
          ctx.fillText(v.toFixed(2), labelW + (c + 0.5) * cw, top + (i + 0.5) * rowH);
        }
      }
    }
    colourLegend(ctx, labelW, top + Math.max(1, n) * rowH + 8, Math.min(gridW, 320), { lo: -SCALE, hi: SCALE, label: 'value' });
    // The exact float32 values, for anyone (or any test) who wants to check them.
    heat.dataset.ids = JSON.stringify(ids);
    heat.dataset.vectors = JSON.stringify(Array.from(vectors));
    heat.dataset.dim = String(dim);
    heatData.replaceChildren(dataTable('The numbers in this heatmap', ['token', 'id', ...Array.from({ length: dim }, (_, c) => `d${c}`)],
      pieces.map((p, i) => [showToken(p.text), String(p.id), ...Array.from(vectors.subarray(i * dim, i * dim + dim))]), 'lookup-heat-data'));
  }

  function renderNotes() {
    sizeNote.textContent = `This table holds ${int(VOCAB)} × ${dim} = ${int(VOCAB * dim)} numbers. ` +
      `GPT-2 uses D = 768: ${int(VOCAB * 768)} numbers (${fmt(VOCAB * 768 * 4 / 2 ** 20, 0)} MiB as float32). ` +
      `GPT-3 uses D = 12,288, and its table alone holds about ${int(Math.round(VOCAB * 12288 / 1e6))} million.`;
    // Find an id that occurs twice and compare its two output rows (computed, not assumed).
    const first = new Map();
    let pair = null;
    ids.forEach((id, i) => {
      if (pair) return;
      if (first.has(id)) pair = [first.get(id), i];
      else first.set(id, i);
    });
    if (pair) {
      const [a, b] = pair;
      let same = true;
      for (let c = 0; c < dim; c++) same &&= Object.is(vectors[a * dim + c], vectors[b * dim + c]);
      sameNote.textContent = `“${pieces[a].text.trim()}” appears at token ${a} and again at token ${b}: ` +
        `its two output rows are ${same ? 'identical, bit for bit' : 'different (unexpected!)'}. ` +
        'A lookup sees only the id, not the words around it.';
    } else {
      sameNote.textContent = 'Type a word twice to see that the same id always brings back the same row.';
    }
  }

  function renderPicker() {
    if (pick >= ids.length) pick = 0;
    pickIn.replaceChildren(...pieces.map((p, i) => h('option', { value: String(i), selected: i === pick,
      text: `${i}: ${showToken(p.text)} (id ${p.id})` })));
  }

  function renderOnehot() {
    const n = ids.length;
    if (!n) {
      product.replaceChildren(prose('Type some text first.', 'note'));
      costNote.textContent = '';
      return;
    }
    const id = ids[pick];
    // draw the one-hot vector along the ids
    const { ctx, w } = fitCanvas(onehot, 50);
    ctx.fillStyle = '#eef1f5';
    ctx.fillRect(0, 12, w, 16);
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#5b6673';
    const x = ((id + 0.5) / VOCAB) * w;
    const right = x > w / 2;
    ctx.textAlign = right ? 'left' : 'right';
    ctx.fillText('every other entry is 0 (grey)', right ? 2 : w - 2, 0);
    for (const t of [0, 25000, 50000]) {
      const x = (t / VOCAB) * w;
      ctx.textAlign = t === 0 ? 'left' : t > 40000 ? 'right' : 'center';
      ctx.fillText(`id ${int(t)}`, x, 32);
    }
    ctx.fillStyle = '#c2410c';
    ctx.fillRect(Math.max(0, x - 1.5), 8, 3, 24);
    ctx.textAlign = x > w - 80 ? 'right' : 'left';
    ctx.fillText(`1 at id ${id}`, x + (x > w - 80 ? -5 : 5), 0);
    const around = [];
    for (let k = Math.max(0, id - 4); k <= Math.min(VOCAB - 1, id + 4); k++) around.push(k);
    onehotZoom.replaceChildren(`one-hot[${around[0]}…${around[around.length - 1]}] = ${around[0] > 0 ? '… ' : ''}`,
      ...around.map((k) => (k === id ? h('strong', { text: '1 ' }) : '0 ')), around[around.length - 1] < VOCAB - 1 ? '…' : '');
    // The product, written out: out[c] = sum over every row r of onehot[r] * W[r, c].
    const W = table.weight;
    const prod = new Float64Array(dim);
    for (let r = 0; r < VOCAB; r++) {
      const o = r === id ? 1 : 0;
      for (let c = 0; c < dim; c++) prod[c] += o * W[r * dim + c];
    }
    const row = vectors.subarray(pick * dim, pick * dim + dim);
    let diff = 0;
    for (let c = 0; c < dim; c++) diff = Math.max(diff, Math.abs(prod[c] - row[c]));
    const shown = Math.min(dim, 8);
    const cells = (a) => Array.from(a.subarray(0, shown), (v) => fmt(v, 4)).join(', ') + (dim > shown ? ', …' : '');
    product.dataset.id = String(id);
    product.dataset.product = JSON.stringify(Array.from(prod));
    product.dataset.maxDiff = String(diff);
    product.replaceChildren(
      h('p', { class: 'mono' }, `one-hot × table = [${cells(prod)}]`),
      h('p', { class: 'mono' }, `lookup: row ${id}  = [${cells(row)}]`),
      h('p', { class: diff === 0 ? 'callout' : 'warn' }, diff === 0
        ? `All ${dim} numbers are the same, bit for bit: multiplying by the one-hot vector selected row ${id} and nothing else.`
        : `The two differ by ${fmt(diff, 2)} (unexpected).`));
    const mul = VOCAB * dim;
    costNote.replaceChildren(
      'Cost for this token: the product does ', h('strong', { text: `${int(mul)} multiply-adds` }),
      ` (50,257 × ${dim}) and reads the whole table; the lookup copies `, h('strong', { text: `${dim} numbers` }),
      `. For your ${n} tokens that is ${int(n * mul)} against ${int(n * dim)}, a factor of ${int(VOCAB)}; ` +
      `with GPT-2’s D = 768 a 1,024-token text would need ${fmt(1024 * VOCAB * 768 / 1e9, 1)} billion multiply-adds for nothing.`);
  }

  function render() {
    tokenize();
    renderChips();
    renderStrip();
    renderHeat();
    renderNotes();
    renderPicker();
    renderOnehot();
    sliderText(dimSlider, dimOut, String(dim));
  }

  input.addEventListener('input', render);
  pickIn.addEventListener('change', () => { pick = Number(pickIn.value); renderOnehot(); });
  dimSlider.addEventListener('input', () => {
    dim = DIMS[Number(dimSlider.value)];
    table.dispose();
    table = new Embedding(VOCAB, dim, { seed: SEED });
    render();
  });
  onWidthChange(root, () => { renderStrip(); renderHeat(); renderOnehot(); });
  render();
}

/** A token's text on its own (partial UTF-8 bytes shown as U+FFFD), without gpt-tokenizer's carried decoder state. */
export function tokenLabel(id) {
  return new TextDecoder().decode(tokenBytes(id));
}
