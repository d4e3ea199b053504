// training-nosimd.test.js — the training code on the fallback build (no wasm SIMD): word2vec
// gives the same bits as the SIMD build (run in a child process) and stays close to the
// float64 plain-JS method; neighbours and optimizers match their float64 references.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { init, features, Word2Vec, Neighbors, Embedding, Adam } from '../src/js/index.js';
import { Word2VecRef, cosineTopKRef, AdamRef } from './helpers/training-ref.js';

await init({ simd: false });

// Shared by this process and the SIMD child: a fixed small corpus and settings.
const SETUP = `
  const ids = []; let s = 5;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  while (ids.length < 3000) { const g = Math.floor(rnd() * 3); for (let i = 0, n = 3 + Math.floor(rnd() * 9); i < n; i++) ids.push(g + 3 * Math.floor(rnd() ** 2 * 20)); ids.push(-1); }
  const counts = new Array(60).fill(1); for (const w of ids) if (w >= 0) counts[w]++;
  const opts = { corpus: Int32Array.from(ids), counts, dim: 21, window: 3, negative: 4, epochs: 2, tableBits: 12, seed: 9, sample: 0.01 };
`;
const { opts } = new Function(`${SETUP}; return { opts };`)();
const hash = (f32) => createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');

test('fallback build: word2vec bits equal the SIMD build; close to the float64 method', () => {
  assert.equal(features.simd, false);
  for (const mode of ['skipgram', 'cbow']) {
    const w = new Word2Vec({ ...opts, mode });
    while (!w.step(700).done);
    const index = fileURLToPath(new URL('../src/js/index.js', import.meta.url));
    const child = `import { init, features, Word2Vec } from ${JSON.stringify(index)};
      import { createHash } from 'node:crypto';
      await init();
      ${SETUP}
      const w = new Word2Vec({ ...opts, mode: ${JSON.stringify(mode)} });
      while (!w.step(1e9).done);
      const f = w.weight.slice();
      process.stdout.write(features.simd + ' ' + createHash('sha256').update(new Uint8Array(f.buffer)).digest('hex'));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' }).trim();
    assert.equal(out, `true ${hash(w.weight.slice())}`, `${mode}: fallback vs SIMD build`);
    const ref = new Word2VecRef({ ...opts, mode });
    ref.step(1e9);
    let max = 0;
    const a = w.weight;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - ref.syn0[i]));
    assert.ok(max < 2e-4, `${mode}: max diff ${max} vs float64`);
    w.dispose();
  }
});

test('fallback build: neighbours and Adam match float64', () => {
  const dim = 13, n = 80;
  const table = Float32Array.from({ length: n * dim }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.31));
  const nb = new Neighbors(table, { dim });
  const got = nb.nearest(4, { k: 5 });
  const want = cosineTopKRef(table, dim, Array.from(table.subarray(4 * dim, 5 * dim)), 5, [4]);
  assert.deepEqual(got.map((r) => r.id), want.map((r) => r.id));
  for (let i = 0; i < 5; i++) assert.ok(Math.abs(got[i].score - want[i].score) < 2e-6);
  nb.dispose();

  const emb = new Embedding(10, 7, { seed: 4 });
  const W = Float64Array.from(emb.weight);
  const opt = new Adam(emb, { lr: 0.05, weightDecay: 0.01 });
  const ref = new AdamRef(W, 10, 7, { lr: 0.05, weightDecay: 0.01, epsMode: 'sparseAdam' });  // lazy: SparseAdam's eps
  for (let s = 0; s < 4; s++) {
    emb.backward([s, s + 3, 9], Float32Array.from({ length: 21 }, (_, i) => Math.sin(i + s)));
    const rows = Array.from(emb.touched);
    const G = Float64Array.from(emb.grad);
    opt.step();
    ref.step(G, rows);
    opt.zeroGrad();
  }
  let max = 0;
  for (let i = 0; i < W.length; i++) max = Math.max(max, Math.abs(emb.weight[i] - W[i]));
  assert.ok(max < 2e-6, `Adam max diff ${max}`);
  opt.dispose();
  emb.dispose();
});
