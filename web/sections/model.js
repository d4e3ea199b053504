/**
 * @fileoverview Section 8, "A real model's table": the reader picks a model file on their own
 * disk (GPT-2's model.safetensors, or any GGUF file); embedkit's openSafetensors / openGGUF read
 * its header and loadEmbedding reads only the token table, from the File object, by byte ranges.
 * Nothing is uploaded and the page downloads nothing. Shows the table's shape and type, the rows
 * of the tokens typed (GPT-2 ids for a GPT-2-sized table, the file's own token list for GGUF,
 * or ids typed directly), and each token's nearest rows by cosine similarity (Neighbors).
 */

import { openSafetensors, openGGUF, Neighbors } from 'embedkit';
import { h, prose, fitCanvas, drawMatrix, colourLegend, dataTable, fmt, int } from '../ui.js';
import { gpt2Ids, tokenLabel, showToken } from './lookup.js';

/** Token-table names, most likely first (GPT-2, Hugging Face Llama-style, Meta's, GGUF). */
const TABLE_NAMES = ['wte.weight', 'transformer.wte.weight', 'model.embed_tokens.weight', 'embed_tokens.weight',
  'tok_embeddings.weight', 'model.decoder.embed_tokens.weight', 'gpt_neox.embed_in.weight', 'token_embd.weight'];
const GPT2_VOCAB = 50257;
const SHOW_COLS = 48;

/** Find the token table of an opened file: a known name, else the 2-D tensor with the most rows. */
function tableName(file) {
  const named = TABLE_NAMES.find((n) => file.names.includes(n));
  if (named) return named;
  let best = null;
  for (const t of file.tensors) {
    if (t.shape.length === 2 && (!best || t.shape[0] > best.shape[0])) best = t;
  }
  return best?.name ?? null;
}

