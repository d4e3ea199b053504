// neighbors.test.js — cosine top-k and analogies (src/c/neighbors.c via src/js/neighbors.js)
// against a float64 brute force in plain JS; SIMD vs scalar scores bit for bit; save/load of
// vectors (src/js/vecfile.js); error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Neighbors, Embedding, saveVectors, loadVectors, toWord2VecText, fromWord2VecText } from '../src/js/index.js';
import { wasm, heap, alloc, free } from '../src/js/memory.js';
import { cosineTopKRef, unitRow } from './helpers/training-ref.js';

await init();

function randTable(n, dim, seed) {
  let s = seed >>> 0;
  const t = new Float32Array(n * dim);
  for (let i = 0; i < t.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    t[i] = s / 2 ** 32 - 0.5;
  }
  return t;
}

/** Same ids where the reference's scores are separated by more than float32 noise. `full` is
 * the whole reference ranking (so ties just past the k-th entry are seen). */
function assertSameRanking(got, full, what) {
  const want = full.slice(0, got.length);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i].score - want[i].score) < 2e-6, `${what}: score[${i}] ${got[i].score} vs ${want[i].score}`);
    const gapPrev = i > 0 ? want[i - 1].score - want[i].score : Infinity;
    const gapNext = i + 1 < full.length ? want[i].score - full[i + 1].score : Infinity;
    if (Math.min(gapPrev, gapNext) > 1e-5) assert.equal(got[i].id, want[i].id, `${what}: rank ${i}`);
  }
}

test('nearest: matches the float64 brute force for many dims, k and exclusions', () => {
  for (const dim of [1, 3, 4, 5, 7, 8, 9, 12, 16, 17, 100]) {
    const n = 300;
    const table = randTable(n, dim, dim * 31 + 1);
    table.fill(0, 5 * dim, 6 * dim);  // an all-zero row scores 0
    const nb = new Neighbors(table, { dim });
    for (const [q, k] of [[0, 1], [7, 10], [299, 25], [5, 4]]) {
      if (q === 5) {
        assert.throws(() => nb.nearest(q, { k }), RangeError);  // zero query: cosine undefined
        continue;
      }
      const got = nb.nearest(q, { k, exclude: [1, 2] });
      const want = cosineTopKRef(table, dim, Array.from(table.subarray(q * dim, (q + 1) * dim)), n, [q, 1, 2]);
      assert.equal(got.length, k);
      assertSameRanking(got, want, `dim ${dim} q ${q} k ${k}`);
    }
    const qv = randTable(1, dim, 99);
    assertSameRanking(nb.nearest(qv, { k: 12 }), cosineTopKRef(table, dim, Array.from(qv), n), `dim ${dim} vector query`);
    // k larger than the table: every row once
    assert.equal(nb.nearest(qv, { k: 10000 }).length, n);
    nb.dispose();
  }
});

test('analogy a - b + c matches the float64 brute force (3CosAdd) and uses words', () => {
  const dim = 24, n = 200;
  const table = randTable(n, dim, 5);
  const words = Array.from({ length: n }, (_, i) => `w${i}`);
  const nb = new Neighbors(table, { dim, words });
  const [ua, ub, uc] = [3, 8, 13].map((i) => unitRow(table, dim, i));
  const q = ua.map((x, j) => x - ub[j] + uc[j]);
  const want = cosineTopKRef(table, dim, q, n, [3, 8, 13]);
  const got = nb.analogy('w3', 'w8', 'w13', { k: 10 });
  assertSameRanking(got, want, 'analogy');
  assert.equal(got[0].word, `w${got[0].id}`);
  assert.ok(Math.abs(nb.similarity('w1', 'w2') - cosineTopKRef(table, dim, unitRow(table, dim, 1), n).find((r) => r.id === 2).score) < 1e-12);
  nb.dispose();
});

test('scores: SIMD and scalar kernels give the same bits; ties go to the lower id', () => {
  const ex = wasm();
  for (const dim of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 100]) {
    const n = 33;
    const table = randTable(n, dim, dim);
    const p = alloc(n * dim * 4 + n * 4 * 3 + dim * 4);
    const inv = p + n * dim * 4, s1 = inv + n * 4, s2 = s1 + n * 4, q = s2 + n * 4;
    heap().f32.set(table, p >>> 2);
    heap().f32.set(table.subarray(0, dim), q >>> 2);
    ex.ek_row_inv_norms_f32(inv, p, n, dim);
    ex.ek_cosine_scores_f32__scalar(s1, p, inv, q, n, dim);
    ex.ek_cosine_scores_f32__wasmsimd(s2, p, inv, q, n, dim);
    assert.deepEqual(heap().f32.slice(s1 >>> 2, (s1 >>> 2) + n), heap().f32.slice(s2 >>> 2, (s2 >>> 2) + n), `dim ${dim}`);
    free(p);
  }
  const dup = new Float32Array([1, 0, 0, 1, 1, 0, 1, 0]);
  const nb = new Neighbors(dup, { dim: 2 });
  assert.deepEqual(nb.nearest(new Float32Array([1, 0]), { k: 3 }).map((r) => r.id), [0, 2, 3]);
  nb.dispose();
});

