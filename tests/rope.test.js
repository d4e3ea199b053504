// rope.test.js — Rope: forward/backward against a float64 reference over pairings, partial
// rotary, layouts, position modes, residency and in-place; cache precision; the RoPE
// properties; every scaling type against re-derived transformers formulas; shift; weight
// permutation; scalar vs SIMD bit-exactness; bad input leaves everything unchanged.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  init, Rope, ResidentArray, ropePermutation, permuteRopeWeight, permuteRopeFeatures, ropePrecisionReport,
} from '../src/js/index.js';
import { wasm, heap, scratch } from '../src/js/memory.js';
import { assertClose, randF32, rng, ropeRef64, plainInvFreq, scaledFreqRef } from './helpers/rope-ref.js';

await init();

const ATOL = 1e-6;  // cos/sin rounded to f32 (<= 2e-7 each) times |x| <= 1, plus output rounding
const TOL = { atol: ATOL, rtol: 1e-6 };

function posFn(mode, B, S, offset, positions) {
  if (mode === 'offset') return () => (b, s) => offset + s;
  if (mode === 'seq') return () => (b, s) => Number(positions[s]);
  return () => (b, s) => Number(positions[b * S + s]);
}

test('forward and backward match float64 over pairings, partial rotary, layouts and position modes', () => {
  const r = rng(7);
  let cases = 0;
  for (const [headDim, rotaryDim] of [[2, 2], [4, 4], [6, 6], [8, 8], [10, 6], [16, 16], [17, 10], [34, 34], [64, 32], [128, 128]]) {
    for (const interleaved of [false, true]) {
      const rope = new Rope({ headDim, rotaryDim, interleaved, maxPositions: 300, base: 500 + headDim });
      const inv = plainInvFreq(500 + headDim, rotaryDim);
      for (const layout of ['bshd', 'bhsd']) {
        for (const mode of ['offset', 'seq', 'batchseq']) {
          const B = 1 + Math.floor(r() * 3), S = 1 + Math.floor(r() * 5), H = 1 + Math.floor(r() * 3);
          const offset = mode === 'offset' ? Math.floor(r() * 290) : 0;
          const positions = mode === 'seq' ? Int32Array.from({ length: S }, () => Math.floor(r() * 300))
            : mode === 'batchseq' ? Array.from({ length: B * S }, () => Math.floor(r() * 300)) : undefined;
          const shape = layout === 'bshd' ? [B, S, H, headDim] : [B, H, S, headDim];
          const x = randF32(B * S * H * headDim, cases + 1);
          const opts = { layout, ...(positions ? { positions } : { offset }) };
          const geo = { B, S, H, D: headDim, rot: rotaryDim, layout, interleaved, posOf: posFn(mode, B, S, offset, positions)(), invFreq: inv };
          const y = rope.forward(x, shape, opts);
          assertClose(y, ropeRef64(x, geo), { ...TOL, what: `forward hd=${headDim} rot=${rotaryDim} il=${interleaved} ${layout} ${mode}` });
          const g = rope.backward(x, shape, opts);
          assertClose(g, ropeRef64(x, { ...geo, sign: -1 }), { ...TOL, what: `backward hd=${headDim} ${layout} ${mode}` });
          cases++;
        }
      }
      rope.dispose();
    }
  }
  assert.ok(cases >= 100);
});

