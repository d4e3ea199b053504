// positions-ref.js — float64 references for sinusoidal tables and InputEmbedding, written from
// the formulas (Vaswani et al. 2017 §3.5; tensor2tensor get_timing_signal_1d; API.md), not from
// embedkit's code.

/** Paper frequencies base^(-2i/dim), i < dim/2. */
export function paperFreqs(dim, base = 10000) {
  const f = new Float64Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) f[i] = 1 / base ** ((2 * i) / dim);
  return f;
}

/** tensor2tensor: minTs * exp(-i * ln(maxTs/minTs) / max(n - 1, 1)). */
export function t2tFreqs(dim, minTs = 1, maxTs = 10000) {
  const n = dim / 2;
  const inc = Math.log(maxTs / minTs) / Math.max(n - 1, 1);
  const f = new Float64Array(n);
  for (let i = 0; i < n; i++) f[i] = minTs * Math.exp(-i * inc);
  return f;
}

/** Rows `rows` (positions offset + r) of the table in float64, both layouts. */
export function sinusoidalRef(rows, dim, { freqs, offset = 0, layout = 'interleaved' }) {
  const h = dim / 2;
  const out = new Float64Array(rows.length * dim);
  rows.forEach((r, k) => {
    const p = offset + r;
    for (let i = 0; i < h; i++) {
      const a = p * freqs[i];
      if (layout === 'concat') {
        out[k * dim + i] = Math.sin(a);
        out[k * dim + h + i] = Math.cos(a);
      } else {
        out[k * dim + 2 * i] = Math.sin(a);
        out[k * dim + 2 * i + 1] = Math.cos(a);
      }
    }
  });
  return out;
}

/** Max |a - b| over the rows `rows` of table `t` (dim columns) vs ref (rows.length x dim). */
export function maxDiffRows(t, rows, dim, ref) {
  let m = 0, at = -1;
  rows.forEach((r, k) => {
    for (let j = 0; j < dim; j++) {
      const d = Math.abs(t[r * dim + j] - ref[k * dim + j]);
      if (!(d <= m)) { m = d; at = r * dim + j; }
    }
  });
  return { max: m, at };
}

/** Float64 InputEmbedding forward: out[b,s] = tok[ids[b,s]] + pos[offset + s] (pos may be null). */
export function inputForwardRef(tok, pos, ids, batch, seq, dim, offset = 0) {
  const out = new Float64Array(batch * seq * dim);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const i = b * seq + s, id = Number(ids[i]);
      for (let j = 0; j < dim; j++) {
        out[i * dim + j] = tok[id * dim + j] + (pos ? pos[(offset + s) * dim + j] : 0);
      }
    }
  }
  return out;
}

/** Float64 InputEmbedding backward: the token and position gradient tables (added to copies). */
export function inputBackwardRef(tokGrad, posGrad, ids, batch, seq, dim, g, offset = 0) {
  const tg = Float64Array.from(tokGrad), pg = posGrad ? Float64Array.from(posGrad) : null;
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      const i = b * seq + s, id = Number(ids[i]);
      for (let j = 0; j < dim; j++) {
        tg[id * dim + j] += g[i * dim + j];
        if (pg) pg[(offset + s) * dim + j] += g[i * dim + j];
      }
    }
  }
  return { tok: tg, pos: pg };
}
