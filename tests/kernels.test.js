// The C kernels called directly: every __wasmsimd variant against its __scalar reference, bit
// for bit, over sizes around the vector width (XNNPACK-style sweeps).
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, features } from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { assertSameBits, randomFloats, randomIds, rng } from './helpers/close.js';
import { put, f32 } from './helpers/heap.js';

await init();
const ex = wasm();


test('the SIMD build loaded', () => {
  assert.equal(features.simd, true);
  assert.equal(ex.ek_simd_enabled(), 1);
});

test('gather: dispatcher, __wasmsimd and __scalar agree bit for bit', () => {
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 128, 129, 130, 143, 144, 200, 768, 1000]) {
    const n = 19, count = 39;  // not a multiple of the 8-row groups of the long-row kernel
    const table = randomFloats(n * dim, dim);
    const ids = randomIds(count, n, dim);
    const pt = put(table), pi = put(ids);
    const outs = ['ek_gather_rows_f32', 'ek_gather_rows_f32__wasmsimd', 'ek_gather_rows_f32__scalar'].map((fn) => {
      const po = alloc(count * dim * 4);
      ex[fn](po, pt, pi, count, dim);
      const r = f32(po, count * dim);
      free(po);
      return r;
    });
    assertSameBits(outs[0], outs[2], `dispatcher dim ${dim}`);
    assertSameBits(outs[1], outs[2], `wasmsimd dim ${dim}`);
    free(pt); free(pi);
  }
});

test('gather: ids in runs of consecutive rows (the dispatcher copies such groups of eight straight) equal __scalar', () => {
  // Runs of 1..12 consecutive rows from random starts, so that some aligned groups of eight are
  // one run, some are broken at their last id, and some runs cross a group boundary; plus the
  // identity ids 0..n-1 and a run that ends on the table's last row.
  const r = rng(515);
  for (const dim of [128, 129, 131, 200, 768]) {
    const n = 53;
    const runs = [];
    while (runs.length < 70) {
      const len = 1 + Math.floor(r() * 12), start = Math.floor(r() * n);
      for (let k = 0; k < len && runs.length < 70; k++) runs.push(Math.min(n - 1, start + k));
    }
    for (const ids of [Int32Array.from(runs), Int32Array.from({ length: n }, (_, i) => i),
      Int32Array.from({ length: 17 }, (_, i) => n - 17 + i),
      Int32Array.from({ length: 16 }, (_, i) => (i === 7 ? 0 : 20 + i))]) {
      const count = ids.length;
      const table = randomFloats(n * dim, dim + 7);
      const pt = put(table), pi = put(ids);
      const outs = ['ek_gather_rows_f32', 'ek_gather_rows_f32__scalar'].map((fn) => {
        const po = alloc(count * dim * 4);
        ex[fn](po, pt, pi, count, dim);
        const res = f32(po, count * dim);
        free(po);
        return res;
      });
      assertSameBits(outs[0], outs[1], `dispatcher dim ${dim}, ${count} ids`);
      // and against the table itself, independent of both kernels
      for (let i = 0; i < count; i++) {
        assertSameBits(outs[0].subarray(i * dim, (i + 1) * dim), table.subarray(ids[i] * dim, (ids[i] + 1) * dim), `row ${i}`);
      }
      free(pt); free(pi);
    }
  }
});

test('scatter-add: __wasmsimd equals __scalar bit for bit (heavy duplicates, padding, scale by freq)', () => {
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 33, 64, 65, 768]) {
    for (const scale of [0, 1]) {
      const n = 29, count = 200;
      const ids = randomIds(count, n, dim * 3 + scale, { zipf: 1.3 });
      const gout = randomFloats(count * dim, dim + 100);
      const grad0 = randomFloats(n * dim, dim + 200);
      const results = ['ek_scatter_add_rows_f32__wasmsimd', 'ek_scatter_add_rows_f32__scalar'].map((fn) => {
        const pg = put(grad0), po = put(gout), pi = put(ids);
        const mark = alloc(n), touched = alloc(n * 4), head = alloc(n * 4), next = alloc(count * 4), acc = alloc(dim * 8);
        heap().u8.fill(0, mark, mark + n);
        const nt = ex[fn](pg, mark, touched, 0, po, pi, count, dim, 2, scale, head, next, acc);
        const r = { grad: f32(pg, n * dim), touched: new Int32Array(heap().buffer, touched, nt).slice() };
        for (const p of [pg, po, pi, mark, touched, head, next, acc]) free(p);
        return r;
      });
      assertSameBits(results[0].grad, results[1].grad, `dim ${dim} scale ${scale}`);
      assert.deepEqual(results[0].touched, results[1].touched);
      assert.ok(!results[0].touched.includes(2), 'padding row 2 is never touched');
    }
  }
});

