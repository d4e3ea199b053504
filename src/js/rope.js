// rope.js — Rope: rotary position embeddings with float64 frequencies, float32 cos/sin caches
// built by the shared table builder (src/c/trig.c), and the rotation kernel of src/c/rope.c
// (forward = rotate by +angle, backward = rotate by -angle, the transpose).
// Also: shift (rotate cached keys by a position delta), the q/k weight permutation between the
// half-split and interleaved conventions, and a precision report for the cos/sin tables.
// Contract: README "Rotary position embeddings" and src/index.d.ts; scaling formulas: rope-scaling.js.

import { alloc, deliverF32, free, heap, scratch, scratchSize, wasm, residentPtr } from './memory.js';
import { checkFloat32, checkOptions, checkOut, checkPosInt, checkNumber, checkShape, idsLength, idsResident, stageIds } from './validate.js';
import { normalizeScaling, frequencyKey, ropeFrequencies } from './rope-scaling.js';
import { ropeOptionsFromHF, ropeOptionsFromGGUF } from './rope-config.js';

export const LAYOUTS = { bshd: 0, bhsd: 1 };

/** Parse `layout` and a 4-D shape given in that layout's order -> { B, S, H, D, code }. */
export function layoutDims(shape, layout, name = 'shape') {
  if (typeof layout !== 'string') throw new TypeError(`embedkit: layout must be 'bshd' or 'bhsd', got ${typeof layout}`);
  if (!(layout in LAYOUTS)) throw new RangeError(`embedkit: layout must be 'bshd' or 'bhsd', got '${layout}'`);
  const total = checkShape(shape, 4, name);
  const [B, a, b, D] = shape;
  return layout === 'bshd' ? { B, S: a, H: b, D, total, code: 0 } : { B, S: b, H: a, D, total, code: 1 };
}

/** Keys of each options object in this file and rotary-embedding.js (an unknown key is a TypeError). */
export const ROPE_OPTIONS = {
  Rope: ['headDim', 'rotaryDim', 'base', 'interleaved', 'maxPositions', 'scaling', 'invFreq', 'attentionFactor'],
  forward: ['positions', 'offset', 'layout', 'out'],
  backward: ['positions', 'offset', 'layout', 'out'],
  shift: ['layout', 'out'],
  rotaryEmbedding: ['positionIds', 'interleaved', 'numHeads', 'rotaryEmbeddingDim', 'out'],
  ropePermutation: ['rotaryDim', 'to'],
  permuteRopeWeight: ['headDim', 'rotaryDim', 'to', 'out'],
  permuteRopeFeatures: ['headDim', 'rotaryDim', 'to', 'out'],
  ropePrecisionReport: ['rotaryDim', 'base', 'invFreq', 'ranges', 'samples'],
};

/** Options object check (undefined -> {}; unknown keys throw). */
export function optionsObject(o, what) {
  return checkOptions(o, ROPE_OPTIONS[what], `${what} options`);
}

/**
 * Fill rows [row0, row0 + n) of the f32 cos/sin tables at cosPtr/sinPtr ([*, half]) with
 * scale * cos/sin((row0 + r) * freqs[i]); freqs are `half` float64 values at freqPtr.
 */
export function fillCaches(cosPtr, sinPtr, freqPtr, half, row0, n, scale) {
  if (n <= 0) return;
  sincosRows(cosPtr + row0 * half * 4, sinPtr + row0 * half * 4, freqPtr, half, row0, n, scale);
}

/** n rows [half] at cosPtr/sinPtr for positions pos0 .. pos0 + n - 1 (trig.c). */
function sincosRows(cosPtr, sinPtr, freqPtr, half, pos0, n, scale) {
  wasm().ek_sincos_table_f32(sinPtr, cosPtr, half, 1, freqPtr, half, pos0, n, scale);
}

/**
 * Copy `x` (a Float32Array or resident array) into wasm memory unless it already lives there.
 * Returns its pointer; `dst` is scratch to use when a copy is needed.
 */
