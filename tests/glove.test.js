// glove.test.js — co-occurrence counting and the GloVe trainer (src/c/glove.c via
// src/js/glove.js): against a plain-JS count and a float64 plain-JS trainer written from the
// method (tests/helpers/glove-ref.js), determinism across seeds / chunkings / SIMD-vs-scalar,
// the fallback build, the cost on a real corpus, the memory budget and error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { init, Vocab, Cooccurrence, GloVe, Neighbors, saveVectors, loadVectors, toWord2VecText, fromWord2VecText } from '../src/js/index.js';
import { countRef, sortedEntries, GloVeRef } from './helpers/glove-ref.js';
import { mobyDickText } from './helpers/training-corpus.js';

await init();

/** Sentences of Zipf-ish ids in groups (words of group g co-occur), -1 between sentences. */
function synthCorpus(nVocab, nTokens, seed = 7, groups = 4) {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out = [];
  while (out.length < nTokens) {
    const g = Math.floor(rnd() * groups);
    const len = 2 + Math.floor(rnd() * 14);
    for (let i = 0; i < len; i++) out.push(g + groups * Math.floor(Math.pow(rnd(), 2) * Math.floor(nVocab / groups)));
    out.push(-1);
  }
  return Int32Array.from(out);
}

function assertSameCounts(co, ref, V, label) {
  const want = sortedEntries(ref, V);
  const got = co.entries();
  assert.equal(co.nonzeros, want.rows.length, `${label}: nonzeros`);
  assert.deepEqual(Array.from(got.rows), want.rows, `${label}: rows`);
  assert.deepEqual(Array.from(got.cols), want.cols, `${label}: cols`);
  // float64 sums in the same order, rounded to float32 once: the same bits
  for (let k = 0; k < want.values.length; k++) {
    if (got.values[k] !== Math.fround(want.values[k])) {
      assert.fail(`${label}: X[${want.rows[k]}, ${want.cols[k]}] = ${got.values[k]}, want ${Math.fround(want.values[k])}`);
    }
  }
}

test('co-occurrence counts equal a plain JS count (dense block, hash, both; windows, weighting, one-sided)', () => {
  const V = 40;
  const corpus = synthCorpus(V, 3000);
  const cases = [
    { window: 3 }, { window: 5, symmetric: false }, { window: 4, distanceWeighting: false },
    { window: 7, denseCells: 0 }, { window: 2, denseCells: 100 }, { window: 6, symmetric: false, denseCells: 37 },
  ];
  for (const opts of cases) {
    const co = new Cooccurrence({ corpus, numWords: V, ...opts });
    assertSameCounts(co, countRef(corpus, V, opts), V, JSON.stringify(opts));
    co.dispose();
  }
});

test('co-occurrence: the hash grows past its first size, up to the budget, and still equals the plain count', () => {
  const V = 3000;
  const corpus = synthCorpus(V, 40000, 3, 1);
  const ref = countRef(corpus, V, { window: 6 });
  assert.ok(ref.size > 2 ** 17, `${ref.size} distinct pairs`);
  const co = new Cooccurrence({ corpus, numWords: V, window: 6, denseCells: 5000 });
  assert.ok(co.stats.hashSlots >= 2 ** 18, `hash grew to ${co.stats.hashSlots}`);
  assertSameCounts(co, ref, V, 'grown');
  co.dispose();
  // Near the budget the last growth takes what the budget allows (not a power of two).
  const maxBytes = 12 * 2 ** 20;
  const tight = new Cooccurrence({ corpus, numWords: V, window: 6, denseCells: 5000, maxBytes });
  const slots = tight.stats.hashSlots;
  assert.ok(slots > 2 ** 18 && slots < 2 ** 19 && (slots & (slots - 1)) !== 0, `${slots} slots`);
  assert.ok(tight.stats.peakBytes <= maxBytes, `peak ${tight.stats.peakBytes}`);
  assertSameCounts(tight, ref, V, 'budget-limited growth');
  tight.dispose();
});

