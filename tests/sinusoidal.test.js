// sinusoidal.test.js — sinusoidal() against the float64 formula (tests/helpers/positions-ref.js):
// small and huge positions, every position below 2^20 for a small dim, sampled rows for dims up
// to 4096, both layouts, offsets, both frequency formulas, out handling, errors.
import test from 'node:test';
import assert from 'node:assert/strict';

import { init, sinusoidal, ResidentArray } from '../src/js/index.js';
import { heap, wasm, alloc, free } from '../src/js/memory.js';
import { maxDiffRows, paperFreqs, sinusoidalRef, t2tFreqs } from './helpers/positions-ref.js';

await init();

const TOL = 2e-7;
const range = (a, b) => Array.from({ length: b - a }, (_, k) => a + k);

function check(t, rows, dim, opts, label) {
  const ref = sinusoidalRef(rows, dim, opts);
  const { max, at } = maxDiffRows(t, rows, dim, ref);
  assert.ok(max <= TOL, `${label}: max |diff| ${max} at flat index ${at} (row ${Math.floor(at / dim)}, col ${at % dim})`);
  return max;
}

test('small tables, every even dim 2..34, both layouts, match the float64 formula', () => {
  for (const layout of ['interleaved', 'concat']) {
    for (let dim = 2; dim <= 34; dim += 2) {
      const t = sinusoidal(40, dim, { layout });
      assert.equal(t.length, 40 * dim);
      check(t, range(0, 40), dim, { freqs: paperFreqs(dim), layout }, `${layout} dim ${dim}`);
    }
  }
});

test('position 0 is (0, 1) pairs and row layouts are as documented', () => {
  const a = sinusoidal(2, 6);
  assert.deepEqual(Array.from(a.subarray(0, 6)), [0, 1, 0, 1, 0, 1]);
  const c = sinusoidal(2, 6, { layout: 'concat' });
  assert.deepEqual(Array.from(c.subarray(0, 6)), [0, 0, 0, 1, 1, 1]);
  // row 1: interleaved sin(1), cos(1), ...; concat sin(1), ..., cos(1), ...
  assert.equal(a[6], Math.fround(Math.sin(1)));
  assert.equal(a[7], Math.fround(Math.cos(1)));
  assert.equal(c[6], Math.fround(Math.sin(1)));
  assert.equal(c[9], Math.fround(Math.cos(1)));
});

test('8192 x 768 (the bench size) and GPT-sized dims, whole table', () => {
  for (const layout of ['interleaved', 'concat']) {
    const t = sinusoidal(8192, 768, { layout });
    const rows = range(0, 8192).filter((r) => r % 3 === 0 || r > 8000);
    check(t, rows, 768, { freqs: paperFreqs(768), layout }, `8192x768 ${layout}`);
  }
});

test('every position below 2^20 (dim 8), both layouts', () => {
  const n = 2 ** 20, dim = 8;
  for (const layout of ['interleaved', 'concat']) {
    const t = sinusoidal(n, dim, { layout });
    check(t, range(0, n), dim, { freqs: paperFreqs(dim), layout }, `all positions ${layout}`);
  }
});

test('dims up to 4096 at positions up to 2^20 (sampled rows), via offset', () => {
  for (const dim of [4096, 1024, 770, 2]) {
    for (const layout of ['interleaved', 'concat']) {
      for (const offset of [0, 4093, 2 ** 19 + 17, 2 ** 20 - 300]) {
        const n = 300;
        const t = sinusoidal(n, dim, { offset, layout });
        const rows = range(0, n).filter((r) => r % 7 === 0 || r === n - 1);
        check(t, rows, dim, { freqs: paperFreqs(dim), offset, layout }, `dim ${dim} offset ${offset} ${layout}`);
      }
    }
  }
});

test('offset rows equal the same rows of a longer table (to float32 rounding)', () => {
  const full = sinusoidal(3000, 64);
  const part = sinusoidal(1000, 64, { offset: 2000 });
  let m = 0;
  for (let k = 0; k < part.length; k++) m = Math.max(m, Math.abs(part[k] - full[2000 * 64 + k]));
  assert.ok(m <= 2 * TOL, `max diff ${m}`);
});

test('huge positions (to 2^31) stay exact; float32 angles would not', () => {
  const dim = 64, offset = 2 ** 31 - 512;
  const t = sinusoidal(512, dim, { offset });
  check(t, range(0, 512), dim, { freqs: paperFreqs(dim), offset }, 'offset 2^31 - 512');
  // The float32 recipe (angle rounded to float32) is far off here: the test is not vacuous.
  const p = offset + 511, a32 = Math.fround(Math.fround(p) * Math.fround(1));
  assert.ok(Math.abs(Math.sin(a32) - Math.sin(p)) > 1e-3);
});

test('other bases (RoPE-like 500000) and tensor2tensor frequencies', () => {
  const t = sinusoidal(1000, 128, { base: 500000, offset: 123456 });
  check(t, range(0, 1000), 128, { freqs: paperFreqs(128, 500000), offset: 123456 }, 'base 500000');
  for (const [minTimescale, maxTimescale] of [[1, 10000], [2, 1e5], [1, 1]]) {
    const opts = { frequencies: 'tensor2tensor', layout: 'concat', minTimescale, maxTimescale, offset: 2 ** 20 - 500 };
    const u = sinusoidal(500, 512, opts);
    check(u, range(0, 500), 512, { freqs: t2tFreqs(512, minTimescale, maxTimescale), offset: opts.offset, layout: 'concat' },
      `t2t ${minTimescale}..${maxTimescale}`);
  }
  // t2t's last frequency is exactly 1/maxTimescale; the paper's is base^(-(dim-2)/dim).
  const dim = 8, p = 1e5;
  const t2t = sinusoidal(1, dim, { frequencies: 'tensor2tensor', layout: 'concat', offset: p });
  const paper = sinusoidal(1, dim, { layout: 'concat', offset: p });
  assert.equal(t2t[dim / 2 - 1], Math.fround(Math.sin(p / 10000)));
  assert.notEqual(paper[dim / 2 - 1], Math.fround(Math.sin(p / 10000)));
  // dim 2: a single frequency minTimescale (t2t's max(n - 1, 1))
  assert.equal(sinusoidal(1, 2, { frequencies: 'tensor2tensor', offset: 3, minTimescale: 0.5 })[0], Math.fround(Math.sin(1.5)));
});

