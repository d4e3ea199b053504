/// <reference lib="esnext.disposable" />
// Type declarations for embedkit's public API. With README.md this is the contract: every
// function validates its arguments before it writes anything and throws TypeError (wrong kind
// of value, unknown option key) or RangeError (right kind, wrong value) naming what was wrong.
// The lib reference above gives browser-only projects (lib: ["es2022", "dom"]) Symbol.dispose.

export type Ids = Int32Array | Uint32Array | BigInt64Array | ReadonlyArray<number | bigint> | ResidentArray<Int32Array | Uint32Array>;
export type F32 = Float32Array | ResidentArray<Float32Array>;

/** Where a .wasm binary comes from: a URL, a path (Node) or URL string, its bytes, or a compiled module. */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

export interface InitOptions {
  /**
   * Where the two builds are (the shape of onnxruntime-web's `wasmPaths` and tfjs's
   * `setWasmPaths`): a directory (URL, URL string or Node path; a missing trailing '/' is added)
   * holding `embedkit.wasm` and `embedkit-nosimd.wasm`, or a map `{ simd, nosimd }` of each
   * file's location. The SIMD probe still picks the build; a map with only `nosimd` runs
   * everywhere. Default: `dist/` next to the package (what Vite and webpack rewrite).
   */
  wasmPaths?: URL | string | { simd?: WasmSource; nosimd?: WasmSource; threads?: WasmSource };
  /** Exactly one binary (either build), used as is; excludes `wasmPaths`. */
  wasm?: WasmSource;
  /** false forces the non-SIMD build (default: SIMD when the engine supports it). */
  simd?: boolean;
  /** Console diagnostics from now on (as setLogLevel): default 'off'. */
  logLevel?: LogLevel;
  /**
   * Threads kernels run on, the calling thread included (1 to 256; default: the machine's
   * parallelism, at most 8). 1 loads the single-thread build. Where shared memory is unavailable
   * (a page that is not cross-origin isolated) embedkit runs on one thread and
   * `features.threadsReason` says why. A later init({ threads }) resizes the pool.
   */
  threads?: number;
}
/**
 * Load the wasm module. Call once before anything else; idempotent (later calls return the
 * same promise). Rejects with a TypeError/RangeError for bad options, and with an Error naming
 * the URL or path and the option to fix it when the file cannot be loaded; a failed load can be
 * retried.
 */
export function init(options?: InitOptions): Promise<void>;
/** What init() loaded (the way ort.env / tf.env() report it). */
export const features: {
  /** true when the SIMD build is running. */
  readonly simd: boolean;
  /** Whether this engine validates wasm SIMD at all; null before init(). */
  readonly simdSupported: boolean | null;
  /** The package version. */
  readonly version: string;
  /** Where the running binary came from: its URL (file: in Node), or 'bytes' / 'WebAssembly.Module'; null before init(). */
  readonly wasm: string | null;
  /** Which option chose it: 'default' (next to the package), 'wasmPaths' or 'wasm'; null before init(). */
  readonly via: 'default' | 'wasmPaths' | 'wasm' | null;
  /** Threads kernels run on (1: the calling thread alone). Results are the same bits on any number. */
  readonly threads: number;
  /** Why `threads` is 1 (null when there are several). */
  readonly threadsReason: string | null;
};
/** Stop the worker threads; kernels then run on the calling thread until init({ threads }). */
export function terminate(): Promise<void>;
/** How much embedkit logs to the console, each line prefixed 'embedkit:'. Default 'off'. */
export function setLogLevel(level: LogLevel): void;
export function getLogLevel(): LogLevel;

/**
 * The largest block embedkit allocates, in bytes: 2^31 - 2^20 (2047 MiB), in every state of the
 * module. A table, a gradient, a ResidentArray, a Rope cache or one call's working memory over
 * it is a RangeError (README "Memory rules").
 */
export const MAX_BLOCK_BYTES: number;

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

/**
 * Storage of a table. float32 is trainable; the others are inference-only lookup tables:
 * float16 / bfloat16 (2 bytes per element, safetensors F16 / BF16), and ggml's GGUF block
 * formats Q8_0 and Q4_0 (blocks of 32 elements, 34 / 18 bytes), Q4_K and Q6_K (blocks of 256,
 * 144 / 210 bytes). Lookups decode rows to float32 exactly as ggml's dequantize_row_*.
 */
export type Dtype = 'float32' | 'float16' | 'bfloat16' | 'Q8_0' | 'Q4_0' | 'Q4_K' | 'Q6_K';

