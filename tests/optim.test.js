// optim.test.js — SGD and Adam on Embedding tables (src/c/optim.c via src/js/optim.js) against
// float64 references of PyTorch's update rules over several steps, lazy (touched rows only)
// and dense; SIMD vs scalar bits; error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding, SGD, Adam } from '../src/js/index.js';
import { wasm, heap, alloc, free } from '../src/js/memory.js';
import { SgdRef, AdamRef } from './helpers/training-ref.js';

await init();

function lcg(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Run `steps` steps of opt and ref on the same random sparse gradients; returns max |diff|. */
function runBoth({ n = 23, dim, make, makeRef, lazy, steps = 6, seed = 1 }) {
  const emb = new Embedding(n, dim, { seed, paddingIdx: 2 });
  const W64 = Float64Array.from(emb.weight);
  const opt = make(emb);
  const ref = makeRef(W64, n, dim);
  const rnd = lcg(seed * 977);
  const untouchedEver = new Set(Array.from({ length: n }, (_, i) => i));
  const w0 = emb.weight.slice();
  for (let s = 0; s < steps; s++) {
    const nIds = 1 + Math.floor(rnd() * 8);
    const ids = Array.from({ length: nIds }, () => Math.floor(rnd() * (n - 3)));  // rows n-3.. never touched
    const g = new Float32Array(nIds * dim).map(() => rnd() * 2 - 1);
    emb.backward(ids, g);
    const touched = Array.from(emb.touched);
    for (const r of touched) untouchedEver.delete(r);
    const G = Float64Array.from(emb.grad);
    opt.step();
    ref.step(G, lazy ? touched : null);
    opt.zeroGrad();
  }
  let max = 0;
  const w = emb.weight;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i] - W64[i]));
  const untouchedSame = [...untouchedEver].every((r) => {
    for (let j = r * dim; j < (r + 1) * dim; j++) if (!Object.is(w[j], w0[j])) return false;
    return true;
  });
  const out = { max, untouchedSame, untouched: untouchedEver.size, opt, emb };
  return out;
}

const SGD_CASES = [
  { lr: 0.1 },
  { lr: 0.05, weightDecay: 0.1 },
  { lr: 0.05, momentum: 0.9 },
  { lr: 0.05, momentum: 0.9, dampening: 0.3, weightDecay: 0.01 },
  { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 },
];

for (const lazy of [true, false]) {
  test(`SGD (${lazy ? 'lazy' : 'dense'}) matches the float64 PyTorch rule over several steps`, () => {
    for (const o of SGD_CASES) {
      for (const dim of [1, 3, 4, 7, 8, 9, 16, 33]) {
        const r = runBoth({
          dim, lazy, make: (e) => new SGD(e, { ...o, lazy }), makeRef: (W, n, d) => new SgdRef(W, n, d, o),
        });
        assert.ok(r.max < 2e-6, `${JSON.stringify(o)} dim ${dim}: max diff ${r.max}`);
        assert.ok(r.untouched >= 3);
        const decays = (o.weightDecay ?? 0) > 0;
        if (lazy || !decays) assert.ok(r.untouchedSame, `${JSON.stringify(o)}: rows without gradient must not move`);
        else assert.ok(!r.untouchedSame, 'dense weight decay moves every row');
        r.opt.dispose();
        r.emb.dispose();
      }
    }
  });
}

const ADAM_CASES = [
  { lr: 0.01 },
  { lr: 0.02, betas: [0.8, 0.99], eps: 1e-6 },
  { lr: 0.01, weightDecay: 0.1 },
  { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true },
  { lr: 0.01, rowSteps: true },
];