function stageF32(a, dst) {
  const p = residentPtr(a);
  if (p) return p;
  heap().f32.set(a, dst >>> 2);
  return dst;
}

function overlaps(p, bytes, q, qbytes) {
  return p < q + qbytes && q < p + bytes;
}

/**
 * Run ek_rope_f32 on a staged call. `plan` holds the validated geometry; `x`/`out` are the
 * user arrays. Handles every residency combination with at most one scratch copy of x:
 *   x resident, out resident    -> kernel straight from x to out (out === x: in place)
 *   x resident, out not         -> kernel into scratch, then copy out
 *   x not resident              -> copy x into scratch, rotate in place there (or into a
 *                                  resident out), copy out if needed
 * `prepare(s)` runs after the scratch arena is reserved and before x is staged: it stages the
 * positions / caches and returns { cosPtr, sinPtr, posPtr } (it may throw: nothing written yet).
 */
export function runRope(plan, x, out, extraScratch, prepare, name = 'x') {
  const ex = wasm();
  const bytes = plan.total * 4;
  const hasOut = out !== undefined && out !== null;
  const xRes = residentPtr(x);
  const outRes = hasOut ? residentPtr(out) : 0;
  if (xRes && outRes && xRes !== outRes && overlaps(xRes, bytes, outRes, bytes)) {
    throw new RangeError(`embedkit: out overlaps ${name} without being the same array (in place needs out === ${name})`);
  }
  const needX = xRes ? 0 : bytes;
  const needDst = xRes && !outRes ? bytes : 0;
  const s = scratch(scratchSize(needX, needDst, ...extraScratch));
  const xScratch = needX ? s.take(needX) : 0;
  const dstScratch = needDst ? s.take(needDst) : 0;
  const { cosPtr, sinPtr, posPtr } = prepare(s);
  const src = xRes || stageF32(x, xScratch);
  const dst = outRes || (xRes ? dstScratch : src);
  ex.ek_rope_f32(dst, src, cosPtr, sinPtr, posPtr, plan.posBStride, plan.offset, plan.B, plan.S, plan.H, plan.D,
    plan.rot, plan.layout, plan.interleaved ? 1 : 0, plan.sign);
  return deliverF32(dst, plan.total, hasOut ? out : null, outRes);
}

/** invFreq option: a non-empty array of finite numbers >= 0 -> Float64Array. */
function checkInvFreq(v) {
  if (!Array.isArray(v) && !(v instanceof Float64Array) && !(v instanceof Float32Array)) {
    throw new TypeError('embedkit: invFreq must be an array, Float64Array or Float32Array of frequencies');
  }
  if (v.length === 0) throw new RangeError('embedkit: invFreq is empty');
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const f = v[i];
    if (typeof f !== 'number' || !Number.isFinite(f) || f < 0) throw new RangeError(`embedkit: invFreq[${i}] = ${f} must be a finite number >= 0`);
    out[i] = f;
  }
  return out;
}

export class Rope {
  #headDim; #rot; #half; #base; #interleaved; #maxPos; #scaling;
  #cos = 0; #sin = 0; #freq = 0;
  #invFreq = null; #attn = 1; #key = null; #validRows = 0;
  #disposed = false;