export interface EmbeddingOptions {
  /** Storage dtype (default 'float32'). With another dtype, dim must be a multiple of its block (32 or 256). */
  dtype?: Dtype;
  /**
   * Allocate a gradient and backward bookkeeping (default true for float32, and the only
   * choice allowed for other dtypes is false). false: an inference-only table of half the memory.
   */
  requiresGrad?: boolean;
  /**
   * Initial table, copied in: float32 values (numEmbeddings * dim; converted to dtype: float16 /
   * bfloat16 round to nearest even, Q8_0 / Q4_0 quantize as ggml's reference, Q4_K / Q6_K are
   * not offered), or the stored bytes in the dtype's file layout (Uint8Array, ArrayBuffer,
   * ResidentArray(Uint8Array); a Uint16Array of bits for float16 / bfloat16).
   */
  weight?: Float32Array | ResidentArray<Float32Array> | Uint8Array | ArrayBuffer | ResidentArray<Uint8Array> | Uint16Array;
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
  readonly dtype: Dtype;
  /** false: inference-only; backward, grad and zeroGrad throw a TypeError. */
  readonly requiresGrad: boolean;
  /** Bytes of the stored table. */
  readonly byteLength: number;
  /** Bytes of wasm memory this Embedding owns (table, plus gradient and bookkeeping when requiresGrad). */
  readonly allocatedBytes: number;
  /** View of the table in wasm memory (fresh on each access); writes change the table. float32 tables only (TypeError otherwise). */
  readonly weight: Float32Array;
  /** View of the stored bytes in the dtype's layout (fresh on each access). */
  readonly bytes: Uint8Array;
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
  /**
   * A new Embedding with this table stored as `dtype` (this one is unchanged). requiresGrad
   * defaults to this table's for a float32 result, else false.
   */
  to(dtype: Dtype, options?: { requiresGrad?: boolean }): Embedding;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface SinusoidalOptions {
  /** Base of the paper's frequencies w_i = base^(-2i/dim) (default 10000). */
  base?: number;
  /** Position of the first row (default 0): rows are positions offset .. offset + numPositions - 1. */
  offset?: number;
  /** 'interleaved' (default): sin at 2i, cos at 2i+1, as in the paper. 'concat': [sin | cos], as tensor2tensor. */
  layout?: 'interleaved' | 'concat';
  /** Written in place and returned; must be a Float32Array of numPositions * dim. */
  out?: Float32Array | ResidentArray<Float32Array>;
  /**
   * 'paper' (default): w_i = base^(-2i/dim). 'tensor2tensor': w_i = minTimescale *
   * exp(-i ln(maxTimescale/minTimescale) / (dim/2 - 1)), last one 1/maxTimescale (tensor2tensor,
   * fairseq, Whisper). Or your own angular frequencies, Float64Array(dim / 2).
   */
  frequencies?: 'paper' | 'tensor2tensor' | Float64Array;
  /** tensor2tensor frequencies only (default 1). */
  minTimescale?: number;
  /** tensor2tensor frequencies only (default: base). */
  maxTimescale?: number;
}
/**
 * Sinusoidal position table [numPositions, dim] (dim even), within 2e-7 of the float64 formula
 * at any position below 2^31.
 */
export function sinusoidal(numPositions: number, dim: number, options?: SinusoidalOptions): Float32Array;
export function sinusoidal<T extends ResidentArray<Float32Array>>(numPositions: number, dim: number, options: SinusoidalOptions & { out: T }): T;

export interface InputEmbeddingOptions {
  vocabSize: number;
  maxPositions: number;
  dim: number;
  /**
   * 'learned' (default): a second Embedding over positions (GPT-2, BERT). 'sinusoidal': the
   * fixed table of sinusoidal() (original Transformer), no gradient. 'none': token rows only
   * (RoPE / ALiBi models add positions inside attention).
   */
  position?: 'learned' | 'sinusoidal' | 'none';
  /** Seed of the token table (default 0); the learned position table uses seed + 1. */
  seed?: number | bigint;
  /** Standard deviation of the token table's N(0, std^2) init (default 1, as PyTorch; GPT-2 uses 0.02). */
  std?: number;
  /** Standard deviation of the learned position table (default: std). */
  positionStd?: number;
  /** Initial token table, vocabSize * dim (e.g. GPT-2's wte), copied in. */
  tokenWeight?: Float32Array;
  /** false: inference-only token and position tables, without gradients (default true). */
  requiresGrad?: boolean;
  /** Initial learned position table, maxPositions * dim (e.g. GPT-2's wpe), copied in ('learned' only). */
  positionWeight?: Float32Array;
  /** Token row that is zero-initialised and never receives gradient (default null). */
  paddingIdx?: number | null;
  /** Scale each token row's gradient by 1 / its count in the call (default false). */
  scaleGradByFreq?: boolean;
  /** 'sinusoidal' only: as sinusoidal(). */
  base?: number;
  layout?: 'interleaved' | 'concat';
  frequencies?: 'paper' | 'tensor2tensor' | Float64Array;
  minTimescale?: number;
  maxTimescale?: number;
}

export interface InputCallOptions {
  /** Position of the first token of every sequence (default 0); offset + seq <= maxPositions. */
  offset?: number;
}

/** The GPT input layer: out[b, s] = token[ids[b, s]] + position[offset + s]. */
export class InputEmbedding {
  constructor(options: InputEmbeddingOptions);
  /** The token table. */
  readonly token: Embedding;
  /** The learned position table, or null for 'sinusoidal' and 'none'. */
  readonly position: Embedding | null;
  readonly positionMode: 'learned' | 'sinusoidal' | 'none';
  /** View of the table forward adds (learned weights or the sinusoidal table), or null for 'none'. */
  readonly positionTable: Float32Array | null;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly dim: number;
  readonly disposed: boolean;
  /** Fused lookup + position add; result [batch, seq, dim]. */
  forward(ids: Ids, shape: [number, number], options?: InputCallOptions & { out?: Float32Array }): Float32Array;
  forward<T extends ResidentArray<Float32Array>>(ids: Ids, shape: [number, number], options: InputCallOptions & { out: T }): T;
  /** token.grad[ids[b, s]] += g[b, s]; position.grad[offset + s] += sum_b g[b, s] ('learned' only). */
  backward(ids: Ids, shape: [number, number], gradOutput: F32, options?: InputCallOptions): void;
  /** Zero the touched gradient rows of both tables. */
  zeroGrad(): void;
  dispose(): void;
  [Symbol.dispose](): void;
}
// ---- RoPE ---------------------------------------------------------------------------------------

/** Rope scaling types, with Hugging Face transformers' meaning (modeling_rope_utils.py). */
export type RopeScaling =
  | { type: 'linear'; factor: number }
  | { type: 'dynamic'; factor: number; originalMaxPositions?: number }
  | {
      type: 'yarn'; factor?: number; originalMaxPositions?: number; betaFast?: number; betaSlow?: number;
      attentionFactor?: number; mscale?: number; mscaleAllDim?: number; truncate?: boolean;
    }
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalMaxPositions: number }
  | {
      type: 'longrope'; shortFactor: ArrayLike<number>; longFactor: ArrayLike<number>; factor?: number;
      originalMaxPositions?: number; attentionFactor?: number;
    }
  /** transformers 5 (Gemma-4 full attention): the first floor(p * rotaryDim / 2) pairs rotate with base^(-2i/rotaryDim) / factor, the rest not at all. */
  | { type: 'proportional'; partialRotaryFactor?: number; factor?: number };