test('custom Float64Array frequencies', () => {
  const freqs = Float64Array.from([1, 0.3, 1e-3, 2.5]);
  const t = sinusoidal(100, 8, { frequencies: freqs, offset: 999 });
  check(t, range(0, 100), 8, { freqs, offset: 999 }, 'custom');
});

test('out: written in place and returned; ResidentArray too; numPositions 0', () => {
  const out = new Float32Array(10 * 16).fill(7);
  assert.equal(sinusoidal(10, 16, { out }), out);
  check(out, range(0, 10), 16, { freqs: paperFreqs(16) }, 'out');
  const r = new ResidentArray(Float32Array, 10 * 16);
  assert.equal(sinusoidal(10, 16, { out: r, layout: 'concat' }), r);
  check(r.view, range(0, 10), 16, { freqs: paperFreqs(16), layout: 'concat' }, 'resident');
  r.dispose();
  assert.equal(sinusoidal(0, 16).length, 0);
});

test('no-SIMD angle addition, SIMD kernel and the libm reference agree', () => {
  const ex = wasm();
  const n = 2100, h = 13, dim = 2 * h;
  const f = alloc(h * 8), a = alloc(n * dim * 4), b = alloc(n * dim * 4), c = alloc(n * dim * 4);
  try {
    heap().f64.set(paperFreqs(dim), f >>> 3);
    for (const [cs, co] of [[2, 4], [1, h * 4]]) {
      ex.ek_sincos_table_f32__rotate(a, a + co, dim, cs, f, h, 1e6, n, 0.5);
      ex.ek_sincos_table_f32__wasmsimd(b, b + co, dim, cs, f, h, 1e6, n, 0.5);
      ex.ek_sincos_table_f32__scalar(c, c + co, dim, cs, f, h, 1e6, n, 0.5);
      const A = heap().f32.slice(a >>> 2, (a >>> 2) + n * dim);
      const B = heap().f32.slice(b >>> 2, (b >>> 2) + n * dim);
      const C = heap().f32.slice(c >>> 2, (c >>> 2) + n * dim);
      assert.deepEqual(A, B, 'wasmsimd is bit-exact against rotate');
      let m = 0;
      for (let k = 0; k < A.length; k++) m = Math.max(m, Math.abs(A[k] - C[k]));
      assert.ok(m <= TOL, `rotate vs scalar ${m}`);
    }
  } finally {
    for (const p of [f, a, b, c]) free(p);
  }
});

test('errors: TypeError / RangeError, and out is left unchanged', () => {
  const out = new Float32Array(4 * 6).fill(3);
  const snap = out.slice();
  const cases = [
    [() => sinusoidal(4, 5, { out: new Float32Array(20) }), RangeError, /dim must be even/],
    [() => sinusoidal(4, 6, { out: new Float32Array(23) }), RangeError, /length 23, expected 24/],
    [() => sinusoidal(4, 6, { out, layout: 'rows' }), RangeError, /layout/],
    [() => sinusoidal(4, 6, { out, layout: 1 }), TypeError, /layout/],
    [() => sinusoidal(4, 6, { out, offset: -1 }), RangeError, /offset/],
    [() => sinusoidal(4, 6, { out, offset: 1.5 }), RangeError, /offset/],
    [() => sinusoidal(4, 6, { out, offset: 2 ** 31 - 2 }), RangeError, /exceeds/],
    [() => sinusoidal(4, 6, { out, base: 0 }), RangeError, /base/],
    [() => sinusoidal(4, 6, { out, base: NaN }), RangeError, /base/],
    [() => sinusoidal(4, 6, { out, base: '10000' }), TypeError, /base/],
    [() => sinusoidal(4, 6, { out, frequencies: 'llama' }), TypeError, /frequencies/],
    [() => sinusoidal(4, 6, { out, frequencies: new Float64Array(2) }), RangeError, /frequencies has length 2/],
    [() => sinusoidal(4, 6, { out, frequencies: Float64Array.from([1, NaN, 2]) }), RangeError, /frequencies\[1\]/],
    [() => sinusoidal(4, 6, { out, frequencies: 'tensor2tensor', maxTimescale: -1 }), RangeError, /maxTimescale/],
    [() => sinusoidal(4, 6, { out: new Float64Array(24) }), TypeError, /Float32Array/],
    [() => sinusoidal(-1, 6, { out }), RangeError, /numPositions/],
    [() => sinusoidal(2.5, 6, { out }), RangeError, /numPositions/],
    [() => sinusoidal('4', 6, { out }), TypeError, /numPositions/],
    [() => sinusoidal(4, 0, { out }), RangeError, /dim/],
    [() => sinusoidal(4, 6, null), TypeError, /options/],
  ];
  for (const [fn, Err, msg] of cases) {
    assert.throws(fn, (e) => e instanceof Err && msg.test(e.message), `${fn}`);
    assert.deepEqual(out, snap, `out changed by ${fn}`);
  }
});
