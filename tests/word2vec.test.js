// word2vec.test.js — the word2vec trainer (src/c/word2vec.c via src/js/word2vec.js) and the
// vocabulary (src/js/vocab.js): against an independent plain-JS float64 implementation of the
// documented method, determinism across seeds / chunkings / SIMD-vs-scalar, learning on the real
// corpus, and error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Vocab, tokenize, Word2Vec, Neighbors } from '../src/js/index.js';
import { Word2VecRef } from './helpers/training-ref.js';
import { synthCorpus, maxAbsDiff } from './helpers/w2v-synth.js';
import { mobyDickText } from './helpers/training-corpus.js';

await init();

test('vocabulary: tokenise, count, order, encode with sentence breaks', () => {
  assert.deepEqual(tokenize("Call me Ishmael. The whale\u2019s jaw—ship-shape!"), ['call', 'me', 'ishmael', 'the', "whale's", 'jaw', 'ship', 'shape']);
  const v = Vocab.fromText('b a c b a b. d\n\nb a', { minCount: 2 });
  assert.deepEqual([...v.words], ['b', 'a']);
  assert.deepEqual([...v.counts], [4, 3]);
  assert.equal(v.id('B'), 0);
  assert.equal(v.id('zzz'), -1);
  assert.deepEqual([...v.encode('b a c b a b. d\n\nb a')], [0, 1, 0, 1, 0, -1, 0, 1]);
  assert.deepEqual([...v.encode('b a c b a b. d\n\nb a', { sentenceBreaks: false })], [0, 1, 0, 1, 0, 0, 1]);
  // ties broken by the word, so the ids do not depend on the order of first appearance
  assert.deepEqual([...Vocab.fromText('y x z', { minCount: 1 }).words], ['x', 'y', 'z']);
  assert.throws(() => Vocab.fromText(42), TypeError);
  assert.throws(() => Vocab.fromText('a', { minCount: 0 }), RangeError);
  assert.throws(() => new Vocab(['a', 'a'], [1, 1]), RangeError);
  assert.throws(() => new Vocab(['a'], [1, 2]), RangeError);
});

for (const mode of ['skipgram', 'cbow']) {
  test(`${mode}: matches a float64 plain-JS implementation of the method over a short run`, () => {
    const { corpus, counts } = synthCorpus(40, 1500);
    const opts = { corpus, counts, mode, dim: 13, window: 3, negative: 4, sample: 0.01, epochs: 2, tableBits: 12, seed: 5 };
    const w = new Word2Vec(opts);
    const ref = new Word2VecRef(opts);
    // initial tables are bit-identical (same generator, same formula)
    assert.deepEqual(Array.from(w.weight), Array.from(ref.syn0).map(Math.fround));
    let p;
    while (!(p = w.step(500)).done) ref.step(500);
    ref.step(500);
    assert.equal(p.wordsDone, ref.wordsDone);
    const d0 = maxAbsDiff(w.weight, ref.syn0), d1 = maxAbsDiff(w.outputWeight, ref.syn1);
    let scale = 0;
    for (const x of ref.syn1) scale = Math.max(scale, Math.abs(x));
    assert.ok(scale > 0.05, `output vectors moved (max |syn1| = ${scale})`);
    assert.ok(d0 < 2e-4 && d1 < 2e-4, `max diff syn0 ${d0}, syn1neg ${d1} (scale ${scale})`);
    w.dispose();
  });

  test(`${mode}: deterministic per seed, independent of chunk sizes, SIMD == scalar bits`, () => {
    const { corpus, counts } = synthCorpus(60, 3000, 3);
    const base = { corpus, counts, mode, dim: 19, window: 4, negative: 3, epochs: 2, tableBits: 12, seed: 11 };
    const run = (opts, chunks) => {
      const w = new Word2Vec(opts);
      let i = 0;
      while (!w.step(chunks[i++ % chunks.length]).done);
      const out = [w.weight.slice(), w.outputWeight.slice()];
      w.dispose();
      return out;
    };
    const a = run(base, [1e9]);
    const b = run(base, [1, 77, 500, 3]);
    const c = run({ ...base, scalar: true }, [250]);
    const d = run({ ...base, seed: 12 }, [1e9]);
    assert.deepEqual(b[0], a[0]);
    assert.deepEqual(b[1], a[1]);
    assert.deepEqual(c[0], a[0]);
    assert.deepEqual(c[1], a[1]);
    assert.notDeepEqual(d[0], a[0]);
  });
}

