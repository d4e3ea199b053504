// glove-ref.js — independent plain-JS references for GloVe (tests and bench): the co-occurrence
// count as a Map of float64 sums, and the GloVe trainer in float64, both written from the method
// documented in src/c/glove.h (Stanford's cooccur.c / glove.c). Nothing here calls embedkit.
import { Lcg } from './training-ref.js';

/**
 * Weighted co-occurrence counts: Map from i * V + j to the float64 sum, added in corpus order
 * (for each token, context words from nearest to farthest, X[c, t] then X[t, c]).
 */
export function countRef(corpus, V, { window = 15, symmetric = true, distanceWeighting = true } = {}) {
  const m = new Map();
  const add = (i, j, w) => m.set(i * V + j, (m.get(i * V + j) ?? 0) + w);
  for (let p = 0; p < corpus.length; p++) {
    const t = corpus[p];
    if (t < 0) continue;
    for (let k = 1; k <= window && p - k >= 0; k++) {
      const c = corpus[p - k];
      if (c < 0) break;
      const w = distanceWeighting ? 1 / k : 1;
      add(c, t, w);
      if (symmetric) add(t, c, w);
    }
  }
  return m;
}

/** The counts as row-major sorted arrays { rows, cols, values (float64) }. */
export function sortedEntries(m, V) {
  const keys = [...m.keys()].sort((a, b) => a - b);
  return {
    rows: keys.map((k) => Math.floor(k / V)),
    cols: keys.map((k) => k % V),
    values: keys.map((k) => m.get(k)),
  };
}

/**
 * GloVe in float64, with the generator, initialisation, shuffle and update of glove.h.
 * entries: { rows, cols, values } in row-major order (values as the float32 the trainer reads).
 */
export class GloVeRef {
  constructor(entries, V, { dim = 50, epochs = 25, xMax = 100, alpha = 0.75, lr = 0.05, gradClip = 100, seed = 1, reshuffle = false } = {}) {
    const f = Math.fround;
    this.V = V; this.dim = dim; this.epochs = epochs; this.reshuffle = reshuffle;
    this.eta = f(lr); this.clip = f(gradClip);
    this.W = new Float64Array(V * dim); this.C = new Float64Array(V * dim);
    this.bW = new Float64Array(V); this.bC = new Float64Array(V);
    this.GW = new Float64Array(V * dim).fill(1); this.GC = new Float64Array(V * dim).fill(1);
    this.gbW = new Float64Array(V).fill(1); this.gbC = new Float64Array(V).fill(1);
    const seedLo = seed % 2 ** 32, seedHi = Math.floor(seed / 2 ** 32);
    this.rng = new Lcg((seedLo ^ 0xdeece66d) >>> 0, (seedHi ^ 5) >>> 0);
    const draw = () => {
      this.rng.next();
      return f(((this.rng.hi >>> 8) / 16777216 - 0.5) / dim);
    };
    for (const [M, b] of [[this.W, this.bW], [this.C, this.bC]]) {
      for (let i = 0; i < V; i++) {
        for (let d = 0; d < dim; d++) M[i * dim + d] = draw();
        b[i] = draw();
      }
    }
    this.rec = entries.rows.map((i, k) => {
      const x = entries.values[k];
      return { i, j: entries.cols[k], logx: f(Math.log(x)), fx: x < xMax ? f(Math.pow(x / xMax, alpha)) : 1 };
    });
    this.shuffle();
    this.costs = [];
  }

  shuffle() {
    const r = this.rec;
    for (let k = r.length; k > 1; k--) {
      this.rng.next();
      const j = Math.floor((this.rng.hi * k) / 2 ** 32);
      [r[k - 1], r[j]] = [r[j], r[k - 1]];
    }
  }

  epoch() {
    const { dim, W, C, GW, GC, bW, bC, gbW, gbC, eta, clip } = this;
    let cost = 0;
    for (const { i, j, logx, fx } of this.rec) {
      let dot = 0;
      for (let d = 0; d < dim; d++) dot += W[i * dim + d] * C[j * dim + d];
      const diff = dot + bW[i] + bC[j] - logx;
      const fdiff = fx * diff;
      cost += 0.5 * fdiff * diff;
      for (let d = 0; d < dim; d++) {
        const a = i * dim + d, c = j * dim + d;
        const t1 = Math.min(Math.max(fdiff * C[c], -clip), clip) * eta;
        const t2 = Math.min(Math.max(fdiff * W[a], -clip), clip) * eta;
        W[a] -= t1 / Math.sqrt(GW[a]);
        C[c] -= t2 / Math.sqrt(GC[c]);
        GW[a] += t1 * t1;
        GC[c] += t2 * t2;
      }
      bW[i] -= fdiff / Math.sqrt(gbW[i]);
      bC[j] -= fdiff / Math.sqrt(gbC[j]);
      gbW[i] += fdiff * fdiff;
      gbC[j] += fdiff * fdiff;
    }
    this.costs.push(this.rec.length ? cost / this.rec.length : 0);
    if (this.reshuffle && this.costs.length < this.epochs) this.shuffle();
  }

  train() {
    while (this.costs.length < this.epochs) this.epoch();
    return this;
  }
}
