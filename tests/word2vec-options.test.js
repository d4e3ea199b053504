// word2vec-options.test.js — the trainer's options beyond the tool's defaults (hierarchical
// softmax with the tool's Huffman tree, summed CBOW, the noise exponent, a fixed window),
// streamed corpora and continued training: against the independent float64 plain-JS trainer
// (tests/helpers/training-ref.js, its own heap-based Huffman tree), math properties of the
// tree, and same bits across chunkings, streams, stop/resume and the scalar build.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { init, Vocab, VocabCounter, Word2Vec, huffmanTree } from '../src/js/index.js';
import { Word2VecRef, huffmanRef } from './helpers/training-ref.js';
import { synthCorpus, maxAbsDiff } from './helpers/w2v-synth.js';
import { mobyDickText } from './helpers/training-corpus.js';

await init();

function maxAbs(a) {
  let m = 0;
  for (const x of a) m = Math.max(m, Math.abs(x));
  return m;
}

function runAll(w, chunks = [1e9]) {
  let i = 0;
  while (!w.step(chunks[i++ % chunks.length]).done);
  return w;
}

const tables = (w) => [w.weight.slice(), w.outputWeight?.slice() ?? null, w.hsOutputWeight?.slice() ?? null];

test('Huffman tree: the tool\'s two-queue tree equals a heap-built reference, is complete and optimal', () => {
  let s = 99;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (const n of [1, 2, 3, 5, 17, 200]) {
    // counts with many ties, not sorted
    const counts = Array.from({ length: n }, () => 1 + Math.floor(Math.pow(rnd(), 3) * 20));
    const t = huffmanTree(counts), r = huffmanRef(counts);
    let kraft = 0, cost = 0;
    for (let w = 0; w < n; w++) {
      const code = Array.from(t.code.subarray(t.off[w], t.off[w + 1]));
      const point = Array.from(t.point.subarray(t.off[w], t.off[w + 1]));
      assert.deepEqual(code, r.codes[w], `n=${n} word ${w} codes`);
      assert.deepEqual(point, r.points[w], `n=${n} word ${w} points`);
      if (n > 1) assert.equal(point[0], n - 2, 'root first');
      kraft += 2 ** -code.length;
      cost += counts[w] * code.length;
    }
    if (n > 1) assert.equal(kraft, 1, `n=${n}: Kraft sum`);
    // optimal: the weighted path length equals the sum of the merged weights of any Huffman merge
    const q = counts.slice().sort((a, b) => a - b);
    let opt = 0;
    while (q.length > 1) {
      const m = q.shift() + q.shift();
      opt += m;
      let i = 0;
      while (i < q.length && q[i] < m) i++;
      q.splice(i, 0, m);
    }
    assert.equal(cost, opt, `n=${n}: weighted path length`);
  }
});

const CONFIGS = [
  { mode: 'skipgram', hs: true, negative: 0 },
  { mode: 'cbow', hs: true, negative: 0 },
  { mode: 'skipgram', hs: true, negative: 3 },
  { mode: 'cbow', hs: true, negative: 2, cbowMean: false },
  { mode: 'cbow', cbowMean: false },
  { mode: 'skipgram', shrinkWindows: false },
  { mode: 'cbow', shrinkWindows: false, hs: true, negative: 0 },
  { mode: 'skipgram', nsExponent: 0 },
  { mode: 'skipgram', nsExponent: -0.5 },
  { mode: 'cbow', nsExponent: 1 },
];

