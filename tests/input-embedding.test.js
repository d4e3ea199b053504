// input-embedding.test.js — InputEmbedding (token + position) forward and backward against
// float64 references (tests/helpers/positions-ref.js) in all three position modes, offsets,
// touched rows, a finite-difference check, SIMD vs scalar kernels, and error paths that must
// leave every table, gradient and `out` unchanged.
import test from 'node:test';
import assert from 'node:assert/strict';

import { init, InputEmbedding, Embedding, ResidentArray } from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { inputBackwardRef, inputForwardRef, paperFreqs, sinusoidalRef } from './helpers/positions-ref.js';

await init();

function rnd(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randIds = (n, vocab, seed) => { const r = rnd(seed); return Int32Array.from({ length: n }, () => Math.floor(r() * vocab)); };
const randF32 = (n, seed) => { const r = rnd(seed); return Float32Array.from({ length: n }, () => r() * 2 - 1); };

/** |a - b| <= atol + rtol * |b| everywhere, with a message naming the first failure. */
function assertClose(a, b, { atol = 0, rtol = 0 } = {}, label = '') {
  assert.equal(a.length, b.length, `${label}: length`);
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    worst = Math.max(worst, d);
    if (!(d <= atol + rtol * Math.abs(b[i]))) assert.fail(`${label}: [${i}] ${a[i]} vs ${b[i]} (|diff| ${d})`);
  }
  return worst;
}

// float32 sum of two float32 numbers: within half an ulp of the exact sum
const F32ADD = { atol: 1e-30, rtol: 2 ** -24 };

test('learned: forward = token row + position row (float64 reference), dims around the vector width', () => {
  for (const dim of [1, 3, 4, 5, 8, 9, 17, 768]) {
    const inp = new InputEmbedding({ vocabSize: 37, maxPositions: 12, dim, seed: dim });
    const [batch, seq] = [3, 7];
    const ids = randIds(batch * seq, 37, dim);
    for (const offset of [0, 5]) {
      const out = inp.forward(ids, [batch, seq], { offset });
      const ref = inputForwardRef(inp.token.weight, inp.position.weight, ids, batch, seq, dim, offset);
      assertClose(out, ref, F32ADD, `dim ${dim} offset ${offset}`);
    }
    inp.dispose();
  }
});

test('learned tables are seeded: token by seed, positions by seed + 1, std options', () => {
  const inp = new InputEmbedding({ vocabSize: 10, maxPositions: 6, dim: 4, seed: 7, std: 0.02, positionStd: 0.01 });
  const tok = new Embedding(10, 4, { seed: 7, std: 0.02 }), pos = new Embedding(6, 4, { seed: 8, std: 0.01 });
  assert.deepEqual(inp.token.weight, tok.weight);
  assert.deepEqual(inp.position.weight, pos.weight);
  assert.deepEqual(inp.positionTable, pos.weight);
  for (const x of [inp, tok, pos]) x.dispose();
});

test('tokenWeight / positionWeight load tables (GPT-2 wte / wpe style)', () => {
  const tw = randF32(7 * 3, 1), pw = randF32(4 * 3, 2);
  const inp = new InputEmbedding({ vocabSize: 7, maxPositions: 4, dim: 3, tokenWeight: tw, positionWeight: pw });
  assert.deepEqual(inp.token.weight, tw);
  assert.deepEqual(inp.position.weight, pw);
  assert.deepEqual(inp.forward([6, 0], [1, 2], { offset: 2 }),
    Float32Array.from([tw[18] + pw[6], tw[19] + pw[7], tw[20] + pw[8], tw[0] + pw[9], tw[1] + pw[10], tw[2] + pw[11]]));
  inp.dispose();
  assert.throws(() => new InputEmbedding({ vocabSize: 7, maxPositions: 4, dim: 3, tokenWeight: new Float32Array(20) }), /tokenWeight has length 20, expected 21/);
  assert.throws(() => new InputEmbedding({ vocabSize: 7, maxPositions: 4, dim: 3, positionWeight: pw, position: 'none' }), TypeError);
});

