// rope-nosimd.test.js — Rope and rotaryEmbedding on the fallback build (no wasm SIMD): same
// results as the float64 references (the SIMD build is checked bit for bit against the same
// scalar code in rope.test.js and tests/native/test_rope.c).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { init, features, Rope, rotaryEmbedding } from '../src/js/index.js';
import { assertClose, randF32, ropeRef64, plainInvFreq, onnxRef64 } from './helpers/rope-ref.js';

await init({ simd: false });

test('fallback build: Rope forward/backward and rotaryEmbedding match float64', () => {
  assert.equal(features.simd, false);
  for (const interleaved of [false, true]) {
    for (const layout of ['bshd', 'bhsd']) {
      const rope = new Rope({ headDim: 14, rotaryDim: 10, interleaved, maxPositions: 100 });
      const shape = layout === 'bshd' ? [2, 5, 3, 14] : [2, 3, 5, 14];
      const x = randF32(2 * 5 * 3 * 14, 77);
      const positions = [9, 0, 99, 41, 7];
      const geo = { B: 2, S: 5, H: 3, D: 14, rot: 10, layout, interleaved, posOf: (b, s) => positions[s], invFreq: plainInvFreq(10000, 10) };
      assertClose(rope.forward(x, shape, { positions, layout }), ropeRef64(x, geo), { atol: 1e-6, rtol: 1e-6 });
      assertClose(rope.backward(x, shape, { positions, layout }), ropeRef64(x, { ...geo, sign: -1 }), { atol: 1e-6, rtol: 1e-6 });
      rope.dispose();
    }
    const x = randF32(2 * 3 * 4 * 6, 5);
    const cos = randF32(50 * 3, 6), sin = randF32(50 * 3, 7);
    const pos = BigInt64Array.from([3n, 49n, 0n, 7n, 7n, 1n]);
    const opts = { positionIds: pos, interleaved, numHeads: 4 };
    assertClose(rotaryEmbedding(x, [2, 3, 24], cos, sin, opts), onnxRef64(x, [2, 3, 24], cos, sin, opts), { atol: 1e-6 });
  }
});
