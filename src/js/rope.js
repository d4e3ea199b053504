// rope.js — Rope: rotary position embeddings with float64 frequencies, float32 cos/sin caches
// built by the shared table builder (src/c/trig.c), and the rotation kernel of src/c/rope.c
// (forward = rotate by +angle, backward = rotate by -angle, the transpose).
// Also: shift (rotate cached keys by a position delta), the q/k weight permutation between the
// half-split and interleaved conventions, and a precision report for the cos/sin tables.
// Contract: shared/API.md "Rope"; scaling formulas: rope-scaling.js.

import { alloc, free, heap, scratch, scratchSize, wasm, residentPtr } from './memory.js';
import { checkFloat32, checkOut, checkPosInt, checkNumber, checkShape, idsLength, stageIds } from './validate.js';
import { normalizeScaling, frequencyKey, ropeFrequencies } from './rope-scaling.js';

export const LAYOUTS = { bshd: 0, bhsd: 1 };

/** Parse `layout` and a 4-D shape given in that layout's order -> { B, S, H, D, code }. */
export function layoutDims(shape, layout, name = 'shape') {
  if (typeof layout !== 'string') throw new TypeError(`embedkit: layout must be 'bshd' or 'bhsd', got ${typeof layout}`);
  if (!(layout in LAYOUTS)) throw new RangeError(`embedkit: layout must be 'bshd' or 'bhsd', got '${layout}'`);
  const total = checkShape(shape, 4, name);
  const [B, a, b, D] = shape;
  return layout === 'bshd' ? { B, S: a, H: b, D, total, code: 0 } : { B, S: b, H: a, D, total, code: 1 };
}

/** Options object check (undefined -> {}). */
export function optionsObject(o, what) {
  if (o === undefined) return {};
  if (o === null || typeof o !== 'object') throw new TypeError(`embedkit: ${what} options must be an object`);
  return o;
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
  const ex = wasm();
  if (typeof ex.ek_sincos_table_f32 === 'function') {
    ex.ek_sincos_table_f32(sinPtr, cosPtr, half, 1, freqPtr, half, pos0, n, scale);
    return;
  }
  // INTERIM until trig.c lands on main: float64 JS evaluation of the same formula.
  const h = heap();
  const f = h.f64.subarray(freqPtr >>> 3, (freqPtr >>> 3) + half);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < half; i++) {
      const a = (pos0 + r) * f[i];
      h.f32[(cosPtr >>> 2) + r * half + i] = scale * Math.cos(a);
      h.f32[(sinPtr >>> 2) + r * half + i] = scale * Math.sin(a);
    }
  }
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
  if (outRes) return out;
  const res = heap().f32.subarray(dst >>> 2, (dst >>> 2) + plan.total);
  if (hasOut) {
    out.set(res);
    return out;
  }
  return res.slice();
}

export class Rope {
  #headDim; #rot; #half; #base; #interleaved; #maxPos; #scaling;
  #cos = 0; #sin = 0; #freq = 0;
  #invFreq = null; #attn = 1; #key = null; #validRows = 0;
  #disposed = false;

  /**
   * @param {object} options headDim, rotaryDim = headDim, base = 10000, interleaved = false,
   *   maxPositions = 4096, scaling = null (see rope-scaling.js for the types and fields)
   */
  constructor(options) {
    wasm();
    if (options === null || typeof options !== 'object') throw new TypeError('embedkit: Rope options must be an object');
    const { headDim, rotaryDim = headDim, base = 10000, interleaved = false, maxPositions = 4096, scaling = null } = options;
    checkPosInt(headDim, 'headDim');
    checkPosInt(rotaryDim, 'rotaryDim');
    if (rotaryDim % 2 !== 0) throw new RangeError(`embedkit: rotaryDim must be even, got ${rotaryDim}`);
    if (rotaryDim > headDim) throw new RangeError(`embedkit: rotaryDim (${rotaryDim}) must be <= headDim (${headDim})`);
    checkNumber(base, 'base', { min: 1, exclusiveMin: true });
    if (typeof interleaved !== 'boolean') throw new TypeError('embedkit: interleaved must be a boolean');
    checkPosInt(maxPositions, 'maxPositions', { max: 2 ** 28 });
    const norm = normalizeScaling(scaling, { rotaryDim, maxPositions });
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
    const posRes = hasPos ? residentPtr(positions) : 0;
    const plan = {
      ...g, rot: this.#rot, layout: g.code, interleaved: this.#interleaved, sign,
      offset: hasPos ? 0 : offset, posBStride: hasPos && n === g.B * g.S && g.B > 1 ? g.S : 0,
    };
    return runRope(plan, x, out, [hasPos && !posRes ? n * 4 : 0], (s) => {
      let posPtr = 0;
      let seqLen = offset + g.S;
      if (hasPos) {
        posPtr = stageIds(positions, this.#maxPos, posRes ? 0 : s.take(n * 4), 'positions');
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