test('co-occurrence: row, get and top', () => {
  const text = 'the whale and the sea. the whale and the ship. a ship and a sea';
  const vocab = Vocab.fromText(text, { minCount: 1 });
  const corpus = vocab.encode(text);
  const co = new Cooccurrence({ corpus, vocab, window: 2 });
  const ref = countRef(corpus, vocab.size, { window: 2 });
  const V = vocab.size;
  for (let i = 0; i < V; i++) {
    for (let j = 0; j < V; j++) assert.equal(co.get(i, j), Math.fround(ref.get(i * V + j) ?? 0));
    const row = co.row(i);
    const want = [...ref.keys()].filter((k) => Math.floor(k / V) === i).sort((a, b) => a - b).map((k) => k % V);
    assert.deepEqual(Array.from(row.cols), want);
  }
  assert.equal(co.get('whale', 'the'), Math.fround(ref.get(vocab.id('whale') * V + vocab.id('the'))));
  const top = co.top('whale', { k: 3 });
  const all = [...ref].filter(([k]) => Math.floor(k / V) === vocab.id('whale')).map(([k, x]) => ({ id: k % V, x }))
    .sort((a, b) => b.x - a.x || a.id - b.id);
  assert.deepEqual(top.map((t) => t.id), all.slice(0, 3).map((t) => t.id));
  assert.deepEqual(top.map((t) => t.word), all.slice(0, 3).map((t) => vocab.words[t.id]));
  assert.equal(top[0].count, Math.fround(all[0].x));
  assert.throws(() => co.top('kraken'), RangeError);
  assert.throws(() => co.get(0, V), RangeError);
  co.dispose();
  assert.throws(() => co.row(0), /disposed/);
});

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('GloVe: gradient and AdaGrad updates match a float64 plain-JS trainer over several epochs', () => {
  const V = 30;
  const corpus = synthCorpus(V, 1200, 11, 3);
  for (const opts of [
    { dim: 7, epochs: 5, xMax: 5, seed: 3 },
    { dim: 12, epochs: 4, xMax: 2, alpha: 0.5, lr: 0.1, seed: 8, reshuffle: true },
    { dim: 5, epochs: 3, xMax: 3, gradClip: 0.05, seed: 2 },  // the clip binds
  ]) {
    const counts = countRef(corpus, V, { window: 4 });
    const e = sortedEntries(counts, V);
    e.values = e.values.map(Math.fround);
    const co = new Cooccurrence({ corpus, numWords: V, window: 4 });
    const g = new GloVe({ cooccurrence: co, ...opts });
    co.dispose();  // the trainer keeps its own copy of the entries
    const ref = new GloVeRef(e, V, opts);
    // initial parameters: the same generator, bit for bit
    const W0 = g.wordWeight;
    for (let i = 0; i < V * opts.dim; i++) assert.equal(W0[i], ref.W[i]);
    assert.deepEqual(Array.from(g.contextBias), Array.from(ref.bC));
    for (let ep = 0; ep < opts.epochs; ep++) {
      g.step(e.rows.length);
      ref.epoch();
      const d = Math.max(maxAbsDiff(g.wordWeight, ref.W), maxAbsDiff(g.contextWeight, ref.C),
        maxAbsDiff(g.wordBias, ref.bW), maxAbsDiff(g.contextBias, ref.bC));
      assert.ok(d < 2e-6 * (ep + 1), `${JSON.stringify(opts)} epoch ${ep + 1}: max diff ${d}`);
      assert.ok(Math.abs(g.costs[ep] - ref.costs[ep]) <= 1e-5 * ref.costs[ep], `cost ${g.costs[ep]} vs ${ref.costs[ep]}`);
    }
    // the parameters moved well beyond that tolerance
    let moved = 0;
    for (let i = 0; i < V * opts.dim; i++) moved = Math.max(moved, Math.abs(ref.W[i] - W0[i]));
    assert.ok(moved > 0.02, `moved ${moved}`);
    const sum = g.weight;
    for (let i = 0; i < V * opts.dim; i++) assert.ok(Math.abs(sum[i] - (ref.W[i] + ref.C[i])) < 1e-4);
    assert.equal(g.progress.done, true);
    g.dispose();
  }
});

