// Storage dtypes of Embedding (float16, bfloat16, Q8_0, Q4_0, Q4_K, Q6_K) and inference-only
// tables. References: independent JS conversions written from the IEEE definitions (exhaustive
// over all 65536 float16 / bfloat16 bit patterns), numpy / torch casts and the `gguf` package's
// numpy ports of ggml's quantize/dequantize routines (tests/fixtures/dtype/generate.py).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, Embedding, InputEmbedding, Neighbors, ResidentArray, SGD, Adam } from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { assertSameBits, randomFloats, randomIds, rng } from './helpers/close.js';
import { put } from './helpers/heap.js';

await init();
const ex = wasm();
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/dtype/quant.json', import.meta.url), 'utf8'));
const fromB64 = (s, T) => {
  const b = Buffer.from(s, 'base64');
  const u = new Uint8Array(b.length);
  u.set(b);
  return new T(u.buffer);
};

// ---- independent references --------------------------------------------------------------------

const F = new Float32Array(1), U = new Uint32Array(F.buffer);
const bitsOf = (x) => { F[0] = x; return U[0]; };

/** float16 bits -> float32 bits, from the binary16 definition (value formula, NaN payload kept). */
function halfToBits(h) {
  const sign = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023;
  if (e === 31 && m !== 0) return (((h & 0x8000) << 16) | 0x7f800000 | (m << 13)) >>> 0;
  const v = e === 31 ? sign * Infinity : e === 0 ? sign * m * 2 ** -24 : sign * (1 + m / 1024) * 2 ** (e - 15);
  return bitsOf(v);
}
/** bfloat16 bits -> float32 bits, from the value formula (8-bit exponent, 7-bit mantissa). */
function bf16ToBits(h) {
  const sign = h & 0x8000 ? -1 : 1, e = (h >> 7) & 255, m = h & 127;
  if (e === 255 && m !== 0) return (h << 16) >>> 0;
  const v = e === 255 ? sign * Infinity : e === 0 ? sign * m * 2 ** -133 : sign * (1 + m / 128) * 2 ** (e - 127);
  return bitsOf(v);
}

// The non-negative finite half values in bit order (monotonic), for round-to-nearest by search.
const HALF = Float64Array.from({ length: 0x7c00 }, (_, h) => (h >> 10 ? (1 + (h & 1023) / 1024) * 2 ** ((h >> 10) - 15) : h * 2 ** -24));
/** float32 value -> float16 bits: nearest half, ties to the even pattern, >= 65520 -> inf. */
function toHalfRef(x) {
  const u = bitsOf(x), sign = (u >>> 16) & 0x8000;
  if (Number.isNaN(x)) return sign | 0x7e00 | ((u >>> 13) & 0x3ff);
  const a = Math.abs(x);
  let lo = 0, hi = 0x7bff;
  while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (HALF[mid] <= a) lo = mid; else hi = mid - 1; }
  if (HALF[lo] === a) return sign | lo;
  const up = lo === 0x7bff ? 65536 : HALF[lo + 1];  // beyond the largest half: the next binade step
  const dl = a - HALF[lo], du = up - a;
  const h = dl < du ? lo : du < dl ? lo + 1 : (lo & 1 ? lo + 1 : lo);
  return sign | Math.min(h, 0x7c00);
}
/** float32 value -> bfloat16 bits: nearest of the two truncations, ties to even. */
function toBf16Ref(x) {
  const u = bitsOf(x);
  if (Number.isNaN(x)) return ((u >>> 16) | 0x40) & 0xffff;
  const lo = u >>> 16, sign = lo & 0x8000, m = lo & 0x7fff;
  const val = (b) => (b === 0x7f80 ? 2 ** 128 : Math.abs(bf16Value(b)));
  const dl = Math.abs(x) - val(m), du = val(m + 1) - Math.abs(x);
  if (dl === 0) return lo;
  return sign | (dl < du ? m : du < dl ? m + 1 : (m & 1 ? m + 1 : m));
}
function bf16Value(h) { F[0] = 0; U[0] = (h << 16) >>> 0; return F[0]; }

