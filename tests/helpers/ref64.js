// ref64.js — float64 references written from the definitions, independent of src/.

/** out[i, :] = table[ids[i], :] (a plain JS gather; exact, so it is compared bit for bit). */
export function gather(table, ids, dim) {
  const out = new Float32Array(ids.length * dim);
  for (let i = 0; i < ids.length; i++) {
    const r = Number(ids[i]);
    for (let j = 0; j < dim; j++) out[i * dim + j] = table[r * dim + j];
  }
  return out;
}

/**
 * grad64[ids[i], :] += scale_i * g[i, :] in float64, starting from `grad0`; padding rows skipped,
 * scale_i = 1/count(ids[i]) when scaleByFreq.
 */
export function scatterAdd(grad0, ids, g, dim, { paddingIdx = null, scaleByFreq = false } = {}) {
  const out = Float64Array.from(grad0);
  const count = new Map();
  for (const id of ids) count.set(Number(id), (count.get(Number(id)) ?? 0) + 1);
  for (let i = 0; i < ids.length; i++) {
    const r = Number(ids[i]);
    if (r === paddingIdx) continue;
    const s = scaleByFreq ? 1 / count.get(r) : 1;
    for (let j = 0; j < dim; j++) out[r * dim + j] += s * g[i * dim + j];
  }
  return out;
}

/** PyTorch's embedding_renorm_ in float64: returns the renormalised copy of the table. */
export function renorm(table, ids, dim, maxNorm, p = 2) {
  const out = Float32Array.from(table);
  for (const id of new Set(Array.from(ids, Number))) {
    let norm = 0;
    const row = out.subarray(id * dim, (id + 1) * dim);
    if (p === Infinity) for (const v of row) norm = Math.max(norm, Math.abs(v));
    else {
      for (const v of row) norm += Math.abs(v) ** p;
      norm = norm ** (1 / p);
    }
    if (norm > maxNorm) {
      const scale = Math.fround(maxNorm / (norm + 1e-7));
      for (let j = 0; j < dim; j++) row[j] = Math.fround(row[j] * scale);
    }
  }
  return out;
}
