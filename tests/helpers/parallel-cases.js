// parallel-cases.js — one run of every parallel kernel through the public API, on sizes that do
// not divide evenly among threads and that are large enough to be split (see EK_PAR_MIN_WORK in
// src/c/pool.h). tests/threads.test.js runs them at 1, 2, 3 and 8 threads, in the single-thread
// build (in a worker_thread of its own) and in workers of the user's own, and requires the same
// bits everywhere (tests/threads-browser.test.js: on a page's main thread and in a module worker
// too, compared through digest()). `ek` is the imported embedkit module, after init().
import { rng } from './rng.js';

function floats(n, seed, scale = 1) {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
}

function ids(n, vocab, seed, { zipf = 0 } = {}) {
  const r = rng(seed);
  if (!zipf) return Int32Array.from({ length: n }, () => Math.floor(r() * vocab));
  // Zipf-like: heavy rows repeat a lot (the backward's hard case).
  return Int32Array.from({ length: n }, () => Math.min(vocab - 1, Math.floor(Math.pow(r(), 4) * vocab)));
}

/** name -> (ek) => { label: typed array, ... } */
export const cases = {
  lookup(ek) {
    const e = new ek.Embedding(3001, 203, { seed: 3 });
    const out = e.forward(ids(2311, 3001, 1));
    const short = e.forward(ids(7, 3001, 2));  // stays on the calling thread
    e.dispose();
    return { out, short };
  },
  lookupDtypes(ek) {
    const out = {};
    const w = floats(1201 * 256, 50);
    const id = ids(2113, 1201, 51);
    for (const dtype of ['float16', 'bfloat16', 'Q8_0', 'Q4_0']) {
      const e = new ek.Embedding(1201, 256, { weight: w, dtype });
      out[dtype] = e.forward(id);
      e.dispose();
    }
    return out;
  },
  lookupMaxNorm(ek) {
    const e = new ek.Embedding(2003, 130, { seed: 4, maxNorm: 9.5, normType: 2 });
    const a = e.forward(ids(3533, 2003, 5, { zipf: 1 }));
    const e1 = new ek.Embedding(2003, 130, { seed: 4, maxNorm: 3, normType: 1 });
    const b = e1.forward(ids(3533, 2003, 6));
    const r = { a, b, table: e.weight.slice(), table1: e1.weight.slice() };
    e.dispose();
    e1.dispose();
    return r;
  },
  backward(ek) {
    const n = 4099, dim = 157, vocab = 5003;
    const e = new ek.Embedding(vocab, dim, { seed: 5, paddingIdx: 7 });
    const id = ids(n, vocab, 7, { zipf: 1 });
    e.backward(id, floats(n * dim, 8));
    e.backward(id.subarray(0, 3001), floats(3001 * dim, 9));
    const grad = e.grad.slice();
    const touched = e.touched;
    const f = new ek.Embedding(vocab, dim, { seed: 5, scaleGradByFreq: true });
    f.backward(id, floats(n * dim, 10));
    const gradFreq = f.grad.slice();
    // zeroGrad clears exactly the touched rows
    e.zeroGrad();
    const afterZero = e.grad.slice();
    const wide = new ek.Embedding(301, 2500, { seed: 6 });  // heavy rows wider than one float64 tile
    const wid = ids(523, 301, 11, { zipf: 1 });
    wide.backward(wid, floats(523 * 2500, 12));
    const gradWide = wide.grad.slice();
    for (const x of [e, f, wide]) x.dispose();
    return { grad, touched, gradFreq, afterZero, gradWide };
  },
  inputEmbedding(ek) {
    const [batch, seq, dim] = [3, 203, 130];
    const inp = new ek.InputEmbedding({ vocabSize: 1009, maxPositions: 500, dim, seed: 8 });
    const id = ids(batch * seq, 1009, 13, { zipf: 1 });
    const fwd = inp.forward(id, [batch, seq], { offset: 17 });
    inp.backward(id, [batch, seq], floats(batch * seq * dim, 14), { offset: 17 });
    const sin = new ek.InputEmbedding({ vocabSize: 1009, maxPositions: 700, dim: 202, position: 'sinusoidal', seed: 9 });
    const fwdSin = sin.forward(ids(2 * 301, 1009, 15), [2, 301]);
    const r = { fwd, tokGrad: inp.token.grad.slice(), posGrad: inp.position.grad.slice(), posTable: sin.positionTable.slice(), fwdSin };
    inp.dispose();
    sin.dispose();
    return r;
  },
  sinusoidal(ek) {
    return {
      inter: ek.sinusoidal(3077, 98),
      concat: ek.sinusoidal(2100, 126, { layout: 'concat', offset: 999 }),
      t2t: ek.sinusoidal(1500, 200, { frequencies: 'tensor2tensor', layout: 'concat' }),
    };
  },
  rope(ek) {
    const [B, S, H, D] = [2, 301, 5, 64];
    const out = {};
    for (const interleaved of [false, true]) {
      const rope = new ek.Rope({ headDim: D, rotaryDim: 48, interleaved, maxPositions: 4099 });
      const x = floats(B * S * H * D, interleaved ? 16 : 17);
      const k = interleaved ? 'i' : 'h';
      out[`fwd_${k}`] = rope.forward(x, [B, S, H, D], { offset: 3 });
      out[`bhsd_${k}`] = rope.forward(x, [B, H, S, D], { layout: 'bhsd' });
      out[`bwd_${k}`] = rope.backward(x, [B, S, H, D], { positions: ids(S, 4099, 18) });
      out[`shift_${k}`] = rope.shift(x, [B, S, H, D], -7);
      out[`cos_${k}`] = rope.cos.slice();
      rope.dispose();
    }
    const yarn = new ek.Rope({ headDim: 32, maxPositions: 5000, scaling: { type: 'yarn', factor: 4, originalMaxPositions: 1024 } });
    out.yarnSin = yarn.sin.slice();
    yarn.dispose();
    const [b, s, nh, hd] = [2, 157, 4, 40];
    const cos = floats(200 * 20, 19), sinT = floats(200 * 20, 20);
    out.onnx = ek.rotaryEmbedding(floats(b * nh * s * hd, 21), [b, nh, s, hd], cos, sinT,
      { positionIds: ids(b * s, 200, 22), interleaved: true });
    return out;
  },
  optimizers(ek) {
    const out = {};
    for (const [name, make] of [
      ['sgd', (p) => new ek.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true })],
      ['adam', (p) => new ek.Adam(p, { lr: 0.01, weightDecay: 0.1, decoupledWeightDecay: true })],
      ['adamRows', (p) => new ek.Adam(p, { lr: 0.01, rowSteps: true })],
      ['sgdDense', (p) => new ek.SGD(p, { lr: 0.1, momentum: 0.5, lazy: false })],
    ]) {
      const e = new ek.Embedding(1501, 131, { seed: 23 });
      const opt = make(e);
      for (let step = 0; step < 3; step++) {
        const id = ids(2003, 1501, 24 + step, { zipf: 1 });
        e.backward(id, floats(2003 * 131, 30 + step));
        opt.step();
        opt.zeroGrad();
      }
      out[name] = e.weight.slice();
      opt.dispose();
      e.dispose();
    }
    return out;
  },
  neighbors(ek) {
    const n = 20011, dim = 50;
    const table = floats(n * dim, 40);
    for (let r = 0; r < 3000; r += 7) table.copyWithin((r + 10000) * dim, r * dim, (r + 1) * dim);  // equal scores: ties
    const nb = new ek.Neighbors(table, { dim });
    const r = nb.nearest(7, { k: 25 });
    const q = nb.nearest(floats(dim, 41), { k: 100, exclude: [1, 2, 3] });
    const t = nb.nearest(14, { k: 2000 });  // past the merge buffer: the one-thread path
    nb.dispose();
    const all = [...r, ...q, ...t];
    return { ids: Int32Array.from(all.map((x) => x.id)), scores: Float32Array.from(all.map((x) => x.score)) };
  },
};

/** FNV-1a of the bytes of every array of a case's result, in key order (Node and browsers alike). */
export function digest(result) {
  const out = {};
  for (const [k, v] of Object.entries(result)) {
    const b = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
    out[k] = `${v.length}:${(h >>> 0).toString(16)}`;
  }
  return out;
}
