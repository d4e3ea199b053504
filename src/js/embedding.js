// embedding.js — Embedding: one table of numEmbeddings x dim float32 rows (token ids or learned
// positions), its gradient, and the lookup/backward kernels of src/c/lookup.c and
// src/c/scatter_add.c. Semantics follow torch.nn.Embedding (README "Using it").

import { alloc, blockTooLarge, deliverF32, free, heap, MAX_BLOCK_BYTES, scratch, scratchSize, wasm, residentPtr, ResidentArray } from './memory.js';
import { checkFloat32, checkNumber, checkOptions, checkOut, checkPosInt, idsLength, idsResident, stageIds } from './validate.js';
import { DTYPES, checkEncodable, checkFinite, checkRowBlocks, convertTable, dtypeInfo, rowBytes } from './dtype.js';

/** Keys of the Embedding options object (an unknown key is a TypeError). */
export const EMBEDDING_OPTIONS = ['weight', 'paddingIdx', 'seed', 'std', 'scaleGradByFreq', 'maxNorm', 'normType',
  'dtype', 'requiresGrad'];

// Options of `to()`'s internal constructor call: leave the table unwritten (to() fills it).
export const UNFILLED = Symbol('embedkit.unfilled');

function describe(v) {
  return v === null ? 'null' : ArrayBuffer.isView(v) ? v.constructor.name : v instanceof ArrayBuffer ? 'ArrayBuffer' : typeof v;
}

/**
 * What `weight` holds: { floats } (float32 values to store, converted unless dtype is float32)
 * or { bytes } (the stored bytes themselves, in the file layout of `dtype`), each with `ptr`
 * when it already lives in wasm memory. Throws TypeError / RangeError; writes nothing.
 */
function weightSource(weight, dtype, n, dim) {
  const size = n * dim;
  const stored = dtype === 'float32' ? size * 4 : n * rowBytes(dtype, dim);
  if (weight instanceof Float32Array || (weight instanceof ResidentArray && weight.type === Float32Array)) {
    checkFloat32(weight, size, 'weight');
    if (dtype !== 'float32') {
      checkEncodable(dtype);
      if (DTYPES[dtype].finite) checkFinite(weight instanceof ResidentArray ? weight.view : weight, dtype, 'weight');
    }
    const ptr = residentPtr(weight);
    return { floats: ptr ? null : weight, ptr };
  }
  let bytes = null, ptr = 0;
  if (weight instanceof ArrayBuffer) {
    bytes = new Uint8Array(weight);
  } else if (weight instanceof Uint8Array || (weight instanceof ResidentArray && weight.type === Uint8Array)) {
    ptr = residentPtr(weight);
    bytes = ptr ? null : weight;
  } else if (weight instanceof Uint16Array && (dtype === 'float16' || dtype === 'bfloat16')) {
    if (weight.length !== size) throw new RangeError(`embedkit: weight (${dtype} bits) has length ${weight.length}, expected ${n} x ${dim} = ${size}`);
    ptr = residentPtr(weight);
    bytes = ptr ? null : new Uint8Array(weight.buffer, weight.byteOffset, weight.byteLength);
  } else {
    throw new TypeError(`embedkit: weight must be a Float32Array of values or the stored ${dtype} bytes ` +
      `(Uint8Array, ArrayBuffer or ResidentArray(Uint8Array)${dtype === 'float16' || dtype === 'bfloat16' ? ', or a Uint16Array of bits' : ''}), got ${describe(weight)}`);
  }
  const len = bytes ? bytes.byteLength : weight.length * (weight instanceof Uint16Array ? 2 : 1);
  if (len !== stored) {
    throw new RangeError(`embedkit: weight holds ${len} bytes; a ${n} x ${dim} ${dtype} table stores ${stored} bytes` +
      (dtype === 'float32' ? '' : ` (${n} rows of ${rowBytes(dtype, dim)})`));
  }
  return { bytes, ptr };
}

