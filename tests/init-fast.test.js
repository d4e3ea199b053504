// The fast initialiser (src/c/init.c): polynomial ln/sincos in f64x2 (__wasmsimd) and plain C
// (__poly, the no-SIMD build's kernel) against the musl libm reference (__scalar) and against
// each other. Same generator, same uniforms: only the evaluation of ln/cos/sin differs, so the
// float32 outputs must equal libm's in all but a vanishing fraction, each within 1 float32 ulp,
// and the SIMD and the no-SIMD builds must give the same bits.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { init } from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { normalTable } from './helpers/pcg.js';

await init();
const ex = wasm();

function run(fn, n, seed, mean, std, e = ex) {
  const p = e === ex ? alloc(Math.max(4 * n, 16)) : e.malloc(Math.max(4 * n, 16));
  const mem = () => (e === ex ? heap() : new Float32Array(e.memory.buffer));
  new Float32Array(mem().buffer, p, n).fill(NaN);
  e[fn](p, n, seed % 2 ** 32, Math.floor(seed / 2 ** 32), mean, std);
  const r = new Float32Array(mem().buffer, p, n).slice();
  if (e === ex) free(p); else e.free(p);
  return r;
}

const u32 = (a) => new Uint32Array(a.buffer, a.byteOffset, a.length);
function sameBits(a, b, what) {
  assert.equal(a.length, b.length, what);
  const x = u32(a), y = u32(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) assert.fail(`${what}: [${i}] ${a[i]} vs ${b[i]}`);
}
// float32 ulp distance for finite values of the same sign (or both +-0)
function ulps(a, b) {
  if (Object.is(a, b) || a === b) return 0;
  const buf = new Float32Array([a, b]), u = new Int32Array(buf.buffer);
  const k = (v) => (v < 0 ? -(v & 0x7fffffff) : v);
  return Math.abs(k(u[0]) - k(u[1]));
}

test('__wasmsimd == __poly == dispatcher bit for bit, every n from 1 to 1100 and odd/even tails', () => {
  for (const [seed, mean, std] of [[0, 0, 1], [2 ** 40 + 17, 0.5, 0.02], [987654321, -3, 2.5]]) {
    for (let n = 1; n <= 1100; n += n < 40 ? 1 : 37) {
      const a = run('ek_init_normal_f32__wasmsimd', n, seed, mean, std);
      sameBits(a, run('ek_init_normal_f32__poly', n, seed, mean, std), `poly n ${n} seed ${seed}`);
      sameBits(a, run('ek_init_normal_f32', n, seed, mean, std), `dispatcher n ${n} seed ${seed}`);
    }
  }
});

test('fast kernels vs the libm reference over 10M values: rare 1-ulp differences only', () => {
  const n = 10_000_000;
  let diff = 0, worst = 0;
  for (const [seed, std] of [[1, 1], [77, 0.02]]) {
    const a = run('ek_init_normal_f32', n / 2, seed, 0, std);
    const b = run('ek_init_normal_f32__scalar', n / 2, seed, 0, std);
    for (let i = 0; i < a.length; i++) {
      if (!Object.is(a[i], b[i])) { diff++; worst = Math.max(worst, ulps(a[i], b[i])); }
    }
  }
  console.log(`# fast vs libm: ${diff} of ${n} float32 outputs differ, max ${worst} ulp`);
  assert.ok(worst <= 1, `max ${worst} ulp`);
  assert.ok(diff <= n * 1e-5, `${diff} of ${n} differ`);
});

test('fast kernel vs the independent JS generator (tests/helpers/pcg.js)', () => {
  const n = 200_001, a = run('ek_init_normal_f32', n, 31337, 0, 1), ref = normalTable(n, 31337);
  let diff = 0;
  for (let i = 0; i < n; i++) if (!Object.is(a[i], ref[i])) { diff++; assert.ok(ulps(a[i], ref[i]) <= 1, `[${i}]`); }
  assert.ok(diff <= n * 1e-4, `${diff} of ${n} differ`);
});

test('the no-SIMD build gives the same bits as the SIMD build', async () => {
  const bytes = readFileSync(new URL('../dist/embedkit-nosimd.wasm', import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, { env: { emscripten_notify_memory_growth: () => {} } });
  const nx = instance.exports;
  if (typeof nx._initialize === 'function') nx._initialize();
  assert.equal(nx.ek_simd_enabled(), 0);
  for (const [n, seed] of [[1, 5], [7, 0], [1_000_001, 2024]]) {
    sameBits(run('ek_init_normal_f32', n, seed, 0.25, 0.5, nx), run('ek_init_normal_f32', n, seed, 0.25, 0.5), `n ${n}`);
  }
});
