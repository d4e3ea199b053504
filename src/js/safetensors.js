// safetensors.js — read the tensor index of a .safetensors file and single tensors out of it,
// and write .safetensors files. Pure JS, no wasm (except the Embedding it builds).
//
// Format (github.com/huggingface/safetensors, README "Format"):
//   8 bytes    u64 little-endian N: length of the header
//   N bytes    UTF-8 JSON object, starting with '{', may end with spaces (0x20) as padding:
//              { "__metadata__": { string: string }?,
//                "<name>": { "dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end] }, ... }
//   rest       the byte buffer; offsets are relative to its start, little-endian, row-major
// A valid file, as the reference library checks it: the tensors, sorted by begin, tile the byte
// buffer exactly (first begin 0, each begin = previous end, last end = buffer length), and
// end - begin = product(shape) * size(dtype). Those are our checks too, all done on the header
// before any tensor byte is read and before any allocation sized by a header value.
//
// Writer: byte-identical to the Python package's `safetensors.numpy.save` for the same tensors
// (tensors sorted by dtype size, largest first, then by name; compact JSON with __metadata__
// first; header padded with spaces to a multiple of 8).

import { byteSource, kindOf } from './source.js';
import { checkOptions } from './validate.js';
import { ModelTensors } from './modelfile.js';

/**
 * Bits per element of each dtype the format defines, in the order of the reference library's
 * Dtype enum (its writer sorts tensors by that order, descending).
 */
export const SAFETENSORS_DTYPES = Object.freeze({
  BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32,
  C64: 64, F64: 64, I64: 64, U64: 64,
});
const DTYPE_RANK = Object.fromEntries(Object.keys(SAFETENSORS_DTYPES).map((k, i) => [k, i]));

/** Largest header accepted by default: the reference library's limit (100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

const WHAT = 'safetensors';
/** How SafetensorsFile's tensor methods (modelfile.js ModelTensors) name this format and its shapes. */
const FORMAT = {
  what: WHAT, dtypeKey: 'dtype', shapeText: (t) => `shape [${t.shape}]`, layout: 'a 2-D [numEmbeddings, dim] tensor', float32Hint: '',
};
const bad = (why) => new RangeError(`embedkit: not a valid safetensors file: ${why}`);

function checkShapeList(shape, name) {
  if (!Array.isArray(shape)) throw bad(`tensor '${name}': shape must be an array of integers`);
  if (shape.length > 64) throw bad(`tensor '${name}': shape has ${shape.length} dimensions`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw bad(`tensor '${name}': shape [${shape}] must hold non-negative integers`);
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) throw bad(`tensor '${name}': shape [${shape}] has more than 2^53 elements`);
  }
  return n;
}

/**
 * Validate a parsed header object against a data buffer of `dataSize` bytes (null: unknown,
 * the end is then checked when a tensor is read). Returns { tensors (sorted by offset), metadata }.
 */
