// neighbors.js — Neighbors: cosine nearest neighbours and analogies over a copy of an embedding
// table (src/c/neighbors.c). Queries are normalised in float64 here; the scores of all rows are
// one SIMD pass in wasm, then a top-k selection.

import { alloc, free, heap, scratch, scratchSize, wasm } from './memory.js';
import { checkOptions, checkPosInt } from './validate.js';

/** Keys of the Neighbors options and of nearest()/analogy()'s (an unknown key is a TypeError). */
export const NEIGHBORS_OPTIONS = ['dim', 'vocab', 'words'];
const SEARCH_OPTIONS = ['k', 'exclude', 'restrictVocab'];

function describe(v) {
  return v === null ? 'null' : ArrayBuffer.isView(v) ? v.constructor.name : typeof v;
}

/** { table: Float32Array, dim } from a Word2Vec, an Embedding, or a Float32Array + dim. */
function tableOf(source, dim) {
  if (source !== null && typeof source === 'object' && !ArrayBuffer.isView(source) && 'weight' in source && 'dim' in source) {
    // An Embedding stored as float16 / bfloat16 / Q*: its rows decoded to float32.
    if (typeof source.dtype === 'string' && source.dtype !== 'float32') return { table: source._float32(), dim: source.dim };
    return { table: source.weight, dim: source.dim };
  }
  if (!(source instanceof Float32Array)) {
    throw new TypeError(`embedkit: Neighbors takes a Word2Vec, an Embedding or a Float32Array table, got ${describe(source)}`);
  }
  if (dim === undefined) throw new TypeError('embedkit: Neighbors with a Float32Array table needs options.dim');
  checkPosInt(dim, 'dim');
  if (source.length === 0 || source.length % dim !== 0) {
    throw new RangeError(`embedkit: table has length ${source.length}, expected a positive multiple of dim = ${dim}`);
  }
  return { table: source, dim };
}

export class Neighbors {
  #tab = 0; #inv = 0; #n = 0; #d = 0;
  #words = null; #index = null; #vocab = null;
  #disposed = false;

