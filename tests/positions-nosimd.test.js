// positions-nosimd.test.js — sinusoidal and InputEmbedding in the fallback build (no wasm SIMD):
// same accuracy, and the same bits as the SIMD build (trig.c's __rotate and __wasmsimd do the
// same float64 operations in the same order; the input-layer kernels are exact float32 adds and
// float64 sums in a fixed order).
import test from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { init, features, sinusoidal, InputEmbedding } from '../src/js/index.js';
import { inputBackwardRef, inputForwardRef, maxDiffRows, paperFreqs, sinusoidalRef } from './helpers/positions-ref.js';

await init({ simd: false });

const index = new URL('../src/js/index.js', import.meta.url).href;
const sha = (f32) => createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');

// The same computations, run in a child process on the SIMD build; returns their hashes.
const JOB = `
  const { sha, job } = await import(${JSON.stringify(new URL('./helpers/positions-job.js', import.meta.url).href)});
  const ek = await import(${JSON.stringify(index)});
  await ek.init();
  if (!ek.features.simd) throw new Error('expected the SIMD build');
  console.log(JSON.stringify(job(ek).map(sha)));
`;

test('fallback build: sinusoidal within 2e-7 of float64, both layouts, positions near 2^20', () => {
  assert.equal(features.simd, false);
  for (const layout of ['interleaved', 'concat']) {
    const offset = 2 ** 20 - 1500, n = 1500, dim = 66;
    const t = sinusoidal(n, dim, { offset, layout });
    const rows = Array.from({ length: n }, (_, r) => r);
    const { max } = maxDiffRows(t, rows, dim, sinusoidalRef(rows, dim, { freqs: paperFreqs(dim), offset, layout }));
    assert.ok(max <= 2e-7, `${layout}: ${max}`);
  }
});

test('fallback build: InputEmbedding forward and backward vs float64', () => {
  const dim = 13, batch = 3, seq = 5;
  const inp = new InputEmbedding({ vocabSize: 11, maxPositions: 9, dim, seed: 5 });
  const ids = [1, 2, 3, 4, 5, 1, 1, 1, 0, 10, 9, 8, 7, 6, 5];
  const out = inp.forward(ids, [batch, seq], { offset: 4 });
  const ref = inputForwardRef(inp.token.weight, inp.position.weight, ids, batch, seq, dim, 4);
  for (let k = 0; k < ref.length; k++) assert.ok(Math.abs(out[k] - ref[k]) <= 2 ** -24 * Math.abs(ref[k]) + 1e-30, `forward [${k}]`);
  const g = Float32Array.from({ length: batch * seq * dim }, (_, k) => Math.sin(k));
  inp.backward(ids, [batch, seq], g, { offset: 4 });
  const { tok, pos } = inputBackwardRef(new Float64Array(11 * dim), new Float64Array(9 * dim), ids, batch, seq, dim, g, 4);
  tok.forEach((v, k) => assert.ok(Math.abs(inp.token.grad[k] - v) <= 1e-6, `token grad [${k}]`));
  pos.forEach((v, k) => assert.ok(Math.abs(inp.position.grad[k] - v) <= 1e-6, `position grad [${k}]`));
  inp.dispose();
});

test('fallback and SIMD builds give the same bits (sinusoidal tables, input layer forward/backward)', async () => {
  const { job } = await import('./helpers/positions-job.js');
  const mine = job({ sinusoidal, InputEmbedding }).map(sha);
  const simd = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', JOB], {
    encoding: 'utf8', cwd: fileURLToPath(new URL('..', import.meta.url)),
  }));
  assert.deepEqual(mine, simd);
});