for (const cfg of CONFIGS) {
  const tag = JSON.stringify(cfg);
  test(`${tag}: matches the float64 reference, same bits for any chunking and the scalar build`, () => {
    const { corpus, counts } = synthCorpus(40, 1500);
    const opts = { corpus, counts, dim: 13, window: 3, negative: 4, sample: 0.01, epochs: 2, tableBits: 12, seed: 5, ...cfg };
    const w = new Word2Vec(opts);
    const ref = new Word2VecRef(opts);
    assert.deepEqual(Array.from(w.weight), Array.from(ref.syn0).map(Math.fround));
    let p;
    while (!(p = w.step(500)).done) ref.step(500);
    ref.step(500);
    assert.equal(p.wordsDone, ref.wordsDone);
    assert.ok(Math.abs(p.loss - ref.lossSum / ref.pairs) < 1e-3 * ref.lossSum / ref.pairs || p.pairs !== ref.pairs,
      `loss ${p.loss} vs ${ref.lossSum / ref.pairs}`);
    const [a0, a1, a2] = tables(w);
    const d0 = maxAbsDiff(a0, ref.syn0);
    assert.ok(d0 < 2e-4, `syn0 max diff ${d0}`);
    if (opts.negative > 0) {
      assert.ok(maxAbs(ref.syn1) > 0.05, 'output vectors moved');
      assert.ok(maxAbsDiff(a1, ref.syn1) < 2e-4, `syn1neg max diff ${maxAbsDiff(a1, ref.syn1)}`);
    } else assert.equal(a1, null);
    if (opts.hs) {
      assert.ok(maxAbs(ref.syn1hs) > 0.05, 'hs vectors moved');
      assert.ok(maxAbsDiff(a2, ref.syn1hs) < 2e-4, `syn1 (hs) max diff ${maxAbsDiff(a2, ref.syn1hs)}`);
    } else assert.equal(a2, null);
    const b = tables(runAll(new Word2Vec(opts), [1, 77, 500, 3]));
    const c = tables(runAll(new Word2Vec({ ...opts, scalar: true }), [250]));
    assert.deepEqual(b, [a0, a1, a2]);
    assert.deepEqual(c, [a0, a1, a2]);
    w.dispose();
  });
}

test('options change the result as they should: a fixed window, ns exponent, summed CBOW, hs', () => {
  const { corpus, counts } = synthCorpus(40, 1500);
  const base = { corpus, counts, dim: 8, epochs: 1, tableBits: 10, seed: 3 };
  const ref = tables(runAll(new Word2Vec(base)))[0];
  for (const o of [{ shrinkWindows: false }, { nsExponent: 0.5 }, { hs: true }, { mode: 'cbow', cbowMean: false }]) {
    const w = runAll(new Word2Vec({ ...base, ...o }));
    assert.notDeepEqual(w.weight.slice(), ref, JSON.stringify(o));
    w.dispose();
  }
  // the defaults spelled out give the same bits
  const same = runAll(new Word2Vec({ ...base, nsExponent: 0.75, shrinkWindows: true, hs: false, cbowMean: true }));
  assert.deepEqual(same.weight.slice(), ref);
  same.dispose();
});

/** Random split of an Int32Array into pieces (some empty). */
function pieces(ids, seed) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = [];
  for (let i = 0; i < ids.length;) {
    const n = Math.floor(rnd() * rnd() * 300);
    out.push(ids.subarray(i, i + n));
    i += n;
  }
  return out;
}

test('streamed corpus: any split into pieces, sync or async, ids or text, gives the in-memory bits', async () => {
  const text = mobyDickText().slice(0, 120000);
  const vocab = Vocab.fromText(text, { minCount: 3 });
  const corpus = vocab.encode(text);
  for (const cfg of [{ mode: 'skipgram' }, { mode: 'cbow', hs: true, sample: 0 }]) {
    const opts = { vocab, dim: 12, epochs: 3, tableBits: 12, seed: 9, ...cfg };
    const whole = new Word2Vec({ ...opts, corpus });
    const ref = tables(runAll(whole));
    const refP = whole.progress;
    whole.dispose();
    // a re-iterable array of Int32Array pieces, stepped in odd sizes
    const a = runAll(new Word2Vec({ ...opts, corpus: pieces(corpus, 1) }), [999, 5, 30000]);
    assert.deepEqual(tables(a), ref);
    assert.equal(a.progress.wordsDone, refP.wordsDone);
    assert.equal(a.progress.epoch, 3);
    a.dispose();
    // a function returning an async generator of pieces (a different split every epoch), via train()
    let epoch = 0;
    const b = new Word2Vec({
      ...opts,
      corpus: async function* gen() {
        for (const p of pieces(corpus, 7 + epoch++)) { await null; yield p; }
      },
    });
    assert.throws(() => b.step(100), TypeError);  // async source: step() refuses before reading
    const seen = [];
    const p1 = await b.train({ chunkWords: 3000, onProgress: (p) => { seen.push(p); if (seen.length === 4) b.stop(); } });
    assert.equal(p1.done, false);
    const p2 = await b.train({ chunkWords: 7001 });
    assert.equal(p2.done, true);
    assert.deepEqual(tables(b), ref);
    b.dispose();
    // text pieces split anywhere (inside words too), encoded with the vocabulary on the way
    const cuts = [];
    for (let i = 0; i < text.length;) { const n = 1 + ((i * 7919) % 4000); cuts.push(text.slice(i, i + n)); i += n; }
    const c = runAll(new Word2Vec({ ...opts, corpus: () => cuts.values() }), [20000]);
    assert.deepEqual(tables(c), ref);
    c.dispose();
  }
});