for (const lazy of [true, false]) {
  test(`Adam (${lazy ? 'lazy' : 'dense'}, both eps placements) matches the float64 PyTorch rule over several steps`, () => {
    // default epsMode: 'sparseAdam' (torch.optim.SparseAdam) when lazy, 'adam' (torch.optim.Adam) when dense
    for (const epsMode of [undefined, 'sparseAdam', 'adam']) {
      for (const o of ADAM_CASES) {
        if (!lazy && o.rowSteps) continue;
        const mode = epsMode ?? (lazy ? 'sparseAdam' : 'adam');
        for (const dim of [1, 3, 4, 5, 8, 9, 17, 64]) {
          const r = runBoth({
            dim, lazy, steps: 8, make: (e) => new Adam(e, { ...o, lazy, ...(epsMode ? { epsMode } : {}) }),
            makeRef: (W, n, d) => new AdamRef(W, n, d, { ...o, epsMode: mode }),
          });
          assert.equal(r.opt.options.epsMode, mode);
          assert.ok(r.max < 2e-6, `${JSON.stringify(o)} ${mode} dim ${dim}: max diff ${r.max}`);
          if (lazy) assert.ok(r.untouchedSame, `${JSON.stringify(o)}: rows without gradient must not move`);
          r.opt.dispose();
          r.emb.dispose();
        }
      }
    }
  });
}

test('lazy Adam: the global step count vs rowSteps differ exactly as documented', () => {
  // Row 0 gets gradient at steps 1..3, row 1 only at step 3: with the global count row 1's
  // first update uses t = 3, with rowSteps t = 1 (a full-size first Adam step of lr * sign(g)).
  const run = (rowSteps) => {
    const emb = new Embedding(2, 1, { weight: new Float32Array([0, 0]) });
    const opt = new Adam(emb, { lr: 0.1, rowSteps });
    for (let s = 1; s <= 3; s++) {
      emb.backward(s === 3 ? [0, 1] : [0], new Float32Array(s === 3 ? [1, 1] : [1]));
      opt.step();
      opt.zeroGrad();
    }
    const st = opt.state(0);
    const out = { w1: emb.weight[1], steps: Array.from(st.rowSteps) };
    opt.dispose();
    emb.dispose();
    return out;
  };
  const g = run(false), r = run(true);
  assert.deepEqual(g.steps, [3, 1]);
  assert.deepEqual(r.steps, [3, 1]);
  assert.ok(Math.abs(r.w1 - -0.1) < 1e-6, `rowSteps first step ${r.w1}`);
  // global t = 3: m = 0.1, v = 0.001; SparseAdam's step = (0.1 sqrt(1 - 0.999^3) / (1 - 0.9^3)) * 0.1 / (sqrt(0.001) + eps)
  const want = -(0.1 * Math.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3)) * 0.1 / (Math.sqrt(0.001) + 1e-8);
  assert.ok(Math.abs(g.w1 - want) < 1e-6, `global-count step ${g.w1} vs ${want}`);
});

test('SGD and Adam kernels: SIMD and scalar give the same bits (dims 1..17, 100)', () => {
  const ex = wasm();
  const rnd = lcg(42);
  for (const dim of [...Array.from({ length: 17 }, (_, i) => i + 1), 100]) {
    const n = 5, sz = n * dim;
    const init = Float32Array.from({ length: sz * 4 }, () => rnd() * 2 - 1);
    const outs = [];
    for (const variant of ['__scalar', '__wasmsimd']) {
      const p = alloc(sz * 4 * 4 + n * 4 + 8 * 4);
      const w = p, g = p + sz * 4, a = p + sz * 8, b = p + sz * 12, steps = p + sz * 16, rows = steps + n * 4;
      heap().f32.set(init, p >>> 2);
      for (let i = 0; i < sz; i++) heap().f32[(b >>> 2) + i] = Math.abs(heap().f32[(b >>> 2) + i]);  // v >= 0
      heap().i32.fill(0, steps >>> 2, (steps >>> 2) + n);
      heap().i32.set([3, 0, 4], rows >>> 2);
      for (let k = 0; k < 3; k++) {
        ex[`ek_sgd_rows_f32${variant}`](w, a, steps, g, rows, 3, n, dim, 0.1, 0.9, 0.1, 0.01, k & 1);
        ex[`ek_adam_rows_f32${variant}`](w, a, b, steps, g, 0, 0, n, dim, 0.01, 0.9, 0.999, 1e-8, 0.1, k & 1, 0, k + 1);
        ex[`ek_adam_rows_f32${variant}`](w, a, b, steps, g, rows, 3, n, dim, 0.01, 0.9, 0.999, 1e-3, 0.1, k & 1, 1, k + 1);
      }
      outs.push(heap().f32.slice(p >>> 2, (p >>> 2) + sz * 4));
      free(p);
    }
    assert.deepEqual(outs[0], outs[1], `dim ${dim}`);
  }
});

