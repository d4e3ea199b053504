// parallel-cases.js — one run of every parallel kernel through the public API, on sizes that do
// not divide evenly among threads and that are large enough to be split (see EK_PAR_MIN_WORK in
// src/c/pool.h). tests/threads.test.js runs them at 1, 2, 3 and 8 threads, in the single-thread
// build (in a worker_thread of its own) and in workers of the user's own, and requires the same
// bits everywhere. `ek` is the imported embedkit module, after init().
import { rng } from './close.js';

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
};