test('streamed corpus: a count that is off ends after the epochs; bad pieces are named', () => {
  const { corpus, counts } = synthCorpus(30, 2000, 5);
  const tokens = corpus.filter((x) => x >= 0).length;
  const w = new Word2Vec({ corpus: [corpus], counts, totalWords: tokens + 500, dim: 8, epochs: 2, tableBits: 10 });
  const p = runAll(w);
  assert.equal(p.progress.epoch, 2);
  assert.equal(p.progress.wordsDone, 2 * tokens);
  w.dispose();
  const bad = new Word2Vec({ corpus: [Int32Array.of(0, 1), Int32Array.of(2, 99)], counts, dim: 8, tableBits: 10 });
  assert.throws(() => bad.step(10), /corpus piece\[1\] = 99/);
  bad.dispose();
  function* once() { yield corpus; }
  assert.throws(() => new Word2Vec({ corpus: once(), counts, epochs: 2 }), /iterator/);
  const one = runAll(new Word2Vec({ corpus: once(), counts, epochs: 1, dim: 4, tableBits: 10 }));
  assert.equal(one.progress.wordsDone, tokens);
  one.dispose();
  assert.throws(() => new Word2Vec({ corpus: ['some text'], counts, dim: 4, tableBits: 10 }).step(5), /needs `vocab`/);
});

test('Vocab from pieces and the streaming encoder equal the whole-text results', async () => {
  const text = mobyDickText().slice(0, 60000);
  const whole = Vocab.fromText(text, { minCount: 2 });
  const parts = [];
  for (let i = 0; i < text.length;) { const n = 1 + ((i * 31) % 97); parts.push(text.slice(i, i + n)); i += n; }
  const v = await Vocab.fromChunks(parts, { minCount: 2 });
  assert.deepEqual(v.words, whole.words);
  assert.deepEqual(v.counts, whole.counts);
  const counter = new VocabCounter();
  for (const p of parts) counter.add(p);
  assert.deepEqual(counter.toVocab({ minCount: 2 }).words, whole.words);
  const enc = whole.encoder();
  const ids = [];
  for (const p of parts) ids.push(...enc.push(p));
  ids.push(...enc.end());
  assert.deepEqual(Int32Array.from(ids), whole.encode(text));
  // async iterable of pieces
  const va = await Vocab.fromChunks((async function* g() { for (const p of parts) yield p; })(), { minCount: 2 });
  assert.deepEqual(va.words, whole.words);
});