test('several Embeddings in one optimizer; errors change nothing', () => {
  const a = new Embedding(4, 3, { seed: 1 }), b = new Embedding(5, 2, { seed: 2 });
  const opt = new SGD([a, b], { lr: 1 });
  a.backward([1], new Float32Array([1, 1, 1]));
  b.backward([4], new Float32Array([2, 2]));
  const a0 = a.weight.slice(), b0 = b.weight.slice();
  opt.step();
  assert.deepEqual(Array.from(a.weight.subarray(3, 6)), Array.from(a0.subarray(3, 6), (x) => Math.fround(x - 1)));
  assert.deepEqual(Array.from(b.weight.subarray(8, 10)), Array.from(b0.subarray(8, 10), (x) => Math.fround(x - 2)));
  assert.equal(opt.stepCount, 1);
  opt.zeroGrad();
  assert.equal(a.touched.length, 0);
  assert.equal(b.touched.length, 0);

  const bad = [
    [() => new SGD(a, { lr: -1 }), RangeError],
    [() => new SGD(a, { lr: NaN }), RangeError],
    [() => new SGD(a, { nesterov: true }), RangeError],
    [() => new SGD(a, { momentum: 0.9, nesterov: true, dampening: 0.1 }), RangeError],
    [() => new SGD(a, { lazy: 'yes' }), TypeError],
    [() => new SGD([], {}), TypeError],
    [() => new SGD([a, a], {}), RangeError],
    [() => new SGD({}, {}), TypeError],
    [() => new Adam(a, { betas: [0.9] }), TypeError],
    [() => new Adam(a, { betas: [1, 0.9] }), RangeError],
    [() => new Adam(a, { eps: -1 }), RangeError],
    [() => new Adam(a, { rowSteps: 1 }), TypeError],
    [() => new Adam(a, { epsMode: 1 }), TypeError],
    [() => new Adam(a, { epsMode: 'SparseAdam' }), RangeError],
    [() => new Adam(a, { epsMode: 'toString' }), RangeError],
  ];
  for (const [f, E] of bad) assert.throws(f, E);
  const w = a.weight.slice();
  opt.dispose();
  assert.throws(() => opt.step(), /disposed/);
  assert.deepEqual(a.weight.slice(), w);
  const o2 = new Adam(b);
  b.dispose();
  assert.throws(() => o2.step(), /disposed/);
  o2.dispose();
  a.dispose();
});

test('an InputEmbedding stands for its learned tables', async () => {
  const { InputEmbedding } = await import('../src/js/index.js');
  const inp = new InputEmbedding({ vocabSize: 6, maxPositions: 4, dim: 3, position: 'learned', seed: 1 });
  const opt = new SGD(inp, { lr: 0.5 });
  assert.deepEqual(opt.params, [inp.token, inp.position]);
  const t0 = inp.token.weight.slice(), p0 = inp.position.weight.slice();
  inp.backward([5, 1], [1, 2], new Float32Array(6).fill(1));
  opt.step();
  assert.deepEqual(Array.from(inp.token.weight.subarray(15, 18)), Array.from(t0.subarray(15, 18), (x) => Math.fround(x - 0.5)));
  assert.deepEqual(Array.from(inp.position.weight.subarray(3, 6)), Array.from(p0.subarray(3, 6), (x) => Math.fround(x - 0.5)));
  assert.deepEqual(Array.from(inp.token.weight.subarray(0, 3)), Array.from(t0.subarray(0, 3)));
  opt.dispose();
  const sin = new InputEmbedding({ vocabSize: 6, maxPositions: 4, dim: 4, position: 'sinusoidal' });
  const o2 = new Adam(sin);
  assert.deepEqual(o2.params, [sin.token]);
  o2.dispose();
  sin.dispose();
  inp.dispose();
});