// ---- float16 / bfloat16 ------------------------------------------------------------------------

const ALL16 = Uint16Array.from({ length: 65536 }, (_, i) => i);

test('float16 and bfloat16 lookups widen all 65536 bit patterns exactly (NaN payloads, inf, subnormals, -0)', () => {
  for (const [dtype, ref] of [['float16', halfToBits], ['bfloat16', bf16ToBits]]) {
    const emb = new Embedding(1, 65536, { dtype, weight: ALL16 });
    const got = new Uint32Array(emb.forward([0]).buffer);
    for (let h = 0; h < 65536; h++) {
      if (got[h] !== ref(h)) assert.fail(`${dtype} 0x${h.toString(16)}: got 0x${got[h].toString(16)}, expected 0x${ref(h).toString(16)}`);
    }
    // The stored bytes are the bits given, little-endian.
    assert.deepEqual(new Uint16Array(emb.bytes.slice().buffer), ALL16);
    emb.dispose();
  }
});

test('float32 -> float16 / bfloat16 round to nearest even (boundaries, ties, overflow, subnormals, NaN)', () => {
  const vals = [];
  // every finite half, the midpoints between neighbours (ties) and the floats just beside them
  for (let h = 0; h < 0x7c00; h++) {
    const a = HALF[h], b = h === 0x7bff ? 65536 : HALF[h + 1];
    const mid = (a + b) / 2;
    F[0] = mid; const mu = U[0];
    vals.push(a, -a, mid, -mid);
    U[0] = mu + 1; vals.push(F[0]);
    U[0] = mu - 1; vals.push(F[0]);
  }
  const r = rng(5);
  for (let i = 0; i < 200000; i++) { U[0] = (r() * 2 ** 32) >>> 0; vals.push(F[0]); }
  vals.push(Infinity, -Infinity, 65519.99, 65520, 1e30, 2 ** -25, 2 ** -26, 1e-45);
  const x = Float32Array.from(vals);
  // signalling and quiet NaNs with payloads
  const xu = new Uint32Array(x.buffer);
  const nanBits = [0x7f800001, 0xff800001, 0x7fc00000, 0x7fa00000, 0xffffffff, 0x7f802000];
  nanBits.forEach((b, i) => { xu[i] = b; });
  const f16 = new Embedding(1, x.length, { dtype: 'float16', weight: x, requiresGrad: false });
  const bf16 = new Embedding(1, x.length, { dtype: 'bfloat16', weight: x });
  const h = new Uint16Array(f16.bytes.slice().buffer), b = new Uint16Array(bf16.bytes.slice().buffer);
  for (let i = 0; i < x.length; i++) {
    F[0] = 0; U[0] = xu[i]; const v = F[0];
    if (h[i] !== toHalfRef(v)) assert.fail(`float16 of ${v} (0x${xu[i].toString(16)}): got 0x${h[i].toString(16)}, expected 0x${toHalfRef(v).toString(16)}`);
    if (b[i] !== toBf16Ref(v)) assert.fail(`bfloat16 of ${v} (0x${xu[i].toString(16)}): got 0x${b[i].toString(16)}, expected 0x${toBf16Ref(v).toString(16)}`);
  }
  f16.dispose(); bf16.dispose();
});

test('float32 -> float16 / bfloat16 equal numpy / torch casts (fixture)', () => {
  const c = fixtures.convert;
  const x = fromB64(c.input, Float32Array);
  for (const dtype of ['float16', 'bfloat16']) {
    const e = new Embedding(1, x.length, { dtype, weight: x });
    assert.deepEqual(new Uint16Array(e.bytes.slice().buffer), fromB64(c[dtype], Uint16Array), dtype);
    e.dispose();
  }
});

// ---- ggml block formats ----------------------------------------------------------------------------