test('GloVe: deterministic per seed, independent of chunk sizes, SIMD == scalar bits; stop and resume', async () => {
  const V = 60;
  const corpus = synthCorpus(V, 4000, 5);
  const co = new Cooccurrence({ corpus, numWords: V, window: 5 });
  const base = { cooccurrence: co, dim: 19, epochs: 3, seed: 11, xMax: 10 };
  const run = (opts, chunks) => {
    const g = new GloVe(opts);
    let i = 0;
    while (!g.step(chunks[i++ % chunks.length]).done);
    const out = [g.wordWeight, g.contextWeight, g.wordBias, g.contextBias, g.costs];
    g.dispose();
    return out;
  };
  const a = run(base, [1e9]);
  const b = run(base, [1, 77, 500, 3]);
  const c = run({ ...base, scalar: true }, [250]);
  const d = run({ ...base, seed: 12 }, [1e9]);
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  assert.notDeepEqual(d[0], a[0]);
  assert.equal(a[4].length, 3);

  const g = new GloVe(base);
  const seen = [];
  const p1 = await g.train({
    chunkEntries: 700,
    onProgress(p) {
      seen.push(p);
      if (seen.length === 3) g.stop();
    },
  });
  assert.equal(seen.length, 3);
  assert.equal(p1.done, false);
  for (let i = 1; i < 3; i++) assert.ok(seen[i].entriesDone > seen[i - 1].entriesDone);
  for (const p of seen) {
    assert.ok(p.entriesPerSec > 0 && p.cost > 0 && p.totalEntries === 3 * co.nonzeros);
  }
  const ac = new AbortController();
  ac.abort();
  assert.equal((await g.train({ signal: ac.signal })).entriesDone, p1.entriesDone);
  const p3 = await g.train({ chunkEntries: 1234 });
  assert.equal(p3.done, true);
  assert.equal(p3.fraction, 1);
  assert.deepEqual(g.wordWeight, a[0]);
  assert.deepEqual(g.costs, a[4]);
  g.dispose();
  co.dispose();
});

test('fallback build (no SIMD): the same bits as the SIMD build', () => {
  const index = fileURLToPath(new URL('../src/js/index.js', import.meta.url));
  const script = (simd) => `import { init, features, Cooccurrence, GloVe } from ${JSON.stringify(index)};
    import { createHash } from 'node:crypto';
    await init({ simd: ${simd} });
    const ids = []; let s = 9;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    while (ids.length < 4000) { for (let i = 0, n = 2 + Math.floor(rnd() * 12); i < n; i++) ids.push(Math.floor(rnd() ** 2 * 300)); ids.push(-1); }
    const co = new Cooccurrence({ corpus: Int32Array.from(ids), numWords: 300, window: 6, denseCells: 2000 });
    const e = co.entries();
    const g = new GloVe({ cooccurrence: co, dim: 21, epochs: 3, seed: 4 });
    while (!g.step(5000).done);
    const h = createHash('sha256');
    for (const a of [e.rows, e.cols, e.values, g.wordWeight, g.contextWeight, g.wordBias, g.contextBias]) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    process.stdout.write(features.simd + ' ' + h.digest('hex'));`;
  const run = (simd) => execFileSync(process.execPath, ['--input-type=module', '-e', script(simd)], { encoding: 'utf8' }).trim().split(' ');
  const [s1, h1] = run(true);
  const [s0, h0] = run(false);
  assert.equal(s1, 'true');
  assert.equal(s0, 'false');
  assert.equal(h0, h1);
});

test('Moby Dick: the cost falls, words that co-occur end up closer than random pairs, vectors save and load', () => {
  const text = mobyDickText();
  const vocab = Vocab.fromText(text, { minCount: 5 });
  const corpus = vocab.encode(text);
  const co = new Cooccurrence({ corpus, vocab, window: 10 });
  assert.equal(co.top('whale', { k: 1 })[0].word, 'the');
  const g = new GloVe({ cooccurrence: co, dim: 32, epochs: 6, xMax: 10 });
  g.step(co.nonzeros);
  while (!g.step(300000).done);
  const c = g.costs;
  assert.equal(c.length, 6);
  for (let i = 1; i < c.length; i++) assert.ok(c[i] < c[i - 1], `costs ${c}`);
  assert.ok(c[5] < 0.8 * c[0], `costs ${c}`);

  const nb = new Neighbors(g, { vocab });
  const mid = (x) => vocab.counts[x] >= 20 && vocab.counts[x] <= 1000;
  let s = 12345;
  const rnd = (n) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
  let cs = 0, rs = 0, n = 0;
  const ids = [];
  for (let i = 0; i < vocab.size; i++) if (mid(i)) ids.push(i);
  for (const i of ids.slice(0, 300)) {
    const best = co.top(i, { k: 40 }).find((t) => mid(t.id) && t.id !== i);
    if (!best) continue;
    cs += nb.similarity(i, best.id);
    rs += nb.similarity(i, ids[rnd(ids.length)]);
    n++;
  }
  assert.ok(n > 200 && cs / n > rs / n + 0.1, `mean cosine co-occurring ${cs / n} vs random ${rs / n}`);

  const back = loadVectors(saveVectors({ words: [...vocab.words], weight: g.weight, dim: g.dim }));
  assert.deepEqual(back.weight, g.weight);
  const txt = fromWord2VecText(toWord2VecText({ words: [...vocab.words], weight: g.weight, dim: g.dim }));
  assert.equal(txt.words[0], vocab.words[0]);
  const emb = g.toEmbedding();
  assert.deepEqual(emb.weight.slice(), g.weight);
  emb.dispose();
  nb.dispose();
  g.dispose();
  co.dispose();
});

