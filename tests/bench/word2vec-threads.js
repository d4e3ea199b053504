// word2vec-threads.js — word2vec on 1 and N threads: embedkit (Word2Vec { threads }), gensim
// (workers, its corpus_file reader) and the original C tool (-threads), on the same corpus and
// settings, runs interleaved. Not part of npm test (it needs the Python venv with gensim and a
// build of the C tool); run
//   node tests/bench/word2vec-threads.js [--copies 10] [--runs 3] [--threads 2] [--mode skipgram|cbow]
//     [--epochs 1] [--python /work/py/bin/python] [--w2v /work/ext/word2vec/word2vec] [--peers 0]
// (--peers 0: embedkit and the ceiling only, without gensim and the C tool)
// The corpus: N copies of Moby-Dick tokenised by embedkit's Vocab (min count 5), written one
// sentence per line for the others. Settings: dim 100, window 5, negative 5, sample 1e-3.
// Speed: words read per second of wall-clock time, training only (gensim: model.train(); the C
// tool: its own last "Words/thread/sec" figure times the threads, which leaves out its vocabulary
// pass). Build the C tool outside the repository, with the published flags
// (gcc -O3 -march=native -funroll-loops -pthread) and `eof = 0;` added where TrainModelThread
// rewinds its file: as published it trains only the first epoch when -iter > 1.
// Ceiling: the same one-thread trainer run in N separate processes at the same time (no shared
// tables, nothing to contend for but the machine's cores, caches and memory): their summed words/s
// is what N cores of this machine give this work; the N-thread trainer is reported against it.
// Quality: WordSim-353 Spearman (gensim's test data) of each embedkit run, with 1 and N threads,
// several seeds: threads must stay within the seed-to-seed spread.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { init, features, evaluateWordPairs, Word2Vec } from '../../src/js/index.js';
import { mobyCopies } from './lib/word-vectors.js';

// run.js imports every file here looking for `workloads`: this one does its work only when run.
export const workloads = [];
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