test('__inorder (the bench\'s float32 comparison row) is the float32 loop; the exact kernel is closer to float64', () => {
  // Independent references: a JS loop with Math.fround after every add (in id order), and a
  // float64 scatter-add. Many copies of few ids, so the float32 loop visibly drifts.
  const n = 7, dim = 37, count = 3000;
  const ids = randomIds(count, n, 77, { zipf: 1.5 });
  const gout = randomFloats(count * dim, 78);
  const pad = 3;
  const f32loop = new Float32Array(n * dim), f64 = new Float64Array(n * dim);
  for (let i = 0; i < count; i++) {
    if (ids[i] === pad) continue;
    for (let j = 0; j < dim; j++) {
      const k = ids[i] * dim + j;
      f32loop[k] = Math.fround(f32loop[k] + gout[i * dim + j]);
      f64[k] += gout[i * dim + j];
    }
  }
  const run = (fn, extra) => {
    const pg = put(new Float32Array(n * dim)), po = put(gout), pi = put(ids);
    const mark = alloc(n), touched = alloc(n * 4);
    heap().u8.fill(0, mark, mark + n);
    const nt = ex[fn](pg, mark, touched, 0, po, pi, count, dim, pad, ...extra(count));
    const r = { grad: f32(pg, n * dim), touched: new Int32Array(heap().buffer, touched, nt).slice().sort() };
    for (const p of [pg, po, pi, mark, touched]) free(p);
    return r;
  };
  const inorder = run('ek_scatter_add_rows_f32__inorder', () => []);
  assertSameBits(inorder.grad, f32loop, 'in-order float32 loop');
  assert.deepEqual([...inorder.touched], [...new Set(ids)].filter((r) => r !== pad).sort());
  const scratch = [alloc(n * 4), alloc(count * 4), alloc(dim * 8)];
  const exact = run('ek_scatter_add_rows_f32', () => [0, ...scratch]);
  scratch.forEach(free);
  let errExact = 0, errLoop = 0;
  for (let k = 0; k < n * dim; k++) {
    errExact = Math.max(errExact, Math.abs(exact.grad[k] - f64[k]) / Math.max(Math.abs(f64[k]), 1e-30));
    errLoop = Math.max(errLoop, Math.abs(inorder.grad[k] - f64[k]) / Math.max(Math.abs(f64[k]), 1e-30));
  }
  assert.ok(errExact <= 2 ** -24, `exact kernel: max relative error ${errExact} (one rounding: <= 2^-24)`);
  assert.ok(errLoop > 10 * errExact, `float32 loop drifts: ${errLoop} vs ${errExact}`);
});

test('ek_check_ids_i32 finds the first id outside [0, n) (negatives included), else -1', () => {
  for (const len of [0, 1, 15, 16, 17, 40]) {
    const ids = randomIds(len, 10, len);
    const p = put(ids);
    assert.equal(ex.ek_check_ids_i32(p, len, 10), -1);
    for (const bad of [-1, 10, 2 ** 31 - 1]) {
      for (const at of len ? [0, len - 1, len >> 1] : []) {
        const copy = ids.slice();
        copy[at] = bad;
        if (at + 1 < len) copy[len - 1] = -5;  // a later bad id must not be reported first
        const q = put(copy);
        assert.equal(ex.ek_check_ids_i32(q, len, 10), at, `len ${len} bad ${bad} at ${at}`);
        free(q);
      }
    }
    free(p);
  }
});