test('BigInt64Array positions, out, in place (out === x) and resident arrays give the same result', () => {
  const rope = new Rope({ headDim: 12, rotaryDim: 8, maxPositions: 64 });
  const shape = [2, 3, 2, 12];
  const n = 2 * 3 * 2 * 12;
  const x = randF32(n, 3);
  const pos = BigInt64Array.from([5n, 9n, 63n, 0n, 1n, 2n]);
  const ref = rope.forward(x, shape, { positions: Array.from(pos, Number) });
  assert.deepEqual(rope.forward(x, shape, { positions: pos }), ref);
  const out = new Float32Array(n);
  assert.equal(rope.forward(x, shape, { positions: pos, out }), out);
  assert.deepEqual(out, ref);
  const inplace = x.slice();
  assert.equal(rope.forward(inplace, shape, { positions: pos, out: inplace }), inplace);
  assert.deepEqual(inplace, ref);
  // resident x and out, separate and in place; resident positions
  const rx = new ResidentArray(Float32Array, n);
  const ro = new ResidentArray(Float32Array, n);
  const rp = new ResidentArray(Int32Array, 6);
  rp.view.set([5, 9, 63, 0, 1, 2]);
  rx.view.set(x);
  assert.equal(rope.forward(rx, shape, { positions: rp, out: ro }), ro);
  assert.deepEqual(ro.view, ref);
  assert.deepEqual(rope.forward(rx, shape, { positions: rp }), ref);  // resident x, fresh out
  rope.forward(rx, shape, { positions: rp, out: rx });
  assert.deepEqual(rx.view, ref);
  const back = rope.backward(rx, shape, { positions: rp });
  assertClose(back, x, { atol: 1e-6, what: 'backward(forward(x))' });
  const overlap = new Float32Array(heap().buffer, rx.ptr + 4, n);
  assert.throws(() => rope.forward(rx, shape, { positions: rp, out: overlap }), RangeError);
  rx.dispose(); ro.dispose(); rp.dispose();
  rope.dispose();
});

test('cos/sin tables are within 2e-7 of float64, including positions up to 2^20', () => {
  const rope = new Rope({ headDim: 128, maxPositions: 4096 });
  const inv = plainInvFreq(10000, 128);
  assert.deepEqual(Array.from(rope.invFreq).map((v, i) => Math.abs(v - inv[i]) <= 1e-15 * inv[i]), inv.map(() => true));
  const cos = rope.cos, sin = rope.sin;
  assert.equal(cos.length, 4096 * 64);
  let worst = 0;
  for (let p = 0; p < 4096; p++) {
    for (let i = 0; i < 64; i++) {
      worst = Math.max(worst, Math.abs(cos[p * 64 + i] - Math.cos(p * inv[i])), Math.abs(sin[p * 64 + i] - Math.sin(p * inv[i])));
    }
  }
  assert.ok(worst <= 2e-7, `max error ${worst}`);
  rope.dispose();
  const big = new Rope({ headDim: 4, maxPositions: 2 ** 20, base: 10000 });
  const inv4 = plainInvFreq(10000, 4);
  const c = big.cos, s = big.sin;
  worst = 0;
  for (let p = 0; p < 2 ** 20; p += 997) {
    for (let i = 0; i < 2; i++) worst = Math.max(worst, Math.abs(c[p * 2 + i] - Math.cos(p * inv4[i])), Math.abs(s[p * 2 + i] - Math.sin(p * inv4[i])));
  }
  assert.ok(worst <= 2e-7, `max error ${worst} at large positions`);
  big.dispose();
});

