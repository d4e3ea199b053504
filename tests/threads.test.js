// threads.test.js — the thread pool (src/c/pool.c, src/js/threads.js): every parallel kernel gives
// the bits of the single-thread build at 1, 2, 3 and 8 threads, on sizes that do not divide
// evenly; the pool survives a trap in a chunk and a rejected call; terminate() and repeated
// init() work; several workers of the user's own, each with its own pool, run at once.
import test from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

import * as ek from '../src/js/index.js';
import { alloc, free, heap, wasm } from '../src/js/memory.js';
import { threadChunkCounts } from '../src/js/threads.js';
import { assertSameBits } from './helpers/close.js';
import { cases } from './helpers/parallel-cases.js';

const { init, features, terminate, Embedding } = ek;
const NAMES = Object.keys(cases);

function inWorker(threads, names = NAMES) {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./helpers/threads-worker.js', import.meta.url), { workerData: { threads, names } });
    w.once('message', resolve);
    w.once('error', reject);
  });
}

function sameResults(actual, expected, what) {
  for (const [name, r] of Object.entries(expected)) {
    for (const [k, v] of Object.entries(r)) {
      const a = actual[name][k];
      if (v instanceof Float32Array) assertSameBits(a, v, `${what}: ${name}.${k}`);
      else assert.deepEqual(a, v, `${what}: ${name}.${k}`);
    }
  }
}

const single = await inWorker(1);  // the single-thread build, as with threads: 1
await init({ threads: 8 });

test('the single-thread build is what threads: 1 loads; the threaded build runs 8 threads here', () => {
  assert.equal(single.features.threads, 1);
  assert.match(single.features.threadsReason, /threads: 1/);
  assert.equal(features.threads, 8);
  assert.equal(features.threadsReason, null);
  assert.equal(features.simd, true);
  assert.equal(typeof wasm().ek_pool_worker, 'function');
});

test('every parallel kernel: same bits at 1, 2, 3 and 8 threads as the single-thread build', async () => {
  let workerChunks = 0;
  for (const t of [1, 2, 3, 8]) {
    await init({ threads: t });
    assert.equal(features.threads, t);
    threadChunkCounts();
    const results = {};
    for (const name of NAMES) results[name] = cases[name](ek);
    const chunks = threadChunkCounts();
    if (t === 1) assert.ok(chunks.slice(1).every((c) => c === 0), `threads: 1 ran chunks on workers: ${chunks}`);
    else workerChunks += chunks.slice(1, t).reduce((a, b) => a + b, 0);
    assert.ok(chunks.slice(t).every((c) => c === 0), `threads beyond ${t} ran chunks: ${chunks}`);
    sameResults(results, single.results, `${t} threads`);
  }
  assert.ok(workerChunks > 0, 'the workers ran none of the chunks');
});

test('a trap inside a chunk fails the call, and every worker stays usable', async () => {
  await init({ threads: 3 });
  const ex = wasm();
  const n = 4000, dim = 300;
  const e = new Embedding(1000, dim, { seed: 1 });
  const id = new Int32Array(n).map((_, i) => i % 1000);
  const expected = e.forward(id);
  // Raw kernel call with ids far outside the table in the last rows: the chunk holding them
  // traps (out of bounds), in a worker or on the calling thread.
  const bad = id.slice();
  for (let i = n - 5; i < n; i++) bad[i] = Math.floor(4.2e9 / (dim * 4));  // past the memory's end
  const pi = alloc(n * 4), po = alloc(n * dim * 4);
  heap().i32.set(bad, pi >>> 2);
  for (let round = 0; round < 6; round++) {
    assert.throws(() => ex.ek_gather_rows_f32(po, e._ptrs.weight, pi, n, dim), WebAssembly.RuntimeError);
    // No explicit settling: when the trap was in the calling thread's own chunk, workers may
    // still run the rest of the job; the next touch of memory (heap()) waits for them.
    assertSameBits(e.forward(id), expected, `after trap ${round}`);
  }
  free(pi); free(po);
  // A rejected call (validation) changes nothing either.
  assert.throws(() => e.forward([0, 1000]), RangeError);
  assertSameBits(e.forward(id), expected, 'after a RangeError');
  e.dispose();
});

test('terminate() and repeated init(): kernels keep their bits with 1 thread and after a restart', async () => {
  const expected = cases.backward(ek);
  await terminate();
  assert.equal(features.threads, 1);
  assert.match(features.threadsReason, /terminate/);
  sameResults({ backward: cases.backward(ek) }, { backward: expected }, 'after terminate');
  await init({ threads: 3 });
  assert.equal(features.threads, 3);
  await init({ threads: 2 });
  await init();
  assert.equal(features.threads, 2);
  sameResults({ backward: cases.backward(ek) }, { backward: expected }, 'after restart');
  await assert.rejects(init({ threads: 0 }), RangeError);
  await assert.rejects(init({ threads: 1.5 }), RangeError);
  await assert.rejects(init({ threads: '2' }), TypeError);
  assert.equal(features.threads, 2);
});

test('several workers of the user\'s own, each with a pool of 2 threads, at the same time', async () => {
  const runs = await Promise.all([2, 2, 3].map((t) => inWorker(t)));
  for (const r of runs) {
    assert.ok(r.features.threads >= 2);
    sameResults(r.results, single.results, 'user worker');
  }
});