async function main() {
  const arg = (name, def) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1] : def;
  };
  const copies = Number(arg('copies', 10)), runs = Number(arg('runs', 3)), T = Number(arg('threads', 2));
  const mode = arg('mode', 'skipgram'), epochs = Number(arg('epochs', 1)), peers = arg('peers', '1') !== '0';
  const python = arg('python', '/work/py/bin/python'), w2vBin = arg('w2v', '/work/ext/word2vec/word2vec');

  await init({ threads: T });
  console.log(`embedkit on ${features.threads} threads${features.threads > 1 ? '' : ` (${features.threadsReason})`}`);
  const dir = mkdtempSync(join(tmpdir(), 'ek-w2v-threads-'));
  const file = join(dir, 'corpus.txt');
  const { vocab, corpus, counts, tokens } = mobyCopies(copies, file);
  const sg = mode === 'skipgram';
  console.log(`corpus: ${copies} x Moby-Dick, ${tokens} words, ${vocab.size} distinct; ${mode}, dim 100, window 5, ` +
    `negative 5, sample 1e-3, ${epochs} epoch(s); words/s of wall-clock time, training only`);

  const GENSIM = `
  import json, sys, time
  from gensim.models import Word2Vec
  corpus, sg, workers, epochs, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
  m = Word2Vec(vector_size=100, window=5, min_count=1, sg=sg, negative=5, sample=1e-3, workers=workers, seed=seed, epochs=epochs)
  m.build_vocab(corpus_file=corpus)
  t0 = time.perf_counter()
  m.train(corpus_file=corpus, total_words=m.corpus_total_words, epochs=epochs)
  print(json.dumps({'seconds': time.perf_counter() - t0, 'words': m.corpus_total_words * epochs}))
  `.replace(/^ {2}/gm, '');
  const WORDSIM = '/work/py/lib/python3.11/site-packages/gensim/test/test_data/wordsim353.tsv';
  const wordsim = existsSync(WORDSIM) ? readFileSync(WORDSIM, 'utf8') : null;

  function embedkit(threads, seed) {
    const w = new Word2Vec({ vocab, counts, corpus, mode, dim: 100, window: 5, negative: 5, sample: 1e-3, epochs, seed, threads });
    const t0 = performance.now();
    let p;
    // Ten steps: the last one's mean loss per pair (the last tenth of training) is the quality figure.
    while (!(p = w.step(Math.ceil(tokens * epochs / 10))).done);
    const s = (performance.now() - t0) / 1000;
    const q = { loss: p.loss, wordsim: wordsim ? evaluateWordPairs(w, wordsim, { vocab }).spearman : NaN };
    w.dispose();
    return { rate: tokens * epochs / s, q };
  }

  // T one-thread trainers in T processes started together; the sum of their words/s.
  const soloScript = join(dir, 'solo.mjs');
  writeFileSync(soloScript, `
    import { init, Word2Vec } from ${JSON.stringify(pathToFileURL(fileURLToPath(new URL('../../src/js/index.js', import.meta.url))).href)};
    import { mobyCopies } from ${JSON.stringify(pathToFileURL(fileURLToPath(new URL('./lib/word-vectors.js', import.meta.url))).href)};
    const [copies, mode, epochs, seed] = process.argv.slice(2).map((x, i) => (i === 1 ? x : Number(x)));
    await init({ threads: 1 });
    const { vocab, corpus, counts, tokens } = mobyCopies(copies);
    const w = new Word2Vec({ vocab, counts, corpus, mode, dim: 100, window: 5, negative: 5, sample: 1e-3, epochs, seed });
    process.stdout.write('ready\\n');
    await new Promise((r) => process.stdin.once('data', r));
    const t0 = performance.now();
    while (!w.step(Math.ceil(tokens * epochs / 10)).done);
    process.stdout.write(String(tokens * epochs / ((performance.now() - t0) / 1000)) + '\\n');
    process.exit(0);
  `);
  async function solo(n, seed) {
    const kids = Array.from({ length: n }, (_, i) => spawn(process.execPath, [soloScript, String(copies), mode, String(epochs), String(seed + i)], { stdio: ['pipe', 'pipe', 'inherit'] }));
    const lines = kids.map((k) => {
      let buf = '';
      const waiters = [];
      k.stdout.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { const l = buf.slice(0, i); buf = buf.slice(i + 1); waiters.shift()?.(l); }
      });
      return () => new Promise((r) => waiters.push(r));
    });
    const next = lines.map((f) => f());
    await Promise.all(next);  // every process has its trainer ready
    const rates = lines.map((f) => f());
    for (const k of kids) k.stdin.write('go\n');  // start them together
    const r = (await Promise.all(rates)).map(Number);
    return { rate: r.reduce((a, b) => a + b, 0), each: r };
  }

  function gensim(workers, seed) {
    try {
      const out = execFileSync(python, ['-c', GENSIM, file, sg ? '1' : '0', String(workers), String(epochs), String(seed)], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').at(-1));
      return { rate: r.words / r.seconds };
    } catch (e) {
      return { na: `gensim failed: ${e.message.split('\n')[0]}` };
    }
  }

  // The C tool's own "Words/thread/sec" divides by clock(), the CPU time of all its threads, not
  // by wall-clock time: time whole runs instead, and take the difference between -iter E + 1 and
  // -iter 1, which leaves out the vocabulary pass and the 10^8-entry table.
  function ctool(threads) {
    if (!existsSync(w2vBin)) return { na: `no ${w2vBin}` };
    const wall = (iter) => {
      const t0 = performance.now();
      const r = spawnSync(w2vBin, ['-train', file, '-output', join(dir, 'c.bin'), '-size', '100', '-window', '5', '-negative', '5',
        '-hs', '0', '-sample', '1e-3', '-threads', String(threads), '-iter', String(iter), '-min-count', '1', '-binary', '1',
        '-cbow', sg ? '0' : '1', ...(sg ? [] : ['-alpha', '0.05'])], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`word2vec.c exited with ${r.status}`);
      return (performance.now() - t0) / 1000;
    };
    const s = wall(epochs + 1) - wall(1);
    return { rate: tokens * epochs / s };
  }

  const rows = {
    'embedkit, 1 thread': [], [`embedkit, ${T} threads`]: [], [`ceiling: ${T} x 1 thread, ${T} processes`]: [],
    'gensim, workers=1': [], [`gensim, workers=${T}`]: [],
    'word2vec.c, -threads 1': [], [`word2vec.c, -threads ${T}`]: [],
  };
  const quality = { 1: [], [T]: [] };
  const notes = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, f] of [
      ['embedkit, 1 thread', () => embedkit(1, 1 + r)], [`embedkit, ${T} threads`, () => embedkit(T, 1 + r)],
      [`ceiling: ${T} x 1 thread, ${T} processes`, () => solo(T, 1 + r)],
      ['gensim, workers=1', () => gensim(1, 1 + r)], [`gensim, workers=${T}`, () => gensim(T, 1 + r)],
      ['word2vec.c, -threads 1', () => ctool(1)], [`word2vec.c, -threads ${T}`, () => ctool(T)],
    ]) {
      if (!peers && !/^(embedkit|ceiling)/.test(name)) { notes[name] = 'not run (--peers 0)'; continue; }
      const x = await f();
      if (x.na) { notes[name] = x.na; continue; }
      rows[name].push(x.rate);
      if (name.startsWith('embedkit')) quality[name.includes(', 1 thread') ? 1 : T].push(x.q);
    }
  }
  const median = (a) => { const b = [...a].sort((x, y) => x - y); return b.length ? b[b.length >> 1] : NaN; };
  const k = (x) => `${(x / 1000).toFixed(0)}k`;
  for (const [name, a] of Object.entries(rows)) {
    console.log(`${name.padEnd(36)} ${notes[name] ? notes[name] : `median ${k(median(a))} words/s   runs: ${a.map(k).join(' ')}`}`);
  }
  const m = (name) => median(rows[name]);
  console.log(`embedkit ${T} threads / 1 thread: ${(m(`embedkit, ${T} threads`) / m('embedkit, 1 thread')).toFixed(2)}x words/s (target >= 1.8)`);
  const ceil = m(`ceiling: ${T} x 1 thread, ${T} processes`);
  console.log(`machine ceiling: ${T} one-thread trainers in ${T} processes give ${(ceil / m('embedkit, 1 thread')).toFixed(2)}x one trainer alone; ` +
    `embedkit ${T} threads reach ${(m(`embedkit, ${T} threads`) / ceil).toFixed(2)}x of that ceiling`);
  console.log(`embedkit ${T} threads / gensim workers=${T}: ${(m(`embedkit, ${T} threads`) / m(`gensim, workers=${T}`)).toFixed(2)}x (target > 1)`);
  console.log(`embedkit ${T} threads / word2vec.c -threads ${T}: ${(m(`embedkit, ${T} threads`) / m(`word2vec.c, -threads ${T}`)).toFixed(2)}x (target > 1)`);
  const f = (a, key) => a.map((x) => x[key].toFixed(3)).join(' ');
  console.log(`embedkit loss per pair over the last tenth, seeds 1..${runs}: 1 thread ${f(quality[1], 'loss')}; ${T} threads ${f(quality[T], 'loss')}`);
  if (wordsim) console.log(`WordSim-353 Spearman, seeds 1..${runs}: 1 thread ${f(quality[1], 'wordsim')}; ${T} threads ${f(quality[T], 'wordsim')}`);
  rmSync(dir, { recursive: true, force: true });
}