  /**
   * @param {object|Float32Array} source a Word2Vec, an Embedding, or a row-major Float32Array
   * @param {{ dim?: number, vocab?: {id(w: string): number, words: string[]}, words?: string[] }} [options]
   *   dim: row length when source is a Float32Array; vocab or words: to query by word and to
   *   get words back.
   */
  constructor(source, options = {}) {
    checkOptions(options, NEIGHBORS_OPTIONS, 'Neighbors options');
    const { table, dim } = tableOf(source, options.dim);
    const n = table.length / dim;
    // A view into wasm memory would go stale if the allocations below grow it: copy it first.
    const src = source instanceof Float32Array && source.buffer === heap().buffer ? source.slice() : source;
    if (options.vocab !== undefined) {
      const v = options.vocab;
      if (v === null || typeof v !== 'object' || typeof v.id !== 'function' || !Array.isArray(v.words)) {
        throw new TypeError('embedkit: Neighbors vocab must be a Vocab');
      }
      if (v.words.length !== n) throw new RangeError(`embedkit: vocab has ${v.words.length} words, the table has ${n} rows`);
      this.#vocab = v;
      this.#words = v.words;
    } else if (options.words !== undefined) {
      const w = options.words;
      if (!Array.isArray(w) || w.some((x) => typeof x !== 'string')) throw new TypeError('embedkit: Neighbors words must be an array of strings');
      if (w.length !== n) throw new RangeError(`embedkit: words has ${w.length} entries, the table has ${n} rows`);
      this.#words = Object.freeze(w.slice());
      this.#index = new Map(w.map((x, i) => [x, i]));
    }
    const owned = [];
    try {
      owned.push(this.#tab = alloc(table.length * 4, `a Neighbors table of ${n} x ${dim}`));
      owned.push(this.#inv = alloc(n * 4, 'Neighbors norms'));
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    this.#n = n;
    this.#d = dim;
    this.#load(src instanceof Float32Array ? src : tableOf(src).table);
  }

  #load(table) {
    heap().f32.set(table, this.#tab >>> 2);
    wasm().ek_row_inv_norms_f32(this.#inv, this.#tab, this.#n, this.#d);
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Neighbors is disposed');
    return wasm();
  }

  get numRows() { return this.#n; }
  get dim() { return this.#d; }
  get words() { return this.#words; }

  /** Copy a new version of the table in (same shape), e.g. while training goes on. */
  update(source) {
    this.#live();
    const { table, dim } = tableOf(source, this.#d);
    if (dim !== this.#d || table.length !== this.#n * this.#d) {
      throw new RangeError(`embedkit: update needs a table of ${this.#n} x ${this.#d}, got length ${table.length} (dim ${dim})`);
    }
    this.#load(table);
  }

  /** Row id of a word or id (validated). */
  #id(x, name) {
    if (typeof x === 'string') {
      if (this.#words === null) throw new TypeError(`embedkit: ${name} is a word, but this Neighbors has no vocab/words`);
      const id = this.#vocab ? this.#vocab.id(x) : (this.#index.get(x) ?? -1);
      if (id < 0) throw new RangeError(`embedkit: ${name} = ${JSON.stringify(x)} is not in the vocabulary`);
      return id;
    }
    if (typeof x !== 'number') throw new TypeError(`embedkit: ${name} must be a row id or a word, got ${describe(x)}`);
    if (!Number.isInteger(x) || x < 0 || x >= this.#n) throw new RangeError(`embedkit: ${name} = ${x} is out of range [0, ${this.#n})`);
    return x;
  }

  /** Row `id` as float64, scaled to unit length (zero row stays zero). */
  #unitRow(id) {
    const d = this.#d;
    const r = heap().f32.subarray((this.#tab >>> 2) + id * d, (this.#tab >>> 2) + (id + 1) * d);
    const out = Float64Array.from(r);
    let s = 0;
    for (let j = 0; j < d; j++) s += out[j] * out[j];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < d; j++) out[j] *= inv;
    }
    return out;
  }

  #excludeIds(exclude) {
    if (exclude === undefined) return [];
    if (!Array.isArray(exclude) && !(exclude instanceof Int32Array)) throw new TypeError('embedkit: exclude must be an array of row ids or words');
    return Array.from(exclude, (x, i) => this.#id(x, `exclude[${i}]`));
  }

  /** Rows searched: the first `restrictVocab` (gensim's restrict_vocab), all by default. */
  #limit(restrictVocab) {
    if (restrictVocab === undefined) return this.#n;
    checkPosInt(restrictVocab, 'restrictVocab', { max: Number.MAX_SAFE_INTEGER });
    return Math.min(restrictVocab, this.#n);
  }

  #search(q64, k, exclude, n = this.#n) {
    const ex = this.#live();
    checkPosInt(k, 'k');
    k = Math.min(k, n);
    exclude = exclude.filter((id) => id < n);
    let s2 = 0;
    for (let j = 0; j < q64.length; j++) s2 += q64[j] * q64[j];
    if (!(s2 > 0) || !Number.isFinite(s2)) throw new RangeError('embedkit: the query vector is zero or not finite; cosine is undefined');
    const inv = 1 / Math.sqrt(s2);
    const d = this.#d;
    const s = scratch(scratchSize(n * 4, d * 4, exclude.length * 4, k * 4, k * 4));
    const scores = s.take(n * 4), q = s.take(d * 4), exc = s.take(exclude.length * 4), oi = s.take(k * 4), os = s.take(k * 4);
    const h = heap();
    for (let j = 0; j < d; j++) h.f32[(q >>> 2) + j] = q64[j] * inv;
    h.i32.set(exclude, exc >>> 2);
    ex.ek_cosine_scores_f32(scores, this.#tab, this.#inv, q, n, d);
    const cnt = ex.ek_topk_f32(oi, os, scores, n, k, exc, exclude.length);
    const hv = heap();
    const out = [];
    for (let i = 0; i < cnt; i++) {
      const id = hv.i32[(oi >>> 2) + i];
      const item = { id, score: hv.f32[(os >>> 2) + i] };
      if (this.#words) item.word = this.#words[id];
      out.push(item);
    }
    return out;
  }

  /**
   * The k rows most cosine-similar to `query`: a row id, a word, or a Float32Array of length
   * dim. A row or word query excludes itself. Returns [{ id, score, word? }], best first
   * (ties: lower id first). restrictVocab: search only the first that many rows (gensim's
   * restrict_vocab; with a vocabulary sorted by frequency, the most frequent words).
   * @param {number|string|Float32Array} query
   * @param {{ k?: number, exclude?: Array<number|string>, restrictVocab?: number }} [options]
   */
  nearest(query, options) {
    const { k = 10, exclude, restrictVocab } = checkOptions(options, SEARCH_OPTIONS, 'nearest options');
    this.#live();
    const n = this.#limit(restrictVocab);
    const ids = this.#excludeIds(exclude);
    let q64;
    if (query instanceof Float32Array || query instanceof Float64Array) {
      if (query.length !== this.#d) throw new RangeError(`embedkit: query has length ${query.length}, expected ${this.#d}`);
      q64 = Float64Array.from(query);
    } else {
      const id = this.#id(query, 'query');
      q64 = this.#unitRow(id);
      ids.push(id);
    }
    return this.#search(q64, k, ids, n);
  }

  /**
   * Analogy "a - b + c" (king - man + woman ~ queen): the rows nearest to
   * unit(a) - unit(b) + unit(c) (the 3CosAdd rule of Mikolov et al., as gensim's
   * most_similar(positive=[a, c], negative=[b])), excluding a, b and c. restrictVocab as in
   * nearest().
   */
  analogy(a, b, c, options) {
    const { k = 10, exclude, restrictVocab } = checkOptions(options, SEARCH_OPTIONS, 'analogy options');
    this.#live();
    const n = this.#limit(restrictVocab);
    const ia = this.#id(a, 'a'), ib = this.#id(b, 'b'), ic = this.#id(c, 'c');
    const ids = this.#excludeIds(exclude);
    const ua = this.#unitRow(ia), ub = this.#unitRow(ib), uc = this.#unitRow(ic);
    const q = new Float64Array(this.#d);
    for (let j = 0; j < this.#d; j++) q[j] = ua[j] - ub[j] + uc[j];
    return this.#search(q, k, [...ids, ia, ib, ic], n);
  }

  /** Cosine similarity of two rows (ids or words), in float64. */
  similarity(x, y) {
    this.#live();
    const u = this.#unitRow(this.#id(x, 'x')), v = this.#unitRow(this.#id(y, 'y'));
    let s = 0;
    for (let j = 0; j < this.#d; j++) s += u[j] * v[j];
    return s;
  }

  dispose() {
    if (this.#disposed) return;
    free(this.#tab);
    free(this.#inv);
    this.#tab = this.#inv = 0;
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
