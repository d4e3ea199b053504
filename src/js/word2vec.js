// word2vec.js — Word2Vec: skip-gram / CBOW with negative sampling and/or hierarchical softmax
// (src/c/word2vec.c). The trainer's whole state (input and output tables, unigram table,
// Huffman tree, sentence, generator) lives in wasm memory, and step() trains a chunk of words
// and returns, so a page can run it in a Web Worker and draw progress between chunks; train()
// is the async loop around step(). The corpus is one Int32Array of ids, or is streamed: an
// iterable / async iterable of id arrays or text pieces, read again for every epoch.

import { alloc, blockTooLarge, free, heap, MAX_BLOCK_BYTES, scratch, scratchSize, wasm } from './memory.js';
import { checkNumber, checkOptions, checkPosInt } from './validate.js';
import { Embedding } from './embedding.js';

/** Keys of the Word2Vec options and of train()'s (an unknown key is a TypeError). */
export const WORD2VEC_OPTIONS = ['corpus', 'vocab', 'counts', 'mode', 'dim', 'window', 'negative', 'sample', 'alpha',
  'minAlphaRatio', 'epochs', 'seed', 'tableBits', 'scalar', 'hs', 'nsExponent', 'cbowMean', 'shrinkWindows', 'totalWords',
  'weight', 'outputWeight', 'hsOutputWeight', 'threads'];
const TRAIN_OPTIONS = ['onProgress', 'chunkWords', 'signal'];
const PEEK_OPTIONS = ['thread'];
const MAX_SENTENCE = 1000;  // EK_W2V_MAX_SENTENCE

const now = () => (globalThis.performance ?? Date).now();

export function checkSeed(seed) {
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

/** Index of the first id outside [-1, nVocab) in an Int32Array, or -1. */
function badId(ids, nVocab) {
  for (let i = 0; i < ids.length; i++) {
    const v = ids[i];
    if (v < -1 || v >= nVocab) return i;
  }
  return -1;
}

/** Ids (an Int32Array, Uint32Array or array of integers) as an Int32Array in [-1, nVocab). */
function idsOf(corpus, nVocab, name) {
  const out = corpus instanceof Int32Array ? corpus : Int32Array.from(corpus, (v) => (typeof v === 'number' ? v : NaN));
  for (let i = 0; i < out.length; i++) {
    const v = out[i];
    const src = corpus[i];
    if (src !== v || v < -1 || v >= nVocab) {
      throw new RangeError(`embedkit: ${name}[${i}] = ${src} is out of range [-1, ${nVocab}) (-1 marks a sentence break)`);
    }
  }
  return out;
}

const isIds = (c) => c instanceof Int32Array || c instanceof Uint32Array || (Array.isArray(c) && (c.length === 0 || typeof c[0] === 'number'));

/** The corpus as an Int32Array of ids in [-1, nVocab), -1 = sentence break (validated). */
export function corpusOf(corpus, nVocab) {
  const ids = idsOf(corpus, nVocab, 'corpus');
  let tokens = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] >= 0) tokens++;
  return { ids, tokens };
}

/**
 * The word2vec tool's Huffman tree (CreateBinaryTree) over the words in order of decreasing
 * count (ties: lower id first), as the tool builds it over its sorted vocabulary: two queues,
 * leaves from the rarest up and inner nodes in order of creation, the smaller count taken first
 * (an inner node on a tie); inner node k (created k-th) is row k of the hs output table, the root
 * is n - 2. Word w's path, root first, is point[off[w] .. off[w+1]) with the branch bits code[...].
 */
