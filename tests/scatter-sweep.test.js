// The backward Embedding.backward calls, ek_scatter_add_rows_f32 (SIMD kernel: single rows in
// float32, repeated rows four per pass, peeks ahead), against the scalar reference
// ek_scatter_add_rows_f32__scalar, bit for bit, in the SIMD wasm build: dims around the vector
// width and the peek threshold, Zipf-heavy and all-distinct ids, 1..10 occurrences of a row,
// padding, scaleGradByFreq, -0 entries, and calls that find rows already touched.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init } from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { assertSameBits, randomFloats, randomIds } from './helpers/close.js';
import { put, f32 } from './helpers/heap.js';

await init();
const ex = wasm();


function run(fn, { grad0, gout, ids, n, dim, pad, scale, calls }) {
  const count = ids.length;
  const pg = put(grad0), po = put(gout), pi = put(ids);
  const mark = alloc(n), touched = alloc(n * 4), head = alloc(n * 4), next = alloc(Math.max(count, 1) * 4);
  const scratch = alloc(dim * 8);
  heap().u8.fill(0, mark, mark + n);
  let nt = 0;
  for (let c = 0; c < calls; c++) nt = ex[fn](pg, mark, touched, nt, po, pi, count, dim, pad, scale, head, next, scratch);
  const r = {
    grad: new Float32Array(heap().buffer, pg, n * dim).slice(),
    touched: new Int32Array(heap().buffer, touched, nt).slice(),
  };
  for (const p of [pg, po, pi, mark, touched, head, next, scratch]) free(p);
  return r;
}

test('scatter-add dispatcher equals the scalar reference bit for bit', () => {
  for (const dim of [1, 3, 4, 5, 8, 9, 16, 17, 33, 63, 64, 65, 100, 768]) {
    for (const [n, count, zipf] of [[29, 200, 1.3], [29, 200, 0], [500, 60, 0], [7, 1, 0], [7, 2, 0], [2, 5, 0], [2, 9, 0], [1, 10, 0]]) {
      for (const scale of [0, 1]) {
        const ids = randomIds(count, n, dim * 7 + count + scale, { zipf });
        const gout = randomFloats(count * dim, dim + 300);
        gout[0] = -0;
        const grad0 = randomFloats(n * dim, dim + 400);
        for (let i = 0; i < grad0.length; i += 5) grad0[i] = -0;
        const args = { grad0, gout, ids, n, dim, pad: scale ? -1 : ids[count >> 1], scale, calls: 2 };
        const a = run('ek_scatter_add_rows_f32', args);
        const b = run('ek_scatter_add_rows_f32__scalar', args);
        const what = `dim ${dim} n ${n} count ${count} zipf ${zipf} scale ${scale}`;
        assertSameBits(a.grad, b.grad, what);
        assert.deepEqual(a.touched, b.touched, what);
      }
    }
  }
});
