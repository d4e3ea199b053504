// word2vec-gensim.js — single-thread word2vec speed, embedkit against gensim (workers=1), on the
// same corpus and settings: N copies of Moby-Dick (default 10, 2.1 M words), tokenised and
// filtered by embedkit's Vocab (min count 5), written one sentence per line for gensim. Not part
// of npm test (it needs the Python venv with gensim): run
//   node tests/bench/word2vec-gensim.js [--copies 10] [--runs 3] [--mode skipgram|cbow] [--hs 1]
//     [--python /work/py/bin/python] [--wasm other-build.wasm]
// Prints words per second of wall-clock time and of CPU time (train() only, vocabulary built
// untimed; CPU time is the fairer figure on a shared machine: it counts only the time the
// process ran, and with workers=1 gensim's sentences path also spends CPU in its job-producer
// thread, which the corpus_file path does not have) for each run, interleaved, and the best and
// median of each.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { init, Word2Vec } from '../../src/js/index.js';
import { mobyCopies } from './lib/word-vectors.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const copies = Number(arg('copies', 10)), runs = Number(arg('runs', 3));
const mode = arg('mode', 'skipgram'), python = arg('python', '/work/py/bin/python');
const hs = arg('hs', '0') === '1';
const script = fileURLToPath(new URL('./word2vec_gensim.py', import.meta.url));

const wasmFile = arg('wasm', null);
await init(wasmFile ? { wasm: readFileSync(wasmFile) } : undefined);
const dir = mkdtempSync(join(tmpdir(), 'ek-w2v-'));
const file = join(dir, 'corpus.txt');
const { vocab, corpus, counts, tokens } = mobyCopies(copies, file);
console.log(`corpus: ${copies} x Moby-Dick, ${tokens} words, ${vocab.size} distinct; ${mode}${hs ? ' hs' : ''}, dim 100, window 5, negative ${hs ? 0 : 5}, sample 1e-3, 1 epoch, one thread`);

const rates = { embedkit: [], 'gensim (sentences)': [], 'gensim (corpus_file)': [] };
const cpuRates = { embedkit: [], 'gensim (sentences)': [], 'gensim (corpus_file)': [] };
for (let r = 0; r < runs; r++) {
  const w = new Word2Vec({ vocab, counts, corpus, mode, dim: 100, window: 5, negative: hs ? 0 : 5, hs, sample: 1e-3, epochs: 1, seed: 1 + r });
  const t0 = performance.now(), c0 = process.cpuUsage();
  while (!w.step(1 << 30).done);
  rates.embedkit.push(tokens / ((performance.now() - t0) / 1000));
  const c = process.cpuUsage(c0);
  cpuRates.embedkit.push(tokens / ((c.user + c.system) / 1e6));
  w.dispose();
  for (const cf of [false, true]) {
    const out = join(dir, 'out.json');
    execFileSync(python, [script, file, out, '--sg', mode === 'skipgram' ? '1' : '0', '--hs', hs ? '1' : '0',
      '--negative', hs ? '0' : '5', '--seed', String(1 + r), ...(cf ? ['--corpus-file'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
    const res = JSON.parse(readFileSync(out, 'utf8'));
    const key = cf ? 'gensim (corpus_file)' : 'gensim (sentences)';
    rates[key].push(res.wordsPerSec);
    cpuRates[key].push(res.wordsPerCpuSec);
  }
  console.log(`run ${r + 1}: ` + Object.keys(rates).map((k) => `${k} ${(rates[k][r] / 1000).toFixed(0)}k (CPU ${(cpuRates[k][r] / 1000).toFixed(0)}k)`).join(', '));
}
const med = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [what, table] of [['wall', rates], ['CPU', cpuRates]]) {
  for (const [k, v] of Object.entries(table)) {
    console.log(`${what.padEnd(4)} ${k.padEnd(22)} best ${(Math.max(...v) / 1000).toFixed(0)}k  median ${(med(v) / 1000).toFixed(0)}k words/s`);
  }
  const e = med(table.embedkit);
  console.log(`${what.padEnd(4)} embedkit / gensim (sentences): ${(e / med(table['gensim (sentences)'])).toFixed(2)}x, / gensim (corpus_file): ${(e / med(table['gensim (corpus_file)'])).toFixed(2)}x (medians)`);
}
rmSync(dir, { recursive: true, force: true });
