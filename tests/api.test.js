// The public contract of shared/API.md, checked from the outside: names, argument order,
// defaults, result lengths and error classes, each against the formula the contract states
// (float64 JS), independently of the per-op suites.
import test from 'node:test';
import assert from 'node:assert/strict';
import * as ek from '../src/js/index.js';
import { assertClose, randomFloats } from './helpers/close.js';

const { init, features, Embedding, InputEmbedding, sinusoidal, Rope, rotaryEmbedding } = ek;

test('before init(): every export that computes throws an Error saying to call init() first', () => {
  const calls = [
    () => new Embedding(2, 2), () => new InputEmbedding({ vocabSize: 4, maxPositions: 4, dim: 2 }),
    () => sinusoidal(2, 2), () => new Rope({ headDim: 4 }),
    () => rotaryEmbedding(new Float32Array(4), [1, 1, 1, 4], new Float32Array(2), new Float32Array(2)),
  ];
  for (const f of calls) assert.throws(f, (e) => e instanceof Error && /init\(\)/.test(e.message), String(f));
});

test('init is idempotent and features are filled in', async () => {
  const p = init();
  assert.equal(init(), p);
  await p;
  assert.equal(typeof features.simd, 'boolean');
  assert.match(features.version, /^\d+\.\d+\.\d+/);
});

test('Embedding defaults: std 1 (PyTorch), seed 0, paddingIdx null, views of N*D', () => {
  const a = new Embedding(200, 50);
  const b = new Embedding(200, 50, { seed: 0, std: 1 });
  assert.deepEqual(a.weight, b.weight);
  assert.equal(a.paddingIdx, null);
  assert.equal(a.numEmbeddings, 200);
  assert.equal(a.dim, 50);
  let s2 = 0;
  for (const v of a.weight) s2 += v * v;
  assert.ok(Math.abs(Math.sqrt(s2 / 10000) - 1) < 0.03);
  assert.ok(a.touched instanceof Int32Array);
  a.dispose(); b.dispose();
});

test('InputEmbedding: out[b,s] = tok[ids[b,s]] + pos[offset+s]; backward splits the gradient', () => {
  const vocabSize = 30, maxPositions = 12, dim = 6, batch = 2, seq = 4, offset = 3;
  const inp = new InputEmbedding({ vocabSize, maxPositions, dim, seed: 5 });
  assert.ok(inp.token instanceof Embedding);
  assert.ok(inp.position instanceof Embedding);
  const ids = [1, 2, 2, 29, 0, 1, 1, 5];
  const tok = inp.token.weight.slice(), pos = inp.position.weight.slice();
  const out = inp.forward(ids, [batch, seq], { offset });
  const want = new Float64Array(batch * seq * dim);
  for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) for (let j = 0; j < dim; j++) {
    want[(b * seq + s) * dim + j] = tok[ids[b * seq + s] * dim + j] + pos[(offset + s) * dim + j];
  }
  assertClose(out, want, { rtol: 1e-7, atol: 1e-7 });
  const g = randomFloats(batch * seq * dim, 3);
  inp.backward(ids, [batch, seq], g, { offset });
  const tg = new Float64Array(vocabSize * dim), pg = new Float64Array(maxPositions * dim);
  for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) for (let j = 0; j < dim; j++) {
    tg[ids[b * seq + s] * dim + j] += g[(b * seq + s) * dim + j];
    pg[(offset + s) * dim + j] += g[(b * seq + s) * dim + j];
  }
  assertClose(inp.token.grad, tg, { rtol: 1e-6, atol: 1e-7 });
  assertClose(inp.position.grad, pg, { rtol: 1e-6, atol: 1e-7 });
  assert.throws(() => inp.forward(ids, [batch, seq], { offset: 9 }), RangeError);  // 9 + 4 > 12
  inp.zeroGrad();
  assert.equal(inp.token.touched.length + inp.position.touched.length, 0);
  for (const position of ['sinusoidal', 'none']) {
    const e = new InputEmbedding({ vocabSize, maxPositions, dim, position, seed: 5 });
    assert.equal(e.position, null);
    e.dispose();
  }
  inp.dispose();
});

test('sinusoidal: both layouts follow the stated formulas; odd dim is a RangeError', () => {
  const n = 9, dim = 10, base = 10000, offset = 5;
  const inter = sinusoidal(n, dim, { offset });
  const concat = sinusoidal(n, dim, { offset, layout: 'concat' });
  const wi = new Float64Array(n * dim), wc = new Float64Array(n * dim);
  for (let r = 0; r < n; r++) for (let i = 0; i < dim / 2; i++) {
    const a = (offset + r) / base ** (2 * i / dim);
    wi[r * dim + 2 * i] = Math.sin(a); wi[r * dim + 2 * i + 1] = Math.cos(a);
    wc[r * dim + i] = Math.sin(a); wc[r * dim + dim / 2 + i] = Math.cos(a);
  }
  assertClose(inter, wi, { atol: 2e-7 });
  assertClose(concat, wc, { atol: 2e-7 });
  assert.equal(sinusoidal(3, 4).length, 12);
  assert.throws(() => sinusoidal(4, 7), RangeError);
  const out = new Float32Array(n * dim);
  assert.equal(sinusoidal(n, dim, { offset, out }), out);
});