const GATHER = { float16: 'f16', bfloat16: 'bf16', Q8_0: 'q8_0', Q4_0: 'q4_0', Q4_K: 'q4_k', Q6_K: 'q6_k' };

test('Q8_0, Q4_0, Q4_K, Q6_K lookups equal gguf-py\'s dequantize bit for bit; Q8_0 / Q4_0 quantize as gguf-py', () => {
  for (const dtype of ['Q8_0', 'Q4_0', 'Q4_K', 'Q6_K']) {
    const f = fixtures[dtype];
    const bytes = fromB64(f.bytes, Uint8Array), want = fromB64(f.output, Float32Array);
    const e = new Embedding(f.rows, f.dim, { dtype, weight: bytes });
    assert.equal(e.byteLength, bytes.length);
    const ids = Int32Array.from({ length: f.rows }, (_, i) => i);
    assertSameBits(e.forward(ids), want, `${dtype} dequantize`);
    // rows in another order, with repeats
    const perm = Int32Array.from([f.rows - 1, 0, 2, 0, 1]);
    const got = e.forward(perm);
    perm.forEach((r, i) => assertSameBits(got.subarray(i * f.dim, (i + 1) * f.dim), want.subarray(r * f.dim, (r + 1) * f.dim), `${dtype} row ${r}`));
    if (f.input) {
      const q = new Embedding(f.rows, f.dim, { dtype, weight: fromB64(f.input, Float32Array) });
      assert.deepEqual(q.bytes.slice(), bytes, `${dtype} quantize`);
      q.dispose();
    }
    e.dispose();
  }
});

test('decode kernels: dispatcher, __wasmsimd and __scalar agree on random bytes for many row lengths', () => {
  const sizes = { float16: [1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 768], Q8_0: [32, 64, 96, 768], Q4_0: [32, 64, 160, 768],
    Q4_K: [256, 512, 768], Q6_K: [256, 512, 768] };
  sizes.bfloat16 = sizes.float16;
  const r = rng(9);
  for (const [dtype, dims] of Object.entries(sizes)) {
    for (const dim of dims) {
      const n = 7, count = 13;
      const e = new Embedding(n, dim, { dtype, weight: randomBytes(n, dim, dtype, r) });
      const stored = e.bytes.slice();
      const ids = randomIds(count, n, dim);
      const pt = put(stored), pi = put(ids);
      const outs = ['', '__wasmsimd', '__scalar'].map((v) => {
        const po = alloc(count * dim * 4);
        ex[`ek_gather_rows_${GATHER[dtype]}${v}`](po, pt, pi, count, dim);
        const o = new Float32Array(heap().buffer, po, count * dim).slice();
        free(po);
        return o;
      });
      assertSameBits(outs[0], outs[2], `${dtype} dispatcher dim ${dim}`);
      assertSameBits(outs[1], outs[2], `${dtype} wasmsimd dim ${dim}`);
      assertSameBits(e.forward(ids), outs[2], `${dtype} forward dim ${dim}`);
      free(pt); free(pi);
      e.dispose();
    }
  }
});

/** Random stored bytes; the f16 scales of Q blocks kept finite (NaN scales give NaN rows whose payload the hardware picks). */
function randomBytes(n, dim, dtype, r) {
  const rb = { float16: dim * 2, bfloat16: dim * 2, Q8_0: dim / 32 * 34, Q4_0: dim / 32 * 18, Q4_K: dim / 256 * 144, Q6_K: dim / 256 * 210 }[dtype];
  const b = new Uint8Array(n * rb);
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  const blk = { Q8_0: [34, [0]], Q4_0: [18, [0]], Q4_K: [144, [0, 2]], Q6_K: [210, [208]] }[dtype];
  if (blk) {
    for (let o = 0; o < b.length; o += blk[0]) for (const k of blk[1]) b[o + k + 1] &= 0x7b;  // exponent < 31
  }
  return b;
}