export function huffmanTree(counts) {
  const n = counts.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => counts[b] - counts[a] || a - b);
  const count = new Float64Array(2 * n - 1).fill(Infinity);
  for (let a = 0; a < n; a++) count[a] = counts[order[a]];
  const parent = new Int32Array(2 * n - 1), binary = new Uint8Array(2 * n - 1);
  let pos1 = n - 1, pos2 = n;
  const pick = () => (pos1 >= 0 && count[pos1] < count[pos2] ? pos1-- : pos2++);
  for (let a = 0; a < n - 1; a++) {
    const m1 = pick(), m2 = pick();
    count[n + a] = count[m1] + count[m2];
    parent[m1] = n + a;
    parent[m2] = n + a;
    binary[m2] = 1;
  }
  const len = new Int32Array(n);
  for (let a = 0; a < n && n > 1; a++) {
    let l = 0;
    for (let b = a; b !== 2 * n - 2; b = parent[b]) l++;
    len[order[a]] = l;
  }
  const off = new Int32Array(n + 1);
  for (let w = 0; w < n; w++) off[w + 1] = off[w] + len[w];
  const code = new Uint8Array(off[n]), point = new Int32Array(off[n]);
  for (let a = 0; a < n && n > 1; a++) {
    const w = order[a];
    let d = off[w + 1] - 1;
    for (let b = a; b !== 2 * n - 2; b = parent[b], d--) {
      code[d] = binary[b];
      point[d] = parent[b] - n;
    }
  }
  return { off, code, point };
}

/**
 * A streamed corpus: `source` is an iterable or async iterable of pieces (Int32Array /
 * Uint32Array / arrays of ids, or strings, encoded with the vocabulary), or a function returning
 * one; it is opened again at the start of every epoch.
 */
class CorpusStream {
  #open; #it = null; #enc = null; #pending = null; #ended = false;
  #vocab; #nVocab; #epochs; #opened = 0;
  async = false;

  constructor(source, vocab, nVocab, epochs) {
    this.#vocab = vocab;
    this.#nVocab = nVocab;
    this.#epochs = epochs;
    if (typeof source === 'function') {
      this.#open = source;
    } else {
      const oneShot = typeof source.next === 'function';
      if (oneShot && epochs > 1) {
        throw new RangeError('embedkit: a Word2Vec corpus that is an iterator (e.g. a generator) can be read only once; for several epochs pass a function that returns a fresh iterable');
      }
      this.#open = () => source;
    }
    this.async = Symbol.asyncIterator in (typeof source === 'function' ? {} : source);
  }

  #start() {
    const src = this.#open();
    if (src === null || typeof src !== 'object' || !(Symbol.asyncIterator in src || Symbol.iterator in src)) {
      throw new TypeError('embedkit: the Word2Vec corpus function must return an iterable or async iterable of id arrays or strings');
    }
    this.async = Symbol.asyncIterator in src;
    this.#it = this.async ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
    this.#opened++;
  }

  /** Ids of a piece, validated; strings go through the vocabulary's streaming encoder. */
  #ids(piece) {
    if (typeof piece === 'string') {
      if (!this.#vocab) throw new TypeError('embedkit: a Word2Vec corpus of text needs `vocab` (a Vocab) to encode it');
      this.#enc ??= this.#vocab.encoder();
      return this.#enc.push(piece);
    }
    if (!isIds(piece)) throw new TypeError('embedkit: each piece of a streamed Word2Vec corpus must be an Int32Array (or an array) of ids, or a string');
    return idsOf(piece, this.#nVocab, 'corpus piece');
  }

  /** The rest of a result of it.next(): the piece's ids, or null at the end of the epoch. */
  #after(r) {
    if (r === null || typeof r !== 'object') throw new TypeError('embedkit: the corpus iterator returned a non-object');
    if (!r.done) return this.#ids(r.value);
    this.#it = null;
    if (this.#enc) {
      const rest = this.#enc.end();
      this.#enc = null;
      if (rest.length > 0) {
        this.#ended = true;
        return rest;
      }
    }
    return null;
  }

  /** Open the source for the next epoch if needed (then `async` is known). */
  prepare() {
    if (!this.#ended && this.#it === null) this.#start();
  }

  /**
   * The next piece of ids (possibly empty) or null at the end of an epoch; a Promise of it
   * when the source is async.
   */
  next() {
    if (this.#ended) {
      this.#ended = false;
      return null;
    }
    this.prepare();
    const r = this.#it.next();
    return r instanceof Promise ? r.then((x) => this.#after(x)) : this.#after(r);
  }
}

const MODES = new Map([['skipgram', 0], ['cbow', 1]]);

const STREAM_BUFFER = 1 << 18;  // ids per streamed piece held in wasm memory (1 MiB)

/** Copy an initial table given for continued training into wasm memory (rows [0, given)). */
function checkInitial(a, name, maxRows, dim) {
  if (a === undefined || a === null) return null;
  if (!(a instanceof Float32Array)) throw new TypeError(`embedkit: ${name} must be a Float32Array`);
  if (a.length % dim !== 0 || a.length / dim > maxRows || a.length === 0) {
    throw new RangeError(`embedkit: ${name} has length ${a.length}: expected a whole number of rows of dim ${dim}, 1 to ${maxRows} rows`);
  }
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) throw new RangeError(`embedkit: ${name}[${i}] = ${a[i]} is not finite`);
  // A view into wasm memory (another model's .weight) would be detached by the allocations below.
  return a.buffer === heap().buffer ? a.slice() : a;
}