export function parseSafetensorsHeader(header, dataSize) {
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  let metadata = {};
  const tensors = [];
  for (const name of Object.keys(header)) {
    const e = header[name];
    if (name === '__metadata__') {
      if (e === null || typeof e !== 'object' || Array.isArray(e)) throw bad('__metadata__ must be an object of strings');
      metadata = {};
      for (const k of Object.keys(e)) {
        if (typeof e[k] !== 'string') throw bad(`__metadata__['${k}'] must be a string, got ${kindOf(e[k])}`);
        Object.defineProperty(metadata, k, { value: e[k], enumerable: true });
      }
      continue;
    }
    if (e === null || typeof e !== 'object' || Array.isArray(e)) throw bad(`tensor '${name}' must be an object with dtype, shape, data_offsets`);
    const { dtype, shape, data_offsets: off } = e;
    if (typeof dtype !== 'string') throw bad(`tensor '${name}': dtype must be a string`);
    const bits = SAFETENSORS_DTYPES[dtype];
    if (!Object.hasOwn(SAFETENSORS_DTYPES, dtype)) throw bad(`tensor '${name}': unknown dtype '${dtype}'`);
    const n = checkShapeList(shape, name);
    if (!Array.isArray(off) || off.length !== 2 || !off.every((v) => Number.isSafeInteger(v) && v >= 0)) {
      throw bad(`tensor '${name}': data_offsets must be [begin, end], two non-negative integers`);
    }
    const [begin, end] = off;
    if (end < begin) throw bad(`tensor '${name}': data_offsets [${begin}, ${end}] end before they begin`);
    if ((n * bits) % 8 !== 0) throw bad(`tensor '${name}': ${n} elements of ${dtype} are not a whole number of bytes`);
    const bytes = (n * bits) / 8;
    if (end - begin !== bytes) {
      throw bad(`tensor '${name}': shape [${shape}] x ${dtype} is ${bytes} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
    }
    if (dataSize !== null && end > dataSize) throw bad(`tensor '${name}': data_offsets [${begin}, ${end}] run past the end of the data (${dataSize} bytes)`);
    tensors.push(Object.freeze({ name, dtype, shape: Object.freeze(shape.slice()), begin, end }));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const t of tensors) {
    if (t.begin < at) throw bad(`tensor '${t.name}' at [${t.begin}, ${t.end}) overlaps the tensor before it (which ends at ${at})`);
    if (t.begin > at) throw bad(`bytes [${at}, ${t.begin}) before tensor '${t.name}' belong to no tensor`);
    at = t.end;
  }
  if (dataSize !== null && at !== dataSize) throw bad(`the tensors end at byte ${at} of the data but the file holds ${dataSize}`);
  return { tensors, metadata: Object.freeze(metadata), dataEnd: at };
}

export class SafetensorsFile {
  #t; #metadata; #headerBytes;

  /** Use openSafetensors(). */
  constructor(key, src, dataStart, parsed) {
    if (key !== SafetensorsFile.#key) throw new TypeError('embedkit: use openSafetensors(source) to open a safetensors file');
    this.#headerBytes = dataStart;
    this.#t = new ModelTensors(src, parsed.tensors.map((t) => ({
      name: t.name, dtype: t.dtype, shape: t.shape, byteOffset: dataStart + t.begin, byteLength: t.end - t.begin,
    })), FORMAT);
    this.#metadata = parsed.metadata;
  }

  static #key = Symbol('SafetensorsFile');
  /** @internal */
  static _make(src, dataStart, parsed) { return new SafetensorsFile(SafetensorsFile.#key, src, dataStart, parsed); }

  /** Tensor infos in file order: { name, dtype, shape, byteOffset (in the file), byteLength }. */
  get tensors() { return this.#t.tensors; }
  /** Tensor names in file order. */
  get names() { return this.#t.names; }
  /** The __metadata__ strings ({} when absent). */
  get metadata() { return this.#metadata; }
  /** Bytes before the first tensor: 8 + header length. */
  get headerBytes() { return this.#headerBytes; }

  /** Info of one tensor; RangeError naming similar names when absent. */
  tensor(name) { return this.#t.tensor(name); }

  /** The raw little-endian bytes of one tensor (a view into the source when it is in memory). */
  async read(name) { return this.#t.read(name); }

  /** One tensor widened to a new Float32Array (dtype F32, F16, BF16 or F64; exact except F64). */
  async readFloat32(name) { return this.#t.readFloat32(name); }

  /**
   * One 2-D tensor [numEmbeddings, dim] as an Embedding. options.dtype: the table's dtype
   * (default: the stored one: F32 -> float32, F16 -> float16, BF16 -> bfloat16; F64 -> float32);
   * other options go to the Embedding constructor (requiresGrad, paddingIdx, maxNorm, ...).
   * Reads only this tensor's bytes.
   */
  async loadEmbedding(name, options) { return this.#t.loadEmbedding(name, options); }
}

/**
 * Read the header of a safetensors file (only the header: 8 + N bytes).
 * @param source Uint8Array | ArrayBuffer | Blob | File | Response | ReadableStream | { size, read(offset, length) }
 * @param {{ maxHeaderBytes?: number }} [options]
 * @returns {Promise<SafetensorsFile>}
 */
export async function openSafetensors(source, options) {
  const { maxHeaderBytes = SAFETENSORS_MAX_HEADER } = checkOptions(options, ['maxHeaderBytes'], 'openSafetensors options');
  if (!Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < 2) throw new RangeError(`embedkit: maxHeaderBytes must be an integer >= 2, got ${maxHeaderBytes}`);
  const src = byteSource(source, WHAT);
  if (src.size !== null && src.size < 8) throw bad(`the file has ${src.size} bytes, fewer than the 8-byte header length`);
  const head = await src.read(0, 8);
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(maxHeaderBytes)) throw bad(`header length ${n} exceeds the limit of ${maxHeaderBytes} bytes (option maxHeaderBytes)`);
  const len = Number(n);
  if (src.size !== null && 8 + len > src.size) throw bad(`header length ${len} runs past the end of the file (${src.size} bytes)`);
  if (len < 2) throw bad(`header length ${len} is too short for a JSON object`);
  const json = await src.read(8, len);
  if (json[0] !== 0x7b) throw bad("the header does not start with '{'");
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    throw bad('the header is not valid UTF-8');
  }
  let header;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw bad(`the header is not valid JSON (${e.message})`);
  }
  const parsed = parseSafetensorsHeader(header, src.size === null ? null : src.size - 8 - len);
  return SafetensorsFile._make(src, 8 + len, parsed);
}

// ---- writing ------------------------------------------------------------------------------------

const TYPED = [
  [Float32Array, 'F32'], [Float64Array, 'F64'], [Int32Array, 'I32'], [Uint32Array, 'U32'],
  [Int16Array, 'I16'], [Uint16Array, 'U16'], [Int8Array, 'I8'], [Uint8Array, 'U8'],
  [BigInt64Array, 'I64'], [BigUint64Array, 'U64'],
];

function entryOf(name, v) {
  // An Embedding (duck-typed to keep this module free of the wasm wrapper): its table.
  if (v !== null && typeof v === 'object' && typeof v.numEmbeddings === 'number' && typeof v.dim === 'number' && 'weight' in v) {
    return embeddingEntry(name, v);
  }
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) v = { data: v };
  if (v === null || typeof v !== 'object' || !ArrayBuffer.isView(v.data) || v.data instanceof DataView) {
    throw new TypeError(`embedkit: tensors['${name}'] must be a typed array, an Embedding, or { data, shape?, dtype? }, got ${kindOf(v)}`);
  }
  const data = v.data;
  const typed = TYPED.find(([C]) => data instanceof C);
  if (!typed) throw new TypeError(`embedkit: tensors['${name}'].data: ${kindOf(data)} has no safetensors dtype`);
  let dtype = v.dtype ?? typed[1];
  if (typeof dtype !== 'string' || !Object.hasOwn(SAFETENSORS_DTYPES, dtype)) throw new RangeError(`embedkit: tensors['${name}'].dtype '${dtype}' is not a safetensors dtype`);
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const shape = v.shape ?? [(bytes.length * 8) / SAFETENSORS_DTYPES[dtype]];
  const n = checkShapeList(shape, name);
  if ((n * SAFETENSORS_DTYPES[dtype]) / 8 !== bytes.length) {
    throw new RangeError(`embedkit: tensors['${name}']: shape [${shape}] x ${dtype} is ${(n * SAFETENSORS_DTYPES[dtype]) / 8} bytes, data has ${bytes.length}`);
  }
  return { name, dtype, shape: shape.slice(), bytes };
}

function embeddingEntry(name, emb) {
  const dtype = emb.dtype ?? 'float32';
  const fileDtype = { float32: 'F32', float16: 'F16', bfloat16: 'BF16' }[dtype];
  if (!fileDtype) {
    throw new RangeError(`embedkit: tensors['${name}'] is a ${dtype} Embedding; safetensors has no ${dtype} dtype (convert it with .to('float32') or .to('bfloat16') first, or keep it in GGUF)`);
  }
  const w = emb.bytes;   // the stored bytes: float32, or f16/bf16 bits, little-endian
  return { name, dtype: fileDtype, shape: [emb.numEmbeddings, emb.dim], bytes: new Uint8Array(w.buffer, w.byteOffset, w.byteLength) };
}

/**
 * Serialise named tensors to the safetensors format.
 * @param {Record<string, Float32Array | TypedArray | { data, shape?, dtype? } | Embedding> | Map} tensors
 *   a typed array is a 1-D tensor of its own dtype; { data, shape, dtype } sets the shape and,
 *   for raw Uint8Array/Uint16Array bits, a dtype such as 'F16' or 'BF16'; an Embedding is its
 *   table [numEmbeddings, dim] in its dtype.
 * @param {{ metadata?: Record<string, string> }} [options]
 * @returns {Uint8Array}
 */
export function saveSafetensors(tensors, options) {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError('embedkit: saveSafetensors takes an object or Map of named tensors');
  const { metadata } = checkOptions(options, ['metadata'], 'saveSafetensors options');
  const pairs = tensors instanceof Map ? [...tensors] : Object.keys(tensors).map((k) => [k, tensors[k]]);
  const entries = pairs.map(([name, v]) => {
    if (typeof name !== 'string' || name.length === 0) throw new TypeError('embedkit: tensor names must be non-empty strings');
    if (name === '__metadata__') throw new RangeError("embedkit: '__metadata__' is reserved and cannot name a tensor");
    return entryOf(name, v);
  });
  if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object') throw new TypeError('embedkit: metadata must be an object of strings');
    for (const k of Object.keys(metadata)) if (typeof metadata[k] !== 'string') throw new TypeError(`embedkit: metadata['${k}'] must be a string`);
  }
  // The Python package's order: dtype enum descending (wider types first, so every tensor stays
  // aligned), then by name (byte order of the UTF-8, as Rust compares strings).
  const key = (n) => Array.from(new TextEncoder().encode(n), (b) => String.fromCharCode(b)).join('');
  entries.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || (key(a.name) < key(b.name) ? -1 : key(a.name) > key(b.name) ? 1 : 0));
  const header = {};
  if (metadata !== undefined && metadata !== null) header.__metadata__ = { ...metadata };
  let at = 0;
  for (const e of entries) {
    Object.defineProperty(header, e.name, {
      value: { dtype: e.dtype, shape: e.shape, data_offsets: [at, at + e.bytes.length] }, enumerable: true,
    });
    at += e.bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let off = 8 + padded;
  for (const e of entries) {
    out.set(e.bytes, off);
    off += e.bytes.length;
  }
  return out;
}
