/**
 * @fileoverview Section 1, "From text to ids to vectors": the lookup-table view of an embedding.
 * The reader types a sentence; GPT-2's own byte-pair tokenizer (r50k_base, run in the page)
 * splits it into tokens and ids; each id picks one row of a 50257 x D table held by embedkit's
 * Embedding; the picked rows (Embedding.forward) are drawn as a heatmap. Teaches: ids are row
 * numbers, the output is a copy of table rows, the same id always gives the same row, and how
 * big such a table gets.
 */

import { Embedding } from 'embedkit';
import { encode, decode } from 'gpt-tokenizer/r50k_base';
import { h, prose, fitCanvas, drawMatrix, onWidthChange, int, fmt } from '../ui.js';

const VOCAB = 50257;           // GPT-2's vocabulary (r50k_base)
const SEED = 0;
const DIMS = [4, 8, 16, 32, 64];

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
  let vectors = new Float32Array(0);

  const input = h('input', { type: 'text', id: 'lookup-text', value: 'The lion saw the other lion and slept.',
    'aria-label': 'Sentence to tokenise', autocomplete: 'off', spellcheck: 'false' });
  const dimOut = h('output', { id: 'lookup-dim-out', for: 'lookup-dim' });
  const dimSlider = h('input', { type: 'range', id: 'lookup-dim', min: 0, max: DIMS.length - 1, step: 1,
    value: DIMS.indexOf(dim), 'aria-label': 'Vector length D' });
  const chips = h('ol', { class: 'chips', id: 'lookup-chips', 'aria-label': 'Tokens and their ids' });
  const strip = h('canvas', { class: 'plot', id: 'lookup-strip', role: 'img',
    'aria-label': 'Where the looked-up rows sit in the 50257-row table' });
  const heat = h('canvas', { class: 'plot', id: 'lookup-heat', role: 'img', 'aria-label': 'The looked-up vectors' });
  const sizeNote = h('p', { class: 'note', id: 'lookup-size' });
  const sameNote = h('p', { class: 'note', id: 'lookup-same' });

  root.append(
    prose('A tokenizer has already turned text into integers. The first layer of the model turns ' +
      'each integer into a list of <em>D</em> numbers, a vector. The simplest way to picture it: a ' +
      'table with one row per possible id. GPT-2 knows 50,257 different tokens, so its table has ' +
      '50,257 rows, and the id is nothing more than the row number.'),
    h('label', { for: 'lookup-text', text: 'Type a sentence:' }),
    input,
    chips,
    h('div', { class: 'controls' },
      h('label', { for: 'lookup-dim' }, 'Vector length D ', dimSlider, dimOut)),
    h('figure', { class: 'figure' }, strip,
      h('figcaption', { text: 'The whole table, id 0 on the left to id 50,256 on the right. Each mark is a row your sentence asked for.' })),
    h('figure', { class: 'figure' }, heat,
      h('figcaption', { text: 'The rows that came out, one per token (Embedding.forward). Red is positive, blue negative.' })),
    sameNote,
    sizeNote,
    prose('Right now the table is random: every entry was drawn from a normal distribution with a ' +
      'fixed seed, which is exactly how a model starts before training. Nothing about “lion” is in ' +
      'its row yet. Training (sections 3 and 4) is what moves the rows to useful places.', 'note'),
  );

  function tokenize() {
    ids = gpt2Ids(input.value);
    if (ids.length > 64) ids = ids.slice(0, 64);
    vectors = table.forward(ids);
  }

  function renderChips() {
    chips.replaceChildren(...ids.map((id, i) => h('li', { class: 'chip', 'data-id': id, 'data-index': i },
      h('span', { class: 'tok', text: showToken(decode([id])) }),
      h('span', { class: 'id', text: String(id) }))));
  }

  function colourOf(i) {
    return `hsl(${(i * 137.5) % 360} 70% 42%)`;
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
    ctx.fillText(`${int(VOCAB)} rows × ${dim} columns`, 2, 0);
  }

  function renderHeat() {
    const n = ids.length;
    const width = heat.parentElement.clientWidth || 600;
    const rowH = n > 20 ? 16 : 24;
    const { ctx, w } = fitCanvas(heat, Math.max(30, n * rowH + 22));
    ctx.font = '12px ui-monospace, Menlo, monospace';
    const labels = ids.map((id) => {
      const t = showToken(decode([id]));
      return `${t.length > 10 ? t.slice(0, 9) + '…' : t} ${id}`;
    });
    const widest = Math.max(40, ...labels.map((l) => ctx.measureText(l).width));
    const labelW = Math.min(widest + 10, width * 0.45);
    const gridW = w - labelW;
    ctx.textBaseline = 'middle';
    ctx.fillStyle = '#5b6673';
    ctx.textAlign = 'center';
    const cw = gridW / dim;
    const every = cw >= 22 ? 1 : cw >= 10 ? 4 : 8;
    for (let c = 0; c < dim; c += every) ctx.fillText(String(c), labelW + (c + 0.5) * cw, 9);
    if (n === 0) return;
    drawMatrix(ctx, vectors, n, dim, labelW, 20, gridW, n * rowH, { scale: 2.5 });
    ctx.textAlign = 'right';
    for (let i = 0; i < n; i++) {
      ctx.fillStyle = colourOf(i);
      ctx.fillText(labels[i], labelW - 6, 20 + (i + 0.5) * rowH);
    }
    if (cw >= 38 && rowH >= 20) {       // wide cells: print the numbers too
      ctx.textAlign = 'center';
      ctx.font = '11px ui-monospace, Menlo, monospace';
      for (let i = 0; i < n; i++) {
        for (let c = 0; c < dim; c++) {
          const v = vectors[i * dim + c];
          ctx.fillStyle = Math.abs(v) > 1.6 ? '#fff' : '#1d232b';
          ctx.fillText(v.toFixed(2), labelW + (c + 0.5) * cw, 20 + (i + 0.5) * rowH);
        }
      }
    }
    // The exact float32 values, for anyone (or any test) who wants to check them.
    heat.dataset.ids = JSON.stringify(ids);
    heat.dataset.vectors = JSON.stringify(Array.from(vectors));
    heat.dataset.dim = String(dim);
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
      sameNote.textContent = `“${decode([ids[a]]).trim()}” appears at token ${a} and again at token ${b}: ` +
        `its two output rows are ${same ? 'identical, bit for bit' : 'different (unexpected!)'}. ` +
        'A lookup sees only the id, not the words around it.';
    } else {
      sameNote.textContent = 'Type a word twice to see that the same id always brings back the same row.';
    }
  }

  function render() {
    tokenize();
    renderChips();
    renderStrip();
    renderHeat();
    renderNotes();
    dimOut.textContent = String(dim);
  }

  input.addEventListener('input', render);
  dimSlider.addEventListener('input', () => {
    dim = DIMS[Number(dimSlider.value)];
    table.dispose();
    table = new Embedding(VOCAB, dim, { seed: SEED });
    render();
  });
  onWidthChange(root, () => { renderStrip(); renderHeat(); });
  render();
}