test('properties: inverse, vector-Jacobian product, norms, relative positions, pairing permutation', () => {
  for (const interleaved of [false, true]) {
    const rope = new Rope({ headDim: 16, rotaryDim: 12, interleaved, maxPositions: 2048 });
    const shape = [2, 4, 3, 16];
    const n = 2 * 4 * 3 * 16;
    const x = randF32(n, 11);
    const opts = { offset: 1000 };
    // backward(forward(x)) == x
    assertClose(rope.backward(rope.forward(x, shape, opts), shape, opts), x, { atol: 1e-6, what: 'inverse' });
    // VJP: <forward(x), g> == <x, backward(g)> (forward is linear), and central finite differences
    const g = randF32(n, 12);
    const y = rope.forward(x, shape, opts);
    const bg = rope.backward(g, shape, opts);
    let lhs = 0, rhs = 0;
    for (let i = 0; i < n; i++) { lhs += y[i] * g[i]; rhs += x[i] * bg[i]; }
    assert.ok(Math.abs(lhs - rhs) <= 1e-4 * Math.abs(lhs) + 1e-5, `adjoint ${lhs} vs ${rhs}`);
    const r = rng(3);
    for (let t = 0; t < 12; t++) {
      const j = Math.floor(r() * n);
      const eps = 1e-2;
      const xp = x.slice(); xp[j] += eps;
      const xm = x.slice(); xm[j] -= eps;
      const yp = rope.forward(xp, shape, opts), ym = rope.forward(xm, shape, opts);
      let fd = 0;
      for (let i = 0; i < n; i++) fd += (yp[i] - ym[i]) * g[i];
      fd /= 2 * (Math.fround(x[j] + eps) - Math.fround(x[j] - eps)) / 2;
      assert.ok(Math.abs(fd - bg[j]) <= 2e-3, `finite difference at ${j}: ${fd} vs ${bg[j]}`);
    }
    // norms preserved per head row
    for (let row = 0; row < n / 16; row++) {
      let a = 0, b = 0;
      for (let k = 0; k < 16; k++) { a += x[row * 16 + k] ** 2; b += y[row * 16 + k] ** 2; }
      assert.ok(Math.abs(Math.sqrt(a) - Math.sqrt(b)) <= 2e-6 * Math.sqrt(a) + 1e-7, `norm of row ${row}`);
    }
    // dot(rope(q, m), rope(k, n)) depends only on m - n
    const q = randF32(16, 21), k = randF32(16, 22);
    const dotAt = (m, nn) => {
      const rq = rope.forward(q, [1, 1, 1, 16], { positions: [m] });
      const rk = rope.forward(k, [1, 1, 1, 16], { positions: [nn] });
      let d = 0;
      for (let i = 0; i < 16; i++) d += rq[i] * rk[i];
      return d;
    };
    for (const delta of [0, 1, 7, -5, 300]) {
      const ref = dotAt(600 + delta, 600);
      for (const m of [10, 333, 1500]) {
        if (m + delta < 0 || m + delta >= 2048) continue;
        assert.ok(Math.abs(dotAt(m + delta, m) - ref) <= 2e-5, `relative position ${delta} at ${m}`);
      }
    }
    rope.dispose();
  }
  // interleaved and half-split agree after the matching permutation of features
  const hs = new Rope({ headDim: 10, rotaryDim: 8, maxPositions: 100 });
  const il = new Rope({ headDim: 10, rotaryDim: 8, maxPositions: 100, interleaved: true });
  const x = randF32(3 * 2 * 10, 5);
  const toHalf = { headDim: 10, rotaryDim: 8, to: 'halfSplit' };
  const yIl = il.forward(x, [1, 3, 2, 10], { offset: 40 });
  const yHs = hs.forward(permuteRopeFeatures(x, [3, 20], toHalf), [1, 3, 2, 10], { offset: 40 });
  assert.deepEqual(permuteRopeFeatures(yIl, [3, 20], toHalf), yHs);
  assert.deepEqual(permuteRopeFeatures(yHs, [3, 20], { ...toHalf, to: 'interleaved' }), yIl);
  hs.dispose(); il.dispose();
});

test('weight permutation: a Meta (interleaved) checkpoint and its converted half-split form give the same scores', () => {
  const heads = 2, hd = 8, inF = 5, T = 4;
  const wq = randF32(heads * hd * inF, 31), wk = randF32(heads * hd * inF, 32);
  const xs = randF32(T * inF, 33);
  const proj = (w) => {  // [T, heads*hd] = x @ w^T
    const o = new Float32Array(T * heads * hd);
    for (let t = 0; t < T; t++) for (let r = 0; r < heads * hd; r++) {
      let s = 0;
      for (let c = 0; c < inF; c++) s += xs[t * inF + c] * w[r * inF + c];
      o[t * heads * hd + r] = s;
    }
    return o;
  };
  const scores = (q, k) => {
    const out = [];
    for (let h = 0; h < heads; h++) for (let a = 0; a < T; a++) for (let b = 0; b < T; b++) {
      let s = 0;
      for (let j = 0; j < hd; j++) s += q[(a * heads + h) * hd + j] * k[(b * heads + h) * hd + j];
      out.push(s);
    }
    return Float64Array.from(out);
  };
  const il = new Rope({ headDim: hd, interleaved: true, maxPositions: 32 });
  const hs = new Rope({ headDim: hd, maxPositions: 32 });
  const shape = [1, T, heads, hd];
  const meta = scores(il.forward(proj(wq), shape), il.forward(proj(wk), shape));
  const opt = { headDim: hd, to: 'halfSplit' };
  const wqH = permuteRopeWeight(wq, [heads * hd, inF], opt), wkH = permuteRopeWeight(wk, [heads * hd, inF], opt);
  const hf = scores(hs.forward(proj(wqH), shape), hs.forward(proj(wkH), shape));
  assertClose(hf, meta, { atol: 1e-5, what: 'attention scores' });
  // round trip and the documented index maps
  assert.deepEqual(permuteRopeWeight(wqH, [heads * hd, inF], { headDim: hd, to: 'interleaved' }), wq);
  assert.deepEqual(Array.from(ropePermutation(8, { to: 'halfSplit' })), [0, 2, 4, 6, 1, 3, 5, 7]);
  assert.deepEqual(Array.from(ropePermutation(6, { rotaryDim: 4, to: 'interleaved' })), [0, 2, 1, 3, 4, 5]);
  assert.throws(() => permuteRopeWeight(wq, [heads * hd, inF], { headDim: hd, to: 'neox' }), RangeError);
  assert.throws(() => permuteRopeWeight(wq, [heads * hd, inF], { headDim: 7, to: 'halfSplit' }), RangeError);
  il.dispose(); hs.dispose();
});