// ---- Embedding API ----------------------------------------------------------------------------------

test('requiresGrad: false allocates no gradient: a GPT-2 table takes half the memory, measured in fresh processes', () => {
  const e = new Embedding(50257, 768, { requiresGrad: false, seed: 0, std: 0.02 });
  const t = new Embedding(50257, 768, { seed: 0, std: 0.02 });
  assert.equal(e.allocatedBytes, 50257 * 768 * 4);
  assert.ok(t.allocatedBytes >= 2 * 50257 * 768 * 4);
  assertSameBits(e.weight, t.weight, 'same table either way');
  e.dispose(); t.dispose();
  // Independent measure: wasm memory after creating the table, in a fresh module.
  const table = 50257 * 768 * 4;
  const root = fileURLToPath(new URL('..', import.meta.url));
  // wasm memory size after creating the table in a fresh module (16 MiB at start)
  const mem = (opts) => Number(execFileSync(process.execPath, ['--input-type=module', '-e',
    `import { init, Embedding } from '${root}src/js/index.js'; import { wasm } from '${root}src/js/memory.js';
     await init(); new Embedding(50257, 768, ${opts}); console.log(wasm().memory.buffer.byteLength);`], { encoding: 'utf8' }));
  const trainable = mem('{}'), frozen = mem('{ requiresGrad: false }');
  const bf16 = mem(`{ dtype: 'bfloat16', weight: new Uint8Array(${table / 2}) }`);
  assert.ok(trainable >= 2 * table, `trainable: ${trainable} bytes`);
  assert.ok(frozen <= table + 2 ** 24 && frozen >= table, `requiresGrad: false: ${frozen} bytes, table ${table}`);
  assert.ok(frozen <= trainable * 0.55, `frozen ${frozen} vs trainable ${trainable}`);
  assert.ok(bf16 <= table / 2 + 2 ** 24 && bf16 >= table / 2, `bfloat16: ${bf16} bytes`);
});

test('an inference-only table: forward works, backward / grad / zeroGrad / optimizers throw clear errors', () => {
  const t = new Embedding(30, 16, { seed: 3, maxNorm: 1 });
  const e = new Embedding(30, 16, { seed: 3, requiresGrad: false, maxNorm: 1 });
  assert.equal(e.requiresGrad, false);
  assert.equal(t.requiresGrad, true);
  assertSameBits(e.forward([1, 2, 2, 29]), t.forward([1, 2, 2, 29]), 'forward with maxNorm');
  assert.throws(() => e.backward([1], new Float32Array(16)), { name: 'TypeError', message: /requiresGrad: false/ });
  assert.throws(() => e.grad, TypeError);
  assert.throws(() => e.zeroGrad(), TypeError);
  assert.deepEqual(e.touched, new Int32Array(0));
  assert.throws(() => new SGD(e), { name: 'TypeError', message: /requiresGrad: false/ });
  assert.throws(() => new Adam([t, e]), { name: 'TypeError', message: /param 1/ });
  const q = t.to('float16');
  assert.throws(() => q.backward([1], new Float32Array(16)), { name: 'TypeError', message: /float16.*to\('float32', \{ requiresGrad: true \}\)/ });
  q.dispose();
  e.dispose(); t.dispose();
});