export interface RopeOptions {
  headDim: number;
  /** Even, <= headDim (default headDim); features >= rotaryDim pass through. */
  rotaryDim?: number;
  /** Default 10000. */
  base?: number;
  /** false: pairs (i, i + rotaryDim/2) (rotate_half, NeoX, HF Llama); true: pairs (2i, 2i+1) (GPT-J, Meta). */
  interleaved?: boolean;
  /** Rows of the cos/sin caches; positions must be below it (default 4096). */
  maxPositions?: number;
  scaling?: RopeScaling | null;
  /** Explicit inverse frequencies (rotaryDim / 2 of them, >= 0; rotaryDim defaults to 2 * length), for any rope type. Not with base or scaling. */
  invFreq?: ArrayLike<number>;
  /** With invFreq: factor multiplying cos and sin (default 1). */
  attentionFactor?: number;
}

/** Options of Rope.fromConfig / Rope.optionsFromConfig. */
export interface RopeConfigOptions {
  /** Which entry of per-layer-type rope parameters (e.g. 'full_attention', 'sliding_attention'). */
  layerType?: string;
  /** Rows of the cos/sin caches (default: the config's context length; dynamic/yarn: original length x factor). */
  maxPositions?: number;
  /** Pairing override (default: half-split for transformers configs, llama.cpp's pairing of the architecture for GGUF). */
  interleaved?: boolean;
}

/** A transformers config.json, parsed (only the keys Rope.fromConfig reads are typed). */
export interface HFConfig {
  hidden_size?: number; num_attention_heads?: number; head_dim?: number | null; max_position_embeddings?: number;
  rope_theta?: number; partial_rotary_factor?: number; original_max_position_embeddings?: number;
  rope_scaling?: Record<string, unknown> | null; rope_parameters?: Record<string, unknown> | null;
  rotary_pct?: number; rotary_emb_base?: number; text_config?: HFConfig;
  [key: string]: unknown;
}

export interface RopeCallOptions {
  /** Length seq (shared by every batch row) or batch*seq; default offset + s. */
  positions?: Ids;
  offset?: number;
  /** 'bshd' = [batch, seq, heads, headDim] (default); 'bhsd' = [batch, heads, seq, headDim]. */
  layout?: 'bshd' | 'bhsd';
  /** Exact-length result array; out === x rotates in place. */
  out?: F32;
}

export class Rope {
  constructor(options: RopeOptions);
  /** A Rope as a model's configuration describes it: a transformers config.json object or a GGUF file. */
  static fromConfig(config: HFConfig | GGUFFile, options?: RopeConfigOptions): Rope;
  /** The constructor options fromConfig would use (no allocation). */
  static optionsFromConfig(config: HFConfig | GGUFFile, options?: RopeConfigOptions): RopeOptions & { headDim: number; rotaryDim: number; maxPositions: number };
  readonly headDim: number;
  readonly rotaryDim: number;
  readonly base: number;
  readonly interleaved: boolean;
  readonly maxPositions: number;
  /** The scaling with transformers' defaults filled in ({ type: 'default' } when none). */
  readonly scaling: Readonly<{ type: string } & Record<string, unknown>>;
  readonly disposed: boolean;
  /** Factor carried by cos/sin (yarn / longrope attention factor, else 1). */
  readonly attentionFactor: number;
  /** Frequencies of the current tables (a copy). */
  readonly invFreq: Float64Array;
  /** View of the cos cache [maxPositions, rotaryDim/2] in wasm memory (fresh on each access; do not write). */
  readonly cos: Float32Array;
  /** View of the sin cache [maxPositions, rotaryDim/2]. */
  readonly sin: Float32Array;
  /** y = R(p * invFreq) x per head, shape in the layout's own order. */
  forward<T extends ResidentArray<Float32Array>>(x: F32, shape: number[], options: RopeCallOptions & { out: T }): T;
  forward(x: F32, shape: number[], options?: RopeCallOptions): Float32Array;
  /** Gradient w.r.t. x: the inverse (transposed) rotation of gradY. */
  backward<T extends ResidentArray<Float32Array>>(gradY: F32, shape: number[], options: RopeCallOptions & { out: T }): T;
  backward(gradY: F32, shape: number[], options?: RopeCallOptions): Float32Array;
  /** Rotate already-rotated vectors (cached keys) by `delta` positions (may be negative). */
  shift<T extends ResidentArray<Float32Array>>(x: F32, shape: number[], delta: number, options: { layout?: 'bshd' | 'bhsd'; out: T }): T;
  shift(x: F32, shape: number[], delta: number, options?: { layout?: 'bshd' | 'bhsd'; out?: F32 }): Float32Array;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface RotaryEmbeddingOptions {
  /** [batch, seq] position ids (int64 in ONNX); caches are then [maxPositionId + 1, rot/2]. */
  positionIds?: Ids;
  interleaved?: boolean | 0 | 1;
  /** Required for 3-D input; must match shape[1] for 4-D input. */
  numHeads?: number;
  /** 0 = the whole head. */
  rotaryEmbeddingDim?: number;
  out?: F32;
}

/** ONNX RotaryEmbedding-23: shape [batch, numHeads, seq, headSize] or [batch, seq, hidden]. */
export function rotaryEmbedding<T extends ResidentArray<Float32Array>>(x: F32, shape: number[], cosCache: F32, sinCache: F32, options: RotaryEmbeddingOptions & { out: T }): T;
export function rotaryEmbedding(x: F32, shape: number[], cosCache: F32, sinCache: F32, options?: RotaryEmbeddingOptions): Float32Array;

export interface RopePermuteOptions {
  headDim: number;
  rotaryDim?: number;
  /** 'halfSplit': interleaved -> half-split (transformers' Meta Llama conversion); 'interleaved': back. */
  to: 'halfSplit' | 'interleaved';
  out?: F32;
}
/** result[j] = source[perm[j]] within one head. */
export function ropePermutation(headDim: number, options: { rotaryDim?: number; to: 'halfSplit' | 'interleaved' }): Int32Array;
/** Permute the output rows of a q/k projection weight [outFeatures, inFeatures] (bias: [outFeatures, 1]). */
export function permuteRopeWeight(weight: F32, shape: [number, number], options: RopePermuteOptions): Float32Array;
/** Permute the features (last axis) of activations [rows, numHeads * headDim]. */
export function permuteRopeFeatures(x: F32, shape: [number, number], options: RopePermuteOptions): Float32Array;

export interface RopePrecisionRow { from: number; to: number; positions: number; embedkit: number; float32: number }
/** Max |error| of embedkit's cos/sin vs float64, next to the float32 recipe, per position range. */
export function ropePrecisionReport(options?: {
  rotaryDim?: number; base?: number; invFreq?: ArrayLike<number>; ranges?: Array<[number, number]>; samples?: number;
}): RopePrecisionRow[];

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
  /** encode() for text in pieces (split anywhere): the pieces' ids joined equal encode(joined text). */
  encoder(options?: { sentenceBreaks?: boolean }): { push(text: string): Int32Array; end(): Int32Array };
  /** Vocab.fromText over text in pieces (a sync or async iterable of strings, split anywhere). */
  static fromChunks(chunks: Iterable<string> | AsyncIterable<string>, options?: { minCount?: number; maxSize?: number; lowercase?: boolean }): Promise<Vocab>;
  /** Grown by more text (gensim's build_vocab(update=True)): known words keep ids and gain counts,
   * new words seen >= minCount (default 5) times are appended, most frequent first. */
  update(more: string | VocabCounter | Map<string, number>, options?: { minCount?: number }): Vocab;
}