test('scaling types: frequencies and attention factors match transformers formulas', () => {
  const maxPositions = 8192;
  const configs = [
    { rotaryDim: 64, base: 10000, scaling: { type: 'linear', factor: 4 } },
    { rotaryDim: 128, base: 500000, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } },
    { rotaryDim: 64, base: 10000, scaling: { type: 'yarn', factor: 4, originalMaxPositions: 2048 } },
    { rotaryDim: 128, base: 1000000, scaling: { type: 'yarn', factor: 16, originalMaxPositions: 4096, betaFast: 16, betaSlow: 2, attentionFactor: 1.3 } },
    { rotaryDim: 32, base: 10000, scaling: { type: 'dynamic', factor: 2, originalMaxPositions: 1024 } },
  ];
  for (const c of configs) {
    const rope = new Rope({ headDim: c.rotaryDim, rotaryDim: c.rotaryDim, base: c.base, maxPositions, scaling: c.scaling });
    const ref = scaledFreqRef({ ...c, maxPositions }, 0);
    assertClose(rope.invFreq, ref.inv, { rtol: 1e-12, what: `${c.scaling.type} invFreq` });
    assert.ok(Math.abs(rope.attentionFactor - ref.attn) < 1e-12, `${c.scaling.type} attention factor`);
    // the attention factor is carried by cos/sin: cos(0) == attn
    assert.ok(Math.abs(rope.cos[0] - ref.attn) <= 2e-7 * ref.attn);
    // forward at a few positions matches the float64 rotation with those frequencies and scale
    const x = randF32(3 * 2 * c.rotaryDim, 9);
    const positions = [0, 1000, 8191];
    const y = rope.forward(x, [1, 3, 2, c.rotaryDim], { positions });
    const at = scaledFreqRef({ ...c, maxPositions }, 8192);  // dynamic: seqLen = highest position + 1
    const r64 = ropeRef64(x, { B: 1, S: 3, H: 2, D: c.rotaryDim, rot: c.rotaryDim, posOf: (b, s) => positions[s], invFreq: at.inv, scale: at.attn });
    assertClose(y, r64, { atol: 2e-6 * ref.attn, rtol: 1e-6, what: `${c.scaling.type} forward` });
    rope.dispose();
  }
  // llama3's three bands: high frequencies unchanged, low ones divided by factor
  const l3 = scaledFreqRef({ rotaryDim: 128, base: 500000, maxPositions, scaling: configs[1].scaling }, 0).inv;
  const plain = plainInvFreq(500000, 128);
  assert.equal(l3[0], plain[0]);
  assert.ok(Math.abs(l3[63] - plain[63] / 8) < 1e-20);
});

