// Seeded N(0, std^2) initialisation against an independent JS implementation of the documented
// generator (tests/helpers/pcg.js), plus statistical properties.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding } from '../src/js/index.js';
import { normalTable } from './helpers/pcg.js';
import { assertClose, assertSameBits } from './helpers/close.js';

await init();

test('the table equals the documented PCG32 + Box-Muller generator (JS reimplementation)', () => {
  for (const [n, dim, seed, std] of [[100, 33, 0, 1], [64, 7, 123456789, 0.02], [5, 3, 2 ** 40 + 17, 2.5]]) {
    const emb = new Embedding(n, dim, { seed, std });
    const ref = normalTable(n * dim, seed, std);
    // float64 Math.log/cos/sin may differ from musl's by an ulp, which float32 rounding hides
    // almost always; allow one float32 ulp and require nearly all bits to agree.
    assertClose(emb.weight, ref, { rtol: 1.2e-7, atol: 1e-30, what: `seed ${seed}` });
    const w = emb.weight;
    let same = 0;
    for (let i = 0; i < ref.length; i++) same += Object.is(w[i], ref[i]) ? 1 : 0;
    assert.ok(same >= ref.length * 0.999, `${same} of ${ref.length} identical`);
    emb.dispose();
  }
});

test('same seed gives the same bits; different seeds differ; bigint seeds work', () => {
  const a = new Embedding(50, 20, { seed: 42 });
  const b = new Embedding(50, 20, { seed: 42 });
  const c = new Embedding(50, 20, { seed: 43 });
  const d = new Embedding(50, 20, { seed: 42n });
  assertSameBits(a.weight, b.weight);
  assertSameBits(a.weight, d.weight);
  assert.ok(a.weight.some((v, i) => v !== c.weight[i]));
  const big = new Embedding(4, 4, { seed: 2n ** 64n - 1n });
  assertClose(big.weight, normalTable(16, 2n ** 64n - 1n), { rtol: 1.2e-7 });
  for (const e of [a, b, c, d, big]) e.dispose();
});

test('statistics: mean 0 and standard deviation std within sampling error (PyTorch default std 1)', () => {
  for (const std of [1, 0.02]) {
    const emb = new Embedding(1000, 100, { seed: 7, std });
    const w = emb.weight;
    let s = 0, s2 = 0, s4 = 0;
    for (const v of w) { s += v; s2 += v * v; s4 += v ** 4; }
    const n = w.length, mean = s / n, varc = s2 / n - mean * mean;
    assert.ok(Math.abs(mean) < 5 * std / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(varc) / std - 1) < 0.01, `std ${Math.sqrt(varc)}`);
    const kurt = (s4 / n) / (varc * varc);
    assert.ok(Math.abs(kurt - 3) < 0.1, `kurtosis ${kurt} (normal: 3)`);
    emb.dispose();
  }
  const zero = new Embedding(3, 3, { std: 0 });
  assert.ok(zero.weight.every((v) => v === 0));
  zero.dispose();
});
