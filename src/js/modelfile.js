// modelfile.js — what safetensors.js and gguf.js share: turning the raw bytes of one stored
// 2-D tensor into an Embedding (in its stored dtype, or converted), and small checks.

import { Embedding } from './embedding.js';
import { toFloat32 } from './floatbits.js';
import { kindOf } from './source.js';

/** Storage dtypes of Embedding, and the file dtype each one is stored as. */
export const EMBEDDING_DTYPES = ['float32', 'float16', 'bfloat16', 'Q8_0', 'Q4_0', 'Q4_K', 'Q6_K'];
const FILE_TO_EMBEDDING = { F32: 'float32', F16: 'float16', BF16: 'bfloat16', Q8_0: 'Q8_0', Q4_0: 'Q4_0', Q4_K: 'Q4_K', Q6_K: 'Q6_K' };
/** File dtypes toFloat32 can widen in JS without the wasm kernels. */
const JS_WIDENABLE = new Set(['F32', 'F16', 'BF16', 'F64']);

export function checkName(name, what) {
  if (typeof name !== 'string') throw new TypeError(`embedkit: ${what} tensor name must be a string, got ${kindOf(name)}`);
}

/**
 * Error for a missing tensor: names up to 8 tensors whose names share the last part
 * ('weight') or contain the asked name, so "wte.weight" vs "transformer.wte.weight" is obvious.
 */
export function missingTensor(name, names, what) {
  const tail = name.split('.').slice(-2).join('.');
  const near = names.filter((n) => n.endsWith(tail) || n.includes(name) || name.includes(n)).slice(0, 8);
  const hint = near.length ? `; similar names: ${near.join(', ')}` : `; it has ${names.length} tensors${names.length ? `, e.g. ${names.slice(0, 4).join(', ')}` : ''}`;
  return new RangeError(`embedkit: ${what} has no tensor named '${name}'${hint}`);
}

/** Check loadEmbedding's options before any byte is read; returns { dtype, rest }. */
export function embeddingOptions(options, what) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') throw new TypeError(`embedkit: ${what} loadEmbedding options must be an object`);
  const { dtype, weight, ...rest } = options;
  if (weight !== undefined) throw new TypeError(`embedkit: ${what} loadEmbedding takes its weight from the file; do not pass weight`);
  if (dtype !== undefined) {
    if (typeof dtype !== 'string') throw new TypeError(`embedkit: dtype must be one of ${EMBEDDING_DTYPES.join(', ')}, got ${kindOf(dtype)}`);
    if (!EMBEDDING_DTYPES.includes(dtype)) throw new RangeError(`embedkit: dtype must be one of ${EMBEDDING_DTYPES.join(', ')}, got '${dtype}'`);
  }
  return { dtype, rest };
}

/**
 * The Embedding dtype a tensor of file dtype `fileDtype` becomes: `dtype` if given, else the
 * stored one. Throws (before any read) when neither the stored form nor a conversion works.
 */
export function targetDtype(fileDtype, dtype, name, what) {
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

/**
 * Build the Embedding for `rows` x `dim` raw bytes of file dtype `fileDtype`.
 * Stored dtype kept: the bytes go to the table as they are. F32/F16/BF16/F64 to another dtype:
 * widened to float32 in JS (exactly; F64 rounds), then stored by Embedding (float16/bfloat16
 * round to nearest even, Q8_0/Q4_0 quantize as ggml). A quantized file type to another dtype:
 * decoded by the wasm kernels through a temporary table of the stored type.
 */
export function makeEmbedding(rows, dim, fileDtype, bytes, dtype, rest) {
  const stored = FILE_TO_EMBEDDING[fileDtype];
  const n = rows * dim;
  if (dtype === 'float32' && stored === 'float32') {
    // A view when the bytes are 4-aligned (always for Blob and stream reads): no extra copy.
    const w = bytes.byteOffset % 4 === 0 ? new Float32Array(bytes.buffer, bytes.byteOffset, n) : toFloat32(bytes, 'F32', n);
    return new Embedding(rows, dim, { ...rest, weight: w });
  }
  if (dtype === stored) return new Embedding(rows, dim, { ...rest, dtype, weight: bytes });
  if (JS_WIDENABLE.has(fileDtype)) return new Embedding(rows, dim, { ...rest, dtype, weight: toFloat32(bytes, fileDtype, n) });
  const tmp = new Embedding(rows, dim, { dtype: stored, weight: bytes, requiresGrad: false });
  try {
    const keys = Object.keys(rest);
    if (keys.every((k) => k === 'requiresGrad')) return tmp.to(dtype, rest);
    const f32 = tmp.to('float32', { requiresGrad: false });
    const w = f32.weight.slice();   // a JS copy: the next allocation may grow (move) wasm memory
    f32.dispose();
    return new Embedding(rows, dim, { ...rest, dtype, weight: w });
  } finally {
    tmp.dispose();
  }
}
