// gguf.js — read GGUF files (llama.cpp / ggml model files, versions 2 and 3): header, metadata,
// tensor infos, and single tensors in their stored type. Pure JS, no wasm (except the Embedding
// it builds).
//
// Format (ggml docs/gguf.md), all little-endian:
//   u32 magic "GGUF", u32 version, u64 tensor_count, u64 metadata_kv_count
//   metadata_kv_count x { string key, u32 value_type, value }
//     string = u64 length + UTF-8 bytes (no terminator); array = u32 type, u64 count, values
//   tensor_count x { string name, u32 n_dims (1..4), u64 ne[n_dims], u32 ggml_type, u64 offset }
//   padding to general.alignment (u32, power of two, default 32), then the tensor data; each
//   offset is relative to the data start and a multiple of the alignment. ne[0] is the fastest
//   dimension (a row); ne[0] must be a multiple of the type's block size.
//
// Untrusted input: every count, length and offset is checked against the bytes that can be
// there (the file size, or maxHeaderBytes for the header) before anything sized by it is
// allocated; a header is parsed from a prefix of the file that grows (doubling) until the parse
// fits, so a claimed 2^60-entry array costs a RangeError, not memory.

import { byteSource, concat } from './source.js';
import { checkOptions } from './validate.js';
import { toFloat32 } from './floatbits.js';
import { ModelTensors } from './modelfile.js';

/** ggml types: id -> [name, block size (elements), bytes per block]. From ggml.h / gguf-py. */
const GGML_TYPES = new Map([
  [0, ['F32', 1, 4]], [1, ['F16', 1, 2]], [2, ['Q4_0', 32, 18]], [3, ['Q4_1', 32, 20]],
  [6, ['Q5_0', 32, 22]], [7, ['Q5_1', 32, 24]], [8, ['Q8_0', 32, 34]], [9, ['Q8_1', 32, 40]],
  [10, ['Q2_K', 256, 84]], [11, ['Q3_K', 256, 110]], [12, ['Q4_K', 256, 144]], [13, ['Q5_K', 256, 176]],
  [14, ['Q6_K', 256, 210]], [15, ['Q8_K', 256, 292]], [16, ['IQ2_XXS', 256, 66]], [17, ['IQ2_XS', 256, 74]],
  [18, ['IQ3_XXS', 256, 98]], [19, ['IQ1_S', 256, 50]], [20, ['IQ4_NL', 32, 18]], [21, ['IQ3_S', 256, 110]],
  [22, ['IQ2_S', 256, 82]], [23, ['IQ4_XS', 256, 136]], [24, ['I8', 1, 1]], [25, ['I16', 1, 2]],
  [26, ['I32', 1, 4]], [27, ['I64', 1, 8]], [28, ['F64', 1, 8]], [29, ['IQ1_M', 256, 56]],
  [30, ['BF16', 1, 2]], [34, ['TQ1_0', 256, 54]], [35, ['TQ2_0', 256, 66]], [39, ['MXFP4', 32, 17]],
]);
export const GGML_TYPE_INFO = Object.freeze(Object.fromEntries([...GGML_TYPES].map(([id, [name, block, bytes]]) =>
  [name, Object.freeze({ id, blockSize: block, blockBytes: bytes })])));

// Metadata value types.
const U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, BOOL = 7, STRING = 8, ARRAY = 9, U64 = 10, I64 = 11, F64 = 12;
const SCALAR_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];  // minimum bytes of one value of each type
const TYPED = {
  [U8]: Uint8Array, [I8]: Int8Array, [U16]: Uint16Array, [I16]: Int16Array, [U32]: Uint32Array, [I32]: Int32Array,
  [F32]: Float32Array, [U64]: BigUint64Array, [I64]: BigInt64Array, [F64]: Float64Array,
};
const MAX_ARRAY_DEPTH = 8;

/** Default cap on the header (metadata + tensor infos): 256 MiB, far above real files (a few MB). */
export const GGUF_MAX_HEADER = 256 * 1024 * 1024;

const WHAT = 'GGUF';
/** How GGUFFile's tensor methods (modelfile.js ModelTensors) name this format and its shapes. */
const FORMAT = {
  what: WHAT, dtypeKey: 'type', shapeText: (t) => `ne [${t.ne}]`, layout: 'a 2-D tensor (ne = [dim, numEmbeddings])',
  float32Hint: ' (load a quantized table with loadEmbedding)',
};
const bad = (why) => new RangeError(`embedkit: not a valid GGUF file: ${why}`);

