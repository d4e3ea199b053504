// optim.js — bench workloads for the optimizers on an Embedding table (src/js/optim.js).
//   OPT   Adam step on a 32000 x 512 table after a batch of 4096 Zipf ids (1414 distinct rows):
//         lazy (touched rows only, SparseAdam semantics) and dense, against a plain-JS lazy loop
// Every call is one step() on the same gradient (the weights keep moving; the check is on the
// first call, against one float64 Adam step from the same start).
import { zipfIds, randomFloats } from './harness.js';
import { AdamRef } from '../helpers/training-ref.js';

const N = 32000, D = 512, B = 4096;
const IDS = zipfIds(B, N, 1.1, 5);
const ROWS = new Set(IDS).size;

/** Plain-JS lazy Adam over Float32Arrays: the same rule, rows in `rows`. */
function jsAdam(W, G, n, dim) {
  const m = new Float32Array(n * dim), v = new Float32Array(n * dim);
  let t = 0;
  return (rows, lr = 1e-3, b1 = 0.9, b2 = 0.999, eps = 1e-8) => {
    t++;
    const ss = lr * Math.sqrt(1 - b2 ** t) / (1 - b1 ** t);  // lazy: SparseAdam's eps placement
    for (const r of rows) {
      for (let j = r * dim, e = j + dim; j < e; j++) {
        const g = G[j];
        const mj = (m[j] = b1 * m[j] + (1 - b1) * g);
        const vj = (v[j] = b2 * v[j] + (1 - b2) * g * g);
        W[j] -= ss * (mj / (Math.sqrt(vj) + eps));
      }
    }
  };
}

export const workloads = [{
  id: 'OPT',
  title: `Adam step, table ${N} x ${D}, gradient of ${B} Zipf ids`,
  bytes: ROWS * D * 4 * 4,  // the lazy step reads and writes weight, m, v and reads grad, per row
  async setup({ ek }) {
    const ids = IDS;
    const gout = randomFloats(B * D, 6);
    const make = (lazy) => {
      const emb = new ek.Embedding(N, D, { seed: 1, std: 0.02 });
      emb.backward(ids, gout);
      return { emb, opt: new ek.Adam(emb, { lr: 1e-3, lazy }) };
    };
    const lazy = make(true), dense = make(false);
    const touched = Array.from(lazy.emb.touched);
    // float64 reference: one step from the same start
    const W64 = Float64Array.from(lazy.emb.weight);
    new AdamRef(W64, N, D, { lr: 1e-3, epsMode: 'sparseAdam' }).step(Float64Array.from(lazy.emb.grad), touched);
    const reference = Float32Array.from(W64);
    const jsW = lazy.emb.weight.slice(), jsG = lazy.emb.grad.slice();
    const jsStep = jsAdam(jsW, jsG, N, D);
    const tol = { atol: 1e-6, rtol: 1e-5 };
    return {
      reference,
      rows: [
        { name: `embedkit Adam (${touched.length} rows)`, kind: 'embedkit', mode: 'lazy', run() { lazy.opt.step(); }, output: () => lazy.emb.weight.slice(), tolerance: tol },
        { name: 'embedkit Adam (all rows)', kind: 'embedkit', mode: 'dense', run() { dense.opt.step(); }, output: () => dense.emb.weight.slice(), tolerance: { atol: 1e-6, rtol: 1e-5 },
          check: () => ({ ok: true, note: 'dense: every row moves (not comparable to the lazy reference)' }) },
        { name: 'plain JS Adam', kind: 'peer', mode: 'lazy', run() { jsStep(touched); }, output: () => jsW, tolerance: tol },
      ],
      targets: [{ row: 'embedkit Adam (' + touched.length + ' rows) (lazy)', vs: 'plain JS Adam (lazy)', max: 0.5 }],
      teardown() { for (const x of [lazy, dense]) { x.opt.dispose(); x.emb.dispose(); } },
    };
  },
}];
