// positions-job.js — a fixed set of sinusoidal / InputEmbedding computations whose results
// tests/positions-nosimd.test.js hashes in both builds (SIMD and fallback) to compare bits.
import { createHash } from 'node:crypto';

export const sha = (f32) => createHash('sha256').update(new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength)).digest('hex');

/** ek: an object with sinusoidal and InputEmbedding from an initialised embedkit. */
export function job(ek) {
  const res = [
    ek.sinusoidal(2100, 70, { offset: 12345 }),
    ek.sinusoidal(1030, 1030, { offset: 2 ** 20 - 7, layout: 'concat' }),
    ek.sinusoidal(300, 38, { frequencies: 'tensor2tensor', base: 500 }),
  ];
  const inp = new ek.InputEmbedding({ vocabSize: 50, maxPositions: 40, dim: 37, seed: 3 });
  const ids = Array.from({ length: 4 * 33 }, (_, k) => (k * 7) % 50);
  res.push(inp.forward(ids, [4, 33], { offset: 5 }));
  inp.backward(ids, [4, 33], Float32Array.from({ length: 4 * 33 * 37 }, (_, k) => Math.cos(k * 0.37)), { offset: 5 });
  res.push(inp.token.grad.slice(), inp.position.grad.slice());
  inp.dispose();
  return res;
}