/** Thrown inside the parser when the prefix read so far is too short; carries the bytes needed. */
class NeedMore { constructor(n) { this.n = n; } }

const utf8 = new TextDecoder('utf-8');

/**
 * Parse a GGUF header from `buf` (a prefix of the file), continuing from state `st`. `limit`: bytes the header may span
 * (min(file size, maxHeaderBytes)); `fileSize`: total bytes or null. Throws NeedMore when `buf`
 * ends before the header does but `limit` allows more.
 */
function parseHeader(st, buf, limit, fileSize, maxHeaderBytes) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = 0;
  const need = (n, what) => {
    if (p + n > limit) {
      if (fileSize !== null && p + n > fileSize) throw bad(`${what} at byte ${p} needs ${n} bytes but the file ends at ${fileSize} (truncated)`);
      throw bad(`${what} at byte ${p} would take the header past ${maxHeaderBytes} bytes (option maxHeaderBytes)`);
    }
    if (p + n > buf.length) throw new NeedMore(p + n);
  };
  const u32 = (what) => { need(4, what); const v = dv.getUint32(p, true); p += 4; return v; };
  const u64 = (what) => { need(8, what); const v = dv.getBigUint64(p, true); p += 8; return v; };
  /** A u64 count of items of at least `minBytes` each: checked against the bytes left. */
  const count = (minBytes, what) => {
    const at = p;
    const c = u64(what);
    const room = BigInt(limit - p);
    if (c * BigInt(minBytes) > room) {
      throw bad(`${what} at byte ${at} is ${c}, but ${c} x ${minBytes} bytes do not fit in the ${room} bytes left` +
        (limit < (fileSize ?? Infinity) ? ' under maxHeaderBytes' : ''));
    }
    return Number(c);
  };
  const str = (what) => {
    const n = count(1, `${what} length`);
    need(n, what);
    const b = buf.subarray(p, p + n);
    p += n;
    if (n > 32) return utf8.decode(b);
    let ascii = true;
    for (let i = 0; ascii && i < n; i++) if (b[i] >= 0x80) ascii = false;
    return ascii ? String.fromCharCode.apply(null, b) : utf8.decode(b);
  };
  const scalar = (t, what) => {
    const size = SCALAR_BYTES[t];
    need(size, what);
    let v;
    switch (t) {
      case U8: v = dv.getUint8(p); break;
      case I8: v = dv.getInt8(p); break;
      case U16: v = dv.getUint16(p, true); break;
      case I16: v = dv.getInt16(p, true); break;
      case U32: v = dv.getUint32(p, true); break;
      case I32: v = dv.getInt32(p, true); break;
      case F32: v = dv.getFloat32(p, true); break;
      case F64: v = dv.getFloat64(p, true); break;
      case U64: v = dv.getBigUint64(p, true); break;
      case I64: v = dv.getBigInt64(p, true); break;
      case BOOL: {
        const b = dv.getUint8(p);
        if (b > 1) throw bad(`${what} at byte ${p} is a bool with byte value ${b} (must be 0 or 1)`);
        v = b === 1;
        break;
      }
    }
    p += size;
    return v;
  };
  const value = (t, what, depth) => {
    if (t === STRING) return str(what);
    if (t === ARRAY) {
      if (depth >= MAX_ARRAY_DEPTH) throw bad(`${what}: arrays nested deeper than ${MAX_ARRAY_DEPTH}`);
      const et = u32(`${what} element type`);
      if (et > F64) throw bad(`${what}: unknown array element type ${et}`);
      const n = count(SCALAR_BYTES[et], `${what} element count`);
      const C = TYPED[et];
      if (C) {
        const bytes = n * C.BYTES_PER_ELEMENT;
        need(bytes, what);
        const out = new C(n);
        new Uint8Array(out.buffer).set(buf.subarray(p, p + bytes));
        p += bytes;
        return out;
      }
      const out = [];
      for (let i = 0; i < n; i++) out.push(value(et, what, depth + 1));
      return out;
    }
    if (t > F64) throw bad(`${what}: unknown value type ${t}`);
    return scalar(t, what);
  };

  // Resumable: `st` keeps what earlier calls parsed, up to the last complete item (a key/value
  // or a tensor info), so a longer prefix continues from there instead of from byte 0.
  p = st.p;
  if (st.stage === 0) {
    need(8, 'the magic and version');
    if (buf[0] !== 0x47 || buf[1] !== 0x47 || buf[2] !== 0x55 || buf[3] !== 0x46) throw bad('wrong magic (expected "GGUF")');
    p = 4;
    st.version = u32('version');
    if (st.version === 0x03000000 || st.version === 0x02000000) throw bad('big-endian GGUF files are not supported');
    if (st.version !== 2 && st.version !== 3) throw bad(`version ${st.version} is not supported (2 and 3 are)`);
    // Minimum sizes: a tensor info is name (8) + n_dims (4) + one dim (8) + type (4) + offset (8);
    // a key/value is key (8) + type (4) + the smallest value (1).
    st.nTensors = count(32, 'tensor count');
    st.nKv = count(13, 'metadata count');
    Object.assign(st, { stage: 1, i: 0, p, metadata: {}, types: {} });
  }
  const { metadata, types } = st;
  if (st.stage === 1) {
    for (; st.i < st.nKv; st.i++) {
      const key = str(`metadata key #${st.i}`);
      if (Object.hasOwn(metadata, key)) throw bad(`duplicate metadata key '${key}'`);
      const t = u32(`type of '${key}'`);
      if (t > F64) throw bad(`metadata '${key}' has unknown value type ${t}`);
      Object.defineProperty(metadata, key, { value: value(t, `metadata '${key}'`, 0), enumerable: true });
      types[key] = t;
      st.p = p;
    }
    let alignment = 32;
    if (Object.hasOwn(metadata, 'general.alignment')) {
      const a = metadata['general.alignment'];
      if (types['general.alignment'] !== U32 || a === 0 || (a & (a - 1)) !== 0) {
        throw bad(`general.alignment must be a u32 power of two, got ${a}`);
      }
      alignment = a;
    }
    Object.assign(st, { stage: 2, i: 0, alignment, tensors: [], seen: new Set() });
  }
  const { alignment, tensors, seen } = st;
  for (; st.i < st.nTensors; st.i++) {
    const name = str(`tensor #${st.i} name`);
    if (seen.has(name)) throw bad(`duplicate tensor name '${name}'`);
    const nd = u32(`tensor '${name}' n_dims`);
    if (nd < 1 || nd > 4) throw bad(`tensor '${name}' has ${nd} dimensions (1 to 4 allowed)`);
    const ne = [];
    let elems = 1n;
    for (let d = 0; d < nd; d++) {
      const v = u64(`tensor '${name}' ne[${d}]`);
      if (v >= 2n ** 53n) throw bad(`tensor '${name}' ne[${d}] = ${v} is too large`);
      ne.push(Number(v));
      elems *= v;
    }
    if (elems >= 2n ** 53n) throw bad(`tensor '${name}' has ${elems} elements`);
    const typeId = u32(`tensor '${name}' type`);
    const ti = GGML_TYPES.get(typeId);
    if (!ti) throw bad(`tensor '${name}' has unknown ggml type ${typeId}`);
    const [type, block, blockBytes] = ti;
    if (ne[0] % block !== 0) throw bad(`tensor '${name}': ne[0] = ${ne[0]} is not a multiple of the ${type} block size ${block}`);
    const off = u64(`tensor '${name}' offset`);
    if (off >= 2n ** 53n) throw bad(`tensor '${name}' offset ${off} is too large`);
    const offset = Number(off);
    if (offset % alignment !== 0) throw bad(`tensor '${name}' offset ${offset} is not a multiple of the alignment ${alignment}`);
    const byteLength = (Number(elems) / block) * blockBytes;
    tensors.push({ name, type, typeId, ne, offset, byteLength });
    seen.add(name);
    st.p = p;
  }
  const version = st.version;
  const dataStart = Math.ceil(p / alignment) * alignment;
  if (fileSize !== null && dataStart > fileSize && tensors.some((t) => t.byteLength > 0)) {
    throw bad(`the tensor data would start at byte ${dataStart}, past the end of the file (${fileSize})`);
  }
  const sorted = tensors.slice().sort((a, b) => a.offset - b.offset);
  let end = 0, prev = null;
  for (const t of sorted) {
    if (t.offset < end) throw bad(`tensor '${t.name}' at data offset ${t.offset} overlaps tensor '${prev.name}' (which ends at ${end})`);
    end = t.offset + t.byteLength;
    prev = t;
    if (fileSize !== null && dataStart + end > fileSize) {
      throw bad(`tensor '${t.name}' (data bytes [${t.offset}, ${end})) runs past the end of the file (${fileSize - dataStart} data bytes)`);
    }
  }
  return { version, metadata, types, alignment, tensors, dataStart, headerEnd: p };
}