test('sinusoidal: table matches the float64 formula, forward adds it, no position gradient', () => {
  for (const layout of ['interleaved', 'concat']) {
    const dim = 64, maxPositions = 300;
    const inp = new InputEmbedding({ vocabSize: 50, maxPositions, dim, position: 'sinusoidal', layout });
    assert.equal(inp.position, null);
    const pe = sinusoidalRef(Array.from({ length: maxPositions }, (_, r) => r), dim, { freqs: paperFreqs(dim), layout });
    assertClose(inp.positionTable, pe, { atol: 2e-7 }, `table ${layout}`);
    const ids = randIds(2 * 9, 50, 3);
    const out = inp.forward(ids, [2, 9], { offset: 290 });
    const ref = inputForwardRef(inp.token.weight, pe, ids, 2, 9, dim, 290);
    assertClose(out, ref, { atol: 3e-7, rtol: 2 ** -24 }, `forward ${layout}`);
    inp.backward(ids, [2, 9], randF32(2 * 9 * dim, 4), { offset: 290 });
    assert.deepEqual(Array.from(inp.token.touched), [...new Set(ids)].sort((a, b) => a - b));
    inp.dispose();
  }
  // tensor2tensor frequencies pass through
  const t2t = new InputEmbedding({ vocabSize: 5, maxPositions: 3, dim: 8, position: 'sinusoidal', frequencies: 'tensor2tensor', layout: 'concat' });
  assert.equal(t2t.positionTable[8 * 2 + 3], Math.fround(Math.sin(2 / 10000)));
  t2t.dispose();
});

test("none: forward is the token lookup, bit for bit", () => {
  const inp = new InputEmbedding({ vocabSize: 100, maxPositions: 16, dim: 24, position: 'none' });
  assert.equal(inp.position, null);
  assert.equal(inp.positionTable, null);
  const ids = randIds(4 * 16, 100, 9);
  assert.deepEqual(inp.forward(ids, [4, 16]), inp.token.forward(ids));
  assert.deepEqual(inp.forward(ids.subarray(0, 8), [1, 8], { offset: 8 }), inp.token.forward(ids.subarray(0, 8)));
  // backward: the token scatter-add only, the same bits as Embedding.backward
  const g = randF32(4 * 16 * 24, 10);
  inp.backward(ids, [4, 16], g);
  const emb = new Embedding(100, 24, { weight: inp.token.weight.slice() });
  emb.backward(ids, g);
  assert.deepEqual(inp.token.grad, emb.grad);
  assert.deepEqual(inp.token.touched, emb.touched);
  emb.dispose();
  inp.dispose();
});

test('learned: backward splits into token scatter-add and position batch sum (float64 reference), offsets', () => {
  for (const dim of [1, 5, 8, 13, 96]) {
    const vocab = 9, maxPositions = 20, batch = 4, seq = 6;
    const inp = new InputEmbedding({ vocabSize: vocab, maxPositions, dim, seed: 1 });
    let tg = new Float64Array(vocab * dim), pg = new Float64Array(maxPositions * dim);
    for (const [offset, seed] of [[0, 1], [3, 2], [14, 3]]) {  // duplicates across batch by construction (vocab 9)
      const ids = randIds(batch * seq, vocab, seed * 10 + dim);
      const g = randF32(batch * seq * dim, seed * 100 + dim);
      inp.backward(ids, [batch, seq], g, { offset });
      ({ tok: tg, pos: pg } = inputBackwardRef(tg, pg, ids, batch, seq, dim, g, offset));
      assertClose(inp.token.grad, tg, { atol: 1e-6 }, `token grad dim ${dim} offset ${offset}`);
      assertClose(inp.position.grad, pg, { atol: 1e-6 }, `position grad dim ${dim} offset ${offset}`);
    }
    assert.deepEqual(Array.from(inp.position.touched), [0, 1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 17, 18, 19]);
    inp.zeroGrad();
    assert.ok(inp.token.grad.every((v) => v === 0) && inp.position.grad.every((v) => v === 0));
    assert.equal(inp.token.touched.length + inp.position.touched.length, 0);
    inp.dispose();
  }
});