/** Word counts over text that arrives in pieces, split anywhere. */
export class VocabCounter {
  constructor(options?: { lowercase?: boolean });
  /** Count the next piece. */
  add(text: string): this;
  /** Words counted so far. */
  readonly tokens: number;
  /** The counts (ends the input). */
  counts(): Map<string, number>;
  /** The Vocab that Vocab.fromText would build from the joined text (ends the input). */
  toVocab(options?: { minCount?: number; maxSize?: number }): Vocab;
}

/** The word2vec tool's Huffman tree over the counts (ties: lower id first): word w's path, root
 * first, is point[off[w] .. off[w+1]) (inner node ids, root numWords - 2) with branch bits code[...]. */
export function huffmanTree(counts: ArrayLike<number>): { off: Int32Array; code: Uint8Array; point: Int32Array };

/** A piece of a streamed corpus: ids (-1 = sentence break) or text (encoded with `vocab`). */
export type CorpusPiece = Int32Array | Uint32Array | ReadonlyArray<number> | string;
/** A streamed corpus, read again for every epoch (an iterator/generator object allows one epoch only). */
export type CorpusStream = Iterable<CorpusPiece> | AsyncIterable<CorpusPiece> | (() => Iterable<CorpusPiece> | AsyncIterable<CorpusPiece>);

export interface Word2VecOptions {
  /** Word ids, -1 = sentence break (Vocab#encode), kept in wasm memory (copied); or a streamed
   * corpus of pieces, of which one buffer of 2^18 ids is in wasm memory at a time. */
  corpus: Int32Array | Uint32Array | ReadonlyArray<number> | CorpusStream;
  /** The vocabulary (its counts drive negative sampling, subsampling and the Huffman tree;
   * a Vocab also encodes text pieces of a streamed corpus)... */
  vocab?: { counts: ArrayLike<number> } | Vocab;
  /** ...or the counts directly, one per id. */
  counts?: ArrayLike<number>;
  /** 'skipgram' (default) or 'cbow' (context averaged, or summed with cbowMean: false). */
  mode?: 'skipgram' | 'cbow';
  /** CBOW: average the context (default true); false sums it and divides the error by the
   * context size when spreading it back (gensim's cbow_mean=0). */
  cbowMean?: boolean;
  /** Hierarchical softmax over the tool's Huffman tree (default false); with negative > 0 too, both. */
  hs?: boolean;
  /** Exponent of the noise distribution count^nsExponent (default 0.75; gensim's ns_exponent). */
  nsExponent?: number;
  /** Each centre word draws its own window 1..window (default true); false keeps the full window
   * (gensim's shrink_windows=False). */
  shrinkWindows?: boolean;
  /** Streamed corpus: in-vocabulary words per epoch, for the learning-rate schedule (default:
   * the sum of the counts). */
  totalWords?: number;
  /** Continued training: input vectors to start from (the first rows; later rows start fresh). */
  weight?: Float32Array;
  /** Continued training: negative-sampling output vectors to start from (later rows zero). */
  outputWeight?: Float32Array;
  /** Continued training: hierarchical-softmax vectors to start from (later rows zero). */
  hsOutputWeight?: Float32Array;
  /**
   * Parts of the corpus trained side by side on the thread pool without locks (the original
   * tool's -threads, gensim's workers): default 1, deterministic; more is faster and not
   * bit-reproducible. Needs the corpus in memory (not streamed).
   */
  threads?: number;
  /** Vector length (default 100). */
  dim?: number;
  /** Maximum context distance; each centre word draws its own 1..window (default 5). */
  window?: number;
  /** Negative samples per positive pair, from unigram^nsExponent (default 5; 0 with hs: hs only). */
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
  /** Completed passes over the corpus (0 during the first; epochs when done). */
  epoch: number;
  /** Learning rate in force. */
  lr: number;
  /** Mean loss per (input, target) pair (negative sampling) or per tree node (hs) since the previous report; null if none. */
  loss: number | null;
  pairs: number;
  /** Words per second of compute time, over all steps so far. */
  wordsPerSec: number;
  elapsedMs: number;
  done: boolean;
  /** Streamed corpus: the trainer waits for the next piece (step() and train() fetch it). */
  needInput: boolean;
}