test('dynamic NTK: short sequences get plain RoPE, longer calls use seqLen = highest position + 1', () => {
  const scaling = { type: 'dynamic', factor: 4, originalMaxPositions: 256 };
  const rope = new Rope({ headDim: 16, maxPositions: 2048, scaling });
  const x = randF32(5 * 16, 4);
  const shape = [1, 5, 1, 16];
  const plain = plainInvFreq(10000, 16);
  const short = rope.forward(x, shape, { offset: 200 });  // highest 204 < 256: plain
  assertClose(short, ropeRef64(x, { B: 1, S: 5, H: 1, D: 16, rot: 16, posOf: (b, s) => 200 + s, invFreq: plain }), { ...TOL, what: 'short' });
  const positions = [3, 1500, 7, 900, 20];  // highest 1500 -> seqLen 1501
  const long = rope.forward(x, shape, { positions });
  const inv = scaledFreqRef({ rotaryDim: 16, base: 10000, maxPositions: 2048, scaling }, 1501).inv;
  assertClose(long, ropeRef64(x, { B: 1, S: 5, H: 1, D: 16, rot: 16, posOf: (b, s) => positions[s], invFreq: inv }), { ...TOL, what: 'long' });
  assertClose(rope.invFreq, inv, { rtol: 1e-12, what: 'invFreq after a long call' });
  // the table read afterwards is complete and consistent with the current frequencies
  const c = rope.cos;
  assert.ok(Math.abs(c[2000 * 8 + 3] - Math.cos(2000 * inv[3])) <= 2e-7);
  // and a short call again goes back to plain RoPE
  assertClose(rope.forward(x, shape, { offset: 200 }), short, { what: 'short again' });
  // backward uses the same frequencies as the matching forward
  assertClose(rope.backward(long, shape, { positions }), x, { atol: 1e-6, what: 'dynamic inverse' });
  rope.dispose();
});

test('longrope: short factors up to the original length, long factors beyond, attention factor in cos/sin', () => {
  const half = 4;
  const scaling = { type: 'longrope', originalMaxPositions: 100, shortFactor: [1, 1.5, 2, 3], longFactor: [1, 2, 4, 8] };
  const rope = new Rope({ headDim: 8, maxPositions: 400, scaling });
  const x = randF32(2 * 8, 6);
  for (const [positions, seqLen] of [[[5, 99], 100], [[5, 350], 351]]) {
    const ref = scaledFreqRef({ rotaryDim: 8, base: 10000, maxPositions: 400, scaling }, seqLen);
    assert.ok(Math.abs(ref.attn - Math.sqrt(1 + Math.log(4) / Math.log(100))) < 1e-15);
    const y = rope.forward(x, [1, 2, 1, 8], { positions });
    assertClose(y, ropeRef64(x, { B: 1, S: 2, H: 1, D: 8, rot: 8, posOf: (b, s) => positions[s], invFreq: ref.inv, scale: ref.attn }),
      { atol: 2e-6, rtol: 1e-6, what: `longrope seqLen ${seqLen}` });
  }
  assert.equal(half, 4);
  assert.throws(() => new Rope({ headDim: 8, scaling: { ...scaling, longFactor: [1, 2] } }), RangeError);
  rope.dispose();
});

test('shift rotates cached keys by a delta: shift(forward(x, m), d) == forward(x, m + d)', () => {
  for (const interleaved of [false, true]) {
    const rope = new Rope({ headDim: 12, rotaryDim: 10, interleaved, maxPositions: 6000 });
    const shape = [2, 3, 2, 12];
    const x = randF32(2 * 3 * 2 * 12, 8);
    for (const [m, d] of [[10, 5], [1000, -990], [4000, 999], [7, 0], [4990, -4990]]) {
      const k = rope.forward(x, shape, { offset: m });
      const shifted = rope.shift(k, shape, d);
      assertClose(shifted, rope.forward(x, shape, { offset: m + d }), { atol: 3e-6, what: `shift ${m} by ${d}` });
    }
    // in place, bhsd layout
    const kb = rope.forward(x, [2, 2, 3, 12], { offset: 30, layout: 'bhsd' });
    assert.equal(rope.shift(kb, [2, 2, 3, 12], -30, { layout: 'bhsd', out: kb }), kb);
    assertClose(kb, rope.forward(x, [2, 2, 3, 12], { offset: 0, layout: 'bhsd' }), { atol: 3e-6, what: 'shift in place' });
    assert.throws(() => rope.shift(x, shape, 1.5), RangeError);
    assert.throws(() => rope.shift(x, shape, '3'), TypeError);
    rope.dispose();
  }
});