test('continued training: given tables are where training starts; vocabulary growth keeps the old rows', () => {
  const { corpus, counts } = synthCorpus(40, 1500, 11);
  const opts = { corpus, counts, dim: 10, window: 3, negative: 3, epochs: 1, tableBits: 12, seed: 4, hs: true };
  const first = runAll(new Word2Vec(opts));
  const [w0, w1, w2] = tables(first);
  first.dispose();
  // giving the seed's own initial tables changes nothing
  const fresh = new Word2Vec(opts);
  const init0 = fresh.weight.slice();
  const same = runAll(new Word2Vec({ ...opts, weight: init0, outputWeight: new Float32Array(40 * 10), hsOutputWeight: new Float32Array(39 * 10) }));
  assert.deepEqual(tables(same), tables(runAll(fresh)));
  same.dispose();
  fresh.dispose();
  // a second pass from the first pass's tables, against the float64 reference started there too
  const more = { ...opts, seed: 8, alpha: 0.01, weight: w0, outputWeight: w1, hsOutputWeight: w2 };
  const w = new Word2Vec(more);
  assert.deepEqual(w.weight.slice(), w0);
  const ref = new Word2VecRef(more);
  runAll(w);
  ref.step(1e9);
  assert.ok(maxAbsDiff(w.weight, ref.syn0) < 2e-4 && maxAbsDiff(w.outputWeight, ref.syn1) < 2e-4 && maxAbsDiff(w.hsOutputWeight, ref.syn1hs) < 2e-4);
  assert.ok(maxAbsDiff(w.weight, w0) > 1e-3, 'the second pass moved the vectors');
  w.dispose();
  // vocabulary growth (gensim's build_vocab(update=True)): old words keep ids and rows
  const text1 = 'the cat sat on the mat. the dog sat on the log. ';
  const text2 = 'a bird sat on the branch. a bird and a cat. ';
  const v1 = Vocab.fromText(text1.repeat(20), { minCount: 1 });
  const a = runAll(new Word2Vec({ vocab: v1, corpus: v1.encode(text1.repeat(20)), dim: 6, epochs: 1, tableBits: 10 }));
  const v2 = v1.update(text2.repeat(10), { minCount: 5 });
  assert.deepEqual(v2.words.slice(0, v1.size), [...v1.words]);
  assert.deepEqual(v2.words.slice(v1.size), ['a', 'bird', 'and', 'branch']);
  assert.equal(v2.counts[v1.id('sat')], v1.counts[v1.id('sat')] + 10);
  const b = new Word2Vec({ vocab: v2, corpus: v2.encode(text2.repeat(10)), dim: 6, epochs: 1, tableBits: 10, weight: a.weight.slice(), outputWeight: a.outputWeight.slice() });
  assert.deepEqual(b.weight.slice(0, v1.size * 6), a.weight.slice());
  assert.deepEqual(b.outputWeight.slice(0, v1.size * 6), a.outputWeight.slice());
  assert.ok(maxAbs(b.outputWeight.slice(v1.size * 6)) === 0, 'new output rows start at zero');
  runAll(b);
  a.dispose();
  b.dispose();
});

test('errors: new options are validated before anything is allocated', () => {
  const { corpus, counts } = synthCorpus(10, 200);
  const bad = [
    [{ negative: 0 }, RangeError],
    [{ hs: 1 }, TypeError],
    [{ cbowMean: 'no' }, TypeError],
    [{ shrinkWindows: 0 }, TypeError],
    [{ nsExponent: NaN }, RangeError],
    [{ nsExponent: 11 }, RangeError],
    [{ nsExponent: '1' }, TypeError],
    [{ weight: new Float32Array(7) }, RangeError],
    [{ weight: new Float32Array(11 * 100) }, RangeError],
    [{ weight: [1, 2] }, TypeError],
    [{ weight: new Float32Array(100).fill(NaN) }, RangeError],
    [{ hsOutputWeight: new Float32Array(100) }, RangeError],
    [{ hs: true, negative: 0, outputWeight: new Float32Array(100) }, RangeError],
    [{ corpus: () => [], totalWords: -1 }, RangeError],
    [{ corpus: () => [], totalWords: 1.5 }, RangeError],
  ];
  for (const [o, E] of bad) assert.throws(() => new Word2Vec({ corpus, counts, ...o }), E, JSON.stringify(Object.keys(o)));
  const ok = new Word2Vec({ corpus, counts, hs: true, negative: 0, dim: 4 });
  assert.equal(ok.outputWeight, null);
  assert.equal(ok.hsOutputWeight.length, 9 * 4);
  ok.dispose();
});
