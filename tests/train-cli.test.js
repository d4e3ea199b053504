// `npm run train` as a command-line tool (tests/train/train.js): --help, bad arguments (one line,
// a hint, exit code 2, no stack trace), a failing run (exit code 1, no stack trace), and a tiny
// run through a pipe: plain progress lines (no bar, no escape codes), a falling loss, and saved
// vectors bit-identical to the same training done through the API.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { init, Vocab, Word2Vec, loadVectors, fromWord2VecBinary, evaluateWordPairs } from '../src/js/index.js';
import { mobyDickText } from './helpers/training-corpus.js';

const script = fileURLToPath(new URL('./train/train.js', import.meta.url));
const cli = (...args) => new Promise((resolve) => {
  execFile(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 120_000 },
    (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
});
const noStack = (s) => assert.doesNotMatch(s, /^\s+at /m, 'no stack trace');

test('--help prints the usage and every option, exit 0', async () => {
  for (const flag of ['--help', '-h']) {
    const r = await cli(flag);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: npm run train \[-- options\]/);
    for (const o of ['--text', '--words', '--mode', '--dim', '--epochs', '--window', '--negative', '--sample', '--min-count', '--alpha', '--seed', '--scalar', '--out']) {
      assert.match(r.stdout, new RegExp(`^  ${o} `, 'm'), o);
    }
    assert.equal(r.stderr, '');
  }
});

test('bad arguments: one message naming the problem, the --help hint, exit 2, no stack', async () => {
  const cases = [
    [['--dimm', '5'], /^train: Unknown option '--dimm' \(did you mean --dim\?\)$/],
    [['--dim', 'x'], /^train: --dim must be an integer >= 1, got 'x'$/],
    [['--epochs', '0'], /^train: --epochs must be an integer >= 1, got '0'$/],
    [['--mode', 'glove'], /^train: --mode must be skipgram or cbow, got 'glove'$/],
    [['--sample=-1'], /^train: --sample must be a number >= 0, got '-1'$/],
    [['--sample', '-1'], /^train: Option '--sample' argument is ambiguous\. .*use '--sample=-XYZ'\.$/],
    [['--alpha', '0'], /^train: --alpha must be a number > 0, got '0'$/],
    [['words.txt'], /^train: Unexpected argument 'words\.txt'/],
    [['--text', '/nonexistent/file.txt'], /^train: cannot read --text \/nonexistent\/file\.txt: ENOENT$/],
  ];
  for (const [args, re] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0], re);
    assert.deepEqual(lines.slice(1), ["Run 'npm run train -- --help' for the options."]);
    noStack(r.stderr);
  }
});

test('an error while training: its message, exit 1, no stack', async () => {
  const r = await cli('--words', '2000', '--min-count', '1', '--dim', '100000000', '--epochs', '1');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^train: embedkit: each Word2Vec table of \d+ x 100000000 needs \d+ bytes \([\d.]+ GiB\), more than the largest block embedkit allocates, \d+ bytes \(2047 MiB\)\n$/);
  noStack(r.stderr);
});

test('a tiny run through a pipe: plain progress lines, falling loss, vectors equal to the API run', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'embedkit-train-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, 'v.ekv');
  const args = ['--words', '30000', '--epochs', '2', '--dim', '16', '--min-count', '3', '--seed', '7', '--mode', 'cbow', '--out', out];
  const r = await cli(...args);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  assert.doesNotMatch(r.stdout, /[\r\x1b]/, 'no carriage returns or escape codes when stdout is not a terminal');
  assert.match(r.stdout, /^embedkit word2vec \(SIMD\) on Moby-Dick$/m);
  assert.match(r.stdout, /^ {2}cbow, dim 16, window 5, negative 5, sample 0\.001, alpha 0\.05, epochs 2, seed 7$/m);
  const progress = [...r.stdout.matchAll(/^ +(\d+)%  epoch (\d)  lr [\d.]+  loss ([\d.]+)  \d+k words\/s$/gm)];
  assert.ok(progress.length >= 3, `progress lines:\n${r.stdout}`);
  assert.equal(progress.at(-1)[1], '100');
  assert.ok(Number(progress.at(-1)[3]) < Number(progress[0][3]), 'the loss falls');
  assert.match(r.stdout, /^nearest neighbours \(cosine\):$/m);
  const vocabLine = /vocabulary (\d+) words \(min count 3\)/.exec(r.stdout);
  assert.match(r.stdout, new RegExp(`^saved ${vocabLine[1]} x 16 vectors to `, 'm'));

  // The same training through the API, on the same first 30000 words.
  await init();
  const book = mobyDickText();
  const re = /\S+/g;
  let m;
  for (let i = 0; i < 30000; i++) m = re.exec(book);
  const text = book.slice(0, m.index + m[0].length);
  const vocab = Vocab.fromText(text, { minCount: 3 });
  const w2v = new Word2Vec({ vocab, corpus: vocab.encode(text), mode: 'cbow', dim: 16, epochs: 2, seed: 7 });
  await w2v.train();
  const saved = loadVectors(new Uint8Array(readFileSync(out)));
  assert.deepEqual(saved.words, [...vocab.words]);
  assert.deepEqual(saved.weight, w2v.weight, 'the CLI trains exactly what the API trains');
  w2v.dispose();
});

test('streamed text with hierarchical softmax and a fixed window: the binary file holds the API run\'s vectors; evaluation printed', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'embedkit-train-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const textFile = join(dir, 'text.txt'), bin = join(dir, 'v.bin');
  const text = mobyDickText().slice(0, 150000);
  writeFileSync(textFile, text);
  const pairs = readFileSync(new URL('./fixtures/w2v/wordsim353.tsv', import.meta.url), 'utf8');
  const r = await cli('--text', textFile, '--stream', '--hs', '--negative', '0', '--fixed-window', '--ns-exponent', '0.5',
    '--epochs', '2', '--dim', '12', '--min-count', '3', '--seed', '3', '--bin', bin,
    '--eval-pairs', fileURLToPath(new URL('./fixtures/w2v/wordsim353.tsv', import.meta.url)));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /, hierarchical softmax, ns exponent 0\.5, fixed window$/m);
  await init();
  const vocab = Vocab.fromText(text, { minCount: 3 });
  const w2v = new Word2Vec({ vocab, corpus: vocab.encode(text), dim: 12, epochs: 2, seed: 3, hs: true, negative: 0,
    shrinkWindows: false, nsExponent: 0.5 });
  await w2v.train();
  const saved = fromWord2VecBinary(new Uint8Array(readFileSync(bin)));
  assert.deepEqual(saved.words, [...vocab.words]);
  assert.deepEqual(saved.weight, w2v.weight, 'streamed in the CLI = in memory through the API');
  const ev = evaluateWordPairs(saved, pairs);
  assert.match(r.stdout, new RegExp(`^word pairs .*: Spearman ${ev.spearman.toFixed(4)}, Pearson ${ev.pearson.toFixed(4)}, ${ev.pairs} pairs`, 'm'));
  w2v.dispose();
});