test('non-float32 tables: errors name what was wrong and change nothing', () => {
  assert.throws(() => new Embedding(4, 64, { dtype: 'bfloat16', requiresGrad: true }), { name: 'RangeError', message: /inference-only/ });
  assert.throws(() => new Embedding(4, 64, { dtype: 'int8' }), { name: 'RangeError', message: /dtype must be one of/ });
  assert.throws(() => new Embedding(4, 64, { dtype: 8 }), TypeError);
  assert.throws(() => new Embedding(4, 48, { dtype: 'Q8_0' }), { name: 'RangeError', message: /multiple of 32/ });
  assert.throws(() => new Embedding(4, 512, { dtype: 'Q6_K', weight: new Uint8Array(4 * 420 - 1) }), { name: 'RangeError', message: /1679 bytes.*1680/ });
  assert.throws(() => new Embedding(4, 256, { dtype: 'Q4_K', weight: new Float32Array(1024) }), { name: 'RangeError', message: /not offered/ });
  assert.throws(() => new Embedding(4, 256, { dtype: 'Q4_K' }), { name: 'RangeError', message: /not offered/ });
  assert.throws(() => new Embedding(4, 32, { dtype: 'Q8_0', weight: new Int8Array(136) }), TypeError);
  assert.throws(() => new Embedding(4, 32, { dtype: 'Q8_0', weight: new Uint16Array(68) }), TypeError);
  assert.throws(() => new Embedding(4, 32, { dtype: 'float16', weight: new Uint16Array(127) }), RangeError);
  assert.throws(() => new Embedding(4, 32, { dtype: 'bfloat16', maxNorm: 1 }), { name: 'RangeError', message: /maxNorm/ });
  const bad = new Float32Array(128); bad[77] = NaN;
  assert.throws(() => new Embedding(4, 32, { dtype: 'Q4_0', weight: bad }), { name: 'RangeError', message: /weight\[77\] = NaN/ });
  // Too big for wasm32 as float32 with a gradient (table and gradient each one largest block,
  // MAX_BLOCK_BYTES, plus bookkeeping: over 4 GiB); would fit without one (not created here).
  assert.throws(() => new Embedding(2 ** 19 - 256, 1024), { name: 'RangeError', message: /requiresGrad: false/ });
  // A float32 table over the block limit: a smaller dtype is the way out.
  assert.throws(() => new Embedding(150000, 4096), { name: 'RangeError', message: /largest block.*smaller dtype/ });
  const e = new Embedding(5, 64, { dtype: 'Q8_0', seed: 1 });
  const before = e.bytes.slice();
  const out = new Float32Array(2 * 64).fill(7);
  assert.throws(() => e.forward([1, 5], out), { name: 'RangeError', message: /ids\[1\] = 5/ });
  assert.ok(out.every((v) => v === 7));
  assert.throws(() => e.weight, { name: 'TypeError', message: /Q8_0/ });
  assert.throws(() => e.to('Q4_K'), { name: 'RangeError', message: /not offered/ });
  assert.throws(() => e.to('float64'), RangeError);
  assert.deepEqual(e.bytes.slice(), before);
  e.dispose();
  assert.throws(() => e.forward([0]), /disposed/);
});