test('errors: bad options throw before anything changes; the memory budget is a RangeError', () => {
  const V = 10;
  const corpus = synthCorpus(V, 200);
  const bad = [
    [{ corpus }, TypeError],
    [{ corpus: 'abc', numWords: V }, TypeError],
    [{ corpus: Int32Array.of(0, 10), numWords: V }, RangeError],
    [{ corpus: Int32Array.of(0, -2), numWords: V }, RangeError],
    [{ corpus: [0, 1.5], numWords: V }, RangeError],
    [{ corpus, numWords: 0 }, RangeError],
    [{ corpus, vocab: {} }, TypeError],
    [{ corpus, numWords: V, window: 0 }, RangeError],
    [{ corpus, numWords: V, window: 1001 }, RangeError],
    [{ corpus, numWords: V, symmetric: 1 }, TypeError],
    [{ corpus, numWords: V, distanceWeighting: 'yes' }, TypeError],
    [{ corpus, numWords: V, maxBytes: 10 }, RangeError],
    [{ corpus, numWords: V, maxBytes: 2 ** 33 }, RangeError],
    [{ corpus, numWords: V, denseCells: -1 }, RangeError],
  ];
  for (const [opts, E] of bad) assert.throws(() => new Cooccurrence(opts), E, JSON.stringify(Object.keys(opts)));

  // Past the budget: a clear RangeError, nothing leaked, the module still works.
  const big = synthCorpus(5000, 60000, 2, 1);
  const probe = new Cooccurrence({ corpus: Int32Array.of(0), numWords: 1 });
  probe.dispose();
  assert.throws(() => new Cooccurrence({ corpus: big, numWords: 5000, window: 8, maxBytes: 4 * 2 ** 20, denseCells: 0 }),
    (e) => e instanceof RangeError && /maxBytes = 4\.0 MiB/.test(e.message) && /distinct pairs/.test(e.message));
  const ok = new Cooccurrence({ corpus, numWords: V, window: 3 });
  assertSameCounts(ok, countRef(corpus, V, { window: 3 }), V, 'after a failure');

  const badG = [
    [{}, TypeError],
    [{ cooccurrence: {} }, TypeError],
    [{ cooccurrence: ok, dim: 0 }, RangeError],
    [{ cooccurrence: ok, epochs: 1.5 }, RangeError],
    [{ cooccurrence: ok, xMax: 0 }, RangeError],
    [{ cooccurrence: ok, alpha: -1 }, RangeError],
    [{ cooccurrence: ok, lr: 0 }, RangeError],
    [{ cooccurrence: ok, gradClip: NaN }, RangeError],
    [{ cooccurrence: ok, seed: -1 }, RangeError],
    [{ cooccurrence: ok, reshuffle: 1 }, TypeError],
    [{ cooccurrence: ok, scalar: 'no' }, TypeError],
  ];
  for (const [opts, E] of badG) assert.throws(() => new GloVe(opts), E, JSON.stringify(opts, (k, v) => (k === 'cooccurrence' ? typeof v : v)));
  const g = new GloVe({ cooccurrence: ok, dim: 8 });
  const before = g.wordWeight;
  assert.throws(() => g.step(0), RangeError);
  assert.throws(() => g.step(2.5), RangeError);
  assert.throws(() => g.toEmbedding({ vectors: 'both' }), RangeError);
  assert.deepEqual(g.wordWeight, before);
  assert.equal(g.progress.entriesDone, 0);
  ok.dispose();
  assert.throws(() => new GloVe({ cooccurrence: ok }), /disposed/);
  g.step(10);
  g.dispose();
  assert.throws(() => g.step(10), /disposed/);
  assert.throws(() => g.weight, /disposed/);

  // an empty matrix (no pair within a sentence) trains to done without entries
  const lone = new Cooccurrence({ corpus: Int32Array.of(0, -1, 1, -1, 2), numWords: 3 });
  assert.equal(lone.nonzeros, 0);
  const g0 = new GloVe({ cooccurrence: lone, dim: 4, epochs: 2 });
  assert.equal(g0.step(10).done, true);
  g0.dispose();
  lone.dispose();
});
