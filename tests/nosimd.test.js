// The fallback build for engines without wasm SIMD: same API, same results.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, features, Embedding } from '../src/js/index.js';
import { gather, scatterAdd } from './helpers/ref64.js';
import { assertClose, assertSameBits, randomFloats, randomIds } from './helpers/close.js';
import { normalTable } from './helpers/pcg.js';

await init({ simd: false });

test('init({ simd: false }) loads embedkit-nosimd.wasm and features.simd says so', () => {
  assert.equal(features.simd, false);
});

test('fallback build: lookup, backward and initialisation agree with the references', () => {
  const n = 70, dim = 37;
  const emb = new Embedding(n, dim, { seed: 12 });
  assertClose(emb.weight, normalTable(n * dim, 12), { rtol: 1e-6, atol: 1e-6 });
  const ids = randomIds(500, n, 1, { zipf: 1.2 });
  assertSameBits(emb.forward(ids), gather(emb.weight.slice(), ids, dim));
  const g = randomFloats(500 * dim, 2);
  emb.backward(ids, g);
  assertClose(emb.grad, scatterAdd(new Float64Array(n * dim), ids, g, dim), { rtol: 1e-6, atol: 1e-30 });
  emb.dispose();
});