function ropeRef(x, [B, S, H, D], { rotaryDim = D, base = 10000, interleaved = false, pos }) {
  const y = Float64Array.from(x);
  const half = rotaryDim / 2;
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) for (let h = 0; h < H; h++) {
    const o = ((b * S + s) * H + h) * D;
    for (let i = 0; i < half; i++) {
      const ang = pos(b, s) * base ** (-2 * i / rotaryDim);
      const [p, q] = interleaved ? [2 * i, 2 * i + 1] : [i, i + half];
      y[o + p] = x[o + p] * Math.cos(ang) - x[o + q] * Math.sin(ang);
      y[o + q] = x[o + q] * Math.cos(ang) + x[o + p] * Math.sin(ang);
    }
  }
  return y;
}

test('Rope: defaults, caches, both pairings, positions, offset, partial rotary, bhsd, backward', () => {
  const rope = new Rope({ headDim: 8 });
  assert.ok(rope.invFreq instanceof Float64Array && rope.invFreq.length === 4);
  assert.ok(rope.cos instanceof Float32Array && rope.cos.length === 4096 * 4);
  assert.ok(rope.sin instanceof Float32Array && rope.sin.length === 4096 * 4);
  assertClose(rope.invFreq, [0, 1, 2, 3].map((i) => 10000 ** (-2 * i / 8)), { rtol: 1e-15 });
  const shape = [2, 3, 2, 8];
  const x = randomFloats(96, 7);
  for (const interleaved of [false, true]) {
    for (const rotaryDim of [8, 4]) {
      const r = new Rope({ headDim: 8, rotaryDim, interleaved, maxPositions: 64 });
      assertClose(r.forward(x, shape, { offset: 10 }), ropeRef(x, shape, { rotaryDim, interleaved, pos: (b, s) => 10 + s }), { atol: 1e-6 });
      const positions = [5, 0, 63];
      assertClose(r.forward(x, shape, { positions }), ropeRef(x, shape, { rotaryDim, interleaved, pos: (b, s) => positions[s] }), { atol: 1e-6 });
      const perBatch = [1, 2, 3, 60, 61, 62];
      assertClose(r.forward(x, shape, { positions: perBatch }), ropeRef(x, shape, { rotaryDim, interleaved, pos: (b, s) => perBatch[b * 3 + s] }), { atol: 1e-6 });
      const y = r.forward(x, shape, { offset: 2 });
      assertClose(r.backward(y, shape, { offset: 2 }), x, { atol: 1e-6 });
      assert.throws(() => r.forward(x, shape, { offset: 62 }), RangeError);  // 62 + 2 >= 64
      r.dispose?.();
    }
  }
  // bhsd: the same numbers, transposed
  const bhsd = new Float32Array(96);
  for (let b = 0; b < 2; b++) for (let s = 0; s < 3; s++) for (let h = 0; h < 2; h++) for (let d = 0; d < 8; d++) {
    bhsd[((b * 2 + h) * 3 + s) * 8 + d] = x[((b * 3 + s) * 2 + h) * 8 + d];
  }
  const ya = rope.forward(x, shape, { offset: 1 });
  const yb = rope.forward(bhsd, [2, 2, 3, 8], { offset: 1, layout: 'bhsd' });
  for (let b = 0; b < 2; b++) for (let s = 0; s < 3; s++) for (let h = 0; h < 2; h++) for (let d = 0; d < 8; d++) {
    assert.equal(yb[((b * 2 + h) * 3 + s) * 8 + d], ya[((b * 3 + s) * 2 + h) * 8 + d]);
  }
  assert.throws(() => new Rope({ headDim: 8, rotaryDim: 5 }), RangeError);
  assert.throws(() => new Rope({ headDim: 8, rotaryDim: 10 }), RangeError);
  assert.throws(() => rope.forward(x, [2, 3, 2, 6]), RangeError);
  rope.dispose?.();
});

test('rotaryEmbedding: ONNX semantics with positionIds, 4-D [batch, numHeads, seq, headSize]', () => {
  const B = 1, H = 2, S = 3, D = 4, half = 2;
  const x = randomFloats(B * H * S * D, 9);
  const maxPos = 8;
  const cos = new Float32Array(maxPos * half), sin = new Float32Array(maxPos * half);
  for (let p = 0; p < maxPos; p++) for (let i = 0; i < half; i++) {
    cos[p * half + i] = Math.cos(p * 0.3 * (i + 1));
    sin[p * half + i] = Math.sin(p * 0.3 * (i + 1));
  }
  const positionIds = [4, 0, 7];
  const y = rotaryEmbedding(x, [B, H, S, D], cos, sin, { positionIds });
  const want = new Float64Array(x.length);
  for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) {
    const o = (h * S + s) * D, p = positionIds[s];
    for (let i = 0; i < half; i++) {
      const c = cos[p * half + i], sn = sin[p * half + i];
      want[o + i] = x[o + i] * c - x[o + i + half] * sn;
      want[o + i + half] = x[o + i + half] * c + x[o + i] * sn;
    }
  }
  assertClose(y, want, { atol: 1e-6 });
});
