// close.js — tolerance checks that say where and by how much a result is off.
import assert from 'node:assert/strict';
import { rng } from './rng.js';

/**
 * Assert |actual[i] - expected[i]| <= atol + rtol * |expected[i]| for every i. On failure the
 * message names the first bad index, both values, and the largest difference over the array.
 */
export function assertClose(actual, expected, { atol = 0, rtol = 0, what = 'result', context } = {}) {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  let first = -1;
  let maxDiff = 0;
  let maxAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    const d = Math.abs(a - e);
    if (d > maxDiff || Number.isNaN(d)) { maxDiff = d; maxAt = i; }
    if (first < 0 && !(d <= atol + rtol * Math.abs(e))) first = i;
  }
  if (first >= 0) {
    assert.fail(`${what}: index ${first}: got ${actual[first]}, expected ${expected[first]} ` +
      `(atol ${atol}, rtol ${rtol}); max |diff| ${maxDiff} at ${maxAt}` + (context ? ` [${context}]` : ''));
  }
  return maxDiff;
}

/** Assert two float arrays hold the same bits (NaN payloads and -0 included). */
export function assertSameBits(actual, expected, what = 'result') {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length}, expected ${expected.length}`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) assert.fail(`${what}: index ${i}: got ${actual[i]} (0x${a[i].toString(16)}), expected ${expected[i]} (0x${b[i].toString(16)})`);
  }
}

export { rng };

export function randomFloats(n, seed, scale = 1) {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

/** Ids in [0, n): uniform, or Zipf-like (rank^-s) to get heavy duplicates. */
export function randomIds(count, n, seed, { zipf = 0 } = {}) {
  const r = rng(seed);
  const ids = new Int32Array(count);
  if (!zipf) {
    for (let i = 0; i < count; i++) ids[i] = Math.floor(r() * n);
    return ids;
  }
  const cdf = new Float64Array(n);
  let s = 0;
  for (let k = 0; k < n; k++) { s += 1 / Math.pow(k + 1, zipf); cdf[k] = s; }
  for (let i = 0; i < count; i++) {
    const u = r() * s;
    let lo = 0, hi = n - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
    ids[i] = lo;
  }
  return ids;
}
