// embedding.js — Embedding: one table of numEmbeddings x dim float32 rows (token ids or learned
// positions), its gradient, and the lookup/backward kernels of src/c/lookup.c and
// src/c/scatter_add.c. Semantics follow torch.nn.Embedding (see shared/API.md).

import { alloc, blockTooLarge, deliverF32, free, heap, MAX_BLOCK_BYTES, scratch, scratchSize, wasm, residentPtr } from './memory.js';
import { checkFloat32, checkNumber, checkOptions, checkOut, checkPosInt, idsLength, stageIds } from './validate.js';

/** Keys of the Embedding options object (an unknown key is a TypeError). */
export const EMBEDDING_OPTIONS = ['weight', 'paddingIdx', 'seed', 'std', 'scaleGradByFreq', 'maxNorm', 'normType'];

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
  #w = 0; #g = 0; #mark = 0; #touched = 0; #head = 0; #seen = 0;
  #nTouched = 0;
  #disposed = false;

  /**
   * @param {number} numEmbeddings rows of the table
   * @param {number} dim length of each row
   * @param {object} [options] weight, paddingIdx, seed, std, scaleGradByFreq, maxNorm, normType
   */
  constructor(numEmbeddings, dim, options = {}) {
    const ex = wasm();
    checkPosInt(numEmbeddings, 'numEmbeddings');
    checkPosInt(dim, 'dim');
    checkOptions(options, EMBEDDING_OPTIONS, 'Embedding options');
    const { weight, paddingIdx = null, seed = 0, std = 1, scaleGradByFreq = false, maxNorm = null, normType = 2 } = options;
    const size = numEmbeddings * dim;
    if (weight !== undefined) checkFloat32(weight, size, 'weight');
    let pad = null;
    if (paddingIdx !== null && paddingIdx !== undefined) {
      if (typeof paddingIdx !== 'number') throw new TypeError(`embedkit: paddingIdx must be an integer or null, got ${typeof paddingIdx}`);
      if (!Number.isInteger(paddingIdx) || paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
        throw new RangeError(`embedkit: paddingIdx must be within [${-numEmbeddings}, ${numEmbeddings}), got ${paddingIdx}`);
      }
      pad = paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;  // PyTorch's wrap for negatives
    }
    if (weight === undefined) {
      checkSeed(seed);
      checkNumber(std, 'std', { min: 0 });
    }
    if (typeof scaleGradByFreq !== 'boolean') throw new TypeError('embedkit: scaleGradByFreq must be a boolean');
    if (maxNorm !== null && maxNorm !== undefined) checkNumber(maxNorm, 'maxNorm', { min: 0, exclusiveMin: true });
    checkNumber(normType, 'normType', { min: 0, exclusiveMin: true, finite: false });

    const bytes = size * 4;
    if (bytes > MAX_BLOCK_BYTES) {
      throw blockTooLarge(`an Embedding of ${numEmbeddings} x ${dim}`, bytes, ' for its table (and as much again for its gradient)');
    }
    const owned = [];
    try {
      const what = `an Embedding of ${numEmbeddings} x ${dim}`;
      owned.push(this.#w = alloc(bytes, `${what} (table)`));
      owned.push(this.#g = alloc(bytes, `${what} (gradient)`));
      owned.push(this.#mark = alloc(numEmbeddings, `${what} (row marks)`));
      owned.push(this.#touched = alloc(numEmbeddings * 4, `${what} (touched rows)`));
      owned.push(this.#head = alloc(numEmbeddings * 4, `${what} (backward links)`));
      if (maxNorm !== null && maxNorm !== undefined) owned.push(this.#seen = alloc(numEmbeddings, `${what} (renorm marks)`));
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    const h = heap();
    h.u8.fill(0, this.#g, this.#g + bytes);
    h.u8.fill(0, this.#mark, this.#mark + numEmbeddings);
    if (this.#seen) h.u8.fill(0, this.#seen, this.#seen + numEmbeddings);
    if (weight !== undefined) {
      h.f32.set(weight, this.#w >>> 2);
    } else {
      initNormal(this.#w, size, seed, std);
      if (pad !== null) h.f32.fill(0, (this.#w >>> 2) + pad * dim, (this.#w >>> 2) + (pad + 1) * dim);
    }
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

  get numEmbeddings() { return this.#n; }
  get dim() { return this.#d; }
  get paddingIdx() { return this.#pad; }
  get scaleGradByFreq() { return this.#scaleByFreq; }
  get maxNorm() { return this.#maxNorm; }
  get normType() { return this.#normType; }
  get disposed() { return this.#disposed; }

  /** Float32Array view of the table (numEmbeddings * dim, row-major); fresh on every access. */
  get weight() {
    this.#live();
    return new Float32Array(heap().buffer, this.#w, this.#n * this.#d);
  }

  /** Float32Array view of the gradient; fresh on every access. */
  get grad() {
    this.#live();
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

  /** @internal set by wrappers that accumulate through their own kernels. */
  _setTouchedCount(n) { this.#nTouched = n; }

  /**
   * out[i, :] = weight[ids[i], :]. With maxNorm set, first renormalises (in place, in the
   * table) every looked-up row whose normType-norm exceeds maxNorm, as PyTorch does.
   * @returns {Float32Array} `out` if given, else a new array the caller owns
   */
  forward(ids, out) {
    const ex = this.#live();
    const n = idsLength(ids);
    const len = n * this.#d;
    const hasOut = checkOut(out, len);
    let outPtr = hasOut ? residentPtr(out) : 0;
    if (outPtr) this.#checkNoAlias(outPtr, len * 4, 'out');
    const idsRes = residentPtr(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, outPtr ? 0 : len * 4));
    const idsPtr = stageIds(ids, this.#n, idsRes ? 0 : s.take(n * 4));
    const dst = outPtr || s.take(len * 4);
    if (this.#maxNorm !== null) ex.ek_renorm_rows_f32(this.#w, this.#seen, idsPtr, n, this.#d, this.#maxNorm, this.#normType);
    ex.ek_gather_rows_f32(dst, this.#w, idsPtr, n, this.#d);
    return deliverF32(dst, len, hasOut ? out : null, outPtr);
  }

  /**
   * grad[ids[i], :] += gradOutput[i, :] for every i (paddingIdx skipped; divided by the id's
   * count in this call when scaleGradByFreq). Duplicates are summed in float64 and added to
   * the float32 gradient once per row and call: deterministic and more exact than a float32 loop.
   */
  backward(ids, gradOutput) {
    const ex = this.#live();
    const n = idsLength(ids);
    const len = n * this.#d;
    checkFloat32(gradOutput, len, 'gradOutput');
    const gRes = residentPtr(gradOutput);
    const idsRes = residentPtr(ids);
    const s = scratch(scratchSize(idsRes ? 0 : n * 4, gRes ? 0 : len * 4, n * 4, this.#d * 8));
    const idsPtr = stageIds(ids, this.#n, idsRes ? 0 : s.take(n * 4));
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
    const ex = this.#live();
    ex.ek_zero_rows_f32(this.#g, this.#mark, this.#touched, this.#nTouched, this.#d);
    this.#nTouched = 0;
  }

  #checkNoAlias(ptr, bytes, name) {
    const tb = this.#n * this.#d * 4;
    for (const [p, what] of [[this.#w, 'weight'], [this.#g, 'grad']]) {
      if (ptr < p + tb && p < ptr + bytes) throw new RangeError(`embedkit: ${name} overlaps this Embedding's ${what}`);
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