/** One (input, centre) example of Word2Vec#peek(), in training order. */
export interface Word2VecExample {
  /** Index in `sentence` of the centre word, the target (label 1) of this example. */
  centre: number;
  /** Its id: the W_out row (outputWeight) trained toward 1. */
  word: number;
  /** Indices in `sentence` of the input words: skip-gram one context word (its W_in row is the
   * input, as in the tool), CBOW every word of the centre's window (their mean is the input). */
  context: Int32Array;
  /** Their ids (rows of weight). */
  inputs: Int32Array;
  /** Ids of the W_out rows the trainer draws as negatives (label 0), in order; a draw equal to
   * `word` is skipped as in training, so there can be fewer than `negative`; a repeat trains twice. */
  negatives: Int32Array;
}

/** What the next step(1) trains (Word2Vec#peek()). */
export interface Word2VecPeek {
  /** The sentence's words after subsampling (ids), as the trainer reads it. */
  sentence: Int32Array;
  /** Index in the corpus of each of those words. */
  positions: Int32Array;
  /** Each centre word's window radius after the dynamic shrink (1..window). */
  windows: Int32Array;
  examples: Word2VecExample[];
  /** The learning rate of this sentence (progress.lr after the step). */
  lr: number;
  /** The epoch the sentence belongs to (0 = first). */
  epoch: number;
  /** Corpus words read (before subsampling): progress.wordsDone grows by this. */
  wordsRead: number;
  /** Corpus indices of the first and one past the last word read (the subsampled ones included); -1 if none. */
  start: number;
  end: number;
}

export class Word2Vec {
  constructor(options: Word2VecOptions);
  readonly numWords: number;
  readonly dim: number;
  readonly options: Readonly<Required<Omit<Word2VecOptions, 'corpus' | 'vocab' | 'counts' | 'totalWords' | 'weight' | 'outputWeight' | 'hsOutputWeight'>> & { totalWords?: number }>;
  readonly progress: Word2VecProgress;
  readonly done: boolean;
  readonly disposed: boolean;
  /** The word vectors (input table), numWords x dim: a fresh view into wasm memory. */
  readonly weight: Float32Array;
  /** The output (context) vectors of negative sampling; null when negative = 0. */
  readonly outputWeight: Float32Array | null;
  /** The hierarchical-softmax vectors (row k = inner node k of huffmanTree), numWords - 1 rows; null unless hs. */
  readonly hsOutputWeight: Float32Array | null;
  /** Train >= nWords more words (default 10000; finishes the sentence), then return. A streamed
   * corpus that is async needs stepAsync() or train(). */
  step(nWords?: number): Word2VecProgress;
  /** step() that can await the pieces of an async corpus. */
  stepAsync(nWords?: number): Promise<Word2VecProgress>;
  /** Train to the end in chunks, yielding between them; resolves early after stop() or abort. */
  train(options?: { onProgress?: (p: Word2VecProgress) => void; chunkWords?: number; signal?: AbortSignal }): Promise<Word2VecProgress>;
  stop(): void;
  /** What the next step(1) will train, without training it: the sentence, the examples and the
   * ids of the negatives the trainer's generator will draw, worked out on a copy of its state
   * (nothing changes; step(1) then uses exactly these). `thread` (threads > 1): which part, default 0.
   * null when training is done. TypeError for a streamed corpus. */
  peek(options?: { thread?: number }): Word2VecPeek | null;
  /** A new Embedding holding a copy of the vectors. */
  toEmbedding(): Embedding;
  dispose(): void;
  [Symbol.dispose](): void;
}

// ---- GloVe (src/js/glove.js) ---------------------------------------------------------------------

export interface CooccurrenceOptions {
  /** Word ids, -1 = sentence break (Vocab#encode); windows stop at a break. */
  corpus: Int32Array | Uint32Array | number[];
  /** The vocabulary (names words in top()); or give numWords. */
  vocab?: Vocab;
  numWords?: number;
  /** Words on each side (default 15, at most 1000). */
  window?: number;
  /** Count right and left context (default true); false: rows are the left word only. */
  symmetric?: boolean;
  /** A pair k words apart adds 1/k (default true), else 1. */
  distanceWeighting?: boolean;
  /** wasm memory counting may use (default 2 GiB); RangeError past it. */
  maxBytes?: number;
  /** Cells of the dense block for frequent pairs (default min(2^22, V^2); 0 = all hashed). */
  denseCells?: number;
}

export interface CooccurrenceStats {
  tokens: number; positions: number; denseCells: number; hashSlots: number;
  /** wasm memory in use while counting, at most maxBytes. */
  peakBytes: number;
  /** Bytes held by the result (8 per nonzero + 4 per word). */
  bytes: number;
  countMs: number;
}

