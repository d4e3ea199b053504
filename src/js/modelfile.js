// modelfile.js — what safetensors.js and gguf.js share: the tensor methods of an opened file
// (ModelTensors: look a tensor up by name, read its bytes, widen it to float32, load it as an
// Embedding), turning the raw bytes of one stored 2-D tensor into an Embedding (in its stored
// dtype, or converted), and small checks.

import { Embedding, UNFILLED } from './embedding.js';
import { heap } from './memory.js';
import { toFloat32 } from './floatbits.js';
import { kindOf } from './source.js';
import { DTYPE_NAMES } from './dtype.js';

/** The file dtype each storage dtype of Embedding (DTYPE_NAMES) is stored as. */
const FILE_TO_EMBEDDING = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', Q8_0: 'Q8_0', Q4_0: 'Q4_0', Q4_K: 'Q4_K', Q6_K: 'Q6_K' };
/** File dtypes toFloat32 can widen in JS without the wasm kernels. */
const JS_WIDENABLE = new Set(['F32', 'F16', 'BF16', 'F64']);

function checkName(name, what) {
  if (typeof name !== 'string') throw new TypeError(`embedkit: ${what} tensor name must be a string, got ${kindOf(name)}`);
}

/**
 * Error for a missing tensor: names up to 8 tensors whose names share the last part
 * ('weight') or contain the asked name, so "wte.weight" vs "transformer.wte.weight" is obvious.
 */
function missingTensor(name, names, what) {
  const tail = name.split('.').slice(-2).join('.');
  const near = names.filter((n) => n.endsWith(tail) || n.includes(name) || name.includes(n)).slice(0, 8);
  const hint = near.length ? `; similar names: ${near.join(', ')}` : `; it has ${names.length} tensors${names.length ? `, e.g. ${names.slice(0, 4).join(', ')}` : ''}`;
  return new RangeError(`embedkit: ${what} has no tensor named '${name}'${hint}`);
}

/** Check loadEmbedding's options before any byte is read; returns { dtype, rest }. */
function embeddingOptions(options, what) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new TypeError(`embedkit: ${what} loadEmbedding options must be an object`);
  const { dtype, weight, ...rest } = options;
  if (weight !== undefined) throw new TypeError(`embedkit: ${what} loadEmbedding takes its weight from the file; do not pass weight`);
  if (dtype !== undefined) {
    if (typeof dtype !== 'string') throw new TypeError(`embedkit: dtype must be one of ${DTYPE_NAMES.join(', ')}, got ${kindOf(dtype)}`);
    if (!DTYPE_NAMES.includes(dtype)) throw new RangeError(`embedkit: dtype must be one of ${DTYPE_NAMES.join(', ')}, got '${dtype}'`);
  }
  return { dtype, rest };
}

/**
 * The Embedding dtype a tensor of file dtype `fileDtype` becomes: `dtype` if given, else the
 * stored one. Throws (before any read) when neither the stored form nor a conversion works.
 */
function targetDtype(fileDtype, dtype, name, what) {
  const stored = FILE_TO_EMBEDDING[fileDtype];
  if (dtype === undefined) {
    if (stored) return stored;
    if (fileDtype === 'F64') return 'float32';
    throw new RangeError(`embedkit: ${what} tensor '${name}' is stored as ${fileDtype}, which Embedding cannot hold; ` +
      `supported: ${Object.keys(FILE_TO_EMBEDDING).join(', ')} (and F64, read as float32)`);
  }
  if (dtype === stored) return dtype;
  if (!JS_WIDENABLE.has(fileDtype) && !stored) {
    throw new RangeError(`embedkit: ${what} tensor '${name}' is stored as ${fileDtype}; it cannot be converted to ${dtype}`);
  }
  if (dtype === 'Q4_K' || dtype === 'Q6_K') {
    throw new RangeError(`embedkit: ${what} tensor '${name}' is ${fileDtype}; a ${dtype} table can only be loaded from ${dtype} data ` +
      '(embedkit does not quantize to k-quants; Q8_0 and Q4_0 it does)');
  }
  return dtype;
}

/** Bytes read per step when a table streams into wasm memory. */
const CHUNK = 16 * 1024 * 1024;

/**
 * Build the Embedding for a 2-D tensor of file dtype `fileDtype`: `rows` x `dim`, `byteLength`
 * bytes at `byteOffset` of `src` (a byteSource).
 * A dtype Embedding can hold (F32/F16/BF16/Q8_0/Q4_0/Q4_K/Q6_K) streams into a table of that
 * dtype in 16 MiB reads, straight into wasm memory (the JS heap never holds the whole tensor);
 * another target dtype is then made from it by Embedding.to (f16/bf16 round to nearest even,
 * Q8_0/Q4_0 quantize as ggml, quantized types decode as ggml). F64 (and maxNorm tables from
 * non-float32 data) go through a JS float32 copy.
 */
