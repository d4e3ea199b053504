// word2vec.js — Word2Vec: skip-gram / CBOW with negative sampling (src/c/word2vec.c). The
// trainer's whole state (input and output tables, unigram table, sentence, generator) lives in
// wasm memory, and step() trains a chunk of words and returns, so a page can run it in a Web
// Worker and draw progress between chunks; train() is the async loop around step().

import { alloc, blockTooLarge, free, heap, MAX_BLOCK_BYTES, scratch, scratchSize, wasm } from './memory.js';
import { checkNumber, checkPosInt } from './validate.js';
import { Embedding } from './embedding.js';

const now = () => (globalThis.performance ?? Date).now();

function checkSeed(seed) {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 2n ** 64n) throw new RangeError(`embedkit: seed must be in [0, 2^64), got ${seed}`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (typeof seed !== 'number') throw new TypeError(`embedkit: seed must be a number or bigint, got ${typeof seed}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`embedkit: seed must be a non-negative safe integer, got ${seed}`);
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** Counts as a Float64Array from a Vocab, an array or a typed array (validated). */
function countsOf(options) {
  let c = options.counts;
  if (c === undefined && options.vocab !== undefined) {
    if (options.vocab === null || typeof options.vocab !== 'object' || !('counts' in options.vocab)) {
      throw new TypeError('embedkit: Word2Vec vocab must be a Vocab (an object with counts)');
    }
    c = options.vocab.counts;
  }
  if (c === undefined || c === null || typeof c !== 'object' || typeof c.length !== 'number') {
    throw new TypeError('embedkit: Word2Vec needs `vocab` (a Vocab) or `counts` (one count per word id)');
  }
  if (c.length < 1) throw new RangeError('embedkit: Word2Vec needs a vocabulary of at least one word');
  const out = new Float64Array(c.length);
  for (let i = 0; i < c.length; i++) {
    const v = Number(c[i]);
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`embedkit: counts[${i}] = ${c[i]} must be a finite number >= 0`);
    out[i] = v;
  }
  return out;
}

/** The corpus as an Int32Array of ids in [-1, nVocab), -1 = sentence break (validated). */
function corpusOf(corpus, nVocab) {
  if (!(corpus instanceof Int32Array || corpus instanceof Uint32Array || Array.isArray(corpus))) {
    throw new TypeError('embedkit: Word2Vec corpus must be an Int32Array (or an array) of word ids, -1 for a sentence break');
  }
  const out = corpus instanceof Int32Array ? corpus : Int32Array.from(corpus, (v) => (typeof v === 'number' ? v : NaN));
  let tokens = 0;
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    const src = corpus[i];
    if (src !== v || v < -1 || v >= nVocab) {
      throw new RangeError(`embedkit: corpus[${i}] = ${src} is out of range [-1, ${nVocab}) (-1 marks a sentence break)`);
    }
    if (v >= 0) tokens++;
  }
  return { ids: out, tokens };
}

const MODES = new Map([['skipgram', 0], ['cbow', 1]]);

export class Word2Vec {
  #st = 0; #syn0 = 0; #syn1 = 0; #table = 0; #keep = 0; #neu1 = 0; #neu1e = 0; #sen = 0; #corpus = 0;
  #nVocab; #dim; #options;
  #elapsed = 0; #wordsAtStart = 0;
  #stopRequested = false;
  #last = null;
  #disposed = false;

  /**
   * @param {object} options
   *   corpus: Int32Array of word ids, -1 = sentence break (Vocab#encode gives this);
   *   vocab (a Vocab) or counts (one frequency per id): for the unigram table and subsampling;
   *   mode 'skipgram' | 'cbow' (default 'skipgram'); dim = 100; window = 5; negative = 5;
   *   sample = 1e-3; alpha = 0.025 (skip-gram) / 0.05 (CBOW); minAlphaRatio = 1e-4;
   *   epochs = 5; seed = 1; tableBits = 20 (unigram table of 2^tableBits ids);
   *   scalar = false (force the non-SIMD kernels; same bits, slower).
   */
  constructor(options = {}) {
    const ex = wasm();
    if (options === null || typeof options !== 'object') throw new TypeError('embedkit: Word2Vec options must be an object');
    const {
      mode = 'skipgram', dim = 100, window = 5, negative = 5, sample = 1e-3, minAlphaRatio = 1e-4,
      epochs = 5, seed = 1, tableBits = 20, scalar = false,
    } = options;
    if (!MODES.has(mode)) throw new RangeError(`embedkit: Word2Vec mode must be 'skipgram' or 'cbow', got ${String(mode)}`);
    const alpha = options.alpha ?? (mode === 'cbow' ? 0.05 : 0.025);
    const counts = countsOf(options);
    const nVocab = counts.length;
    const { ids, tokens } = corpusOf(options.corpus, nVocab);
    checkPosInt(dim, 'dim');
    checkPosInt(window, 'window', { max: 1000 });
    checkPosInt(negative, 'negative', { max: 1000 });
    checkNumber(sample, 'sample', { min: 0 });
    checkNumber(alpha, 'alpha', { min: 0, exclusiveMin: true });
    checkNumber(minAlphaRatio, 'minAlphaRatio', { min: 0 });
    if (minAlphaRatio > 1) throw new RangeError(`embedkit: minAlphaRatio must be in [0, 1], got ${minAlphaRatio}`);
    checkPosInt(epochs, 'epochs', { max: 1e6 });
    checkPosInt(tableBits, 'tableBits', { min: 8, max: 28 });
    if (typeof scalar !== 'boolean') throw new TypeError('embedkit: scalar must be a boolean');
    const [seedLo, seedHi] = checkSeed(seed);
    if (tokens * epochs > Number.MAX_SAFE_INTEGER) throw new RangeError('embedkit: corpus length * epochs is too large');
    const tableBytes = nVocab * dim * 4;
    if (tableBytes > MAX_BLOCK_BYTES) {
      throw blockTooLarge(`Word2Vec input vectors of ${nVocab} x ${dim}`, tableBytes, ' (and as much again for the output vectors)');
    }

    const owned = [];
    let countsPtr = 0;
    const take = (bytes, what) => {
      const p = alloc(bytes, `Word2Vec ${what}`);
      owned.push(p);
      return p;
    };
    try {
      this.#st = take(ex.ek_w2v_sizeof(), 'state');
      this.#syn0 = take(tableBytes, `input vectors (${nVocab} x ${dim})`);
      this.#syn1 = take(tableBytes, `output vectors (${nVocab} x ${dim})`);
      this.#table = take(4 * 2 ** tableBits, 'unigram table');
      this.#keep = take(4 * nVocab, 'subsampling thresholds');
      this.#neu1 = take(4 * dim, 'hidden vector');
      this.#neu1e = take(4 * dim, 'error vector');
      this.#sen = take(4 * 1000, 'sentence');
      this.#corpus = take(4 * Math.max(ids.length, 1), 'corpus');
      countsPtr = scratch(scratchSize(8 * nVocab)).take(8 * nVocab);
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    const h = heap();
    h.f64.set(counts, countsPtr >>> 3);
    h.i32.set(ids, this.#corpus >>> 2);
    const rc = ex.ek_w2v_init(this.#st, this.#syn0, this.#syn1, this.#table, this.#keep, this.#neu1, this.#neu1e,
      this.#sen, this.#corpus, ids.length, tokens, countsPtr, nVocab, dim, window, negative, MODES.get(mode),
      sample, alpha, minAlphaRatio, epochs, tableBits, seedLo, seedHi, scalar ? 1 : 0);
    if (rc !== 0) {
      for (const p of owned) free(p);
      throw new Error(`embedkit internal: ek_w2v_init returned ${rc}`);
    }
    this.#nVocab = nVocab;
    this.#dim = dim;
    this.#options = Object.freeze({ mode, dim, window, negative, sample, alpha, minAlphaRatio, epochs, seed, tableBits, scalar });
    this.#last = this.#read(false);
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Word2Vec is disposed');
    return wasm();
  }

  #read(resetLoss) {
    const s = scratch(64);
    const p = s.take(64);
    wasm().ek_w2v_progress(p, this.#st, resetLoss ? 1 : 0);
    const f = heap().f64.subarray(p >>> 3, (p >>> 3) + 8);
    const wordsDone = f[0];
    const totalWords = f[1];
    return {
      wordsDone,
      totalWords,
      fraction: totalWords > 0 ? wordsDone / totalWords : 1,
      epoch: Math.min(f[2], this.#options?.epochs ?? f[2]),
      lr: f[3],
      loss: f[5] > 0 ? f[4] / f[5] : null,
      pairs: f[5],
      wordsPerSec: this.#elapsed > 0 ? (wordsDone - this.#wordsAtStart) / (this.#elapsed / 1000) : 0,
      elapsedMs: this.#elapsed,
      done: wordsDone >= totalWords,
    };
  }

  get numWords() { return this.#nVocab; }
  get dim() { return this.#dim; }
  /** The options in force, defaults filled in. */
  get options() { return this.#options; }
  get disposed() { return this.#disposed; }
  /** The latest progress report (see step()). */
  get progress() { this.#live(); return { ...this.#last }; }
  get done() { return this.progress.done; }

  /** Input vectors (the word vectors), numWords x dim, a fresh view into wasm memory. */
  get weight() {
    this.#live();
    return new Float32Array(heap().buffer, this.#syn0, this.#nVocab * this.#dim);
  }

  /** Output (context) vectors syn1neg, a fresh view into wasm memory. */
  get outputWeight() {
    this.#live();
    return new Float32Array(heap().buffer, this.#syn1, this.#nVocab * this.#dim);
  }

  /**
   * Train until at least `nWords` more corpus words have been read (the sentence in progress is
   * finished) or training is done. Returns the progress: { wordsDone, totalWords, fraction,
   * epoch, lr, loss (mean negative-sampling loss per pair since the previous step), pairs,
   * wordsPerSec (over all steps so far, compute time only), elapsedMs, done }.
   * Chunk sizes do not change the result: any sequence of steps gives the same vectors.
   */
  step(nWords = 10000) {
    const ex = this.#live();
    checkPosInt(nWords, 'nWords');
    const t0 = now();
    ex.ek_w2v_step(this.#st, nWords);
    this.#elapsed += now() - t0;
    this.#last = this.#read(true);
    return { ...this.#last };
  }

  /**
   * Train to the end (or until stop() / signal), `chunkWords` at a time, calling
   * onProgress(progress) after each chunk and yielding to the event loop between chunks (so a
   * Worker can receive a stop message). Calling train() again resumes where it stopped.
   * @param {{ onProgress?: (p: object) => void, chunkWords?: number, signal?: AbortSignal }} [options]
   * @returns {Promise<object>} the last progress
   */
  async train({ onProgress, chunkWords = 20000, signal } = {}) {
    this.#live();
    checkPosInt(chunkWords, 'chunkWords');
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('embedkit: onProgress must be a function');
    this.#stopRequested = false;
    let p = this.progress;
    while (!p.done && !this.#stopRequested && !signal?.aborted) {
      p = this.step(chunkWords);
      if (onProgress) onProgress(p);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.#disposed) break;
    }
    return p;
  }

  /** Ask a running train() to return after the current chunk. */
  stop() { this.#stopRequested = true; }

  /** A new Embedding holding a copy of the word vectors (for lookups and further training). */
  toEmbedding() {
    return new Embedding(this.#nVocab, this.#dim, { weight: this.weight.slice() });
  }

  dispose() {
    if (this.#disposed) return;
    for (const p of [this.#st, this.#syn0, this.#syn1, this.#table, this.#keep, this.#neu1, this.#neu1e, this.#sen, this.#corpus]) free(p);
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