  /**
   * @param {object} options headDim, rotaryDim = headDim, base = 10000, interleaved = false,
   *   maxPositions = 4096, scaling = null (see rope-scaling.js for the types and fields);
   *   or, instead of base/scaling, invFreq (rotaryDim / 2 frequencies, any rope type's) and
   *   attentionFactor = 1 (multiplies cos and sin).
   */
  constructor(options) {
    wasm();
    checkOptions(options, ROPE_OPTIONS.Rope, 'Rope options', { optional: false });
    const { headDim, base = 10000, interleaved = false, maxPositions = 4096, scaling = null, invFreq, attentionFactor } = options;
    const explicit = invFreq !== undefined && invFreq !== null;
    let rotaryDim = options.rotaryDim;
    let inv = null;
    if (explicit) {
      inv = checkInvFreq(invFreq);
      if (rotaryDim === undefined) rotaryDim = 2 * inv.length;
      if (scaling !== null && scaling !== undefined) throw new TypeError('embedkit: give invFreq or scaling, not both');
      if (options.base !== undefined) throw new TypeError('embedkit: give invFreq or base, not both');
    } else if (attentionFactor !== undefined) {
      throw new TypeError('embedkit: attentionFactor goes with invFreq (scaling types compute their own)');
    }
    if (rotaryDim === undefined) rotaryDim = headDim;
    checkPosInt(headDim, 'headDim');
    checkPosInt(rotaryDim, 'rotaryDim');
    if (rotaryDim % 2 !== 0) throw new RangeError(`embedkit: rotaryDim must be even, got ${rotaryDim}`);
    if (rotaryDim > headDim) throw new RangeError(`embedkit: rotaryDim (${rotaryDim}) must be <= headDim (${headDim})`);
    if (explicit && inv.length !== rotaryDim / 2) throw new RangeError(`embedkit: invFreq has ${inv.length} values, expected rotaryDim / 2 = ${rotaryDim / 2}`);
    checkNumber(base, 'base', { min: 1, exclusiveMin: true });
    if (typeof interleaved !== 'boolean') throw new TypeError('embedkit: interleaved must be a boolean');
    checkPosInt(maxPositions, 'maxPositions', { max: 2 ** 28 });
    const norm = explicit
      ? Object.freeze({ type: 'explicit', invFreq: inv, attentionFactor: attentionFactor === undefined ? 1 : checkNumber(attentionFactor, 'attentionFactor', { min: 0, exclusiveMin: true }) })
      : normalizeScaling(scaling, { rotaryDim, maxPositions });
    const half = rotaryDim / 2;
    const tableBytes = maxPositions * half * 4;
    const owned = [];
    try {
      owned.push(this.#cos = alloc(tableBytes, `a Rope cos cache of ${maxPositions} x ${half}`));
      owned.push(this.#sin = alloc(tableBytes, `a Rope sin cache of ${maxPositions} x ${half}`));
      owned.push(this.#freq = alloc(half * 8, 'Rope frequencies'));
    } catch (e) {
      for (const p of owned) free(p);
      throw e;
    }
    this.#headDim = headDim;
    this.#rot = rotaryDim;
    this.#half = half;
    this.#base = base;
    this.#interleaved = interleaved;
    this.#maxPos = maxPositions;
    this.#scaling = norm;
    // Static types get their whole table now; dynamic/longrope tables are (re)built per call
    // for the rows the call needs, and completed when cos/sin are read.
    this.#ensure(norm.type === 'dynamic' ? norm.originalMaxPositions : 0, maxPositions);
  }

  /**
   * The constructor options a model's own configuration describes: a parsed transformers
   * config.json, or an opened GGUF file (openGGUF). See rope-config.js for the keys read.
   * @param {object} config
   * @param {{ layerType?: string, maxPositions?: number, interleaved?: boolean }} [options]
   */
  static optionsFromConfig(config, options) {
    if (config === null || typeof config !== 'object') throw new TypeError('embedkit: Rope.fromConfig takes a config.json object or a GGUF file from openGGUF');
    const isGGUF = typeof config.archValue === 'function' && 'ropeFactors' in config;
    return isGGUF ? ropeOptionsFromGGUF(config, options) : ropeOptionsFromHF(config, options);
  }

  /** new Rope(Rope.optionsFromConfig(config, options)). */
  static fromConfig(config, options) {
    return new Rope(Rope.optionsFromConfig(config, options));
  }

  #live() {
    if (this.#disposed) throw new Error('embedkit: this Rope is disposed');
    return wasm();
  }

  /** Make rows [0, rows) of the tables hold the frequencies selected by seqLen. */
  #ensure(seqLen, rows) {
    const key = frequencyKey(this.#scaling, seqLen);
    if (key !== this.#key) {
      const { invFreq, attentionFactor } = ropeFrequencies({ rotaryDim: this.#rot, base: this.#base, scaling: this.#scaling }, seqLen);
      this.#invFreq = invFreq;
      this.#attn = attentionFactor;
      heap().f64.set(invFreq, this.#freq >>> 3);
      this.#key = key;
      this.#validRows = 0;
    }
    if (this.#validRows < rows) {
      fillCaches(this.#cos, this.#sin, this.#freq, this.#half, this.#validRows, rows - this.#validRows, this.#attn);
      this.#validRows = rows;
    }
  }

  get headDim() { return this.#headDim; }
  get rotaryDim() { return this.#rot; }
  get base() { return this.#base; }
  get interleaved() { return this.#interleaved; }
  get maxPositions() { return this.#maxPos; }
  /** The normalised scaling ({ type: 'default' } when none), with transformers' defaults filled in. */
  get scaling() { return this.#scaling; }
  get disposed() { return this.#disposed; }
  /** Magnitude factor carried by cos/sin (yarn/longrope attention factor; 1 otherwise). */
  get attentionFactor() { this.#live(); return this.#attn; }

  /** Float64Array(rotaryDim / 2), a copy: the frequencies of the current cos/sin tables. */
  get invFreq() {
    this.#live();
    return Float64Array.from(this.#invFreq);
  }

  /** Float32Array(maxPositions * rotaryDim / 2) view of the cos table, row p = position p. */
  get cos() {
    this.#live();
    this.#ensure(this.#currentSeqLen(), this.#maxPos);
    return new Float32Array(heap().buffer, this.#cos, this.#maxPos * this.#half);
  }

  /** Float32Array(maxPositions * rotaryDim / 2) view of the sin table. */
  get sin() {
    this.#live();
    this.#ensure(this.#currentSeqLen(), this.#maxPos);
    return new Float32Array(heap().buffer, this.#sin, this.#maxPos * this.#half);
  }

  // A seqLen that selects the current key again (so reading the tables never changes them).
  #currentSeqLen() {
    const k = this.#key;
    if (k === 'long') return this.#scaling.originalMaxPositions + 1;
    if (k === 'short' || k === 'static') return 0;
    return k;
  }

  /**
   * Rotate x by its positions: y = R(p * invFreq) x per head. Returns `out` or a new array.
   * @param {Float32Array} x [batch, seq, heads, headDim] ('bshd') or [batch, heads, seq, headDim] ('bhsd')
   * @param {number[]} shape in the layout's own order
   * @param {{ positions?, offset?: number, layout?: 'bshd'|'bhsd', out?: Float32Array }} [options]
   */
  forward(x, shape, options) {
    return this.#apply(x, shape, options, 1, 'x');
  }

  /** Gradient w.r.t. x of forward: rotate gradY by the negative angles (R^T). Same options. */
  backward(gradY, shape, options) {
    return this.#apply(gradY, shape, options, -1, 'gradY');
  }

  #apply(x, shape, options, sign, name) {
    this.#live();
    const o = optionsObject(options, sign > 0 ? 'forward' : 'backward');
    const { positions, offset = 0, layout = 'bshd', out } = o;
    const g = layoutDims(shape, layout);
    if (g.D !== this.#headDim) {
      throw new RangeError(`embedkit: shape [${shape}] has headDim ${g.D}, this Rope was built for headDim ${this.#headDim}`);
    }
    checkFloat32(x, g.total, name);
    checkOut(out, g.total);
    const hasPos = positions !== undefined && positions !== null;
    let n = 0;
    if (hasPos) {
      n = idsLength(positions, 'positions');
      if (n !== g.S && n !== g.B * g.S) {
        throw new RangeError(`embedkit: positions has length ${n}, expected seq = ${g.S} or batch * seq = ${g.B * g.S}`);
      }
      if (offset !== 0) throw new RangeError(`embedkit: give positions or offset, not both (offset = ${offset})`);
    } else {
      checkPosInt(offset, 'offset', { min: 0 });
      if (offset + g.S > this.#maxPos) {
        throw new RangeError(`embedkit: offset + seq = ${offset} + ${g.S} = ${offset + g.S} exceeds maxPositions ${this.#maxPos}`);
      }
    }
    const posRes = hasPos ? idsResident(positions) : 0;
    const plan = {
      ...g, rot: this.#rot, layout: g.code, interleaved: this.#interleaved, sign,
      offset: hasPos ? 0 : offset, posBStride: hasPos && n === g.B * g.S && g.B > 1 ? g.S : 0,
    };
    return runRope(plan, x, out, [hasPos && !posRes ? n * 4 : 0], (s) => {
      let posPtr = 0;
      let seqLen = offset + g.S;
      if (hasPos) {
        posPtr = stageIds(positions, this.#maxPos, posRes || s.take(n * 4), 'positions', posRes);
        seqLen = wasm().ek_max_i32(posPtr, n) + 1;
      }
      this.#ensure(seqLen, seqLen);
      return { cosPtr: this.#cos, sinPtr: this.#sin, posPtr };
    }, name);
  }

  /**
   * Shift already-rotated vectors (e.g. cached keys) by `delta` positions: x <- R(delta) x,
   * since R(m + delta) = R(delta) R(m). Negative deltas rotate back. Uses the frequencies of
   * the current tables and no attention factor (rotated keys already carry it). Same shape and
   * layout options as forward; `out` defaults to a new array (pass out === x to shift in place).
   */
  shift(x, shape, delta, options) {
    this.#live();
    const o = optionsObject(options, 'shift');
    const { layout = 'bshd', out } = o;
    if (typeof delta !== 'number') throw new TypeError(`embedkit: delta must be an integer, got ${typeof delta}`);
    if (!Number.isSafeInteger(delta) || Math.abs(delta) >= 2 ** 31) {
      throw new RangeError(`embedkit: delta must be an integer in (-2^31, 2^31), got ${delta}`);
    }
    const g = layoutDims(shape, layout);
    if (g.D !== this.#headDim) {
      throw new RangeError(`embedkit: shape [${shape}] has headDim ${g.D}, this Rope was built for headDim ${this.#headDim}`);
    }
    checkFloat32(x, g.total, 'x');
    checkOut(out, g.total);
    const half = this.#half;
    // One cos/sin row for |delta| (scale 1), every token reads row 0: pos_bstride 0, offset -s
    // is not expressible, so pass a zero position list of length seq.
    const plan = { ...g, rot: this.#rot, layout: g.code, interleaved: this.#interleaved, sign: delta < 0 ? -1 : 1, offset: 0, posBStride: 0 };
    return runRope(plan, x, out, [half * 4, half * 4, half * 8, g.S * 4], (s) => {
      const cosPtr = s.take(half * 4);
      const sinPtr = s.take(half * 4);
      const freqPtr = s.take(half * 8);
      const posPtr = s.take(g.S * 4);
      const h = heap();
      h.f64.set(this.#invFreq, freqPtr >>> 3);
      h.i32.fill(0, posPtr >>> 2, (posPtr >>> 2) + g.S);
      sincosRows(cosPtr, sinPtr, freqPtr, half, Math.abs(delta), 1, 1);
      return { cosPtr, sinPtr, posPtr };
    });
  }

  dispose() {
    if (this.#disposed) return;
    free(this.#cos);
    free(this.#sin);
    free(this.#freq);
    this.#cos = this.#sin = this.#freq = 0;
    this.#disposed = true;
  }

  [Symbol.dispose]() { this.dispose(); }
}

// ---- weight permutation between the two pairings ------------------------------------------------

function checkTo(to) {
  if (to !== 'halfSplit' && to !== 'interleaved') {
    throw new (typeof to === 'string' ? RangeError : TypeError)(`embedkit: to must be 'halfSplit' or 'interleaved', got ${typeof to === 'string' ? `'${to}'` : typeof to}`);
  }
}

/**
 * The feature order that converts one head between the conventions: result[j] = source[perm[j]].
 * to 'halfSplit'   (interleaved -> half-split, what transformers' Llama conversion script does
 *                   to Meta checkpoints): feature c*rot/2 + i <- 2i + c
 * to 'interleaved' (half-split -> interleaved): feature 2i + c <- c*rot/2 + i
 * Features >= rotaryDim keep their place.
 * @returns {Int32Array} length headDim
 */
export function ropePermutation(headDim, options) {
  const { rotaryDim = headDim, to } = optionsObject(options, 'ropePermutation');
  checkPosInt(headDim, 'headDim');
  checkPosInt(rotaryDim, 'rotaryDim');
  if (rotaryDim % 2 !== 0 || rotaryDim > headDim) throw new RangeError(`embedkit: rotaryDim must be even and <= headDim (${headDim}), got ${rotaryDim}`);
  checkTo(to);
  const half = rotaryDim / 2;
  const perm = new Int32Array(headDim);
  for (let j = 0; j < headDim; j++) perm[j] = j;
  for (let i = 0; i < half; i++) {
    for (let c = 0; c < 2; c++) {
      if (to === 'halfSplit') perm[c * half + i] = 2 * i + c;
      else perm[2 * i + c] = c * half + i;
    }
  }
  return perm;
}

function permuteCheck(a, shape, options, what) {
  const o = optionsObject(options, what);
  const { headDim, rotaryDim = headDim, to, out } = o;
  const total = checkShape(shape, 2);
  checkPosInt(headDim, 'headDim');
  const perm = ropePermutation(headDim, { rotaryDim, to });
  checkFloat32(a, total, what === 'permuteRopeWeight' ? 'weight' : 'x');
  checkOut(out, total);
  if (out === a) throw new RangeError('embedkit: out must not be the input array (the permutation is not in place)');
  return { perm, headDim, out, total };
}

/**
 * Permute the output rows of a q or k projection weight [outFeatures, inFeatures] (PyTorch
 * nn.Linear layout; a bias is [outFeatures, 1]) so that rotating its outputs with the other
 * pairing gives the same attention scores. outFeatures = numHeads * headDim.
 * @param {{ headDim: number, rotaryDim?: number, to: 'halfSplit'|'interleaved', out?: Float32Array }} options
 */
export function permuteRopeWeight(weight, shape, options) {
  const { perm, headDim, out } = permuteCheck(weight, shape, options, 'permuteRopeWeight');
  const [rows, cols] = shape;
  if (rows % headDim !== 0) throw new RangeError(`embedkit: outFeatures = ${rows} is not a multiple of headDim = ${headDim}`);
  const src = weight instanceof Float32Array ? weight : weight.view;
  const dst = new Float32Array(rows * cols);
  for (let h = 0; h < rows; h += headDim) {
    for (let j = 0; j < headDim; j++) dst.set(src.subarray((h + perm[j]) * cols, (h + perm[j] + 1) * cols), (h + j) * cols);
  }
  if (out) { (out instanceof Float32Array ? out : out.view).set(dst); return out; }
  return dst;
}

/**
 * Permute the features (last axis) of activations [rows, numHeads * headDim] between the
 * conventions, e.g. to compare a half-split q with an interleaved one.
 */
export function permuteRopeFeatures(x, shape, options) {
  const { perm, headDim, out } = permuteCheck(x, shape, options, 'permuteRopeFeatures');
  const [rows, cols] = shape;
  if (cols % headDim !== 0) throw new RangeError(`embedkit: features = ${cols} is not a multiple of headDim = ${headDim}`);
  const src = x instanceof Float32Array ? x : x.view;
  const dst = new Float32Array(rows * cols);
  for (let r = 0; r < rows * cols; r += headDim) {
    for (let j = 0; j < headDim; j++) dst[r + j] = src[r + perm[j]];
  }
  if (out) { (out instanceof Float32Array ? out : out.view).set(dst); return out; }
  return dst;
}

// ---- precision report -------------------------------------------------------------------------

/**
 * Max |error| of cos/sin tables against float64 cos/sin(p * invFreq[i]), per position range:
 * embedkit's builder (trig.c) next to the common float32 recipe (transformers/PyTorch: float32
 * inv_freq, angle = float32(p) * inv_freq rounded to float32, then float32 cos/sin).
 * @param {{ rotaryDim?: number, base?: number, invFreq?: ArrayLike<number>,
 *           ranges?: Array<[number, number]>, samples?: number }} [options]
 * @returns {Array<{ from: number, to: number, positions: number, embedkit: number, float32: number }>}
 */
export function ropePrecisionReport(options) {
  const o = optionsObject(options, 'ropePrecisionReport');
  const { rotaryDim = 128, base = 10000, ranges = [[0, 2 ** 10], [2 ** 10, 2 ** 14], [2 ** 14, 2 ** 17], [2 ** 17, 2 ** 20]], samples = 256 } = o;
  let inv = o.invFreq;
  if (inv === undefined) {
    checkPosInt(rotaryDim, 'rotaryDim');
    if (rotaryDim % 2 !== 0) throw new RangeError(`embedkit: rotaryDim must be even, got ${rotaryDim}`);
    checkNumber(base, 'base', { min: 1, exclusiveMin: true });
    inv = new Float64Array(rotaryDim / 2);
    for (let i = 0; i < inv.length; i++) inv[i] = 1 / base ** ((2 * i) / rotaryDim);
  } else {
    inv = Float64Array.from(inv);
    if (inv.length === 0 || !inv.every(Number.isFinite)) throw new RangeError('embedkit: invFreq must be a non-empty array of finite numbers');
  }
  checkPosInt(samples, 'samples', { max: 1 << 16 });
  if (!Array.isArray(ranges)) throw new TypeError('embedkit: ranges must be an array of [from, to) pairs');
  ranges.forEach(([a, b], k) => {
    if (!Number.isSafeInteger(a) || !Number.isSafeInteger(b) || a < 0 || b <= a || b > 2 ** 31) {
      throw new RangeError(`embedkit: ranges[${k}] = [${a}, ${b}] must be integers with 0 <= from < to <= 2^31`);
    }
  });
  const half = inv.length;
  // transformers' float32 chain: inv_freq = 1 / base ** (arange(0, d, 2).float() / d)
  const inv32 = o.invFreq === undefined
    ? inv.map((_, i) => Math.fround(1 / Math.fround(base ** Math.fround((2 * i) / rotaryDim))))
    : inv.map(Math.fround);
  const s = scratch(scratchSize(half * 8, half * 4, half * 4));
  const fp = s.take(half * 8), cp = s.take(half * 4), sp = s.take(half * 4);
  heap().f64.set(inv, fp >>> 3);
  return ranges.map(([from, to]) => {
    const n = Math.min(samples, to - from);
    let ek = 0, f32 = 0;
    for (let k = 0; k < n; k++) {
      const p = k === n - 1 ? to - 1 : from + Math.floor((k * (to - from)) / n);
      wasm().ek_sincos_table_f32(sp, cp, half, 1, fp, half, p, 1, 1);
      const h = heap().f32;
      for (let i = 0; i < half; i++) {
        const th = p * inv[i];
        const c = Math.cos(th), sn = Math.sin(th);
        ek = Math.max(ek, Math.abs(h[(cp >>> 2) + i] - c), Math.abs(h[(sp >>> 2) + i] - sn));
        const a32 = Math.fround(Math.fround(p) * inv32[i]);
        f32 = Math.max(f32, Math.abs(Math.fround(Math.cos(a32)) - c), Math.abs(Math.fround(Math.sin(a32)) - sn));
      }
    }
    return { from, to, positions: n, embedkit: ek, float32: f32 };
  });
}