test('works from an Embedding and sees updates', () => {
  const emb = new Embedding(50, 8, { seed: 3 });
  const nb = new Neighbors(emb);
  const want = cosineTopKRef(emb.weight, 8, unitRow(emb.weight, 8, 4), 50, [4]);
  assertSameRanking(nb.nearest(4, { k: 5 }), want, 'embedding');
  const w = emb.weight;
  w.set(w.subarray(4 * 8, 5 * 8), 9 * 8);  // row 9 := row 4
  nb.update(emb);
  assert.equal(nb.nearest(4, { k: 1 })[0].id, 9);
  nb.dispose();
  emb.dispose();
});

test('errors: typed errors, nothing changed', () => {
  const table = randTable(10, 4, 1);
  assert.throws(() => new Neighbors('x'), TypeError);
  assert.throws(() => new Neighbors(table), TypeError);
  assert.throws(() => new Neighbors(table, { dim: 3 }), RangeError);
  assert.throws(() => new Neighbors(table, { dim: 4, words: ['a'] }), RangeError);
  const nb = new Neighbors(table, { dim: 4, words: 'abcdefghij'.split('') });
  assert.throws(() => nb.nearest(10), RangeError);
  assert.throws(() => nb.nearest(-1), RangeError);
  assert.throws(() => nb.nearest('zz'), RangeError);
  assert.throws(() => nb.nearest({}), TypeError);
  assert.throws(() => nb.nearest(new Float32Array(3)), RangeError);
  assert.throws(() => nb.nearest(0, { k: 0 }), RangeError);
  assert.throws(() => nb.nearest(0, { exclude: [99] }), RangeError);
  assert.throws(() => nb.analogy('a', 'b', 'zz'), RangeError);
  assert.throws(() => nb.update(randTable(9, 4, 1)), RangeError);
  assert.deepEqual(nb.nearest('a', { k: 3 }), nb.nearest(0, { k: 3 }));
  nb.dispose();
  assert.throws(() => nb.nearest(0), /disposed/);
});

test('save/load EKV1 round-trips words, counts and vectors; rejects damaged files', () => {
  const words = ['whale', 'ship', 'sea', 'Queequeg\u2019s', '\u00e9t\u00e9'];
  const weight = randTable(5, 3, 8);
  const counts = [10, 5, 4, 2, 1];
  const bytes = saveVectors({ words, weight, dim: 3, counts });
  assert.deepEqual([...bytes.subarray(0, 4)], [0x45, 0x4b, 0x56, 0x31]);
  const back = loadVectors(bytes);
  assert.deepEqual(back.words, words);
  assert.equal(back.dim, 3);
  assert.deepEqual(back.weight, weight);
  assert.deepEqual([...back.counts], counts);
  const noCounts = loadVectors(saveVectors({ words, weight, dim: 3 }).buffer);
  assert.equal(noCounts.counts, null);
  assert.throws(() => loadVectors(bytes.subarray(0, bytes.length - 1)), RangeError);
  const bad = bytes.slice();
  bad[0] = 0;
  assert.throws(() => loadVectors(bad), RangeError);
  assert.throws(() => loadVectors('x'), TypeError);
  assert.throws(() => saveVectors({ words: ['a\nb'], weight: new Float32Array(3), dim: 3 }), RangeError);
  assert.throws(() => saveVectors({ words, weight, dim: 4 }), RangeError);
  const txt = toWord2VecText({ words: ['a', 'b'], weight: new Float32Array([1, 0.5, -2, 0]), dim: 2 });
  assert.equal(txt, '2 2\na 1 0.5\nb -2 0\n');
  const parsed = fromWord2VecText(toWord2VecText({ words: ['x', 'y', 'z'], weight, dim: 5 }));
  assert.deepEqual(parsed.words, ['x', 'y', 'z']);
  assert.deepEqual(parsed.weight, weight);  // shortest round-trip strings: exact
  assert.equal(parsed.dim, 5);
  assert.throws(() => fromWord2VecText('2 2\na 1 2\n'), /line 3/);
  assert.throws(() => fromWord2VecText('2 2\na 1 x\nb 1 2'), /line 2/);
  assert.throws(() => fromWord2VecText('hello'), RangeError);
});
