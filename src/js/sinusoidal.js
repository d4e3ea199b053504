// sinusoidal.js — fixed sinusoidal position tables (src/c/sinusoidal.c over the exact sin/cos
// builder of src/c/trig.c).
//
//   sinusoidal(numPositions, dim, { base = 10000, offset = 0, layout = 'interleaved', out,
//                                   frequencies = 'paper', minTimescale = 1, maxTimescale = base })
//   layout 'interleaved':  PE[p, 2i] = sin(p w_i),  PE[p, 2i+1] = cos(p w_i)      (the paper)
//   layout 'concat':       PE[p, i]  = sin(p w_i),  PE[p, dim/2 + i] = cos(p w_i) (tensor2tensor)
//   frequencies 'paper':          w_i = base^(-2i/dim)
//   frequencies 'tensor2tensor':  w_i = minTimescale * exp(-i log(maxTimescale/minTimescale) / (dim/2 - 1)),
//                                 so w_{dim/2-1} = 1/maxTimescale (for minTimescale 1)
//   frequencies Float64Array(dim/2): your own angular frequencies
// p = offset + row. Every value is within 2e-7 of the formula evaluated in float64.

import { blockTooLarge, deliverF32, heap, MAX_BLOCK_BYTES, residentPtr, scratch, scratchSize, wasm } from './memory.js';
import { checkNumber, checkOptions, checkOut, checkPosInt } from './validate.js';

/** Keys of sinusoidal()'s options (an unknown key is a TypeError). */
export const SINUSOIDAL_OPTIONS = ['base', 'offset', 'layout', 'out', 'frequencies', 'minTimescale', 'maxTimescale'];

const LAYOUTS = { interleaved: 0, concat: 1 };
/** Largest offset + numPositions accepted: the accuracy contract is tested up to 2^31. */
export const MAX_POSITION = 2 ** 31;

/**
 * Validate the frequency options and return a function that writes dim/2 doubles at a pointer.
 * @internal shared with InputEmbedding
 */
export function frequencyWriter(dim, options) {
  const { base = 10000, frequencies = 'paper' } = options;
  checkNumber(base, 'base', { min: 0, exclusiveMin: true });
  if (frequencies instanceof Float64Array) {
    if (frequencies.length !== dim / 2) {
      throw new RangeError(`embedkit: frequencies has length ${frequencies.length}, expected dim / 2 = ${dim / 2}`);
    }
    frequencies.forEach((f, i) => {
      if (!Number.isFinite(f)) throw new RangeError(`embedkit: frequencies[${i}] = ${f} is not finite`);
    });
    // A view into wasm memory would be detached if the call's scratch grows memory: copy it.
    const f = frequencies.buffer === heap().buffer ? frequencies.slice() : frequencies;
    return (ptr) => heap().f64.set(f, ptr >>> 3);
  }
  if (frequencies === 'paper') return (ptr) => wasm().ek_sinusoidal_freqs_f64(ptr, dim, base);
  if (frequencies === 'tensor2tensor') {
    const { minTimescale = 1, maxTimescale = base } = options;
    checkNumber(minTimescale, 'minTimescale', { min: 0, exclusiveMin: true });
    checkNumber(maxTimescale, 'maxTimescale', { min: 0, exclusiveMin: true });
    return (ptr) => wasm().ek_timescale_freqs_f64(ptr, dim, minTimescale, maxTimescale);
  }
  throw new TypeError(`embedkit: frequencies must be 'paper', 'tensor2tensor' or a Float64Array, got ${
    typeof frequencies === 'string' ? `'${frequencies}'` : typeof frequencies}`);
}

/** @internal dim: positive even integer (RangeError otherwise). */
export function checkEvenDim(dim, name = 'dim') {
  checkPosInt(dim, name);
  if (dim % 2 !== 0) throw new RangeError(`embedkit: ${name} must be even for a sin/cos table, got ${dim}`);
  return dim;
}

/** @internal layout name -> enum (TypeError/RangeError otherwise). */
export function layoutCode(layout) {
  if (typeof layout !== 'string') throw new TypeError(`embedkit: layout must be 'interleaved' or 'concat', got ${typeof layout}`);
  if (!(layout in LAYOUTS) || !Object.hasOwn(LAYOUTS, layout)) {
    throw new RangeError(`embedkit: layout must be 'interleaved' or 'concat', got '${layout}'`);
  }
  return LAYOUTS[layout];
}

/**
 * The sinusoidal position table, numPositions x dim, row-major.
 * @returns {Float32Array} `out` if given, else a new array the caller owns
 */
export function sinusoidal(numPositions, dim, options = {}) {
  const ex = wasm();
  checkPosInt(numPositions, 'numPositions', { min: 0 });
  checkEvenDim(dim);
  checkOptions(options, SINUSOIDAL_OPTIONS, 'sinusoidal options');
  const { offset = 0, layout = 'interleaved', out } = options;
  checkPosInt(offset, 'offset', { min: 0, max: MAX_POSITION });
  if (offset + numPositions > MAX_POSITION) {
    throw new RangeError(`embedkit: offset + numPositions = ${offset + numPositions} exceeds ${MAX_POSITION}`);
  }
  const code = layoutCode(layout);
  const writeFreqs = frequencyWriter(dim, options);
  const len = numPositions * dim;
  if (len * 4 > MAX_BLOCK_BYTES) throw blockTooLarge(`a ${numPositions} x ${dim} sinusoidal table`, len * 4);
  const hasOut = checkOut(out, len);
  const outPtr = hasOut ? residentPtr(out) : 0;
  const s = scratch(scratchSize(dim / 2 * 8, outPtr ? 0 : len * 4));
  const fPtr = s.take(dim / 2 * 8);
  const dst = outPtr || s.take(len * 4);
  writeFreqs(fPtr);
  ex.ek_sinusoidal_f32(dst, fPtr, numPositions, dim, offset, code);
  return deliverF32(dst, len, hasOut ? out : null, outPtr);
}
