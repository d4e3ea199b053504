// glove.js — Cooccurrence (the sparse word-word matrix X) and GloVe (the weighted least-squares
// trainer on it), src/c/glove.c. Both keep their data in wasm memory; GloVe.step() trains a
// chunk of entries and returns, so a page can train in a Web Worker, as with Word2Vec.

import { alloc, free, heap, scratch, scratchSize, wasm, MAX_BLOCK_BYTES } from './memory.js';
import { checkNumber, checkOptions, checkPosInt } from './validate.js';
import { checkSeed, corpusOf } from './word2vec.js';
import { Embedding } from './embedding.js';

const now = () => (globalThis.performance ?? Date).now();
const GiB = 2 ** 30;
const WASM_MAX = 2 ** 32 - 2 ** 16;
// The hash is one block: at most MAX_BLOCK_BYTES (2 GiB - 1 MiB) of 16-byte slots.
const MAX_SLOTS = Math.floor(MAX_BLOCK_BYTES / 16);
const fmt = (n) => (n >= GiB ? `${(n / GiB).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);

/** Row lengths of the dense block: row i keeps columns j < min(V, floor(P / (i + 1))). */
function denseOffsets(V, cells) {
  const total = (P) => {
    let s = 0;
    for (let i = 0; i < V; i++) {
      const l = Math.floor(P / (i + 1));
      if (l === 0) break;
      s += Math.min(V, l);
    }
    return s;
  };
  let lo = 0, hi = V * V;  // largest P with total(P) <= cells
  while (lo < hi) {
    const mid = Math.floor((lo + hi + 1) / 2);
    if (total(mid) <= cells) lo = mid;
    else hi = mid - 1;
  }
  const off = new Uint32Array(V + 1);
  for (let i = 0; i < V; i++) off[i + 1] = off[i] + Math.min(V, Math.floor(lo / (i + 1)));
  return off;
}

// The CSR arrays of each live Cooccurrence, for GloVe (module-private).
const csrOf = new WeakMap();

export const GLOVE_OPTIONS = {
  Cooccurrence: ['corpus', 'vocab', 'numWords', 'window', 'symmetric', 'distanceWeighting', 'maxBytes', 'denseCells'],
  GloVe: ['cooccurrence', 'dim', 'epochs', 'xMax', 'alpha', 'lr', 'gradClip', 'seed', 'reshuffle', 'scalar', 'threads'],
  train: ['onProgress', 'chunkEntries', 'signal'],
  top: ['k'],
  toEmbedding: ['vectors'],
};

export class Cooccurrence {
  #rowptr = 0; #cols = 0; #vals = 0;
  #n; #nnz; #options; #words = null; #vocab = null;
  #stats;
  #disposed = false;

  /**
   * Count the weighted co-occurrences of a corpus.
   * @param {object} options
   *   corpus: Int32Array of word ids, -1 = sentence break (Vocab#encode gives this; windows stop
   *   at a break; encode with { sentenceBreaks: false } to count over the running text);
   *   vocab (a Vocab) or numWords: the number of word ids (vocab also names words in top());
   *   window = 15 (words on each side); symmetric = true (false: left context only, rows are the
   *   left word); distanceWeighting = true (a pair k words apart adds 1/k, else 1);
   *   maxBytes = 2 GiB: the wasm memory counting may use (RangeError past it);
   *   denseCells = 2^22: cells of the dense block for frequent pairs (0: everything hashed).
   */
  constructor(options = {}) {
    const ex = wasm();
    checkOptions(options, GLOVE_OPTIONS.Cooccurrence, 'Cooccurrence options', { optional: false });
    const { window = 15, symmetric = true, distanceWeighting = true, maxBytes = 2 * GiB } = options;
    let V;
    if (options.vocab !== undefined) {
      const v = options.vocab;
      if (v === null || typeof v !== 'object' || !Array.isArray(v.words) || typeof v.id !== 'function') {
        throw new TypeError('embedkit: Cooccurrence vocab must be a Vocab');
      }
      V = v.words.length;
      if (V < 1) throw new RangeError('embedkit: Cooccurrence needs a vocabulary of at least one word');
    } else if (options.numWords !== undefined) {
      V = checkPosInt(options.numWords, 'numWords');
    } else {
      throw new TypeError('embedkit: Cooccurrence needs `vocab` (a Vocab) or `numWords`');
    }
    checkPosInt(window, 'window', { max: 1000 });
    if (typeof symmetric !== 'boolean') throw new TypeError('embedkit: symmetric must be a boolean');
    if (typeof distanceWeighting !== 'boolean') throw new TypeError('embedkit: distanceWeighting must be a boolean');
    checkNumber(maxBytes, 'maxBytes', { min: 2 ** 20 });
    if (maxBytes > WASM_MAX) throw new RangeError(`embedkit: maxBytes must be at most ${WASM_MAX} (wasm32 memory), got ${maxBytes}`);
    const denseCells = options.denseCells ?? Math.min(2 ** 22, V * V);
    if (typeof denseCells !== 'number') throw new TypeError(`embedkit: denseCells must be a number, got ${typeof denseCells}`);
    if (!Number.isInteger(denseCells) || denseCells < 0 || denseCells > 2 ** 28) {
      throw new RangeError(`embedkit: denseCells must be an integer in [0, 2^28], got ${denseCells}`);
    }
    const c = options.corpus;
    if (!(c instanceof Int32Array || c instanceof Uint32Array || Array.isArray(c))) {
      throw new TypeError('embedkit: Cooccurrence corpus must be an Int32Array (or an array) of word ids, -1 for a sentence break');
    }
    const { ids, tokens } = corpusOf(c, V);
    const off = denseOffsets(V, denseCells);
    const cells = off[V];

    const owned = new Set();
    const take = (bytes, what) => {
      const p = alloc(bytes, `Cooccurrence ${what}`);
      owned.add(p);
      return p;
    };
    const release = (p) => {
      free(p);
      owned.delete(p);
    };
    const fixed = 8 * cells + 4 * (V + 1) + 4 * ids.length + ex.ek_cooc_sizeof();
    const over = (need, why) => new RangeError(`embedkit: counting co-occurrences needs ${fmt(need)} of wasm memory ` +
      `(${why}), more than maxBytes = ${fmt(maxBytes)}; raise maxBytes (wasm32 allows about 4 GiB) or count ` +
      'less text, a smaller window or a smaller vocabulary');
    let cap = 2 ** 16;
    let peak = fixed + 16 * cap;
    try {
      if (peak > maxBytes) throw over(peak, `${V} words, ${ids.length} corpus positions`);
      const st = take(ex.ek_cooc_sizeof(), 'state');
      const offPtr = take(4 * (V + 1), 'dense offsets');
      const dense = take(8 * Math.max(cells, 1), `dense block (${cells} cells)`);
      const corpusPtr = take(4 * Math.max(ids.length, 1), 'corpus');
      let hash = take(16 * cap, 'hash');
      let h = heap();
      h.u32.set(off, offPtr >>> 2);
      h.i32.set(ids, corpusPtr >>> 2);
      const rc = ex.ek_cooc_init(st, dense, offPtr, V, window, symmetric ? 1 : 0, distanceWeighting ? 1 : 0, hash, cap);
      if (rc !== 0) throw new Error(`embedkit internal: ek_cooc_init returned ${rc}`);
      let pos = 0;
      const t0 = now();
      for (;;) {
        pos = ex.ek_cooc_count(st, corpusPtr, pos, ids.length);
        if (pos >= ids.length) break;
        // Twice as many slots; or, when the budget would not allow another growth after that,
        // as many as it allows now (a table of c slots must fit beside the old one, and later
        // beside the result of every pair it can hold).
        const fits = (from, c) => fixed + 16 * (from + c) <= maxBytes && fixed + 16 * c + 12 * V + 8 * (0.7 * c + cells) <= maxBytes;
        const largest = (from) => {
          let c = Math.min(MAX_SLOTS, Math.floor((maxBytes - fixed) / 16) - from, Math.floor((maxBytes - fixed - 12 * V - 8 * cells) / 21.6));
          while (c > from && !fits(from, c)) c--;
          return c;
        };
        let next = Math.min(cap * 2, MAX_SLOTS);
        if (!fits(cap, next) || largest(next) < next * 1.125) next = largest(cap);
        const need = fixed + 16 * (cap + Math.max(next, Math.ceil(cap * 1.125)));
        if (next < cap * 1.125) {
          if (cap * 1.125 > MAX_SLOTS && need <= maxBytes) {
            throw new RangeError(`embedkit: counting co-occurrences found more than ${Math.floor(cap * 0.7)} distinct pairs after ${pos} of ` +
              `${ids.length} corpus positions, more than the hash can hold (one block of at most ${fmt(MAX_BLOCK_BYTES)}); count less ` +
              'text, a smaller window or a smaller vocabulary');
          }
          throw over(need, `more than ${Math.floor(cap * 0.7)} distinct pairs after ${pos} of ${ids.length} corpus positions`);
        }
        const bigger = take(16 * next, `hash (${next} slots)`);
        if (ex.ek_cooc_rehash(st, bigger, next) !== 0) throw new Error('embedkit internal: ek_cooc_rehash failed');
        release(hash);
        hash = bigger;
        cap = next;
        peak = Math.max(peak, need);
      }
      const rownnz = take(4 * V, 'row counts');
      const nnz = ex.ek_cooc_row_nnz(rownnz, st);
      const result = 8 * nnz + 4 * (V + 1);
      const need = fixed + 16 * cap + 8 * V + result;
      if (need > maxBytes || nnz > 2 ** 31 - 1) throw over(need, `${nnz} distinct pairs`);
      peak = Math.max(peak, need);
      const rowptr = take(4 * (V + 1), 'row pointers');
      const cols = take(4 * Math.max(nnz, 1), `columns (${nnz})`);
      const vals = take(4 * Math.max(nnz, 1), `values (${nnz})`);
      const cursor = take(4 * V, 'cursor');
      ex.ek_cooc_finish(rowptr, cols, vals, cursor, rownnz, st);
      const countMs = now() - t0;
      for (const p of [...owned]) if (p !== rowptr && p !== cols && p !== vals) release(p);
      this.#rowptr = rowptr;
      this.#cols = cols;
      this.#vals = vals;
      this.#n = V;
      this.#nnz = nnz;
      this.#stats = Object.freeze({ tokens, positions: ids.length, denseCells: cells, hashSlots: cap, peakBytes: peak, bytes: result, countMs });
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    if (options.vocab !== undefined) {
      this.#vocab = options.vocab;
      this.#words = options.vocab.words;
    }
    this.#options = Object.freeze({ window, symmetric, distanceWeighting, maxBytes, denseCells: cells });
    csrOf.set(this, () => {
      this.#live();
      return { rowptr: this.#rowptr, cols: this.#cols, vals: this.#vals, n: this.#n, nnz: this.#nnz };
    });
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Cooccurrence is disposed');
    return wasm();
  }

  /** Number of word ids (rows and columns). */
  get numWords() { return this.#n; }
  /** Number of stored (nonzero) entries. */
  get nonzeros() { return this.#nnz; }
  /** The options in force, defaults filled in. */
  get options() { return this.#options; }
  /** The words, when built with a vocab (else null). */
  get words() { return this.#words; }
  /**
   * How the count went: { tokens, positions, denseCells, hashSlots, peakBytes (wasm memory used
   * while counting), bytes (held by the result), countMs }.
   */
  get stats() { return this.#stats; }
  get disposed() { return this.#disposed; }

  #id(x, name) {
    if (typeof x === 'string') {
      if (this.#vocab === null) throw new TypeError(`embedkit: ${name} is a word, but this Cooccurrence has no vocab`);
      const id = this.#vocab.id(x);
      if (id < 0) throw new RangeError(`embedkit: ${name} = ${JSON.stringify(x)} is not in the vocabulary`);
      return id;
    }
    if (typeof x !== 'number') throw new TypeError(`embedkit: ${name} must be a word id or a word, got ${x === null ? 'null' : typeof x}`);
    if (!Number.isInteger(x) || x < 0 || x >= this.#n) throw new RangeError(`embedkit: ${name} = ${x} is out of range [0, ${this.#n})`);
    return x;
  }

  #span(i) {
    const h = heap();
    return [h.u32[(this.#rowptr >>> 2) + i], h.u32[(this.#rowptr >>> 2) + i + 1]];
  }

  /** Row i (a word id or a word): { cols: Int32Array, values: Float32Array } (copies), by column. */
  row(x) {
    this.#live();
    const i = this.#id(x, 'row');
    const [a, b] = this.#span(i);
    const h = heap();
    return {
      cols: h.i32.slice((this.#cols >>> 2) + a, (this.#cols >>> 2) + b),
      values: h.f32.slice((this.#vals >>> 2) + a, (this.#vals >>> 2) + b),
    };
  }

  /** X[i, j] (ids or words), 0 when the pair never co-occurred. */
  get(x, y) {
    this.#live();
    const i = this.#id(x, 'i'), j = this.#id(y, 'j');
    let [a, b] = this.#span(i);
    const h = heap();
    const c = this.#cols >>> 2;
    while (a < b) {
      const m = (a + b) >>> 1;
      const v = h.i32[c + m];
      if (v === j) return h.f32[(this.#vals >>> 2) + m];
      if (v < j) a = m + 1;
      else b = m;
    }
    return 0;
  }

  /**
   * The k words that co-occur most with `x` (a word id or a word): [{ id, count, word? }],
   * largest count first, ties to the lower id. For a one-sided count these are the words that
   * follow x.
   */
  top(x, options) {
    this.#live();
    const { k = 10 } = checkOptions(options, GLOVE_OPTIONS.top, 'top options');
    checkPosInt(k, 'k');
    const { cols, values } = this.row(x);
    const order = Array.from(cols.keys()).sort((p, q) => values[q] - values[p] || cols[p] - cols[q]);
    return order.slice(0, k).map((p) => {
      const item = { id: cols[p], count: values[p] };
      if (this.#words) item.word = this.#words[cols[p]];
      return item;
    });
  }

  /** Every entry as copies: { rows: Int32Array, cols: Int32Array, values: Float32Array }, row-major. */
  entries() {
    this.#live();
    const h = heap();
    const n = this.#nnz;
    const rows = new Int32Array(n);
    for (let i = 0; i < this.#n; i++) {
      const [a, b] = this.#span(i);
      rows.fill(i, a, b);
    }
    return {
      rows,
      cols: h.i32.slice(this.#cols >>> 2, (this.#cols >>> 2) + n),
      values: h.f32.slice(this.#vals >>> 2, (this.#vals >>> 2) + n),
    };
  }

  dispose() {
    if (this.#disposed) return;
    free(this.#rowptr);
    free(this.#cols);
    free(this.#vals);
    this.#rowptr = this.#cols = this.#vals = 0;
    csrOf.delete(this);
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}

export class GloVe {
  #st = 0; #params = 0; #rec = 0;
  #n; #dim; #nnz; #options;
  #elapsed = 0;
  #costs = [];
  #last = null;
  #stopRequested = false;
  #disposed = false;

  /**
   * @param {object} options
   *   cooccurrence: a Cooccurrence (its entries are copied: it may be disposed afterwards);
   *   dim = 50; epochs = 25; xMax = 100; alpha = 0.75 (f(x) = min(1, (x / xMax)^alpha));
   *   lr = 0.05 (AdaGrad's initial rate); gradClip = 100; seed = 1; reshuffle = false (true:
   *   shuffle the entries again before every epoch; the tool shuffles once);
   *   scalar = false (force the non-SIMD kernels; same bits, slower);
   *   threads = 1: n > 1 trains n parts of each step's entries side by side on the thread pool,
   *   lock-free as the original tool's -threads (faster, not bit-reproducible; 1 is deterministic).
   */
  constructor(options = {}) {
    const ex = wasm();
    checkOptions(options, GLOVE_OPTIONS.GloVe, 'GloVe options', { optional: false });
    const {
      cooccurrence, dim = 50, epochs = 25, xMax = 100, alpha = 0.75, lr = 0.05, gradClip = 100, seed = 1,
      reshuffle = false, scalar = false, threads = 1,
    } = options;
    checkPosInt(threads, 'threads', { max: 256 });
    const csr = cooccurrence instanceof Cooccurrence ? csrOf.get(cooccurrence) : undefined;
    if (!(cooccurrence instanceof Cooccurrence)) throw new TypeError('embedkit: GloVe needs `cooccurrence` (a Cooccurrence)');
    if (csr === undefined) throw new Error('embedkit: this Cooccurrence is disposed');
    checkPosInt(dim, 'dim', { max: 1e5 });
    checkPosInt(epochs, 'epochs', { max: 1e6 });
    checkNumber(xMax, 'xMax', { min: 0, exclusiveMin: true });
    checkNumber(alpha, 'alpha', { min: 0 });
    checkNumber(lr, 'lr', { min: 0, exclusiveMin: true });
    checkNumber(gradClip, 'gradClip', { min: 0, exclusiveMin: true });
    if (typeof reshuffle !== 'boolean') throw new TypeError('embedkit: reshuffle must be a boolean');
    if (typeof scalar !== 'boolean') throw new TypeError('embedkit: scalar must be a boolean');
    const [seedLo, seedHi] = checkSeed(seed);
    const { rowptr, cols, vals, n, nnz } = csr();
    const stride = 2 * ((dim + 3) & ~3) + 4;
    const paramBytes = 2 * n * stride * 4;
    if (paramBytes + 16 * nnz > WASM_MAX) {
      throw new RangeError(`embedkit: GloVe of ${n} words x ${dim} with ${nnz} entries needs ${fmt(paramBytes + 16 * nnz)}, more than wasm32 memory can hold`);
    }
    const owned = [];
    try {
      owned.push(this.#st = alloc(ex.ek_glove_sizeof(), 'GloVe state'));
      owned.push(this.#params = alloc(paramBytes, `GloVe parameters (2 x ${n} x ${dim})`));
      owned.push(this.#rec = alloc(16 * Math.max(nnz, 1), `GloVe entries (${nnz})`));
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    const rc = ex.ek_glove_init(this.#st, this.#params, this.#rec, rowptr, cols, vals, n, dim, xMax, alpha, lr, gradClip,
      epochs, reshuffle ? 1 : 0, seedLo, seedHi, scalar ? 1 : 0);
    if (rc !== 0) {
      for (const p of owned) free(p);
      throw new Error(`embedkit internal: ek_glove_init returned ${rc}`);
    }
    this.#n = n;
    this.#dim = dim;
    this.#nnz = nnz;
    if (threads > 1) ex.ek_glove_threads(this.#st, threads);
    this.#options = Object.freeze({ dim, epochs, xMax, alpha, lr, gradClip, seed, reshuffle, scalar, threads });
    this.#last = this.#read(false, 0);
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this GloVe is disposed');
    return wasm();
  }

  #raw(reset) {
    const p = scratch(64).take(64);
    wasm().ek_glove_progress(p, this.#st, reset ? 1 : 0);
    return Array.from(heap().f64.subarray(p >>> 3, (p >>> 3) + 8));
  }

  #read(reset, entriesAtStart) {
    const f = this.#raw(reset);
    const [done, total, epoch, costSum, costN, , skipped] = f;
    return {
      entriesDone: done,
      totalEntries: total,
      fraction: total > 0 ? done / total : 1,
      epoch,
      cost: costN > 0 ? costSum / costN : null,
      epochCost: this.#costs.length ? this.#costs[this.#costs.length - 1] : null,
      skipped,
      entriesPerSec: this.#elapsed > 0 ? (done - entriesAtStart) / (this.#elapsed / 1000) : 0,
      elapsedMs: this.#elapsed,
      done: epoch >= this.#options.epochs,
    };
  }

  get numWords() { return this.#n; }
  get dim() { return this.#dim; }
  /** Number of co-occurrence entries trained per epoch. */
  get numEntries() { return this.#nnz; }
  /** The options in force, defaults filled in. */
  get options() { return this.#options; }
  get disposed() { return this.#disposed; }
  /** The latest progress report (see step()). */
  get progress() { this.#live(); return { ...this.#last }; }
  get done() { return this.progress.done; }
  /** Mean cost per entry of every finished epoch (the figure the original tool prints). */
  get costs() { this.#live(); return this.#costs.slice(); }

  #export(which, len) {
    const ex = this.#live();
    const s = scratch(scratchSize(len * 4));
    const p = s.take(len * 4);
    ex.ek_glove_export(p, this.#st, which);
    return heap().f32.slice(p >>> 2, (p >>> 2) + len);
  }

  /** W + W~ (the tool's `model 2`, its default output), numWords x dim, a fresh copy. */
  get weight() { return this.#export(2, this.#n * this.#dim); }
  /** The word vectors W, a fresh copy. */
  get wordWeight() { return this.#export(0, this.#n * this.#dim); }
  /** The context vectors W~, a fresh copy. */
  get contextWeight() { return this.#export(1, this.#n * this.#dim); }
  /** The word biases b, a fresh copy. */
  get wordBias() { return this.#export(3, this.#n); }
  /** The context biases b~, a fresh copy. */
  get contextBias() { return this.#export(4, this.#n); }

  /**
   * Train up to `nEntries` more co-occurrence entries (crossing epochs as needed) or until
   * training is done. Returns the progress: { entriesDone, totalEntries, fraction, epoch, cost
   * (mean weighted squared error per entry since the previous step), epochCost (mean cost of the
   * last finished epoch, or null), skipped, entriesPerSec (compute time only), elapsedMs, done }.
   * Chunk sizes do not change the result.
   */
  step(nEntries = 100000) {
    const ex = this.#live();
    checkPosInt(nEntries, 'nEntries');
    let left = nEntries;
    const t0 = now();
    while (left > 0) {
      const [, , epoch, , , , , pos] = this.#raw(false);
      if (epoch >= this.#options.epochs) break;
      // stop at the end of the epoch so that every epoch's cost is read
      const m = this.#nnz === 0 ? 1 : Math.min(left, this.#nnz - pos);
      ex.ek_glove_step(this.#st, m);
      left -= m;
      const after = this.#raw(false);
      for (let e = epoch; e < after[2]; e++) this.#costs.push(after[5]);
    }
    this.#elapsed += now() - t0;
    this.#last = this.#read(true, 0);
    return { ...this.#last };
  }

  /**
   * Train to the end (or until stop() / signal), `chunkEntries` at a time, calling
   * onProgress(progress) after each chunk and yielding to the event loop between chunks.
   * Calling train() again resumes where it stopped.
   * @param {{ onProgress?: (p: object) => void, chunkEntries?: number, signal?: AbortSignal }} [options]
   */
  async train(options) {
    this.#live();
    const { onProgress, chunkEntries = 200000, signal } = checkOptions(options, GLOVE_OPTIONS.train, 'train options');
    checkPosInt(chunkEntries, 'chunkEntries');
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('embedkit: onProgress must be a function');
    this.#stopRequested = false;
    let p = this.progress;
    while (!p.done && !this.#stopRequested && !signal?.aborted) {
      p = this.step(chunkEntries);
      if (onProgress) onProgress(p);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.#disposed) break;
    }
    return p;
  }

  /** Ask a running train() to return after the current chunk. */
  stop() { this.#stopRequested = true; }

  /** A new Embedding holding a copy of W + W~ (or of W alone with { vectors: 'word' }). */
  toEmbedding(options) {
    const { vectors = 'sum' } = checkOptions(options, GLOVE_OPTIONS.toEmbedding, 'toEmbedding options');
    if (vectors !== 'sum' && vectors !== 'word' && vectors !== 'context') {
      throw new RangeError(`embedkit: vectors must be 'sum', 'word' or 'context', got ${String(vectors)}`);
    }
    const weight = vectors === 'sum' ? this.weight : vectors === 'word' ? this.wordWeight : this.contextWeight;
    return new Embedding(this.#n, this.#dim, { weight });
  }

  dispose() {
    if (this.#disposed) return;
    for (const p of [this.#st, this.#params, this.#rec]) free(p);
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
