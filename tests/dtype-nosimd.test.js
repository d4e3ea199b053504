// The fallback build (no wasm SIMD) decodes every storage dtype to the same bits: the gguf-py
// fixtures and all 65536 float16 / bfloat16 patterns (references as in dtype.test.js).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init, features, Embedding } from '../src/js/index.js';
import { assertSameBits } from './helpers/close.js';

await init({ simd: false });
const fixtures = JSON.parse(readFileSync(new URL('./fixtures/dtype/quant.json', import.meta.url), 'utf8'));
const fromB64 = (s, T) => { const b = Buffer.from(s, 'base64'); const u = new Uint8Array(b.length); u.set(b); return new T(u.buffer); };

test('no-SIMD build: Q8_0 / Q4_0 / Q4_K / Q6_K decode and Q8_0 / Q4_0 encode as gguf-py', () => {
  assert.equal(features.simd, false);
  for (const dtype of ['Q8_0', 'Q4_0', 'Q4_K', 'Q6_K']) {
    const f = fixtures[dtype];
    const bytes = fromB64(f.bytes, Uint8Array);
    const e = new Embedding(f.rows, f.dim, { dtype, weight: bytes });
    const ids = Int32Array.from({ length: 9 }, (_, i) => (i * 7) % f.rows);
    const want = fromB64(f.output, Float32Array);
    const got = e.forward(ids);
    ids.forEach((r, i) => assertSameBits(got.subarray(i * f.dim, (i + 1) * f.dim), want.subarray(r * f.dim, (r + 1) * f.dim), `${dtype} row ${r}`));
    if (f.input) assert.deepEqual(new Embedding(f.rows, f.dim, { dtype, weight: fromB64(f.input, Float32Array) }).bytes.slice(), bytes);
    e.dispose();
  }
});

test('no-SIMD build: float16 / bfloat16 widen all 65536 patterns exactly', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const F = new Float32Array(1), U = new Uint32Array(F.buffer);
  for (const dtype of ['float16', 'bfloat16']) {
    const got = new Uint32Array(new Embedding(1, 65536, { dtype, weight: all }).forward([0]).buffer);
    for (let h = 0; h < 65536; h++) {
      let want;
      if (dtype === 'bfloat16') want = (h << 16) >>> 0;
      else {
        const e = (h >> 10) & 31, m = h & 1023, s = h & 0x8000 ? -1 : 1;
        if (e === 31 && m) want = (((h & 0x8000) << 16) | 0x7f800000 | (m << 13)) >>> 0;
        else { F[0] = e === 31 ? s * Infinity : e ? s * (1 + m / 1024) * 2 ** (e - 15) : s * m * 2 ** -24; want = U[0]; }
      }
      if (got[h] !== want) assert.fail(`${dtype} 0x${h.toString(16)}: 0x${got[h].toString(16)} vs 0x${want.toString(16)}`);
    }
  }
});