// Architectures whose rope rotates adjacent pairs (llama.cpp LLAMA_ROPE_TYPE_NORM); the other
// rope architectures pair i with i + n_rot/2 (NEOX, embedkit's default half-split).
const NORM_ROPE_ARCHS = new Set(['llama', 'deci', 'baichuan', 'starcoder', 'orion', 'internlm2', 'minicpm', 'xverse',
  'command-r', 'cohere2', 'olmo', 'arctic', 'deepseek', 'deepseek2', 'plm', 'chatglm', 'granite', 'granitemoe',
  'granitehybrid', 'chameleon', 'bailingmoe', 'smollm3', 'arcee', 'ernie4_5', 'ernie4_5-moe', 'mistral3', 'llada']);

/** Small F32 tensors that carry rope frequency factors, read when the file is opened. */
const ROPE_FACTOR_TENSORS = ['rope_freqs.weight', 'rope_factors_long.weight', 'rope_factors_short.weight'];

export class GGUFFile {
  #h; #t; #ropeFactors;

  constructor(key, src, h, ropeFactors) {
    if (key !== GGUFFile.#key) throw new TypeError('embedkit: use openGGUF(source) to open a GGUF file');
    this.#h = h;
    this.#t = new ModelTensors(src, h.tensors.map((t) => ({
      name: t.name, type: t.type, ne: Object.freeze(t.ne.slice()), shape: Object.freeze(t.ne.slice().reverse()),
      byteOffset: h.dataStart + t.offset, byteLength: t.byteLength,
    })), FORMAT);
    this.#ropeFactors = ropeFactors;
    Object.freeze(h.metadata);
  }

  static #key = Symbol('GGUFFile');
  /** @internal */
  static _make(src, h, rf) { return new GGUFFile(GGUFFile.#key, src, h, rf); }

  get version() { return this.#h.version; }
  /** Every metadata key -> value: numbers, bigint (u64/i64), booleans, strings; arrays as typed arrays (numbers) or arrays. */
  get metadata() { return this.#h.metadata; }
  /** Tensor infos in header order: { name, type, ne (ggml order), shape (row-major: ne reversed), byteOffset, byteLength }. */
  get tensors() { return this.#t.tensors; }
  get names() { return this.#t.names; }
  get alignment() { return this.#h.alignment; }
  /** File offset of the tensor data section. */
  get dataOffset() { return this.#h.dataStart; }
  /** general.architecture, or null. */
  get architecture() { const a = this.#h.metadata['general.architecture']; return typeof a === 'string' ? a : null; }

  /** metadata[`${architecture}.${key}`] (or undefined). */
  archValue(key) {
    const a = this.architecture;
    return a === null ? undefined : this.#h.metadata[`${a}.${key}`];
  }

  #num(key) {
    const v = this.archValue(key);
    if (v === undefined) return null;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v !== 'number') throw new TypeError(`embedkit: GGUF metadata ${this.architecture}.${key} is not a number`);
    return v;
  }

  /** tokenizer.ggml.tokens as a string array, or null. */
  get tokens() {
    const t = this.#h.metadata['tokenizer.ggml.tokens'];
    return Array.isArray(t) && t.every((s) => typeof s === 'string') ? t : null;
  }
  get embeddingLength() { return this.#num('embedding_length'); }
  get contextLength() { return this.#num('context_length'); }
  get ropeFreqBase() { return this.#num('rope.freq_base'); }
  get ropeDimensionCount() { return this.#num('rope.dimension_count'); }
  /** Head size: {arch}.attention.key_length, else embedding_length / attention.head_count (if a number). */
  get headDim() {
    const k = this.#num('attention.key_length');
    if (k !== null) return k;
    const e = this.embeddingLength;
    const hc = this.archValue('attention.head_count');
    const h = typeof hc === 'number' ? hc : typeof hc === 'bigint' ? Number(hc) : null;
    return e !== null && h ? e / h : null;
  }
  /**
   * The rope scaling keys ({arch}.rope.scaling.*), camelCased: { type, factor,
   * originalContextLength, attnFactor, finetuned, yarnLogMultiplier, yarnExtFactor,
   * yarnAttnFactor, yarnBetaFast, yarnBetaSlow } (only those present), or null.
   */
  get ropeScaling() {
    const a = this.architecture;
    if (a === null) return null;
    const pre = `${a}.rope.scaling.`;
    const out = {};
    for (const k of Object.keys(this.#h.metadata)) {
      if (!k.startsWith(pre)) continue;
      const name = k.slice(pre.length).replace(/_([a-z])/g, (_, c) => c.toUpperCase());
      const v = this.#h.metadata[k];
      out[name] = typeof v === 'bigint' ? Number(v) : v;
    }
    return Object.keys(out).length ? Object.freeze(out) : null;
  }
  /**
   * Rope frequency-factor tensors read at open (F32): { freqs?, long?, short? } from
   * rope_freqs.weight (llama3-style divisors), rope_factors_long/short.weight (longrope).
   */
  get ropeFactors() { return this.#ropeFactors; }
  /** True when llama.cpp rotates adjacent pairs for this architecture (interleaved). */
  get ropeInterleaved() { return NORM_ROPE_ARCHS.has(this.architecture); }

  /** Info of one tensor; RangeError naming similar names when absent. */
  tensor(name) { return this.#t.tensor(name); }

  /** Raw bytes of one tensor in its stored type (ggml block layout for quantized types). */
  async read(name) { return this.#t.read(name); }

  /** One F32/F16/BF16/F64 tensor widened to a new Float32Array (quantized: loadEmbedding(name, { dtype: 'float32' })). */
  async readFloat32(name) { return this.#t.readFloat32(name); }

  /**
   * A 2-D tensor (ne = [dim, numEmbeddings]) as an Embedding, token_embd.weight by default.
   * options.dtype: the table's dtype (default: the stored type); other options go to Embedding.
   */
  async loadEmbedding(name = 'token_embd.weight', options) { return this.#t.loadEmbedding(name, options); }
}

/**
 * Read the header of a GGUF file: metadata and tensor infos (plus the tiny rope factor tensors
 * when present). Reads a prefix of the file that grows until the header fits, never the tensor data.
 * @param source Uint8Array | ArrayBuffer | Blob | File | Response | ReadableStream | { size, read(offset, length) }
 * @param {{ maxHeaderBytes?: number }} [options]
 * @returns {Promise<GGUFFile>}
 */
export async function openGGUF(source, options) {
  const { maxHeaderBytes = GGUF_MAX_HEADER } = checkOptions(options, ['maxHeaderBytes'], 'openGGUF options');
  if (!Number.isSafeInteger(maxHeaderBytes) || maxHeaderBytes < 24) throw new RangeError(`embedkit: maxHeaderBytes must be an integer >= 24, got ${maxHeaderBytes}`);
  const src = byteSource(source, WHAT);
  const limit = src.size === null ? maxHeaderBytes : Math.min(src.size, maxHeaderBytes);
  if (src.size !== null && src.size < 24) throw bad(`the file has ${src.size} bytes, fewer than a GGUF header's 24`);
  // A stream of unknown size may be shorter than the first chunk: read "up to" there.
  const prefix = (off, len) => (src.readUpTo ? src.readUpTo(off, len) : src.read(off, len));
  let buf = await prefix(0, Math.min(limit, 1 << 20));
  let h;
  const st = { stage: 0, p: 0 };
  for (;;) {
    try {
      h = parseHeader(st, buf, limit, src.size, maxHeaderBytes);
      break;
    } catch (e) {
      if (!(e instanceof NeedMore)) throw e;
      const want = Math.min(limit, Math.max(e.n, buf.length * 2));
      const more = await prefix(buf.length, want - buf.length);
      if (more.length === 0) throw bad(`the stream ended at byte ${buf.length}, inside the header (truncated)`);
      buf = concat(buf, more);
    }
  }
  const ropeFactors = {};
  for (const [name, key] of [[ROPE_FACTOR_TENSORS[0], 'freqs'], [ROPE_FACTOR_TENSORS[1], 'long'], [ROPE_FACTOR_TENSORS[2], 'short']]) {
    const t = h.tensors.find((x) => x.name === name);
    if (!t || t.type !== 'F32' || t.ne.length !== 1 || t.ne[0] > 65536) continue;
    const off = h.dataStart + t.offset;
    const inBuf = off + t.byteLength <= buf.length;
    if (!inBuf && src.kind === 'stream') continue;  // would move a stream past tensors read later
    const bytes = inBuf ? buf.subarray(off, off + t.byteLength) : await src.read(off, t.byteLength);
    ropeFactors[key] = toFloat32(bytes, 'F32', t.ne[0]);
  }
  return GGUFFile._make(src, h, Object.freeze(ropeFactors));
}