// Four topics of 50 words each; a sentence draws its words from one topic (Zipf-ish inside it).
function topicCorpus(n, seed) {
  const ids = [];
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  while (ids.length < n) {
    const g = Math.floor(rnd() * 4);
    for (let i = 0, m = 4 + Math.floor(rnd() * 10); i < m; i++) ids.push(g + 4 * Math.floor(rnd() ** 2 * 50));
    ids.push(-1);
  }
  const counts = new Array(200).fill(0);
  for (const w of ids) if (w >= 0) counts[w]++;
  return { corpus: Int32Array.from(ids), counts };
}

/** Mean cosine of word pairs from the same topic minus pairs from different topics. */
function topicGap(weight, dim) {
  const unit = [];
  for (let w = 0; w < 200; w++) {
    const v = weight.subarray(w * dim, (w + 1) * dim);
    const n = Math.hypot(...v);
    unit.push(Array.from(v, (x) => x / n));
  }
  let same = 0, ns = 0, diff = 0, nd = 0;
  for (let a = 0; a < 40; a++) {
    for (let b = a + 1; b < 40; b++) {
      const c = unit[a].reduce((t, x, j) => t + x * unit[b][j], 0);
      if (a % 4 === b % 4) { same += c; ns++; } else { diff += c; nd++; }
    }
  }
  return same / ns - diff / nd;
}

test('word2vec threads: lock-free parts on the pool, progress adds up, quality as on one thread', async () => {
  await init({ threads: 2 });
  const { corpus, counts } = topicCorpus(60000, 5);
  const opts = { corpus, counts, dim: 32, epochs: 3, window: 4, tableBits: 14 };
  const gaps = {};
  for (const threads of [1, 2, 3]) {
    let workerParts = 0;
    for (const seed of [1, 2]) {
      const w = new ek.Word2Vec({ ...opts, seed, threads });
      assert.equal(w.options.threads, threads);
      threadChunkCounts();
      let p;
      while (!(p = w.step(7000)).done);
      workerParts += threadChunkCounts()[1];
      assert.equal(p.wordsDone, p.totalWords);
      assert.equal(p.epoch, 3);
      assert.ok(p.loss > 0 && p.loss < 1.5, `loss ${p.loss}`);
      (gaps[threads] ??= []).push(topicGap(w.weight, 32));
      w.dispose();
    }
    if (threads > 1) {
      // On a loaded machine the worker may not get a core before the caller has taken every
      // part of every step: then train on (for up to 20 s) until it has taken one.
      const w = new ek.Word2Vec({ ...opts, epochs: 50, seed: 9, threads });
      const end = Date.now() + 20000;
      while (workerParts === 0 && Date.now() < end && !w.step(7000).done) workerParts += threadChunkCounts()[1];
      w.dispose();
      assert.ok(workerParts > 0, `threads ${threads}: the worker trained no part`);
    }
  }
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  for (const t of [2, 3]) {
    assert.ok(Math.abs(mean(gaps[t]) - mean(gaps[1])) < 0.1 * mean(gaps[1]) + 0.02,
      `topic gap with ${t} threads ${gaps[t]} vs one thread ${gaps[1]}`);
  }
  assert.ok(mean(gaps[1]) > 0.2, `the topics separate: ${gaps[1]}`);
  // threads: 1 stays deterministic, whatever the pool.
  const a = new ek.Word2Vec({ ...opts, seed: 4 }), b = new ek.Word2Vec({ ...opts, seed: 4, threads: 1 });
  while (!a.step(9000).done);
  while (!b.step(4000).done);
  assertSameBits(a.weight, b.weight, 'threads: 1');
  a.dispose(); b.dispose();
  assert.throws(() => new ek.Word2Vec({ ...opts, threads: 0 }), RangeError);
  assert.throws(() => new ek.Word2Vec({ ...opts, threads: 1.5 }), RangeError);
  assert.throws(() => new ek.Word2Vec({ ...opts, corpus: [[0, 1, 2]], threads: 2 }), /in memory/);
});

test('GloVe threads: lock-free parts on the pool, the cost falls as on one thread', async () => {
  await init({ threads: 2 });
  const { corpus } = topicCorpus(60000, 9);
  const co = new ek.Cooccurrence({ corpus, numWords: 200, window: 10 });
  const costs = {};
  let workerParts = 0;
  for (const threads of [1, 2, 3]) {
    const g = new ek.GloVe({ cooccurrence: co, dim: 48, epochs: 6, seed: 3, threads });
    assert.equal(g.options.threads, threads);
    threadChunkCounts();
    let p;
    while (!(p = g.step(co.nnz ?? 40000)).done);
    if (threads > 1) workerParts += threadChunkCounts()[1];
    costs[threads] = p.epochCost;
    g.dispose();
  }
  for (const t of [2, 3]) assert.ok(Math.abs(costs[t] - costs[1]) < 0.1 * costs[1], `final epoch cost ${costs[t]} vs ${costs[1]}`);
  if (workerParts === 0) {  // a loaded machine: see the word2vec test above
    const g = new ek.GloVe({ cooccurrence: co, dim: 48, epochs: 200, seed: 3, threads: 2 });
    const end = Date.now() + 20000;
    while (workerParts === 0 && Date.now() < end && !g.step(co.nnz ?? 40000).done) workerParts += threadChunkCounts()[1];
    g.dispose();
  }
  assert.ok(workerParts > 0, 'the worker trained no part');
  assert.throws(() => new ek.GloVe({ cooccurrence: co, threads: 0 }), RangeError);
  co.dispose();
});

test.after(() => terminate());