export class Word2Vec {
  #st = 0; #syn0 = 0; #syn1 = 0; #table = 0; #keep = 0; #neu1 = 0; #neu1e = 0; #sen = 0; #corpus = 0;
  #hs1 = 0; #hsOff = 0; #hsCode = 0; #hsPoint = 0;
  #parts = 0; #partBufs = 0; #partSens = 0;
  #stream = null; #bufCap = 0; #pending = null; #feeding = false;
  #nVocab; #dim; #options; #nCorpus = 0;
  #elapsed = 0; #wordsAtStart = 0;
  #stopRequested = false;
  #last = null;
  #disposed = false;

  /**
   * @param {object} options
   *   corpus: Int32Array of word ids, -1 = sentence break (Vocab#encode gives this); or a
   *   streamed corpus: an iterable / async iterable of pieces (id arrays, or strings encoded with
   *   `vocab`), or a function returning a fresh one for each epoch;
   *   vocab (a Vocab) or counts (one frequency per id): for the unigram table, subsampling and
   *   the Huffman tree; mode 'skipgram' | 'cbow' (default 'skipgram'); dim = 100; window = 5;
   *   negative = 5 (0 with hs: hierarchical softmax only); hs = false; nsExponent = 0.75;
   *   cbowMean = true; shrinkWindows = true; sample = 1e-3; alpha = 0.025 (skip-gram) / 0.05
   *   (CBOW); minAlphaRatio = 1e-4; epochs = 5; seed = 1; tableBits = 20 (unigram table of
   *   2^tableBits ids); scalar = false (force the non-SIMD kernels; same bits, slower);
   *   totalWords (streamed corpus: in-vocabulary words per epoch; default the sum of the counts);
   *   weight / outputWeight / hsOutputWeight: tables to start from (continued training; the
   *   first rows, the rest as a fresh start);
   *   threads = 1: with n > 1, the corpus is cut into n parts trained side by side on the thread
   *   pool without locks (the original tool's -threads, gensim's workers): faster, but not
   *   bit-reproducible; 1 is deterministic. Needs the corpus in memory (not streamed).
   */
  constructor(options = {}) {
    const ex = wasm();
    checkOptions(options, WORD2VEC_OPTIONS, 'Word2Vec options');
    const {
      mode = 'skipgram', dim = 100, window = 5, hs = false, sample = 1e-3, minAlphaRatio = 1e-4,
      epochs = 5, seed = 1, tableBits = 20, scalar = false, nsExponent = 0.75, cbowMean = true,
      shrinkWindows = true,
    } = options;
    const negative = options.negative ?? 5;
    if (!MODES.has(mode)) throw new RangeError(`embedkit: Word2Vec mode must be 'skipgram' or 'cbow', got ${String(mode)}`);
    const alpha = options.alpha ?? (mode === 'cbow' ? 0.05 : 0.025);
    const counts = countsOf(options);
    const nVocab = counts.length;
    for (const [v, name] of [[hs, 'hs'], [cbowMean, 'cbowMean'], [shrinkWindows, 'shrinkWindows']]) {
      if (typeof v !== 'boolean') throw new TypeError(`embedkit: ${name} must be a boolean`);
    }
    checkPosInt(negative, 'negative', { min: hs ? 0 : 1, max: 1000 });
    checkNumber(nsExponent, 'nsExponent', { min: -10 });
    if (nsExponent > 10) throw new RangeError(`embedkit: nsExponent must be in [-10, 10], got ${nsExponent}`);
    checkPosInt(epochs, 'epochs', { max: 1e6 });
    const threads = options.threads ?? 1;
    checkPosInt(threads, 'threads', { max: 256 });
    const c = options.corpus;
    const streamed = c !== null && typeof c === 'object' && !isIds(c) && !ArrayBuffer.isView(c) &&
      (Symbol.iterator in c || Symbol.asyncIterator in c);
    let ids = null, tokens;
    if (typeof c === 'function' || streamed) {
      const tw = options.totalWords ?? counts.reduce((a, b) => a + b, 0);
      checkNumber(tw, 'totalWords', { min: 0 });
      if (!Number.isSafeInteger(tw)) throw new RangeError(`embedkit: totalWords must be a whole number, got ${tw}`);
      tokens = tw;
    } else {
      if (!isIds(c)) {
        throw new TypeError('embedkit: Word2Vec corpus must be an Int32Array (or an array) of word ids, -1 for a sentence break, or an iterable / async iterable / function of pieces');
      }
      ({ ids, tokens } = corpusOf(c, nVocab));
    }
    if (threads > 1 && ids === null) throw new RangeError('embedkit: Word2Vec threads > 1 needs the corpus in memory (an Int32Array), not streamed');
    checkPosInt(dim, 'dim');
    checkPosInt(window, 'window', { max: 1000 });
    checkNumber(sample, 'sample', { min: 0 });
    checkNumber(alpha, 'alpha', { min: 0, exclusiveMin: true });
    checkNumber(minAlphaRatio, 'minAlphaRatio', { min: 0 });
    if (minAlphaRatio > 1) throw new RangeError(`embedkit: minAlphaRatio must be in [0, 1], got ${minAlphaRatio}`);
    checkPosInt(tableBits, 'tableBits', { min: 8, max: 28 });
    if (typeof scalar !== 'boolean') throw new TypeError('embedkit: scalar must be a boolean');
    const [seedLo, seedHi] = checkSeed(seed);
    if (tokens * epochs > Number.MAX_SAFE_INTEGER) throw new RangeError('embedkit: corpus length * epochs is too large');
    const tableBytes = nVocab * dim * 4;
    if (tableBytes > MAX_BLOCK_BYTES) {
      throw blockTooLarge(`each Word2Vec table of ${nVocab} x ${dim}`, tableBytes);
    }
    const w0 = checkInitial(options.weight, 'weight', nVocab, dim);
    const w1 = negative > 0 ? checkInitial(options.outputWeight, 'outputWeight', nVocab, dim) : null;
    if (negative === 0 && options.outputWeight != null) throw new RangeError('embedkit: outputWeight (negative sampling) given, but negative = 0');
    const w2 = hs ? checkInitial(options.hsOutputWeight, 'hsOutputWeight', Math.max(nVocab - 1, 1), dim) : null;
    if (!hs && options.hsOutputWeight != null) throw new RangeError('embedkit: hsOutputWeight given, but hs is false');
    const stream = ids === null ? new CorpusStream(c, options.vocab, nVocab, epochs) : null;
    const tree = hs ? huffmanTree(counts) : null;

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
      if (negative > 0) {
        this.#syn1 = take(tableBytes, `output vectors (${nVocab} x ${dim})`);
        this.#table = take(4 * 2 ** tableBits, 'unigram table');
      }
      if (hs) {
        this.#hs1 = take(Math.max(nVocab - 1, 1) * dim * 4, `hierarchical softmax vectors (${nVocab - 1} x ${dim})`);
        this.#hsOff = take(4 * (nVocab + 1), 'Huffman tree');
        this.#hsCode = take(Math.max(tree.code.length, 1), 'Huffman codes');
        this.#hsPoint = take(4 * Math.max(tree.point.length, 1), 'Huffman paths');
      }
      this.#keep = take(4 * nVocab, 'subsampling thresholds');
      this.#neu1 = take(4 * dim, 'hidden vector');
      this.#neu1e = take(4 * dim, 'error vector');
      this.#sen = take(4 * 1000, 'sentence');
      this.#bufCap = ids === null ? STREAM_BUFFER : Math.max(ids.length, 1);
      this.#corpus = take(4 * this.#bufCap, 'corpus');
      if (threads > 1) {
        this.#parts = take(threads * ex.ek_w2v_sizeof(), 'thread states');
        // EK_W2V_VEC_STRIDE and EK_W2V_SEN_STRIDE (word2vec.h): each part's buffers on cache
        // lines of their own.
        this.#partBufs = take(threads * 2 * (Math.ceil(dim / 16) * 16) * 4, 'thread vectors');
        this.#partSens = take(threads * 1008 * 4, 'thread sentences');
      }
      countsPtr = scratch(scratchSize(8 * nVocab)).take(8 * nVocab);
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    const h = heap();
    h.f64.set(counts, countsPtr >>> 3);
    if (ids !== null) h.i32.set(ids, this.#corpus >>> 2);
    if (hs) {
      h.i32.set(tree.off, this.#hsOff >>> 2);
      h.u8.set(tree.code, this.#hsCode);
      h.i32.set(tree.point, this.#hsPoint >>> 2);
    }
    const rc = ex.ek_w2v_init(this.#st, this.#syn0, this.#syn1, this.#table, this.#keep, this.#neu1, this.#neu1e,
      this.#sen, this.#corpus, ids === null ? 0 : ids.length, tokens, countsPtr, nVocab, dim, window, negative, MODES.get(mode),
      sample, alpha, minAlphaRatio, epochs, tableBits, seedLo, seedHi, scalar ? 1 : 0,
      nsExponent, hs ? 1 : 0, this.#hs1, this.#hsOff, this.#hsCode, this.#hsPoint, cbowMean ? 1 : 0,
      shrinkWindows ? 1 : 0, stream ? 1 : 0);
    const rt = rc === 0 && threads > 1 ? ex.ek_w2v_threads(this.#st, this.#parts, threads, this.#partBufs, this.#partSens) : 0;
    if (rc !== 0 || rt !== 0) {
      for (const p of owned) free(p);
      throw new Error(`embedkit internal: ek_w2v_init returned ${rc}, ek_w2v_threads ${rt}`);
    }
    const hv = heap();
    if (w0) hv.f32.set(w0, this.#syn0 >>> 2);
    if (w1) hv.f32.set(w1, this.#syn1 >>> 2);
    if (w2) hv.f32.set(w2, this.#hs1 >>> 2);
    this.#stream = stream;
    this.#nVocab = nVocab;
    this.#dim = dim;
    this.#nCorpus = ids === null ? 0 : ids.length;
    this.#options = Object.freeze({
      mode, dim, window, negative, hs, nsExponent, cbowMean, shrinkWindows, sample, alpha, minAlphaRatio, epochs,
      seed, tableBits, scalar, threads, ...(stream ? { totalWords: tokens } : {}),
    });
    this.#last = this.#read(false);
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Word2Vec is disposed');
    return wasm();
  }

  #read(resetLoss) {
    const s = scratch(80);
    const p = s.take(80);
    wasm().ek_w2v_progress(p, this.#st, resetLoss ? 1 : 0);
    const f = heap().f64.subarray(p >>> 3, (p >>> 3) + 10);
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
      done: f[9] !== 0,
      needInput: f[8] !== 0,
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

  /** Output (context) vectors syn1neg, a fresh view into wasm memory; null when negative = 0. */
  get outputWeight() {
    this.#live();
    return this.#syn1 ? new Float32Array(heap().buffer, this.#syn1, this.#nVocab * this.#dim) : null;
  }

  /**
   * Hierarchical-softmax vectors syn1 (row k = inner node k of the Huffman tree), numWords - 1
   * rows, a fresh view into wasm memory; null unless hs.
   */
  get hsOutputWeight() {
    this.#live();
    return this.#hs1 ? new Float32Array(heap().buffer, this.#hs1, (this.#nVocab - 1) * this.#dim) : null;
  }

  /** Copy the next piece of a streamed corpus (ids, or null = end of the epoch) into wasm memory. */
  #supply(ids) {
    const ex = wasm();
    if (ids === null) {
      ex.ek_w2v_feed(this.#st, this.#corpus, 0, 1);
      return;
    }
    const n = Math.min(ids.length, this.#bufCap);
    heap().i32.set(n === ids.length ? ids : ids.subarray(0, n), this.#corpus >>> 2);
    this.#pending = n < ids.length ? ids.subarray(n) : null;
    ex.ek_w2v_feed(this.#st, this.#corpus, n, 0);
  }

  /** The next piece for the trainer: what is left of the last one, or the source's next. */
  #nextPiece() {
    if (this.#pending) return this.#pending;
    return this.#stream.next();
  }

  /** ek_w2v_step for up to nWords, timed; returns words read. */
  #run(nWords) {
    const t0 = now();
    const r = wasm().ek_w2v_step(this.#st, Math.min(nWords, 2 ** 31 - 1));
    this.#elapsed += now() - t0;
    return r;
  }

  #needsInput() { return this.#stream !== null && this.#read(false).needInput; }

  /**
   * Train until at least `nWords` more corpus words have been read (the sentence in progress is
   * finished) or training is done. Returns the progress: { wordsDone, totalWords, fraction,
   * epoch, lr, loss (mean negative-sampling loss per pair since the previous step), pairs,
   * wordsPerSec (over all steps so far, compute time only), elapsedMs, done }.
   * Chunk sizes do not change the result: any sequence of steps gives the same vectors.
   */
  step(nWords = 10000) {
    this.#live();
    checkPosInt(nWords, 'nWords');
    if (this.#stream?.async) throw new TypeError('embedkit: this Word2Vec reads an async iterable corpus: use train() (or stepAsync())');
    if (this.#feeding) throw new Error('embedkit: this Word2Vec is inside stepAsync(); wait for it');
    let read = this.#run(nWords);
    while (read < nWords && this.#needsInput()) {
      if (!this.#pending) {
        this.#stream.prepare();
        if (this.#stream.async) throw new TypeError('embedkit: this Word2Vec reads an async iterable corpus: use train() (or stepAsync())');
      }
      const piece = this.#nextPiece();
      if (piece instanceof Promise) throw new TypeError('embedkit: the corpus iterator returned a Promise: use train() (or stepAsync())');
      this.#supply(piece);
      read += this.#run(nWords - read);
    }
    this.#last = this.#read(true);
    return { ...this.#last };
  }

  /** step() for a corpus read from an async iterable (works for any corpus). */
  async stepAsync(nWords = 10000) {
    this.#live();
    checkPosInt(nWords, 'nWords');
    if (this.#feeding) throw new Error('embedkit: this Word2Vec is inside stepAsync(); wait for it');
    this.#feeding = true;
    try {
      let read = this.#run(nWords);
      while (read < nWords && this.#needsInput()) {
        const piece = await this.#nextPiece();
        if (this.#disposed) break;
        this.#supply(piece);
        read += this.#run(nWords - read);
      }
    } finally {
      this.#feeding = false;
    }
    if (this.#disposed) return { ...this.#last };
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
  async train(options) {
    const { onProgress, chunkWords = 20000, signal } = checkOptions(options, TRAIN_OPTIONS, 'train options');
    this.#live();
    checkPosInt(chunkWords, 'chunkWords');
    if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError('embedkit: onProgress must be a function');
    this.#stopRequested = false;
    let p = this.progress;
    while (!p.done && !this.#stopRequested && !signal?.aborted) {
      p = this.#stream ? await this.stepAsync(chunkWords) : this.step(chunkWords);
      if (onProgress) onProgress(p);
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (this.#disposed) break;
    }
    return p;
  }

  /**
   * What the next step(1) will train, without training it: the sentence it reads (after
   * subsampling), each centre word's window, and every (input, centre) example with the ids of
   * the negatives the trainer's generator will draw for it. Worked out on a copy of the
   * trainer's state: nothing changes, and step(1) then trains exactly these examples with
   * exactly these negatives (any step(n) starts with them). With `threads` > 1, `thread` picks
   * the part (default 0) whose next sentence is shown. Returns null when training is done.
   * Needs the corpus in memory (not streamed).
   * @param {{ thread?: number }} [options]
   */
  peek(options) {
    const { thread = 0 } = checkOptions(options, PEEK_OPTIONS, 'peek options');
    const ex = this.#live();
    checkPosInt(thread, 'thread', { min: 0, max: this.#options.threads - 1 });
    if (this.#stream) throw new TypeError('embedkit: peek() needs the corpus in memory (an Int32Array), not streamed');
    if (this.#feeding) throw new Error('embedkit: this Word2Vec is inside stepAsync(); wait for it');
    const threads = this.#options.threads;
    const st = threads > 1 ? this.#parts + thread * ex.ek_w2v_sizeof() : this.#st;
    const base = threads > 1 ? Math.floor(this.#nCorpus * thread / threads) : 0;
    // First pass with no room for examples: the counts; then the real one.
    const fixed = [4 * MAX_SENTENCE, 4 * MAX_SENTENCE, 4 * MAX_SENTENCE, 72];
    let s = scratch(scratchSize(...fixed));
    let [sen, at, win, info] = fixed.map((n) => s.take(n));
    ex.ek_w2v_peek(st, sen, at, win, 0, 0, 0, 0, info);
    const f = heap().f64.subarray(info >>> 3, (info >>> 3) + 9);
    if (f[8] !== 0) return null;
    const nEx = f[1], nNeg = f[2];
    s = scratch(scratchSize(...fixed, 12 * nEx, 4 * nNeg));
    [sen, at, win, info] = fixed.map((n) => s.take(n));
    const exPtr = s.take(12 * nEx), negPtr = s.take(4 * nNeg);
    const rc = ex.ek_w2v_peek(st, sen, at, win, exPtr, nEx, negPtr, nNeg, info);
    const h = heap();
    const g = h.f64.subarray(info >>> 3, (info >>> 3) + 9);
    if (rc !== 0 || g[1] !== nEx || g[2] !== nNeg) throw new Error(`embedkit internal: ek_w2v_peek returned ${rc}`);
    const len = g[0];
    const sentence = h.i32.slice(sen >>> 2, (sen >>> 2) + len);
    const positions = h.i32.slice(at >>> 2, (at >>> 2) + len).map((p) => p + base);
    const windows = h.i32.slice(win >>> 2, (win >>> 2) + len);
    const exs = h.i32.slice(exPtr >>> 2, (exPtr >>> 2) + 3 * nEx);
    const negs = h.i32.slice(negPtr >>> 2, (negPtr >>> 2) + nNeg);
    const examples = new Array(nEx);
    for (let e = 0, n = 0; e < nEx; e++) {
      const centre = exs[3 * e], input = exs[3 * e + 1], k = exs[3 * e + 2];
      let context;
      if (input >= 0) context = Int32Array.of(input);
      else {
        const lo = Math.max(0, centre - windows[centre]), hi = Math.min(len - 1, centre + windows[centre]);
        context = new Int32Array(hi - lo);
        for (let c = lo, j = 0; c <= hi; c++) if (c !== centre) context[j++] = c;
      }
      examples[e] = { centre, word: sentence[centre], context, inputs: context.map((c) => sentence[c]), negatives: negs.subarray(n, n + k) };
      n += k;
    }
    return {
      sentence, positions, windows, examples, lr: g[4], epoch: g[5], wordsRead: g[3],
      start: g[6] < 0 ? -1 : g[6] + base, end: g[7] < 0 ? -1 : g[7] + base,
    };
  }

  /** Ask a running train() to return after the current chunk. */
  stop() { this.#stopRequested = true; }

  /** A new Embedding holding a copy of the word vectors (for lookups and further training). */
  toEmbedding() {
    return new Embedding(this.#nVocab, this.#dim, { weight: this.weight.slice() });
  }

  dispose() {
    if (this.#disposed) return;
    for (const p of [this.#st, this.#syn0, this.#syn1, this.#table, this.#keep, this.#neu1, this.#neu1e, this.#sen, this.#corpus,
      this.#hs1, this.#hsOff, this.#hsCode, this.#hsPoint, this.#parts, this.#partBufs, this.#partSens]) if (p) free(p);
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
