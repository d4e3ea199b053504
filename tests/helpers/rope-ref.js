// rope-ref.js — float64 references for the RoPE tests, written from the formulas (not from
// embedkit's code): the rotation, the ONNX RotaryEmbedding semantics, and transformers' rope
// scaling types. Also a small seeded generator and a tolerance check that reports the worst
// element.

// The seeded generator and the tolerance check are the shared ones from close.js.
export { rng, randomFloats as randF32, assertClose } from './close.js';

/**
 * Rotate in float64. x: array in `layout` ('bshd' | 'bhsd') with dims B,S,H,D; posOf(b, s) is
 * the position; angle(p, i) -> radians; scale multiplies cos and sin; sign -1 = inverse.
 */
export function ropeRef64(x, { B, S, H, D, rot, layout = 'bshd', interleaved = false, posOf, invFreq, scale = 1, sign = 1 }) {
  const y = Float64Array.from(x);
  const half = rot / 2;
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const p = posOf(b, s);
      for (let h = 0; h < H; h++) {
        const base = layout === 'bshd' ? ((b * S + s) * H + h) * D : ((b * H + h) * S + s) * D;
        for (let i = 0; i < half; i++) {
          const th = p * invFreq[i];
          const c = scale * Math.cos(th);
          const sn = sign * scale * Math.sin(th);
          const ia = interleaved ? base + 2 * i : base + i;
          const ib = interleaved ? base + 2 * i + 1 : base + i + half;
          const xa = x[ia], xb = x[ib];
          y[ia] = xa * c - xb * sn;
          y[ib] = xa * sn + xb * c;
        }
      }
    }
  }
  return y;
}

/** base^(-2i/dim) in float64. */
export function plainInvFreq(base, dim) {
  return Array.from({ length: dim / 2 }, (_, i) => Math.pow(base, -(2 * i) / dim));
}

/**
 * The ONNX RotaryEmbedding-23 reference (onnx/reference/ops/op_rotary_embedding.py) in float64:
 * normalise to [b, s, h, d], gather caches, rotate, restore the layout.
 */
export function onnxRef64(x, shape, cos, sin, { positionIds = null, interleaved = false, numHeads = 0, rotaryEmbeddingDim = 0 }) {
  let B, S, H, D;
  const four = shape.length === 4;
  if (four) [B, H, S, D] = shape;
  else { [B, S] = shape; H = numHeads; D = shape[2] / numHeads; }
  const rot = rotaryEmbeddingDim || D;
  const half = rot / 2;
  const y = Float64Array.from(x);
  const idx = (b, s, h, d) => (four ? ((b * H + h) * S + s) * D + d : ((b * S + s) * H + h) * D + d);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const row = positionIds ? Number(positionIds[b * S + s]) : b * S + s;
      for (let h = 0; h < H; h++) {
        for (let i = 0; i < half; i++) {
          const c = cos[row * half + i], sn = sin[row * half + i];
          const ia = idx(b, s, h, interleaved ? 2 * i : i);
          const ib = idx(b, s, h, interleaved ? 2 * i + 1 : i + half);
          y[ia] = c * x[ia] - sn * x[ib];
          y[ib] = sn * x[ia] + c * x[ib];
        }
      }
    }
  }
  return y;
}

// ---- transformers' rope types, re-derived from their definitions ------------------------------

/** { inv: number[], attn } for the scaling option shapes of embedkit's Rope, at seqLen. */
export function scaledFreqRef({ rotaryDim: d, base, maxPositions, scaling }, seqLen) {
  const half = d / 2;
  const expo = (i) => (2 * i) / d;
  const t = scaling?.type ?? 'default';
  if (t === 'default') return { inv: plainInvFreq(base, d), attn: 1 };
  if (t === 'linear') return { inv: plainInvFreq(base, d).map((f) => f / scaling.factor), attn: 1 };
  if (t === 'dynamic') {
    const orig = scaling.originalMaxPositions ?? maxPositions;
    const L = Math.max(seqLen, orig);
    // NTK-aware: theta' = theta * (s*L/orig - (s-1))^(d/(d-2))
    const b2 = base * Math.pow(scaling.factor * L / orig - scaling.factor + 1, d / (d - 2));
    return { inv: plainInvFreq(b2, d), attn: 1 };
  }
  if (t === 'yarn') {
    const orig = scaling.originalMaxPositions ?? maxPositions;
    const s = scaling.factor;
    const bf = scaling.betaFast ?? 32, bs = scaling.betaSlow ?? 1;
    const attn = scaling.attentionFactor ?? (s > 1 ? 1 + 0.1 * Math.log(s) : 1);
    // dimension index (of d) whose wavelength 2*pi*base^(x/d) fits `r` turns into orig
    const dimFor = (r) => d * Math.log(orig / (2 * Math.PI * r)) / (2 * Math.log(base));
    const lo = Math.max(Math.floor(dimFor(bf)), 0);
    let hi = Math.min(Math.ceil(dimFor(bs)), d - 1);
    if (hi === lo) hi += 0.001;
    const inv = [];
    for (let i = 0; i < half; i++) {
      const theta = Math.pow(base, -expo(i));
      const gamma = 1 - Math.min(1, Math.max(0, (i - lo) / (hi - lo)));  // 1: keep, 0: interpolate
      inv.push(gamma * theta + (1 - gamma) * theta / s);
    }
    return { inv, attn };
  }
  if (t === 'llama3') {
    const { factor, lowFreqFactor: lf, highFreqFactor: hf, originalMaxPositions: L0 } = scaling;
    const inv = plainInvFreq(base, d).map((f) => {
      const wl = 2 * Math.PI / f;
      if (wl < L0 / hf) return f;
      if (wl > L0 / lf) return f / factor;
      const sm = (L0 / wl - lf) / (hf - lf);
      return (1 - sm) * f / factor + sm * f;
    });
    return { inv, attn: 1 };
  }
  if (t === 'longrope') {
    const orig = scaling.originalMaxPositions ?? maxPositions;
    const s = scaling.factor ?? maxPositions / orig;
    const ext = seqLen > orig ? scaling.longFactor : scaling.shortFactor;
    const attn = scaling.attentionFactor ?? (s <= 1 ? 1 : Math.sqrt(1 + Math.log(s) / Math.log(orig)));
    return { inv: plainInvFreq(base, d).map((f, i) => f / ext[i]), attn };
  }
  throw new Error(`no reference for ${t}`);
}