test('backward: position gradient is the batch sum rounded once (exact for one call)', () => {
  const dim = 8, batch = 5, seq = 3;
  const inp = new InputEmbedding({ vocabSize: 4, maxPositions: 3, dim });
  const g = randF32(batch * seq * dim, 77);
  inp.backward(new Int32Array(batch * seq), [batch, seq], g);
  const pg = inp.position.grad;
  for (let s = 0; s < seq; s++) {
    for (let j = 0; j < dim; j++) {
      let acc = 0;
      for (let b = 0; b < batch; b++) acc += g[(b * seq + s) * dim + j];
      assert.equal(pg[s * dim + j], Math.fround(acc));
    }
  }
  inp.dispose();
});

test('token options reach the token table: paddingIdx and scaleGradByFreq', () => {
  const dim = 4;
  const inp = new InputEmbedding({ vocabSize: 6, maxPositions: 4, dim, paddingIdx: 0, scaleGradByFreq: true });
  assert.ok(inp.token.weight.subarray(0, dim).every((v) => v === 0));
  const ids = Int32Array.from([0, 2, 2, 5]);
  const g = new Float32Array(4 * dim).fill(1);
  inp.backward(ids, [1, 4], g);
  assert.deepEqual(Array.from(inp.token.touched), [2, 5]);
  assert.deepEqual(Array.from(inp.token.grad.subarray(2 * dim, 3 * dim)), [1, 1, 1, 1]);  // 2 occurrences / 2
  assert.deepEqual(Array.from(inp.position.grad.subarray(0, dim)), [1, 1, 1, 1]);        // positions unaffected by padding
  inp.dispose();
});

test('finite differences: d(sum(out * W))/d(table) matches backward (tiny case)', () => {
  const vocab = 5, maxPositions = 6, dim = 3, batch = 2, seq = 3, offset = 2;
  const inp = new InputEmbedding({ vocabSize: vocab, maxPositions, dim, seed: 4 });
  const ids = Int32Array.from([1, 4, 1, 0, 1, 3]);
  const W = randF32(batch * seq * dim, 5);
  const loss = () => {
    const out = inp.forward(ids, [batch, seq], { offset });
    let l = 0;
    for (let k = 0; k < out.length; k++) l += out[k] * W[k];
    return l;
  };
  inp.backward(ids, [batch, seq], W, { offset });
  const eps = 1e-2;
  for (const [table, grad] of [[() => inp.token.weight, inp.token.grad.slice()], [() => inp.position.weight, inp.position.grad.slice()]]) {
    for (let k = 0; k < grad.length; k++) {
      const w = table(), keep = w[k];
      w[k] = keep + eps; const lp = loss();
      w[k] = keep - eps; const lm = loss();
      w[k] = keep;
      const fd = (lp - lm) / (2 * eps);
      assert.ok(Math.abs(fd - grad[k]) <= 1e-4 + 1e-3 * Math.abs(grad[k]), `element ${k}: fd ${fd} vs backward ${grad[k]}`);
    }
  }
  inp.dispose();
});

test('generation: forward with offset k and seq 1 equals row k of the full sequence', () => {
  const inp = new InputEmbedding({ vocabSize: 30, maxPositions: 10, dim: 16, seed: 2 });
  const ids = randIds(10, 30, 11);
  const full = inp.forward(ids, [1, 10]);
  for (let k = 0; k < 10; k++) {
    assert.deepEqual(inp.forward([ids[k]], [1, 1], { offset: k }), full.subarray(k * 16, (k + 1) * 16));
  }
  inp.dispose();
});

test('ids kinds (Int32Array, Uint32Array, BigInt64Array, arrays, ResidentArray) and out kinds', () => {
  const inp = new InputEmbedding({ vocabSize: 20, maxPositions: 8, dim: 12 });
  const ids = [3, 19, 0, 7, 7, 1];
  const ref = inp.forward(Int32Array.from(ids), [2, 3], { offset: 1 });
  const rIds = new ResidentArray(Int32Array, 6);
  rIds.view.set(ids);
  for (const v of [Uint32Array.from(ids), BigInt64Array.from(ids.map(BigInt)), ids, rIds]) {
    assert.deepEqual(inp.forward(v, [2, 3], { offset: 1 }), ref);
  }
  const out = new Float32Array(72);
  assert.equal(inp.forward(ids, [2, 3], { offset: 1, out }), out);
  assert.deepEqual(out, ref);
  const rOut = new ResidentArray(Float32Array, 72);
  assert.equal(inp.forward(rIds, [2, 3], { offset: 1, out: rOut }), rOut);
  assert.deepEqual(rOut.view, ref);
  const rG = new ResidentArray(Float32Array, 72);
  rG.view.set(randF32(72, 1));
  inp.backward(rIds, [2, 3], rG, { offset: 1 });
  const copy = new InputEmbedding({ vocabSize: 20, maxPositions: 8, dim: 12 });
  copy.backward(ids, [2, 3], rG.view.slice(), { offset: 1 });
  assert.deepEqual(inp.token.grad, copy.token.grad);
  assert.deepEqual(inp.position.grad, copy.position.grad);
  for (const x of [rIds, rOut, rG, inp, copy]) x.dispose();
});

