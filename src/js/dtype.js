// dtype.js — the storage dtypes of an Embedding table (src/c/dtype.h has the byte layouts) and
// the conversions between them, all in wasm memory.
//
//   float32            4 bytes / element, trainable
//   float16, bfloat16  2 bytes / element (safetensors F16 / BF16)
//   Q8_0, Q4_0         blocks of 32 elements: 34 / 18 bytes (GGUF)
//   Q4_K, Q6_K         blocks of 256 elements: 144 / 210 bytes (GGUF)
// Non-float32 tables are inference-only. Encoding float32 -> Q4_K / Q6_K is not offered: ggml's
// reference quantizers for them run an iterative search whose result this package could not
// check bit for bit against ggml; such tables come from GGUF files as stored bytes.

import { heap, scratch, scratchSize, wasm } from './memory.js';

export const DTYPES = Object.freeze({
  float32: { block: 1, blockBytes: 4, gather: 'ek_gather_rows_f32' },
  float16: { block: 1, blockBytes: 2, gather: 'ek_gather_rows_f16', encode: 'ek_f32_to_f16' },
  bfloat16: { block: 1, blockBytes: 2, gather: 'ek_gather_rows_bf16', encode: 'ek_f32_to_bf16' },
  Q8_0: { block: 32, blockBytes: 34, gather: 'ek_gather_rows_q8_0', encode: 'ek_quantize_q8_0', finite: true },
  Q4_0: { block: 32, blockBytes: 18, gather: 'ek_gather_rows_q4_0', encode: 'ek_quantize_q4_0', finite: true },
  Q4_K: { block: 256, blockBytes: 144, gather: 'ek_gather_rows_q4_k' },
  Q6_K: { block: 256, blockBytes: 210, gather: 'ek_gather_rows_q6_k' },
});

export const DTYPE_NAMES = Object.freeze(Object.keys(DTYPES));

/** Validate a dtype name (TypeError / RangeError) and return its description. */
export function dtypeInfo(dtype, name = 'dtype') {
  if (typeof dtype !== 'string') throw new TypeError(`embedkit: ${name} must be a string, one of ${DTYPE_NAMES.join(', ')}; got ${typeof dtype}`);
  if (!Object.hasOwn(DTYPES, dtype)) {
    throw new RangeError(`embedkit: ${name} must be one of ${DTYPE_NAMES.map((d) => `'${d}'`).join(', ')}, got '${dtype}'`);
  }
  return DTYPES[dtype];
}

/** RangeError unless rows of `dim` elements are whole blocks of `dtype`. */
export function checkRowBlocks(dtype, dim) {
  const { block } = DTYPES[dtype];
  if (dim % block !== 0) {
    throw new RangeError(`embedkit: a ${dtype} table stores rows in blocks of ${block} elements; dim = ${dim} is not a multiple of ${block}`);
  }
}

/** Bytes of one stored row of `dim` elements (dim already checked by checkRowBlocks). */
export function rowBytes(dtype, dim) {
  const { block, blockBytes } = DTYPES[dtype];
  return (dim / block) * blockBytes;
}

/** RangeError naming the first non-finite element (Q formats cannot encode inf / NaN). */
export function checkFinite(values, dtype, name) {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new RangeError(`embedkit: ${name}[${i}] = ${values[i]} is not finite; ${dtype} can only store finite values`);
    }
  }
}

/** TypeError-free check that `dtype` can be encoded from float32 (RangeError otherwise). */
export function checkEncodable(dtype) {
  if (dtype !== 'float32' && !DTYPES[dtype].encode) {
    throw new RangeError(`embedkit: converting float32 values to ${dtype} is not offered (ggml's ${dtype} quantizer is ` +
      'not reproduced here bit for bit); load the stored bytes of a GGUF file instead, or use Q8_0 / Q4_0');
  }
}

/** Encode `rows` rows of float32 at srcPtr into `dtype` storage at dstPtr. */
export function encodeRows(dtype, dstPtr, srcPtr, rows, dim) {
  const n = rows * dim;
  if (dtype === 'float32') heap().u8.copyWithin(dstPtr, srcPtr, srcPtr + n * 4);
  else wasm()[DTYPES[dtype].encode](dstPtr, srcPtr, n);
}

const CHUNK_FLOATS = 1 << 20;  // 4 MiB of float32 per conversion step

/** Rows per chunk so that a chunk of float32 rows stays near 4 MiB (at least one row). */
export function chunkRows(dim) {
  return Math.max(1, Math.floor(CHUNK_FLOATS / dim));
}

/**
 * Decode rows [first, first + rows) of a `dtype` table at tablePtr into float32 at dstPtr, with
 * the lookup kernel (ids 0, 1, ... staged in scratch: `idsPtr`, room for `rows` int32).
 */
export function decodeRows(dtype, tablePtr, first, rows, dim, dstPtr, idsPtr) {
  const ids = heap().i32;
  const base = idsPtr >>> 2;
  for (let i = 0; i < rows; i++) ids[base + i] = first + i;
  wasm()[DTYPES[dtype].gather](dstPtr, tablePtr, idsPtr, rows, dim);
}

/**
 * Convert a whole table of n x dim from one dtype to another, storage to storage, in chunks of
 * about 4 MiB of float32 (scratch). `srcFloats` may be given instead of srcPtr: a JS
 * Float32Array that is copied in chunk by chunk.
 */
export function convertTable({ from, srcPtr = 0, srcFloats = null, to, dstPtr, n, dim }) {
  if (from === 'float32' && srcFloats === null) return encodeRows(to, dstPtr, srcPtr, n, dim);
  if (srcFloats !== null && to === 'float32') return heap().f32.set(srcFloats, dstPtr >>> 2);
  const per = chunkRows(dim);
  const outRb = to === 'float32' ? dim * 4 : rowBytes(to, dim);
  const rows0 = Math.min(per, n);
  const s = scratch(scratchSize(rows0 * dim * 4, srcFloats === null ? rows0 * 4 : 0));
  const buf = s.take(rows0 * dim * 4);
  const ids = srcFloats === null ? s.take(rows0 * 4) : 0;
  for (let r = 0; r < n; r += per) {
    const rows = Math.min(per, n - r);
    const dst = dstPtr + r * outRb;
    if (srcFloats !== null) heap().f32.set(srcFloats.subarray(r * dim, (r + rows) * dim), buf >>> 2);
    else decodeRows(from, srcPtr, r, rows, dim, to === 'float32' ? dst : buf, ids);
    if (to !== 'float32') encodeRows(to, dst, buf, rows, dim);
  }
}