test('precision report: embedkit within 2e-7 everywhere, float32 recipe much worse at large positions', () => {
  const rep = ropePrecisionReport({ rotaryDim: 128, samples: 64 });
  assert.equal(rep.length, 4);
  for (const r of rep) assert.ok(r.embedkit <= 2e-7, JSON.stringify(r));
  assert.ok(rep[3].float32 > 1e-3, 'float32 recipe error at 2^17..2^20');
  assert.ok(rep[3].float32 > 100 * rep[3].embedkit);
});

test('scalar and SIMD kernels are bit-exact over sizes around the vector width', () => {
  const ex = wasm();
  const maxRows = 40;
  for (let rot = 2; rot <= 2 * 2 * 8 + 2; rot += 2) {
    for (const headDim of [rot, rot + 1, rot + 5]) {
      for (const interleaved of [0, 1]) {
        for (const layout of [0, 1]) {
          for (const sign of [1, -1]) {
            const B = 2, S = 3, H = 2, half = rot / 2;
            const n = B * S * H * headDim;
            const s = scratch(n * 4 * 3 + maxRows * half * 8 + 64);
            const xp = s.take(n * 4), o1 = s.take(n * 4), o2 = s.take(n * 4);
            const cp = s.take(maxRows * half * 4), sp = s.take(maxRows * half * 4), pp = s.take(B * S * 4);
            const h = heap();
            h.f32.set(randF32(n, rot * 31 + headDim), xp >>> 2);
            h.f32.set(randF32(maxRows * half, 2), cp >>> 2);
            h.f32.set(randF32(maxRows * half, 3), sp >>> 2);
            h.i32.set([3, 39, 0, 17, 5, 8], pp >>> 2);
            for (const [pos, bstride, off] of [[pp, S, 0], [0, 0, 30], [0, S, 0], [pp, 0, 0]]) {
              ex.ek_rope_f32__scalar(o1, xp, cp, sp, pos, bstride, off, B, S, H, headDim, rot, layout, interleaved, sign);
              ex.ek_rope_f32__wasmsimd(o2, xp, cp, sp, pos, bstride, off, B, S, H, headDim, rot, layout, interleaved, sign);
              const a = new Uint32Array(heap().buffer, o1, n), b = new Uint32Array(heap().buffer, o2, n);
              assert.deepEqual(b, a, `rot ${rot} hd ${headDim} il ${interleaved} layout ${layout} sign ${sign}`);
            }
            // in place equals out of place
            ex.ek_rope_f32__wasmsimd(xp, xp, cp, sp, pp, S, 0, B, S, H, headDim, rot, layout, interleaved, sign);
            ex.ek_rope_f32__scalar(o1, o1, cp, sp, 0, 0, 0, 0, S, H, headDim, rot, layout, interleaved, sign);  // no-op (B = 0)
          }
        }
      }
    }
  }
});

