// Type declarations for embedkit's public API (contract: shared/API.md).

export type Ids = Int32Array | Uint32Array | BigInt64Array | ReadonlyArray<number | bigint> | ResidentArray<Int32Array | Uint32Array>;
export type F32 = Float32Array | ResidentArray<Float32Array>;

export interface InitOptions {
  /** Where the .wasm is: a URL, a path string (Node), bytes, or a compiled module. */
  wasm?: URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;
  /** false forces the non-SIMD build (default: SIMD when the engine supports it). */
  simd?: boolean;
}
/** Load the wasm module. Idempotent; a failed load can be retried. */
export function init(options?: InitOptions): Promise<void>;
export const features: { readonly simd: boolean; readonly version: string };

type ResidentType = Float32Array | Int32Array | Uint32Array | Float64Array | Uint8Array;
/** A typed array kept in wasm memory: the zero-copy path for ids, inputs and `out`. */
export class ResidentArray<T extends ResidentType = ResidentType> {
  constructor(type: { new (...args: any[]): T; BYTES_PER_ELEMENT: number }, length: number);
  /** Byte offset in wasm memory. */
  readonly ptr: number;
  readonly length: number;
  readonly type: { new (...args: any[]): T };
  readonly disposed: boolean;
  /** A fresh view on every access (memory growth replaces the buffer). */
  readonly view: T;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface EmbeddingOptions {
  /** Initial table, numEmbeddings * dim, copied in. */
  weight?: Float32Array;
  /** Row that is zero-initialised and never receives gradient; negative counts from the end. */
  paddingIdx?: number | null;
  /** Seed of the N(0, std^2) initialiser (default 0). */
  seed?: number | bigint;
  /** Standard deviation of the initialiser (default 1, as PyTorch). */
  std?: number;
  /** Divide each row's gradient by its id's count in the batch (default false). */
  scaleGradByFreq?: boolean;
  /** Renormalise looked-up rows whose norm exceeds this, in forward (default null). */
  maxNorm?: number | null;
  /** p of the norm for maxNorm (default 2; Infinity for the max-norm). */
  normType?: number;
}

export class Embedding {
  constructor(numEmbeddings: number, dim: number, options?: EmbeddingOptions);
  readonly numEmbeddings: number;
  readonly dim: number;
  readonly paddingIdx: number | null;
  readonly scaleGradByFreq: boolean;
  readonly maxNorm: number | null;
  readonly normType: number;
  readonly disposed: boolean;
  /** View of the table in wasm memory (fresh on each access); writes change the table. */
  readonly weight: Float32Array;
  /** View of the gradient in wasm memory (fresh on each access). */
  readonly grad: Float32Array;
  /** Sorted unique rows that received gradient since zeroGrad() (a copy). */
  readonly touched: Int32Array;
  /** out[i] = weight[ids[i]]; length ids.length * dim. */
  forward(ids: Ids, out?: Float32Array): Float32Array;
  forward<T extends ResidentArray<Float32Array>>(ids: Ids, out: T): T;
  /** grad[ids[i]] += gradOutput[i], duplicates summed. */
  backward(ids: Ids, gradOutput: F32): void;
  /** Zero the touched rows of grad: O(touched rows). */
  zeroGrad(): void;
  dispose(): void;
  [Symbol.dispose](): void;
}

// ---- training word vectors (src/js/vocab.js, word2vec.js, neighbors.js, vecfile.js) ----------

/** Words of `text`: runs of letters/digits with inner apostrophes, lower-cased by default. */
export function tokenize(text: string, options?: { lowercase?: boolean }): string[];

export class Vocab {
  /** Ids are positions in `words`; counts are the word frequencies. */
  constructor(words: string[], counts: ArrayLike<number>, options?: { lowercase?: boolean });
  /** Count words, keep those seen >= minCount (default 5), most frequent first (ties by word). */
  static fromText(text: string, options?: { minCount?: number; maxSize?: number; lowercase?: boolean }): Vocab;
  readonly size: number;
  readonly words: readonly string[];
  /** A copy. */
  readonly counts: Float64Array;
  readonly lowercase: boolean;
  /** Id of a word, or -1. */
  id(word: string): number;
  word(id: number): string;
  has(word: string): boolean;
  /** Ids of the words of `text` (unknown words dropped), -1 at each sentence end (default). */
  encode(text: string, options?: { sentenceBreaks?: boolean }): Int32Array;
}

export interface Word2VecOptions {
  /** Word ids, -1 = sentence break (Vocab#encode). Kept in wasm memory (copied). */
  corpus: Int32Array | Uint32Array | ReadonlyArray<number>;
  /** The vocabulary (its counts drive negative sampling and subsampling)... */
  vocab?: { counts: ArrayLike<number> };
  /** ...or the counts directly, one per id. */
  counts?: ArrayLike<number>;
  /** 'skipgram' (default) or 'cbow' (context averaged). */
  mode?: 'skipgram' | 'cbow';
  /** Vector length (default 100). */
  dim?: number;
  /** Maximum context distance; each centre word draws its own 1..window (default 5). */
  window?: number;
  /** Negative samples per positive pair, from unigram^0.75 (default 5). */
  negative?: number;
  /** Subsampling threshold; 0 turns it off (default 1e-3). */
  sample?: number;
  /** Starting learning rate (default 0.025 skip-gram, 0.05 CBOW), decayed linearly to alpha * minAlphaRatio. */
  alpha?: number;
  minAlphaRatio?: number;
  /** Passes over the corpus (default 5). */
  epochs?: number;
  /** Same seed, same vectors, whatever the chunking (default 1). */
  seed?: number | bigint;
  /** log2 of the unigram table size (default 20). */
  tableBits?: number;
  /** Force the non-SIMD kernels (same bits, slower). */
  scalar?: boolean;
}

export interface Word2VecProgress {
  wordsDone: number;
  totalWords: number;
  /** wordsDone / totalWords */
  fraction: number;
  epoch: number;
  /** Learning rate in force. */
  lr: number;
  /** Mean negative-sampling loss per (input, target) pair since the previous report; null if none. */
  loss: number | null;
  pairs: number;
  /** Words per second of compute time, over all steps so far. */
  wordsPerSec: number;
  elapsedMs: number;
  done: boolean;
}

export class Word2Vec {
  constructor(options: Word2VecOptions);
  readonly numWords: number;
  readonly dim: number;
  readonly options: Readonly<Required<Omit<Word2VecOptions, 'corpus' | 'vocab' | 'counts'>>>;
  readonly progress: Word2VecProgress;
  readonly done: boolean;
  readonly disposed: boolean;
  /** The word vectors (input table), numWords x dim: a fresh view into wasm memory. */
  readonly weight: Float32Array;
  /** The output (context) vectors. */
  readonly outputWeight: Float32Array;
  /** Train >= nWords more words (default 10000; finishes the sentence), then return. */
  step(nWords?: number): Word2VecProgress;
  /** Train to the end in chunks, yielding between them; resolves early after stop() or abort. */
  train(options?: { onProgress?: (p: Word2VecProgress) => void; chunkWords?: number; signal?: AbortSignal }): Promise<Word2VecProgress>;
  stop(): void;
  /** A new Embedding holding a copy of the vectors. */
  toEmbedding(): Embedding;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface Neighbor { id: number; score: number; word?: string }

export class Neighbors {
  /** Copies the table. From a Word2Vec, an Embedding, or a Float32Array with options.dim. */
  constructor(source: Word2Vec | Embedding | Float32Array,
    options?: { dim?: number; vocab?: Vocab; words?: string[] });
  readonly numRows: number;
  readonly dim: number;
  readonly words: readonly string[] | null;
  /** Copy a new version of the table (same shape). */
  update(source: Word2Vec | Embedding | Float32Array): void;
  /** k most cosine-similar rows (a row/word query excludes itself), best first. */
  nearest(query: number | string | Float32Array | Float64Array, options?: { k?: number; exclude?: Array<number | string> }): Neighbor[];
  /** Nearest to unit(a) - unit(b) + unit(c), excluding a, b, c. */
  analogy(a: number | string, b: number | string, c: number | string, options?: { k?: number; exclude?: Array<number | string> }): Neighbor[];
  /** Cosine of two rows, float64. */
  similarity(x: number | string, y: number | string): number;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface SavedVectors { words: string[]; weight: Float32Array; dim: number; counts: Float64Array | null }
/** EKV1 bytes (format in README "Training word vectors"). */
export function saveVectors(v: { words: string[]; weight: Float32Array; dim: number; counts?: ArrayLike<number> | null }): Uint8Array;
export function loadVectors(bytes: Uint8Array | ArrayBuffer): SavedVectors;
/** The original word2vec tool's text format. */
export function toWord2VecText(v: { words: string[]; weight: Float32Array; dim: number }): string;