test('to(): float32 -> each dtype and back; random init of a dtype equals the float32 draw converted', () => {
  const n = 40, dim = 256;
  const t = new Embedding(n, dim, { seed: 11, std: 0.5, paddingIdx: 3 });
  const w = t.weight.slice();
  const ids = randomIds(100, n, 4);
  for (const dtype of ['float16', 'bfloat16', 'Q8_0', 'Q4_0']) {
    const e = t.to(dtype);
    assert.equal(e.dtype, dtype);
    assert.equal(e.requiresGrad, false);
    assert.equal(e.paddingIdx, 3);
    // same bytes as building it from the values, and as drawing it at random in that dtype
    const fromValues = new Embedding(n, dim, { dtype, weight: w });
    const drawn = new Embedding(n, dim, { dtype, seed: 11, std: 0.5, paddingIdx: 3 });
    assert.deepEqual(e.bytes.slice(), fromValues.bytes.slice(), dtype);
    assert.deepEqual(e.bytes.slice(), drawn.bytes.slice(), `${dtype} drawn`);
    assert.ok(e.forward([3]).every((v) => v === 0), `${dtype} padding row`);
    // error bounds: f16 / bf16 half an ulp; Q8_0 half a step d / 2 = amax / 254
    const y = e.forward(ids);
    const tol = { float16: 2 ** -11, bfloat16: 2 ** -8, Q8_0: 1 / 254 + 1 / 2048, Q4_0: 1 / 8 + 1 / 256 }[dtype];  // + the f16 rounding of d; Q4_0: 7 steps of amax / 8 on the far side
    for (let i = 0; i < ids.length; i++) {
      const row = w.subarray(ids[i] * dim, (ids[i] + 1) * dim);
      const amax = row.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      for (let j = 0; j < dim; j++) {
        const err = Math.abs(y[i * dim + j] - row[j]);
        const bound = dtype.startsWith('Q') ? tol * amax * 1.01 : tol * Math.abs(row[j]) + 2 ** -24;
        if (!(err <= bound)) assert.fail(`${dtype} [${ids[i]}, ${j}]: ${y[i * dim + j]} vs ${row[j]}`);
      }
    }
    // back to float32: the decoded rows, trainable only when asked
    const back = e.to('float32');
    assert.equal(back.requiresGrad, false);
    assertSameBits(back.forward(ids), y, `${dtype} -> float32`);
    const trainable = e.to('float32', { requiresGrad: true });
    trainable.backward([1], new Float32Array(dim).fill(1));
    assert.equal(trainable.grad[dim], 1);
    // dtype -> another dtype goes through the exact float32 values
    const other = e.to('bfloat16');
    assert.deepEqual(other.bytes.slice(), back.to('bfloat16').bytes.slice());
    // bytes round trip: the stored bytes build the same table
    const again = new Embedding(n, dim, { dtype, weight: e.bytes.slice().buffer });
    assertSameBits(again.forward(ids), y);
    for (const x of [e, fromValues, drawn, back, trainable, other, again]) x.dispose();
  }
  const copy = t.to('float32');
  assert.equal(copy.requiresGrad, true);
  assertSameBits(copy.weight, w);
  copy.dispose(); t.dispose();
});

test('weight from wasm memory (ResidentArray, a view) and out as a ResidentArray', () => {
  const n = 9, dim = 64;
  const vals = randomFloats(n * dim, 2);
  const ra = new ResidentArray(Float32Array, n * dim);
  ra.view.set(vals);
  const a = new Embedding(n, dim, { dtype: 'bfloat16', weight: ra });
  const b = new Embedding(n, dim, { dtype: 'bfloat16', weight: vals });
  assert.deepEqual(a.bytes.slice(), b.bytes.slice());
  const c = new Embedding(n, dim, { dtype: 'bfloat16', weight: b.bytes });  // a view into wasm memory
  assert.deepEqual(c.bytes.slice(), b.bytes.slice());
  const out = new ResidentArray(Float32Array, 3 * dim);
  assert.equal(c.forward([8, 0, 4], out), out);
  assertSameBits(out.view, b.forward([8, 0, 4]));
  for (const x of [a, b, c, ra, out]) x.dispose();
});

test('Neighbors over a bfloat16 table ranks as over its decoded float32 table; InputEmbedding requiresGrad: false', () => {
  const t = new Embedding(60, 32, { seed: 4 });
  const h = t.to('bfloat16');
  const f = h.to('float32');
  const n1 = new Neighbors(h), n2 = new Neighbors(f);
  assert.deepEqual(n1.nearest(5, { k: 10 }), n2.nearest(5, { k: 10 }));
  n1.dispose(); n2.dispose();
  const inp = new InputEmbedding({ vocabSize: 50, maxPositions: 8, dim: 16, requiresGrad: false });
  assert.equal(inp.token.requiresGrad, false);
  assert.equal(inp.position.requiresGrad, false);
  assert.equal(inp.forward([1, 2], [1, 2]).length, 32);
  assert.throws(() => inp.backward([1, 2], [1, 2], new Float32Array(32)), { name: 'TypeError', message: /requiresGrad: false/ });
  assert.throws(() => new SGD(inp), TypeError);
  inp.dispose();
  for (const x of [t, h, f]) x.dispose();
});