export function mount(root) {
  const fileIn = h('input', { type: 'file', id: 'model-file', accept: '.safetensors,.gguf' });
  const status = h('p', { class: 'note', id: 'model-status', role: 'status', text: 'No file chosen yet.' });
  const info = h('div', { id: 'model-info' });
  const textIn = h('input', { type: 'text', id: 'model-text', value: ' the whale ship sea', 'aria-label': 'Text or ids to look up in the loaded table',
    autocomplete: 'off', spellcheck: 'false', disabled: true });
  const heat = h('canvas', { class: 'plot', id: 'model-heat', role: 'img', 'aria-label': 'Rows of the loaded table for the typed tokens' });
  const heatData = h('div', {});
  const near = h('div', { class: 'watch', id: 'model-neighbours' });

  root.append(
    prose('Everything so far used random or home-trained tables. Here is a real one. Pick a model file from your own ' +
      'disk: GPT-2’s <code>model.safetensors</code> (from the Hugging Face model page, 548 MB) or any <code>.gguf</code> ' +
      'file as llama.cpp uses. embedkit reads the file’s header, finds the token table and reads only that tensor’s bytes ' +
      'from the file. The file stays on your machine: nothing is uploaded, and the page fetches nothing.'),
    h('div', { class: 'controls' }, h('label', { for: 'model-file' }, 'model file ', fileIn)),
    status, info,
    h('label', { for: 'model-text', text: 'Tokens to look up (text, or ids separated by commas):' }), textIn,
    h('figure', { class: 'figure' }, heat,
      h('figcaption', { text: `The table’s rows for these tokens (first ${SHOW_COLS} dimensions), token down the side, dimension across.` }), heatData),
    h('h3', { text: 'Nearest rows in the real table' }),
    prose('In a trained model the token table is no longer random: the nearest rows by cosine similarity are tokens used alike, ' +
      'often the same word with and without its leading space or capital letter.', 'note'),
    near,
  );

  let emb = null, nb = null, words = null, kind = '', gpt2 = false;

  function idsOf(text) {
    const t = text.trim();
    if (/^\d+(\s*,\s*\d+)*$/.test(t)) return t.split(',').map((x) => Number(x.trim()));
    if (gpt2) return gpt2Ids(text).slice(0, 16);
    if (words) {                       // GGUF: match whole tokens of the file's own list, word by word
      const index = new Map(words.map((w, i) => [w, i]));
      return text.split(/\s+/).filter(Boolean).flatMap((w) => {
        for (const cand of [`▁${w}`, `Ġ${w}`, w]) if (index.has(cand)) return [index.get(cand)];
        return [];
      }).slice(0, 16);
    }
    return [];
  }

  const label = (id) => (words ? words[id] : gpt2 ? showToken(tokenLabel(id)) : `#${id}`);

  function render() {
    if (!emb) return;
    const ids = idsOf(textIn.value).filter((id) => Number.isInteger(id) && id >= 0 && id < emb.numEmbeddings);
    const dim = emb.dim, cols = Math.min(dim, SHOW_COLS);
    const rows = ids.length ? emb.forward(ids) : new Float32Array(0);
    const view = new Float32Array(ids.length * cols);
    let m = 1e-12;
    for (let i = 0; i < ids.length; i++) {
      for (let c = 0; c < cols; c++) { view[i * cols + c] = rows[i * dim + c]; m = Math.max(m, Math.abs(rows[i * dim + c])); }
    }
    const rowH = 20, top = 22, labelW = 110;
    const { ctx, w } = fitCanvas(heat, top + Math.max(1, ids.length) * rowH + 34);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#5b6673';
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(`dimension 0 … ${cols - 1} →`, labelW, 8);
    if (ids.length) drawMatrix(ctx, view, ids.length, cols, labelW, top, w - labelW, ids.length * rowH, { scale: m });
    ctx.textAlign = 'right';
    ctx.font = '12px ui-monospace, Menlo, monospace';
    ctx.fillStyle = '#1d232b';
    ids.forEach((id, i) => ctx.fillText(`${label(id).slice(0, 9)} ${id}`, labelW - 6, top + (i + 0.5) * rowH));
    colourLegend(ctx, labelW, top + Math.max(1, ids.length) * rowH + 8, Math.min(w - labelW, 320), { lo: -m, hi: m, label: 'value' });
    heat.dataset.ids = JSON.stringify(ids);
    heat.dataset.rows = JSON.stringify(Array.from(rows));
    heatData.replaceChildren(dataTable('The numbers in this heatmap', ['token', 'id', ...Array.from({ length: cols }, (_, c) => `d${c}`)],
      ids.map((id, i) => [label(id), String(id), ...Array.from(view.subarray(i * cols, i * cols + cols))]), 'model-heat-data'));
    const uniq = [...new Set(ids)].slice(0, 6);
    near.replaceChildren(...uniq.map((id) => {
      const list = nb.nearest(id, { k: 5 });
      return h('div', { class: 'card', 'data-id': id, 'data-near': JSON.stringify(list.map((n) => [n.id, n.score])) },
        h('strong', { text: `${label(id)} (${id})` }),
        h('ol', {}, ...list.map((n) => h('li', {}, `${label(n.id)} `, h('span', { class: 'note', text: fmt(n.score, 3) })))));
    }));
  }

  async function load(file) {
    status.textContent = `Reading ${file.name}…`;
    emb?.dispose(); nb?.dispose();
    emb = nb = words = null;
    textIn.disabled = true;
    try {
      const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
      const isGGUF = String.fromCharCode(...head) === 'GGUF';
      const model = isGGUF ? await openGGUF(file) : await openSafetensors(file);
      kind = isGGUF ? 'GGUF' : 'safetensors';
      const name = isGGUF ? 'token_embd.weight' : tableName(model);
      if (!name || !model.names.includes(name)) throw new RangeError('no 2-D token table found in this file');
      const t = model.tensor(name);
      const stored = isGGUF ? t.type : t.dtype;
      const t0 = performance.now();
      emb = await model.loadEmbedding(name, { dtype: 'float32' });
      const ms = performance.now() - t0;
      words = isGGUF && model.tokens && model.tokens.length === emb.numEmbeddings ? model.tokens : null;
      gpt2 = !words && emb.numEmbeddings >= 256 && emb.numEmbeddings <= GPT2_VOCAB + 64;
      nb = new Neighbors(emb);
      status.textContent = `Loaded ${kind} file “${file.name}” (${int(file.size)} bytes) in ${fmt(ms / 1000, 2)} s.`;
      info.replaceChildren(h('ul', { id: 'model-facts' },
        h('li', {}, 'token table: ', h('code', { text: name })),
        h('li', {}, `shape ${int(emb.numEmbeddings)} × ${emb.dim} (N × D), stored as ${stored}, `,
          `${int(t.byteLength)} bytes read of ${int(file.size)}`),
        h('li', { text: words ? 'token names: the file’s own list (tokenizer.ggml.tokens)'
          : gpt2 ? `token names: GPT-2’s tokenizer${emb.numEmbeddings !== GPT2_VOCAB ? ' (this table has a different size, so ids past its end are skipped)' : ''}`
            : 'token names: none in the file; type ids' })));
      root.dataset.loaded = name;
      textIn.disabled = false;
      render();
    } catch (err) {
      status.textContent = `Could not read ${file.name}: ${err.message}`;
      root.dataset.loaded = '';
      console.warn(err);
    }
  }

  fileIn.addEventListener('change', () => { if (fileIn.files[0]) load(fileIn.files[0]); });
  textIn.addEventListener('input', render);
}