test('kernels: __wasmsimd is bit-exact against __scalar (forward and position gradient)', () => {
  const ex = wasm();
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 128, 131, 144, 768]) {
    // n = 35: four 8-row groups and a tail; after the first group most of the 13 ids repeat, so
    // the later groups take the row-by-row path for repeated tokens, the first the interleave
    const vocab = 13, batch = 5, seq = 7, nPos = 11, n = batch * seq;
    const ptrs = [];
    const A = (bytes) => { const p = alloc(bytes); ptrs.push(p); return p; };
    try {
      const tok = A(vocab * dim * 4), pos = A(nPos * dim * 4), ids = A(n * 4), o1 = A(n * dim * 4), o2 = A(n * dim * 4);
      const g = A(n * dim * 4), pg1 = A(nPos * dim * 4), pg2 = A(nPos * dim * 4), m = A(nPos), t = A(nPos * 4);
      const h = heap();
      h.f32.set(randF32(vocab * dim, dim), tok >>> 2);
      h.f32.set(randF32(nPos * dim, dim + 1), pos >>> 2);
      h.i32.set(randIds(n, vocab, dim + 2), ids >>> 2);
      h.f32.set(randF32(n * dim, dim + 3), g >>> 2);
      const pg0 = randF32(nPos * dim, dim + 4);
      h.f32.set(pg0, pg1 >>> 2);
      h.f32.set(pg0, pg2 >>> 2);
      for (const p of [0, pos + 4 * dim * 4]) {
        ex.ek_input_embed_f32__scalar(o1, tok, ids, p, batch, seq, dim);
        ex.ek_input_embed_f32__wasmsimd(o2, tok, ids, p, batch, seq, dim);
        assert.deepEqual(heap().f32.slice(o1 >>> 2, (o1 >>> 2) + n * dim), heap().f32.slice(o2 >>> 2, (o2 >>> 2) + n * dim), `forward dim ${dim}`);
      }
      heap().u8.fill(0, m, m + nPos);
      ex.ek_position_grad_f32__scalar(pg1, m, t, 0, g, batch, seq, dim, 4);
      heap().u8.fill(0, m, m + nPos);
      ex.ek_position_grad_f32__wasmsimd(pg2, m, t, 0, g, batch, seq, dim, 4);
      assert.deepEqual(heap().f32.slice(pg1 >>> 2, (pg1 >>> 2) + nPos * dim), heap().f32.slice(pg2 >>> 2, (pg2 >>> 2) + nPos * dim), `position grad dim ${dim}`);
    } finally {
      for (const p of ptrs) free(p);
    }
  }
});

function snapshot(inp, out) {
  return {
    tw: inp.token.weight.slice(), tg: inp.token.grad.slice(), tt: inp.token.touched,
    pw: inp.position?.weight.slice(), pg: inp.position?.grad.slice(), pt: inp.position?.touched,
    table: inp.positionTable?.slice(), out: out.slice(),
  };
}