function checkSeed(seed) {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= 2n ** 64n) throw new RangeError(`embedkit: seed must be in [0, 2^64), got ${seed}`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (typeof seed !== 'number') throw new TypeError(`embedkit: seed must be a number or bigint, got ${typeof seed}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`embedkit: seed must be a non-negative safe integer, got ${seed}`);
  return [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
}

/** Fill `n` floats at `ptr` from N(0, std^2) with the documented seeded generator. */
export function initNormal(ptr, n, seed, std) {
  const [lo, hi] = checkSeed(seed);
  wasm().ek_init_normal_f32(ptr, n, lo, hi, 0, std);
}

export class Embedding {
  #n; #d; #pad; #scaleByFreq; #maxNorm; #normType;
  #dtype = 'float32'; #grads = true; #bytes = 0; #owned = 0;
  #w = 0; #g = 0; #mark = 0; #touched = 0; #head = 0; #seen = 0;
  #nTouched = 0;
  #disposed = false;

  /**
   * @param {number} numEmbeddings rows of the table
   * @param {number} dim length of each row
   * @param {object} [options] dtype, requiresGrad, weight, paddingIdx, seed, std, scaleGradByFreq,
   *   maxNorm, normType
   */
  constructor(numEmbeddings, dim, options = {}) {
    const ex = wasm();
    checkPosInt(numEmbeddings, 'numEmbeddings');
    checkPosInt(dim, 'dim');
    checkOptions(options, EMBEDDING_OPTIONS, 'Embedding options');
    const { weight, paddingIdx = null, seed = 0, std = 1, scaleGradByFreq = false, maxNorm = null, normType = 2,
      dtype = 'float32' } = options;
    dtypeInfo(dtype);
    const { requiresGrad = dtype === 'float32' } = options;
    if (typeof requiresGrad !== 'boolean') throw new TypeError(`embedkit: requiresGrad must be a boolean, got ${typeof requiresGrad}`);
    if (requiresGrad && dtype !== 'float32') {
      throw new RangeError(`embedkit: a ${dtype} table is inference-only (requiresGrad: false); training needs dtype 'float32'`);
    }
    checkRowBlocks(dtype, dim);
    if (dtype !== 'float32' && maxNorm !== null && maxNorm !== undefined) {
      throw new RangeError(`embedkit: maxNorm renormalises rows in place and needs a float32 table, not ${dtype}`);
    }
    const size = numEmbeddings * dim;
    const unfilled = options[UNFILLED] === true;
    const src = weight !== undefined && !unfilled ? weightSource(weight, dtype, numEmbeddings, dim) : null;
    if (src === null && !unfilled && dtype !== 'float32') checkEncodable(dtype);
    let pad = null;
    if (paddingIdx !== null && paddingIdx !== undefined) {
      if (typeof paddingIdx !== 'number') throw new TypeError(`embedkit: paddingIdx must be an integer or null, got ${typeof paddingIdx}`);
      if (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
        throw new RangeError(`embedkit: paddingIdx must be within [${-numEmbeddings}, ${numEmbeddings}), got ${paddingIdx}`);
      }
      pad = paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;  // PyTorch's wrap for negatives
    }
    if (weight === undefined && !unfilled) {
      checkSeed(seed);
      checkNumber(std, 'std', { min: 0 });
    }
    if (typeof scaleGradByFreq !== 'boolean') throw new TypeError('embedkit: scaleGradByFreq must be a boolean');
    if (maxNorm !== null && maxNorm !== undefined) checkNumber(maxNorm, 'maxNorm', { min: 0, exclusiveMin: true });
    checkNumber(normType, 'normType', { min: 0, exclusiveMin: true, finite: false });

    const bytes = dtype === 'float32' ? size * 4 : numEmbeddings * rowBytes(dtype, dim);
    const gradBytes = requiresGrad ? size * 4 + numEmbeddings * 9 : 0;  // gradient, marks, touched, links
    // A non-float32 table drawn at random is drawn as float32 first (same values as
    // new Embedding(...).to(dtype)): a temporary float32 table.
    const tmpBytes = src === null && !unfilled && dtype !== 'float32' ? size * 4 : 0;
    // Each of these is one block: the table, and the float32 gradient (or drawing table).
    const what = `an Embedding of ${numEmbeddings} x ${dim}`;
    if (bytes > MAX_BLOCK_BYTES) {
      throw blockTooLarge(what, bytes, ` for its ${dtype} table` +
        (dtype === 'float32' ? '; a smaller dtype (float16, bfloat16, Q8_0, ...) stores it in fewer bytes' : ''));
    }
    if ((requiresGrad || tmpBytes) && size * 4 > MAX_BLOCK_BYTES) {
      throw blockTooLarge(what, size * 4, requiresGrad
        ? ' for its float32 gradient; for inference use requiresGrad: false (no gradient)'
        : ' for the float32 table it is drawn from');
    }
    if (bytes + gradBytes + tmpBytes > 2 ** 32) {
      throw new RangeError(`embedkit: an Embedding of ${numEmbeddings} x ${dim} (${dtype}) needs ` +
        `${((bytes + gradBytes + tmpBytes) / 2 ** 30).toFixed(2)} GiB (table${requiresGrad ? ' + gradient' : ''}` +
        `${tmpBytes ? ' + a float32 table to draw it from' : ''}), more than wasm32 memory can hold (4 GiB)` +
        (requiresGrad ? '; for inference use requiresGrad: false (no gradient) or a smaller dtype' : ''));
    }
    const owned = [];
    let tmp = 0;
    try {
      owned.push(this.#w = alloc(bytes, `${what} (table)`));
      if (requiresGrad) {
        owned.push(this.#g = alloc(size * 4, `${what} (gradient)`));
        owned.push(this.#mark = alloc(numEmbeddings, `${what} (row marks)`));
        owned.push(this.#touched = alloc(numEmbeddings * 4, `${what} (touched rows)`));
        owned.push(this.#head = alloc(numEmbeddings * 4, `${what} (backward links)`));
      }
      if (maxNorm !== null && maxNorm !== undefined) owned.push(this.#seen = alloc(numEmbeddings, `${what} (renorm marks)`));
      if (tmpBytes) tmp = alloc(tmpBytes, `${what} (float32 values to convert)`);
      const h = heap();
      if (requiresGrad) {
        h.u8.fill(0, this.#g, this.#g + size * 4);
        h.u8.fill(0, this.#mark, this.#mark + numEmbeddings);
      }
      if (this.#seen) h.u8.fill(0, this.#seen, this.#seen + numEmbeddings);
      if (unfilled) {
        // to() writes the table
      } else if (src !== null && src.bytes !== undefined) {
        if (src.ptr) h.u8.copyWithin(this.#w, src.ptr, src.ptr + bytes);
        else h.u8.set(src.bytes, this.#w);
      } else if (src !== null) {
        convertTable({ from: 'float32', srcPtr: src.ptr, srcFloats: src.floats, to: dtype, dstPtr: this.#w, n: numEmbeddings, dim });
      } else {
        const w = tmp || this.#w;
        initNormal(w, size, seed, std);
        if (pad !== null) heap().f32.fill(0, (w >>> 2) + pad * dim, (w >>> 2) + (pad + 1) * dim);
        if (tmp) convertTable({ from: 'float32', srcPtr: tmp, to: dtype, dstPtr: this.#w, n: numEmbeddings, dim });
      }
    } catch (e) {
      for (const p of owned) free(p);
      free(tmp);
      throw e;
    }
    free(tmp);
    this.#dtype = dtype;
    this.#grads = requiresGrad;
    this.#bytes = bytes;
    this.#owned = bytes + (requiresGrad ? size * 4 + numEmbeddings * 9 : 0) + (this.#seen ? numEmbeddings : 0);
    this.#n = numEmbeddings;
    this.#d = dim;
    this.#pad = pad;
    this.#scaleByFreq = scaleGradByFreq;
    this.#maxNorm = maxNorm ?? null;
    this.#normType = normType;
    void ex;
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Embedding is disposed');
    return wasm();
  }

  #needGrad(what) {
    const ex = this.#live();
    if (!this.#grads) {
      throw new TypeError(`embedkit: ${what} needs a gradient, and this ${this.#dtype} Embedding has none ` +
        `(requiresGrad: false, inference-only)${this.#dtype === 'float32' ? '; create it with requiresGrad: true'
          : "; training needs float32: emb.to('float32', { requiresGrad: true })"}`);
    }
    return ex;
  }

  get numEmbeddings() { return this.#n; }
  get dim() { return this.#d; }
  get paddingIdx() { return this.#pad; }
  get scaleGradByFreq() { return this.#scaleByFreq; }
  get maxNorm() { return this.#maxNorm; }
  get normType() { return this.#normType; }
  get disposed() { return this.#disposed; }
  /** Storage dtype: 'float32', 'float16', 'bfloat16', 'Q8_0', 'Q4_0', 'Q4_K' or 'Q6_K'. */
  get dtype() { return this.#dtype; }
  /** false: inference-only (no gradient, no backward bookkeeping allocated). */
  get requiresGrad() { return this.#grads; }
  /** Bytes of the stored table (numEmbeddings rows in the dtype's layout). */
  get byteLength() { return this.#bytes; }
  /** Bytes of wasm memory this object owns: table, and gradient with its bookkeeping if any. */
  get allocatedBytes() { return this.#owned; }

  /** Float32Array view of the table (numEmbeddings * dim, row-major); fresh on every access. float32 tables only. */
  get weight() {
    this.#live();
    if (this.#dtype !== 'float32') {
      throw new TypeError(`embedkit: weight is a Float32Array view of float32 tables only; this table stores ${this.#dtype} ` +
        "(read rows with forward(), the stored bytes with .bytes, or convert with to('float32'))");
    }
    return new Float32Array(heap().buffer, this.#w, this.#n * this.#d);
  }

  /** Uint8Array view of the stored table in its dtype's layout (byteLength bytes); fresh on every access. */
  get bytes() {
    this.#live();
    return new Uint8Array(heap().buffer, this.#w, this.#bytes);
  }

  /** Float32Array view of the gradient; fresh on every access. */
  get grad() {
    this.#needGrad('grad');
    return new Float32Array(heap().buffer, this.#g, this.#n * this.#d);
  }

  /** Sorted unique rows that received gradient since the last zeroGrad() (a copy). */
  get touched() {
    this.#live();
    const t = new Int32Array(heap().buffer, this.#touched, this.#nTouched).slice();
    return t.sort();
  }

  /** @internal raw pointers for other wrappers of this package (InputEmbedding, optimizers). */
  get _ptrs() {
    this.#live();
    return { weight: this.#w, grad: this.#g, mark: this.#mark, touched: this.#touched, nTouched: this.#nTouched, head: this.#head };
  }

  /** @internal throws the TypeError of backward() when this table has no gradient. */
  _checkTrainable(what) { this.#needGrad(what); }

  /** @internal set by wrappers that accumulate through their own kernels. */
  _setTouchedCount(n) { this.#nTouched = n; }

  /** @internal the whole table as float32, decoded, in a fresh JS array (Neighbors). */
  _float32() {
    this.#live();
    if (this.#dtype === 'float32') return this.weight.slice();
    const out = new Float32Array(this.#n * this.#d);
    const per = Math.max(1, Math.floor((1 << 20) / this.#d));
    for (let r = 0; r < this.#n; r += per) {
      const rows = Math.min(per, this.#n - r);
      const ids = new Int32Array(rows);
      for (let i = 0; i < rows; i++) ids[i] = r + i;
      out.set(this.forward(ids), r * this.#d);
    }
    return out;
  }

  /**
   * out[i, :] = weight[ids[i], :], decoded to float32 for the other dtypes. With maxNorm set,
   * first renormalises (in place, in the table) every looked-up row whose normType-norm exceeds
   * maxNorm, as PyTorch does.
   * @returns {Float32Array} `out` if given, else a new array the caller owns
   */
  forward(ids, out) {
    const ex = this.#live();
    const n = idsLength(ids);
    const len = n * this.#d;
    const hasOut = checkOut(out, len);
    let outPtr = hasOut ? residentPtr(out) : 0;
    if (outPtr) this.#checkNoAlias(outPtr, len * 4, 'out');
    const idsRes = idsResident(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, outPtr ? 0 : len * 4));
    const idsPtr = stageIds(ids, this.#n, idsRes || s.take(n * 4), 'ids', idsRes);
    const dst = outPtr || s.take(len * 4);
    if (this.#maxNorm !== null) ex.ek_renorm_rows_f32(this.#w, this.#seen, idsPtr, n, this.#d, this.#maxNorm, this.#normType);
    ex[DTYPES[this.#dtype].gather](dst, this.#w, idsPtr, n, this.#d);
    return deliverF32(dst, len, hasOut ? out : null, outPtr);
  }

  /**
   * grad[ids[i], :] += gradOutput[i, :] for every i (paddingIdx skipped; divided by the id's
   * count in this call when scaleGradByFreq). Duplicates are summed in float64 and added to
   * the float32 gradient once per row and call: deterministic and more exact than a float32 loop.
   */
  backward(ids, gradOutput) {
    const ex = this.#needGrad('backward');
    const n = idsLength(ids);
    const len = n * this.#d;
    checkFloat32(gradOutput, len, 'gradOutput');
    const gRes = residentPtr(gradOutput);
    const idsRes = idsResident(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, gRes ? 0 : len * 4, n * 4, this.#d * 8));
    const idsPtr = stageIds(ids, this.#n, idsRes || s.take(n * 4), 'ids', idsRes);
    let gPtr = gRes;
    if (!gPtr) {
      gPtr = s.take(len * 4);
      heap().f32.set(gradOutput, gPtr >>> 2);
    }
    this.#nTouched = ex.ek_scatter_add_rows_f32(this.#g, this.#mark, this.#touched, this.#nTouched, gPtr, idsPtr,
      n, this.#d, this.#pad ?? -1, this.#scaleByFreq ? 1 : 0, this.#head, s.take(n * 4), s.take(this.#d * 8));
  }

  /** Zero the gradient rows touched since the last call: O(touched rows * dim). */
  zeroGrad() {
    const ex = this.#needGrad('zeroGrad');
    ex.ek_zero_rows_f32(this.#g, this.#mark, this.#touched, this.#nTouched, this.#d);
    this.#nTouched = 0;
  }

  /**
   * A new Embedding holding this table in `dtype` (float16 / bfloat16 rounded to nearest even,
   * Q8_0 / Q4_0 quantized as ggml's reference quantizer; other dtypes decoded exactly to
   * float32 first). paddingIdx, scaleGradByFreq and normType carry over, maxNorm too when the
   * result is float32. requiresGrad defaults to this table's when the result is float32, else
   * false. This table is left as it is.
   */
  to(dtype, options = {}) {
    this.#live();
    dtypeInfo(dtype);
    checkOptions(options, ['requiresGrad'], 'to() options');
    const { requiresGrad = dtype === 'float32' && this.#grads } = options;
    if (dtype !== 'float32' && dtype !== this.#dtype) checkEncodable(dtype);
    if (dtype !== 'float32' && this.#dtype !== dtype && DTYPES[dtype].finite && this.#dtype !== 'Q8_0' && this.#dtype !== 'Q4_0') {
      // Q formats cannot encode inf / NaN; check the decoded values first.
      checkFinite(this._float32(), dtype, 'this table');
    }
    const e = new Embedding(this.#n, this.#d, {
      dtype, requiresGrad, paddingIdx: this.#pad, scaleGradByFreq: this.#scaleByFreq, normType: this.#normType,
      maxNorm: dtype === 'float32' ? this.#maxNorm : null, [UNFILLED]: true,
    });
    try {
      if (dtype === this.#dtype) heap().u8.copyWithin(e.#w, this.#w, this.#w + this.#bytes);
      else convertTable({ from: this.#dtype, srcPtr: this.#w, to: dtype, dstPtr: e.#w, n: this.#n, dim: this.#d });
    } catch (err) {
      e.dispose();
      throw err;
    }
    return e;
  }

  #checkNoAlias(ptr, bytes, name) {
    for (const [p, tb, what] of [[this.#w, this.#bytes, 'weight'], [this.#g, this.#n * this.#d * 4, 'grad']]) {
      if (p && ptr < p + tb && p < ptr + bytes) throw new RangeError(`embedkit: ${name} overlaps this Embedding's ${what}`);
    }
  }

  dispose() {
    if (this.#disposed) return;
    for (const p of [this.#w, this.#g, this.#mark, this.#touched, this.#head, this.#seen]) free(p);
    this.#w = this.#g = this.#mark = this.#touched = this.#head = this.#seen = 0;
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}