test('train() reports progress, stops and resumes to the same result', async () => {
  const { corpus, counts } = synthCorpus(50, 4000, 9);
  const opts = { corpus, counts, dim: 16, epochs: 3, seed: 2, tableBits: 12 };
  const ref = new Word2Vec(opts);
  while (!ref.step(1e9).done);
  const w = new Word2Vec(opts);
  const seen = [];
  const p1 = await w.train({
    chunkWords: 1000,
    onProgress(p) {
      seen.push(p);
      if (seen.length === 3) w.stop();
    },
  });
  assert.equal(seen.length, 3);
  assert.equal(p1.done, false);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].wordsDone > seen[i - 1].wordsDone);
  for (const p of seen) {
    assert.ok(p.wordsPerSec > 0 && Number.isFinite(p.loss) && p.loss > 0 && p.lr > 0 && p.lr <= 0.025);
    assert.equal(p.totalWords, 3 * corpus.filter((x) => x >= 0).length);
  }
  const ac = new AbortController();
  ac.abort();
  const p2 = await w.train({ signal: ac.signal });
  assert.equal(p2.wordsDone, p1.wordsDone);
  const p3 = await w.train({ chunkWords: 777 });
  assert.equal(p3.done, true);
  assert.equal(p3.fraction, 1);
  assert.deepEqual(w.weight.slice(), ref.weight.slice());
  w.dispose();
  ref.dispose();
});

test('Moby Dick: a short deterministic run lowers the loss and puts co-occurring words closer than random pairs', () => {
  const text = mobyDickText();
  const vocab = Vocab.fromText(text, { minCount: 5 });
  const corpus = vocab.encode(text);
  const V = vocab.size;
  const w = new Word2Vec({ vocab, corpus, dim: 32, epochs: 3, seed: 1 });
  const first = w.step(5000);
  let p = first;
  while (!p.done) p = w.step(50000);
  assert.ok(p.loss < first.loss * 0.8, `loss fell from ${first.loss} to ${p.loss}`);

  // Pairs of mid-frequency words seen within 2 positions of each other (same sentence) at
  // least 8 times, against random pairs drawn from the same words (so frequencies match).
  const counts = vocab.counts;
  const co = new Map();
  for (let i = 0; i < corpus.length; i++) {
    const a = corpus[i];
    if (a < 0) continue;
    for (let d = 1; d <= 2 && i + d < corpus.length; d++) {
      const b = corpus[i + d];
      if (b < 0) break;
      if (a !== b) co.set(Math.min(a, b) * V + Math.max(a, b), (co.get(Math.min(a, b) * V + Math.max(a, b)) ?? 0) + 1);
    }
  }
  const mid = (x) => counts[x] >= 20 && counts[x] <= 1000;
  const pairs = [];
  for (const [k, n] of co) if (n >= 8 && mid(Math.floor(k / V)) && mid(k % V)) pairs.push([Math.floor(k / V), k % V]);
  assert.ok(pairs.length > 300, `${pairs.length} co-occurring pairs`);
  let s = 12345;
  const rnd = (n) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
  const nb = new Neighbors(w, { vocab });
  let cs = 0, rs = 0, nr = 0;
  for (const [a, b] of pairs) {
    cs += nb.similarity(a, b);
    const x = pairs[rnd(pairs.length)][0], y = pairs[rnd(pairs.length)][1];
    if (x === y || co.has(Math.min(x, y) * V + Math.max(x, y))) continue;
    rs += nb.similarity(x, y);
    nr++;
  }
  const mc = cs / pairs.length, mr = rs / nr;
  assert.ok(mc > mr + 0.03, `mean cosine co-occurring ${mc.toFixed(3)} vs random ${mr.toFixed(3)}`);
  nb.dispose();
  w.dispose();
});

test('errors: bad options throw before anything is allocated, disposed trainer throws', () => {
  const { corpus, counts } = synthCorpus(10, 200);
  const bad = [
    [{ corpus, counts, mode: 'glove' }, RangeError],
    [{ corpus }, TypeError],
    [{ corpus: 'abc', counts }, TypeError],
    [{ corpus: Int32Array.of(0, 10), counts }, RangeError],
    [{ corpus: Int32Array.of(0, -2), counts }, RangeError],
    [{ corpus: [0, 1.5], counts }, RangeError],
    [{ corpus, counts: [1, -1] }, RangeError],
    [{ corpus, counts, dim: 0 }, RangeError],
    [{ corpus, counts, window: 2.5 }, RangeError],
    [{ corpus, counts, negative: 0 }, RangeError],
    [{ corpus, counts, sample: -1 }, RangeError],
    [{ corpus, counts, alpha: 0 }, RangeError],
    [{ corpus, counts, epochs: 0 }, RangeError],
    [{ corpus, counts, tableBits: 40 }, RangeError],
    [{ corpus, counts, seed: -1 }, RangeError],
    [{ corpus, counts, scalar: 1 }, TypeError],
    [{ corpus, counts, dim: 40000, counts: new Float64Array(40000).fill(1) }, RangeError],
  ];
  for (const [opts, E] of bad) assert.throws(() => new Word2Vec(opts), E, JSON.stringify(Object.keys(opts)));
  const w = new Word2Vec({ corpus, counts, dim: 8, tableBits: 10 });
  const before = w.weight.slice();
  assert.throws(() => w.step(0), RangeError);
  assert.throws(() => w.step(1.5), RangeError);
  assert.deepEqual(w.weight.slice(), before);
  assert.equal(w.progress.wordsDone, 0);
  w.dispose();
  assert.throws(() => w.step(10), /disposed/);
  assert.throws(() => w.weight, /disposed/);
});