test('bad input throws RangeError/TypeError naming the value and changes nothing', () => {
  assert.throws(() => new Rope({ headDim: 8, rotaryDim: 5 }), /rotaryDim must be even, got 5/);
  assert.throws(() => new Rope({ headDim: 8, rotaryDim: 10 }), /rotaryDim \(10\) must be <= headDim \(8\)/);
  assert.throws(() => new Rope({ headDim: 8, scaling: { type: 'ntk-by-parts' } }), RangeError);
  assert.throws(() => new Rope({ headDim: 8, scaling: { type: 'linear' } }), TypeError);
  assert.throws(() => new Rope({ headDim: 8, scaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4 } }), /originalMaxPositions/);
  assert.throws(() => new Rope({ headDim: 8, interleaved: 'yes' }), TypeError);
  const rope = new Rope({ headDim: 8, rotaryDim: 6, maxPositions: 50 });
  const shape = [2, 3, 1, 8];
  const x = randF32(48, 1);
  const out = randF32(48, 2);
  const snap = () => [x.slice(), out.slice(), rope.cos.slice(), rope.sin.slice(), rope.invFreq];
  const before = snap();
  const bad = [
    [() => rope.forward(x, [2, 3, 1, 6], { out }), /headDim 6.*headDim 8/],
    [() => rope.forward(x, [2, 3, 2, 8], { out }), /x has length 48, expected 96/],
    [() => rope.forward(x, shape, { out: new Float32Array(47) }), /out has length 47, expected 48/],
    [() => rope.forward(x, shape, { positions: [1, 2, 50], out }), /positions\[2\] = 50 is out of range \[0, 50\)/],
    [() => rope.forward(x, shape, { positions: Int32Array.from([0, 1, 2, 3, -4, 5]), out }), /positions\[4\] = -4/],
    [() => rope.forward(x, shape, { positions: [1, 2, 1.5], out }), /positions\[2\] = 1.5/],
    [() => rope.forward(x, shape, { positions: [1, 2], out }), /positions has length 2, expected seq = 3 or batch \* seq = 6/],
    [() => rope.forward(x, shape, { offset: 48, out }), /offset \+ seq = 48 \+ 3 = 51 exceeds maxPositions 50/],
    [() => rope.forward(x, shape, { offset: -1, out }), RangeError],
    [() => rope.forward(x, shape, { layout: 'sbhd', out }), /layout/],
    [() => rope.backward(x, [2, 3, 8], { out }), /4 dimensions/],
    [() => rope.backward(x, shape, { positions: [0, 1, 99], out: x }), /positions\[2\] = 99/],
    [() => rope.shift(x, shape, 3, { out: new Float32Array(3) }), RangeError],
  ];
  for (const [fn, re] of bad) {
    assert.throws(fn, re);
    const after = snap();
    after.forEach((a, k) => assert.deepEqual(a, before[k], `state ${k} changed by a throwing call`));
  }
  assert.throws(() => rope.forward(Array.from(x), shape), TypeError);
  assert.throws(() => rope.forward(x, shape, { positions: new Float32Array(3) }), TypeError);
  rope.dispose();
  assert.throws(() => rope.forward(x, shape), /disposed/);
  assert.throws(() => rope.cos, /disposed/);
});

test('yarn options: DeepSeek mscale / mscaleAllDim, truncate: false, factor from maxPositions / originalMaxPositions', () => {
  // attention factor = (0.1 * mscale * ln s + 1) / (0.1 * mscaleAllDim * ln s + 1)
  const r1 = new Rope({ headDim: 64, maxPositions: 1024, scaling: { type: 'yarn', factor: 40, originalMaxPositions: 256, mscale: 1, mscaleAllDim: 0.707 } });
  const s = 40;
  assert.ok(Math.abs(r1.attentionFactor - (0.1 * Math.log(s) + 1) / (0.1 * 0.707 * Math.log(s) + 1)) < 1e-15);
  assert.ok(Math.abs(r1.cos[0] - r1.attentionFactor) <= 2e-7 * r1.attentionFactor);
  r1.dispose();
  // factor unset: maxPositions / originalMaxPositions (transformers' DeepSeek-V3 note)
  const r2 = new Rope({ headDim: 32, maxPositions: 4096, scaling: { type: 'yarn', originalMaxPositions: 1024 } });
  assert.equal(r2.scaling.factor, 4);
  assert.ok(Math.abs(r2.attentionFactor - (0.1 * Math.log(4) + 1)) < 1e-15);
  r2.dispose();
  // truncate: false keeps the fractional ramp ends
  const d = 64, base = 10000, orig = 2048, f = 8;
  const r3 = new Rope({ headDim: d, maxPositions: 8192, scaling: { type: 'yarn', factor: f, originalMaxPositions: orig, truncate: false } });
  const dimFor = (rot) => d * Math.log(orig / (2 * Math.PI * rot)) / (2 * Math.log(base));
  const lo = Math.max(dimFor(32), 0), hi = Math.min(dimFor(1), d - 1);
  const want = plainInvFreq(base, d).map((t, i) => {
    const keep = 1 - Math.min(1, Math.max(0, (i - lo) / (hi - lo)));
    return keep * t + (1 - keep) * t / f;
  });
  assertClose(r3.invFreq, want, { rtol: 1e-12, what: 'yarn truncate false' });
  r3.dispose();
});