test('errors: RangeError / TypeError, and nothing changes', () => {
  for (const position of ['learned', 'sinusoidal', 'none']) {
    const dim = 4, maxPositions = 8;
    const inp = new InputEmbedding({ vocabSize: 10, maxPositions, dim, position });
    inp.backward([1, 2, 3, 4], [2, 2], randF32(16, 1), { offset: 2 });  // some gradient and touched rows first
    const out = new Float32Array(2 * 3 * dim).fill(5);
    const g = randF32(2 * 3 * dim, 2);
    const ok = [1, 2, 3, 4, 5, 6];
    const cases = [
      [() => inp.forward(ok, [2, 3], { offset: 6, out }), RangeError, /offset \+ seq = 6 \+ 3 = 9 exceeds maxPositions 8/],
      [() => inp.backward(ok, [2, 3], g, { offset: 6 }), RangeError, /exceeds maxPositions 8/],
      [() => inp.forward(ok, [2, 9], {}), RangeError, /ids has length 6, expected/],
      [() => inp.forward(ok, [3, 3], { out }), RangeError, /ids has length 6/],
      [() => inp.forward([1, 2, 3, 4, 5, 10], [2, 3], { out }), RangeError, /ids\[5\] = 10 is out of range \[0, 10\)/],
      [() => inp.backward([1, 2, -1, 4, 5, 6], [2, 3], g), RangeError, /ids\[2\] = -1/],
      [() => inp.backward([1, 2, 3, 4, 5, 1.5], [2, 3], g), RangeError, /ids\[5\] = 1.5/],
      [() => inp.forward(new Float32Array(6), [2, 3], { out }), TypeError, /ids must be/],
      [() => inp.forward(ok, [6], { out }), RangeError, /2 dimensions/],
      [() => inp.forward(ok, 6, { out }), TypeError, /shape/],
      [() => inp.forward(ok, [2, 3], { offset: -1, out }), RangeError, /offset/],
      [() => inp.forward(ok, [2, 3], { offset: 0.5, out }), RangeError, /offset/],
      [() => inp.forward(ok, [2, 3], { out: new Float32Array(23) }), RangeError, /length 23, expected 24/],
      [() => inp.forward(ok, [2, 3], { out: new Float64Array(24) }), TypeError, /Float32Array/],
      [() => inp.forward(ok, [2, 3], null), TypeError, /options/],
      [() => inp.backward(ok, [2, 3], new Float32Array(23)), RangeError, /gradOutput has length 23, expected 24/],
      [() => inp.backward(ok, [2, 3], Array.from(g)), TypeError, /gradOutput must be a Float32Array/],
    ];
    if (position === 'learned') {
      const w = inp.position.weight;
      cases.push([() => inp.forward([1], [1, 1], { out: w.subarray(0, 4) }), RangeError, /overlaps/]);
    }
    for (const [fn, Err, msg] of cases) {
      const before = snapshot(inp, out);
      assert.throws(fn, (e) => e instanceof Err && msg.test(e.message), `${position}: ${fn}`);
      assert.deepEqual(snapshot(inp, out), before, `${position}: state changed by ${fn}`);
    }
    inp.dispose();
    assert.throws(() => inp.forward(ok, [2, 3]), /disposed/);
    assert.throws(() => inp.backward(ok, [2, 3], g), /disposed/);
    assert.throws(() => inp.zeroGrad(), /disposed/);
    assert.throws(() => inp.token, /disposed/);
    inp.dispose();  // idempotent
  }
});

test('constructor errors', () => {
  const base = { vocabSize: 10, maxPositions: 8, dim: 4 };
  const cases = [
    [undefined, TypeError], [null, TypeError],
    [{ ...base, vocabSize: 0 }, RangeError], [{ ...base, maxPositions: 1.5 }, RangeError], [{ ...base, dim: '4' }, TypeError],
    [{ ...base, position: 'rope' }, RangeError, /position must be one of 'learned', 'sinusoidal', 'none'/],
    [{ ...base, position: 1 }, TypeError],
    [{ ...base, dim: 5, position: 'sinusoidal' }, RangeError, /even/],
    [{ ...base, position: 'sinusoidal', layout: 'x' }, RangeError, /layout/],
    [{ ...base, position: 'sinusoidal', base: -1 }, RangeError, /base/],
    [{ ...base, seed: -1 }, RangeError, /seed/],
    [{ ...base, paddingIdx: 10 }, RangeError, /paddingIdx/],
    [{ ...base, positionStd: -1 }, RangeError, /std/],
  ];
  for (const [opts, Err, msg = /./] of cases) {
    assert.throws(() => new InputEmbedding(opts), (e) => e instanceof Err && msg.test(e.message), JSON.stringify(opts));
  }
  // odd dim is fine without a sinusoidal table
  new InputEmbedding({ ...base, dim: 5 }).dispose();
});
