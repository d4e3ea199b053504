// Embedding: lookup and backward against independent JS references (tests/helpers/ref64.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding, ResidentArray } from '../src/js/index.js';
import { gather, scatterAdd, renorm } from './helpers/ref64.js';
import { assertClose, assertSameBits, randomFloats, randomIds } from './helpers/close.js';

await init();

test('forward equals a JS gather bit for bit, for every dim around the vector width and large ones', () => {
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 768, 1000]) {
    const n = 37;
    const w = randomFloats(n * dim, dim, 3);
    const emb = new Embedding(n, dim, { weight: w });
    const ids = randomIds(53, n, dim + 1);
    assertSameBits(emb.forward(ids), gather(w, ids, dim), `dim ${dim}`);
    emb.dispose();
  }
});

test('forward accepts every id container of the contract and gives the same rows', () => {
  const n = 50, dim = 12;
  const emb = new Embedding(n, dim, { seed: 3 });
  const ids = [0, 49, 7, 7, 3, 0];
  const want = gather(emb.weight.slice(), ids, dim);
  assertSameBits(emb.forward(Int32Array.from(ids)), want, 'Int32Array');
  assertSameBits(emb.forward(Uint32Array.from(ids)), want, 'Uint32Array');
  assertSameBits(emb.forward(BigInt64Array.from(ids, BigInt)), want, 'BigInt64Array');
  assertSameBits(emb.forward(ids), want, 'plain array');
  assertSameBits(emb.forward(ids.map(BigInt)), want, 'array of bigint');
  const rIds = new ResidentArray(Int32Array, ids.length);
  rIds.view.set(ids);
  assertSameBits(emb.forward(rIds), want, 'ResidentArray ids');
  assert.equal(emb.forward([]).length, 0);
  rIds.dispose();
  emb.dispose();
});

test('forward writes into out and returns it; without out the result is a caller-owned copy', () => {
  const emb = new Embedding(10, 4, { seed: 1 });
  const out = new Float32Array(8);
  const r = emb.forward([2, 5], out);
  assert.equal(r, out);
  assertSameBits(out, gather(emb.weight.slice(), [2, 5], 4));
  const fresh = emb.forward([2]);
  assert.notEqual(fresh.buffer, emb.weight.buffer, 'result must not be a view into wasm memory');
  fresh[0] = 1234;
  assert.notEqual(emb.weight[8], 1234);
  emb.dispose();
});

test('resident path: ids and out in wasm memory are used in place', () => {
  const n = 100, dim = 64, count = 40;
  const emb = new Embedding(n, dim, { seed: 9 });
  const ids = new ResidentArray(Int32Array, count);
  const out = new ResidentArray(Float32Array, count * dim);
  const host = randomIds(count, n, 5);
  ids.view.set(host);
  assert.equal(emb.forward(ids, out), out);
  assertSameBits(out.view, gather(emb.weight.slice(), host, dim));
  // gradOutput resident too
  const g = new ResidentArray(Float32Array, count * dim);
  g.view.set(randomFloats(count * dim, 4));
  emb.backward(ids, g);
  assertClose(emb.grad, scatterAdd(new Float64Array(n * dim), host, g.view.slice(), dim), { rtol: 1e-6, atol: 1e-7 });
  // out may not alias the table
  const before = emb.weight.slice();
  assert.throws(() => emb.forward([1], emb.weight.subarray(0, dim)), RangeError);
  assertSameBits(emb.weight, before);
  for (const r of [ids, out, g]) r.dispose();
  emb.dispose();
});

test('backward equals a float64 scatter-add within 1e-6 relative, with heavy duplicates', () => {
  const n = 300, dim = 48, count = 8192;
  const emb = new Embedding(n, dim, { seed: 2 });
  for (const [zipf, seed] of [[0, 1], [1.1, 2], [2.5, 3]]) {
    emb.zeroGrad();
    const ids = randomIds(count, n, seed, { zipf });
    const g = randomFloats(count * dim, seed + 10);
    emb.backward(ids, g);
    const want = scatterAdd(new Float64Array(n * dim), ids, g, dim);
    // one float32 rounding of the exact sum: relative error <= 2^-24 per element
    assertClose(emb.grad, want, { rtol: 1e-6, atol: 1e-30, what: `zipf ${zipf}` });
  }
  // many duplicates of ONE id: a float32 running sum would drift ~1e-4 relative here
  emb.zeroGrad();
  const ids = new Int32Array(20000).fill(7);
  const g = randomFloats(20000 * dim, 77);
  emb.backward(ids, g);
  assertClose(emb.grad.subarray(7 * dim, 8 * dim), scatterAdd(new Float64Array(n * dim), ids, g, dim).subarray(7 * dim, 8 * dim),
    { rtol: 1e-6, atol: 1e-30, what: 'single id x20000' });
  emb.dispose();
});

test('backward accumulates across calls until zeroGrad, which clears only the touched rows', () => {
  const n = 64, dim = 5;
  const emb = new Embedding(n, dim, { seed: 4 });
  let want = new Float64Array(n * dim);
  const calls = [[3, 3, 9], [9, 1], [63, 3]];
  calls.forEach((ids, k) => {
    const g = randomFloats(ids.length * dim, 20 + k);
    emb.backward(ids, g);
    want = scatterAdd(want, ids, g, dim);
  });
  assertClose(emb.grad, want, { rtol: 1e-6, atol: 1e-7 });
  assert.deepEqual(Array.from(emb.touched), [1, 3, 9, 63]);
  // A value written by hand into an untouched row survives: zeroGrad costs O(touched rows).
  emb.grad[10 * dim] = 42;
  emb.zeroGrad();
  assert.deepEqual(Array.from(emb.touched), []);
  const gr = emb.grad;
  for (let i = 0; i < n * dim; i++) if (i !== 10 * dim) assert.equal(gr[i], 0, `grad[${i}]`);
  assert.equal(gr[10 * dim], 42);
  emb.dispose();
});