async function loadTable(src, { byteOffset, byteLength }, rows, dim, fileDtype, dtype, rest) {
  const stored = FILE_TO_EMBEDDING[fileDtype];
  if (dtype !== 'float32' && rest.maxNorm !== undefined && rest.maxNorm !== null) {
    throw new RangeError(`embedkit: maxNorm renormalises rows in place and needs a float32 table, not ${dtype}`);
  }
  const viaJs = !stored || (stored !== 'float32' && rest.maxNorm !== undefined && rest.maxNorm !== null);
  if (viaJs) {
    const bytes = await src.read(byteOffset, byteLength);
    if (JS_WIDENABLE.has(fileDtype)) return new Embedding(rows, dim, { ...rest, dtype, weight: toFloat32(bytes, fileDtype, rows * dim) });
    const tmp = new Embedding(rows, dim, { dtype: stored, weight: bytes, requiresGrad: false });
    try {
      const f32 = tmp.to('float32', { requiresGrad: false });
      const w = f32.weight.slice();   // a JS copy: the next allocation may grow (move) wasm memory
      f32.dispose();
      return new Embedding(rows, dim, { ...rest, dtype, weight: w });
    } finally {
      tmp.dispose();
    }
  }
  const { requiresGrad, ...keep } = rest;
  const same = dtype === stored;
  // The table in its stored dtype, allocated unfilled (options checked by the constructor first).
  const table = new Embedding(rows, dim, {
    ...keep, dtype: stored, [UNFILLED]: true,
    requiresGrad: same ? requiresGrad ?? stored === 'float32' : false,
  });
  try {
    for (let off = 0; off < byteLength; off += CHUNK) {
      const b = await src.read(byteOffset + off, Math.min(CHUNK, byteLength - off));
      heap().u8.set(b, table._ptrs.weight + off);
    }
    if (same) return table;
    return table.to(dtype, { requiresGrad: requiresGrad ?? dtype === 'float32' });
  } catch (e) {
    table.dispose();
    throw e;
  } finally {
    if (!same) table.dispose();
  }
}

/**
 * The tensors of one opened model file and the four things both readers do with one of them.
 * SafetensorsFile and GGUFFile each hold one and pass tensor / read / readFloat32 /
 * loadEmbedding through to it.
 *   src      the file's byteSource
 *   tensors  tensor infos in file order (frozen here, with the array): name, shape (row-major,
 *            frozen), byteOffset and byteLength (in the file), the file dtype under format.dtypeKey
 *   format   { what: 'GGUF' | 'safetensors' (error prefixes), dtypeKey: where an info keeps its
 *            file dtype, shapeText(info): the shape as a not-2-D error shows it, layout: the
 *            2-D layout that error asks for, float32Hint: appended to readFloat32's refusal }
 */
export class ModelTensors {
  #src; #tensors; #byName; #format;

  constructor(src, tensors, format) {
    this.#src = src;
    this.#tensors = Object.freeze(tensors.map((t) => Object.freeze(t)));
    this.#byName = new Map(tensors.map((t) => [t.name, t]));
    this.#format = format;
  }

  get tensors() { return this.#tensors; }
  get names() { return this.#tensors.map((t) => t.name); }

  /** Info of one tensor; TypeError for a non-string name, RangeError naming similar names when absent. */
  tensor(name) {
    const { what } = this.#format;
    checkName(name, what);
    const t = this.#byName.get(name);
    if (!t) throw missingTensor(name, this.names, `this ${what} file`);
    return t;
  }

  /** The raw bytes of one tensor as stored (a view into the source when it is in memory). */
  async read(name) {
    const t = this.tensor(name);
    return this.#src.read(t.byteOffset, t.byteLength);
  }

  /** One F32/F16/BF16/F64 tensor widened to a new Float32Array (exact except F64). */
  async readFloat32(name) {
    const t = this.tensor(name);
    const fileDtype = t[this.#format.dtypeKey];
    if (!JS_WIDENABLE.has(fileDtype)) {
      throw new RangeError(`embedkit: tensor '${name}' is ${fileDtype}; readFloat32 reads F32, F16, BF16 and F64${this.#format.float32Hint}`);
    }
    return toFloat32(await this.#src.read(t.byteOffset, t.byteLength), fileDtype, t.shape.reduce((a, b) => a * b, 1));
  }

  /**
   * One 2-D tensor (row-major shape [numEmbeddings, dim]) as an Embedding; options are checked
   * before any byte is read (see embeddingOptions, targetDtype, loadTable).
   */
  async loadEmbedding(name, options) {
    const t = this.tensor(name);
    const { what, dtypeKey, shapeText, layout } = this.#format;
    const { dtype, rest } = embeddingOptions(options, what);
    const [rows, dim] = t.shape;
    if (t.shape.length !== 2 || rows === 0 || dim === 0) {
      throw new RangeError(`embedkit: tensor '${name}' has ${shapeText(t)}; an Embedding needs ${layout}`);
    }
    const target = targetDtype(t[dtypeKey], dtype, name, what);
    return loadTable(this.#src, t, rows, dim, t[dtypeKey], target, rest);
  }
}