/** The sparse word-word co-occurrence matrix X (CSR in wasm memory, float32 values). */
export class Cooccurrence {
  constructor(options: CooccurrenceOptions);
  readonly numWords: number;
  readonly nonzeros: number;
  readonly options: Readonly<{ window: number; symmetric: boolean; distanceWeighting: boolean; maxBytes: number; denseCells: number }>;
  readonly words: readonly string[] | null;
  readonly stats: CooccurrenceStats;
  readonly disposed: boolean;
  /** One row, by column (copies). */
  row(word: number | string): { cols: Int32Array; values: Float32Array };
  /** X[i, j], 0 when the pair never co-occurred. */
  get(i: number | string, j: number | string): number;
  /** The k largest entries of a row, largest first (ties: lower id). */
  top(word: number | string, options?: { k?: number }): Array<{ id: number; count: number; word?: string }>;
  /** Every entry, row-major (copies). */
  entries(): { rows: Int32Array; cols: Int32Array; values: Float32Array };
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface GloVeOptions {
  cooccurrence: Cooccurrence;
  /** Parts of each step trained side by side on the thread pool, lock-free (the tool's -threads): default 1, deterministic. */
  threads?: number;
  /** Default 50. */
  dim?: number;
  /** Passes over the entries (default 25). */
  epochs?: number;
  /** f(x) = min(1, (x / xMax)^alpha): defaults 100 and 0.75. */
  xMax?: number;
  alpha?: number;
  /** AdaGrad's initial rate (default 0.05). */
  lr?: number;
  /** Gradient components are clipped to +-gradClip (default 100). */
  gradClip?: number;
  seed?: number | bigint;
  /** Shuffle the entries again before every epoch (default false: once, as the tool). */
  reshuffle?: boolean;
  /** Force the non-SIMD kernels (same bits). */
  scalar?: boolean;
}

export interface GloVeProgress {
  entriesDone: number;
  totalEntries: number;
  fraction: number;
  epoch: number;
  /** Mean weighted squared error per entry since the previous step (null if none). */
  cost: number | null;
  /** Mean cost of the last finished epoch (the tool's figure), or null. */
  epochCost: number | null;
  skipped: number;
  entriesPerSec: number;
  elapsedMs: number;
  done: boolean;
}

export class GloVe {
  constructor(options: GloVeOptions);
  readonly numWords: number;
  readonly dim: number;
  readonly numEntries: number;
  readonly options: Readonly<Required<Omit<GloVeOptions, 'cooccurrence'>>>;
  readonly progress: GloVeProgress;
  readonly done: boolean;
  readonly disposed: boolean;
  /** Mean cost of every finished epoch. */
  readonly costs: number[];
  /** W + W~ (the tool's model 2), numWords x dim, a fresh copy. */
  readonly weight: Float32Array;
  readonly wordWeight: Float32Array;
  readonly contextWeight: Float32Array;
  readonly wordBias: Float32Array;
  readonly contextBias: Float32Array;
  /** Train up to nEntries more entries (default 100000), then return. */
  step(nEntries?: number): GloVeProgress;
  /** Train to the end in chunks, yielding between them; resolves early after stop() or abort. */
  train(options?: { onProgress?: (p: GloVeProgress) => void; chunkEntries?: number; signal?: AbortSignal }): Promise<GloVeProgress>;
  stop(): void;
  /** A new Embedding holding a copy of W + W~ (default), W or W~. */
  toEmbedding(options?: { vectors?: 'sum' | 'word' | 'context' }): Embedding;
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface Neighbor { id: number; score: number; word?: string }
export interface NearestOptions {
  k?: number;
  exclude?: Array<number | string>;
  /** Search only the first that many rows (gensim's restrict_vocab). */
  restrictVocab?: number;
}

export class Neighbors {
  /** Copies the table. From a Word2Vec, a GloVe (W + W~), an Embedding, or a Float32Array with options.dim. */
  constructor(source: Word2Vec | GloVe | Embedding | Float32Array,
    options?: { dim?: number; vocab?: Vocab; words?: string[] });
  readonly numRows: number;
  readonly dim: number;
  readonly words: readonly string[] | null;
  /** Copy a new version of the table (same shape). */
  update(source: Word2Vec | GloVe | Embedding | Float32Array): void;
  /** k most cosine-similar rows (a row/word query excludes itself), best first. */
  nearest(query: number | string | Float32Array | Float64Array, options?: NearestOptions): Neighbor[];
  /** Nearest to unit(a) - unit(b) + unit(c), excluding a, b, c. */
  analogy(a: number | string, b: number | string, c: number | string, options?: NearestOptions): Neighbor[];
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

// ---- optimizers for Embedding tables (src/js/optim.js) ----------------------------------------

/** Shared by SGD and Adam. lazy (default true): only rows with gradient since zeroGrad() are
 * updated, other rows and their state stay as they are (SparseAdam / LazyAdam semantics);
 * lazy: false is PyTorch's dense update over every row. */
declare class EmbeddingOptimizer {
  readonly params: Embedding[];
  readonly lazy: boolean;
  readonly stepCount: number;
  readonly disposed: boolean;
  /** One update from the current gradients. */
  step(): void;
  /** zeroGrad() of every param. */
  zeroGrad(): void;
  /** Fresh views of one param's state. */
  state(index?: number): { rowSteps: Int32Array; [name: string]: Float32Array | Int32Array };
  dispose(): void;
  [Symbol.dispose](): void;
}

export interface SGDOptions { lr?: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean; lazy?: boolean }
/** torch.optim.SGD's rule (defaults lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false). */
export class SGD extends EmbeddingOptimizer {
  constructor(params: Embedding | InputEmbedding | Array<Embedding | InputEmbedding>, options?: SGDOptions);
  readonly options: Readonly<Required<SGDOptions>>;
}

export interface AdamOptions {
  lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number;
  /** true = AdamW. */
  decoupledWeightDecay?: boolean;
  lazy?: boolean;
  /** Bias correction by each row's own update count instead of the global step count. */
  rowSteps?: boolean;
  /** Where eps is added (t = step, bc1 = 1 - beta1^t, bc2 = 1 - beta2^t):
   * - 'sparseAdam' (default when lazy): torch.optim.SparseAdam (and TensorFlow's Adam / LazyAdam),
   *   w -= (lr * sqrt(bc2) / bc1) * m / (sqrt(v) + eps), SparseAdam's float32 operations in order;
   * - 'adam' (default when lazy: false): torch.optim.Adam / AdamW,
   *   w -= (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps). */
  epsMode?: 'sparseAdam' | 'adam';
}
/** torch.optim.SparseAdam's rule when lazy, Adam / AdamW's when dense (defaults lr 1e-3,
 * betas [0.9, 0.999], eps 1e-8; see AdamOptions.epsMode). */
export class Adam extends EmbeddingOptimizer {
  constructor(params: Embedding | InputEmbedding | Array<Embedding | InputEmbedding>, options?: AdamOptions);
  readonly options: Readonly<Required<AdamOptions>>;
}
/** Parse the original word2vec tool's text format. */
export function fromWord2VecText(text: string): SavedVectors;
/** The original word2vec tool's binary format ("rows dim\n", then word, space, dim f32 LE per
 * row). lineBreaks (default true): a "\n" after each row as the tool writes; false: gensim's layout. */
export function toWord2VecBinary(v: { words: string[]; weight: Float32Array; dim: number }, options?: { lineBreaks?: boolean }): Uint8Array;
/** Parse the word2vec binary format (either layout). limit: first rows only; a repeated word keeps
 * its first row; unicodeErrors 'replace' accepts words that are not valid UTF-8. */
export function fromWord2VecBinary(bytes: Uint8Array | ArrayBuffer, options?: { limit?: number; unicodeErrors?: 'strict' | 'replace' }): SavedVectors;

// ---- intrinsic evaluation (src/js/evaluate.js), gensim's rules --------------------------------

/** What to evaluate: a Neighbors with words, saved vectors, or a table with options.vocab/words. */
export type EvaluationSource = Neighbors | { words: readonly string[]; weight: Float32Array; dim: number } | Word2Vec | Embedding | Float32Array;
export interface EvaluationOptions {
  /** Only the first that many rows form the vocabulary (default 300000). */
  restrictVocab?: number;
  /** Compare words upper-cased; the first case variant stands for all (default true). */
  caseInsensitive?: boolean;
  /** Score out-of-vocabulary pairs as 0 / count such questions wrong instead of skipping them (default false). */
  dummy4unknown?: boolean;
  /** Row words, when the source is a Word2Vec, Embedding or Float32Array. */
  vocab?: Vocab;
  words?: string[];
  /** Row length, when the source is a Float32Array. */
  dim?: number;
}
export interface WordPairScores {
  pearson: number;
  spearman: number;
  /** Percent of pairs with an unknown word (as gensim: of the scored pairs with dummy4unknown). */
  oovRatio: number;
  /** Pairs scored. */
  pairs: number;
  oov: number;
}
/** Word-pair similarity (WordSim-353 / SimLex-999 "w1<TAB>w2<TAB>score" text, '#' comments) against
 * the vectors' cosine, as gensim's evaluate_word_pairs. */
export function evaluateWordPairs(source: EvaluationSource, text: string, options?: EvaluationOptions & { delimiter?: string }): WordPairScores;
export interface AnalogySection { section: string; correct: [string, string, string, string][]; incorrect: [string, string, string, string][] }
export interface AnalogyScores {
  /** Fraction correct over all scored questions (0 if none). */
  score: number;
  sections: AnalogySection[];
  total: AnalogySection;
  questions: number;
  oov: number;
  /** Percent of questions with an unknown word. */
  oovRatio: number;
}
/** Analogy accuracy by section (Google questions-words text), 3CosAdd, as gensim's evaluate_word_analogies. */
export function evaluateAnalogies(source: EvaluationSource, text: string, options?: EvaluationOptions): AnalogyScores;

// ---- model files: safetensors and GGUF ---------------------------------------------------------

/**
 * Where a model file's bytes are. Blob/File (browser File input, Node's fs.openAsBlob) and the
 * range reader are read by ranges (only what is asked for); a Response or ReadableStream is
 * read front to back.
 */
export type ModelFileSource =
  | Uint8Array | ArrayBuffer | Blob | Response | ReadableStream<Uint8Array>
  | { size: number; read(offset: number, length: number): Promise<Uint8Array | ArrayBuffer> };

/** loadEmbedding options: the table's dtype (default: the stored one) and the other Embedding options. */
export type LoadEmbeddingOptions = Omit<EmbeddingOptions, 'weight'>;

export type SafetensorsDtype =
  | 'BOOL' | 'F4' | 'F6_E2M3' | 'F6_E3M2' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3' | 'F8_E8M0' | 'F8_E4M3FNUZ' | 'F8_E5M2FNUZ'
  | 'I16' | 'U16' | 'F16' | 'BF16' | 'I32' | 'U32' | 'F32' | 'C64' | 'F64' | 'I64' | 'U64';

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Row-major, outermost first. */
  readonly shape: readonly number[];
  /** Offset of the tensor's first byte in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

export class SafetensorsFile {
  private constructor();
  /** Tensor infos in file order. */
  readonly tensors: readonly SafetensorsTensorInfo[];
  readonly names: string[];
  /** The __metadata__ strings ({} when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** 8 + header length: where the data starts. */
  readonly headerBytes: number;
  /** Info of one tensor (RangeError naming similar names when absent). */
  tensor(name: string): SafetensorsTensorInfo;
  /** The tensor's raw little-endian bytes (a view into the source when it is in memory). */
  read(name: string): Promise<Uint8Array>;
  /** F32/F16/BF16 exactly, F64 rounded, as a new Float32Array. */
  readFloat32(name: string): Promise<Float32Array>;
  /** A 2-D [numEmbeddings, dim] tensor as an Embedding, reading only its bytes. */
  loadEmbedding(name: string, options?: LoadEmbeddingOptions): Promise<Embedding>;
}

/** Read a safetensors header (8 + N bytes). maxHeaderBytes defaults to 100 MB (the reference library's cap). */
export function openSafetensors(source: ModelFileSource, options?: { maxHeaderBytes?: number }): Promise<SafetensorsFile>;

/** A tensor to write: a typed array (1-D, its own dtype), an Embedding ([numEmbeddings, dim]), or data with shape and dtype (e.g. raw Uint16Array bits as 'BF16'). */
export type SafetensorsInput =
  | Float32Array | Float64Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | BigInt64Array | BigUint64Array
  | Embedding
  | { data: ArrayBufferView; shape?: readonly number[]; dtype?: SafetensorsDtype };

/** Serialise to safetensors, byte-identical to the Python package's writer for the same tensors. */
export function saveSafetensors(tensors: Record<string, SafetensorsInput> | Map<string, SafetensorsInput>, options?: { metadata?: Record<string, string> }): Uint8Array;

export type GGMLType =
  | 'F32' | 'F16' | 'Q4_0' | 'Q4_1' | 'Q5_0' | 'Q5_1' | 'Q8_0' | 'Q8_1' | 'Q2_K' | 'Q3_K' | 'Q4_K' | 'Q5_K' | 'Q6_K' | 'Q8_K'
  | 'IQ2_XXS' | 'IQ2_XS' | 'IQ3_XXS' | 'IQ1_S' | 'IQ4_NL' | 'IQ3_S' | 'IQ2_S' | 'IQ4_XS' | 'I8' | 'I16' | 'I32' | 'I64' | 'F64'
  | 'IQ1_M' | 'BF16' | 'TQ1_0' | 'TQ2_0' | 'MXFP4';

export interface GGUFTensorInfo {
  readonly name: string;
  readonly type: GGMLType;
  /** ggml order: ne[0] is the row length. */
  readonly ne: readonly number[];
  /** Row-major (ne reversed): token_embd.weight is [vocab, dim]. */
  readonly shape: readonly number[];
  readonly byteOffset: number;
  readonly byteLength: number;
}

/** A metadata value: u64/i64 as bigint; numeric arrays as typed arrays; string/bool/nested arrays as arrays. */
export type GGUFValue =
  | number | bigint | boolean | string
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array | Float32Array | Float64Array | BigUint64Array | BigInt64Array
  | GGUFValue[];

export interface GGUFRopeScaling {
  type?: string; factor?: number; originalContextLength?: number; attnFactor?: number; finetuned?: boolean;
  yarnLogMultiplier?: number; yarnExtFactor?: number; yarnAttnFactor?: number; yarnBetaFast?: number; yarnBetaSlow?: number;
}

export class GGUFFile {
  private constructor();
  readonly version: number;
  readonly metadata: Readonly<Record<string, GGUFValue>>;
  readonly tensors: readonly GGUFTensorInfo[];
  readonly names: string[];
  /** general.alignment (default 32). */
  readonly alignment: number;
  /** File offset of the tensor data. */
  readonly dataOffset: number;
  /** general.architecture, or null. */
  readonly architecture: string | null;
  /** tokenizer.ggml.tokens, or null. */
  readonly tokens: string[] | null;
  readonly embeddingLength: number | null;
  readonly contextLength: number | null;
  readonly ropeFreqBase: number | null;
  readonly ropeDimensionCount: number | null;
  /** {arch}.attention.key_length, else embedding_length / attention.head_count. */
  readonly headDim: number | null;
  /** {arch}.rope.scaling.* keys, camelCased, or null. */
  readonly ropeScaling: Readonly<GGUFRopeScaling> | null;
  /** rope_freqs.weight (freqs) and rope_factors_long/short.weight (long/short), read at open. */
  readonly ropeFactors: Readonly<{ freqs?: Float32Array; long?: Float32Array; short?: Float32Array }>;
  /** True when llama.cpp rotates adjacent pairs for this architecture. */
  readonly ropeInterleaved: boolean;
  /** metadata[`${architecture}.${key}`]. */
  archValue(key: string): GGUFValue | undefined;
  tensor(name: string): GGUFTensorInfo;
  /** Raw bytes in the stored type (ggml block layout for quantized types). */
  read(name: string): Promise<Uint8Array>;
  /** F32/F16/BF16/F64 tensors as a new Float32Array. */
  readFloat32(name: string): Promise<Float32Array>;
  /** A 2-D tensor (ne = [dim, numEmbeddings]) as an Embedding; default 'token_embd.weight'. */
  loadEmbedding(name?: string, options?: LoadEmbeddingOptions): Promise<Embedding>;
}

/** Read a GGUF (v2/v3) header: metadata and tensor infos. maxHeaderBytes defaults to 256 MiB. */
export function openGGUF(source: ModelFileSource, options?: { maxHeaderBytes?: number }): Promise<GGUFFile>;