test('backward is deterministic: the same inputs give the same bits; order of duplicates barely matters', () => {
  const n = 40, dim = 33, count = 3000;
  const ids = randomIds(count, n, 11, { zipf: 1.5 });
  const g = randomFloats(count * dim, 12);
  const run = (ids, g) => {
    const e = new Embedding(n, dim, { seed: 1 });
    e.backward(ids, g);
    const r = e.grad.slice();
    e.dispose();
    return r;
  };
  const a = run(ids, g);
  const b = run(ids, g);
  assertSameBits(a, b, 'repeat');
  // reversed order of the same (id, row) pairs: float64 sums then one rounding agree to 1 ulp
  const rid = ids.slice().reverse();
  const rg = new Float32Array(g.length);
  for (let i = 0; i < count; i++) rg.set(g.subarray((count - 1 - i) * dim, (count - i) * dim), i * dim);
  assertClose(run(rid, rg), a, { rtol: 1.2e-7, atol: 1e-30, what: 'reversed order' });
});

test('paddingIdx: zero row at init, forward returns it, backward never writes it; negative wraps', () => {
  const n = 20, dim = 6;
  const emb = new Embedding(n, dim, { seed: 5, paddingIdx: 4 });
  assert.equal(emb.paddingIdx, 4);
  assert.ok(emb.weight.subarray(4 * dim, 5 * dim).every((v) => v === 0));
  assert.ok(emb.weight.subarray(3 * dim, 4 * dim).some((v) => v !== 0));
  assert.ok(emb.forward([4, 4]).every((v) => v === 0));
  const ids = [4, 1, 4, 2];
  const g = randomFloats(ids.length * dim, 3);
  emb.backward(ids, g);
  assertClose(emb.grad, scatterAdd(new Float64Array(n * dim), ids, g, dim, { paddingIdx: 4 }), { rtol: 1e-6 });
  assert.deepEqual(Array.from(emb.touched), [1, 2]);
  emb.dispose();
  const neg = new Embedding(n, dim, { paddingIdx: -1 });
  assert.equal(neg.paddingIdx, n - 1);
  neg.dispose();
  // with a given weight, the padding row keeps its values (PyTorch's from_pretrained behaviour)
  const w = randomFloats(n * dim, 8);
  const given = new Embedding(n, dim, { weight: w, paddingIdx: 0 });
  assertSameBits(given.weight, w);
  given.dispose();
});

test('scaleGradByFreq divides each contribution by the id count of that call', () => {
  const n = 30, dim = 9;
  const emb = new Embedding(n, dim, { seed: 6, scaleGradByFreq: true, paddingIdx: 0 });
  let want = new Float64Array(n * dim);
  for (const [ids, seed] of [[[5, 5, 5, 2, 0, 0], 1], [[5, 7], 2]]) {
    const g = randomFloats(ids.length * dim, seed);
    emb.backward(ids, g);
    want = scatterAdd(want, ids, g, dim, { scaleByFreq: true, paddingIdx: 0 });
  }
  assertClose(emb.grad, want, { rtol: 1e-6, atol: 1e-8 });
  emb.dispose();
});

test('maxNorm renormalises looked-up rows in place before the gather, as PyTorch', () => {
  for (const p of [2, 1, 3, Infinity]) {
    const n = 12, dim = 7;
    const w = randomFloats(n * dim, 31, 2);
    const emb = new Embedding(n, dim, { weight: w, maxNorm: 1.5, normType: p });
    const ids = [3, 3, 8, 0];
    const want = renorm(w, ids, dim, 1.5, p);
    const out = emb.forward(ids);
    assertClose(emb.weight, want, { rtol: 2e-7, atol: 1e-7, what: `table p=${p}` });
    assertSameBits(out, gather(emb.weight.slice(), ids, dim), `gather after renorm p=${p}`);
    // rows not looked up are untouched
    assertSameBits(emb.weight.subarray(dim, 2 * dim), w.subarray(dim, 2 * dim));
    emb.dispose();
  }
});

test('writing into weight changes the table; weight and grad are views of length N*D', () => {
  const emb = new Embedding(8, 3, { seed: 2 });
  assert.equal(emb.weight.length, 24);
  assert.equal(emb.grad.length, 24);
  assert.ok(emb.grad.every((v) => v === 0));
  emb.weight.set([1, 2, 3], 3 * 3);
  assert.deepEqual(Array.from(emb.forward([3])), [1, 2, 3]);
  emb.dispose();
});

test('dispose: every method and view throws Error afterwards; dispose twice is fine', () => {
  const emb = new Embedding(8, 3);
  emb[Symbol.dispose]();
  emb.dispose();
  for (const f of [() => emb.forward([1]), () => emb.backward([1], new Float32Array(3)), () => emb.zeroGrad(),
    () => emb.weight, () => emb.grad, () => emb.touched]) {
    assert.throws(f, (e) => e instanceof Error && /disposed/.test(e.message));
  }
});
