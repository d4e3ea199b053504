// evaluate.test.js — the word2vec binary format (src/js/vecfile.js) against files written by
// gensim's KeyedVectors.save_word2vec_format(binary=True) and in the original tool's layout, and
// the intrinsic evaluation (src/js/evaluate.js) against gensim's own evaluate_word_pairs /
// evaluate_word_analogies scores on the same vectors. Fixtures: tests/fixtures/w2v, written by
// its make_fixtures.py (gensim 4.x); npm test does not need Python.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  init, Neighbors, Embedding, Word2Vec, Vocab, evaluateWordPairs, evaluateAnalogies,
  toWord2VecBinary, fromWord2VecBinary, fromWord2VecText, toWord2VecText,
} from '../src/js/index.js';
import { spearman } from '../src/js/evaluate.js';

await init();

const dir = new URL('./fixtures/w2v/', import.meta.url);
const file = (name) => readFileSync(new URL(name, dir));
const text = (name) => readFileSync(new URL(name, dir), 'utf8');
const ref = JSON.parse(text('gensim-scores.json'));
const camel = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/_(\w)/g, (_, c) => c.toUpperCase()), v]));

test('word2vec binary: reads gensim\'s file and the tool\'s layout as the same vectors, writes both byte for byte', () => {
  const g = fromWord2VecBinary(file('gensim.bin'));
  const t = fromWord2VecBinary(file('tool.bin').buffer.slice(0));
  assert.deepEqual(g.words, ref.words);
  assert.equal(g.dim, ref.dim);
  assert.ok(g.words.includes('東京') && g.words.includes('Zürich'));
  assert.deepEqual(t.words, g.words);
  assert.deepEqual(t.weight, g.weight);
  // independent check of every float32: numpy's float64 row sums of (j + 1) * v_j
  for (let i = 0; i < g.words.length; i++) {
    let s = 0;
    for (let j = 0; j < g.dim; j++) s += (j + 1) * g.weight[i * g.dim + j];
    assert.ok(Math.abs(s - ref.rowChecks[i]) <= 1e-9 * Math.max(1, Math.abs(s)), `row ${i}: ${s} vs ${ref.rowChecks[i]}`);
  }
  assert.deepEqual(Array.from(g.weight.subarray(0, g.dim)), ref.row0);
  // writing: gensim's layout and the tool's layout are reproduced exactly
  assert.deepEqual(toWord2VecBinary(g, { lineBreaks: false }), new Uint8Array(file('gensim.bin')));
  assert.deepEqual(toWord2VecBinary(g), new Uint8Array(file('tool.bin')));
  // round trips through both formats
  const back = fromWord2VecBinary(toWord2VecBinary(t));
  assert.deepEqual(back, { ...t });
  const viaText = fromWord2VecText(toWord2VecText(g));
  assert.deepEqual(viaText.weight, g.weight);
  // limit, duplicates (first kept, as gensim), bad input
  const lim = fromWord2VecBinary(file('gensim.bin'), { limit: 5 });
  assert.deepEqual(lim.words, g.words.slice(0, 5));
  assert.deepEqual(lim.weight, g.weight.slice(0, 5 * g.dim));
  const dup = fromWord2VecBinary(toWord2VecBinary({ words: ['a', 'b', 'a'], weight: Float32Array.of(1, 2, 3, 4, 5, 6), dim: 2 }));
  assert.deepEqual(dup.words, ['a', 'b']);
  assert.deepEqual(Array.from(dup.weight), [1, 2, 3, 4]);
  const good = toWord2VecBinary({ words: ['x', 'y'], weight: Float32Array.of(1, 2), dim: 1 });
  assert.throws(() => fromWord2VecBinary(good.subarray(0, good.length - 3)), /not a valid word2vec binary file/);
  assert.throws(() => fromWord2VecBinary(Uint8Array.of(...good.subarray(0, 11), 0x41, 0x41, 0x41, 0x41, 0x41, 0x41)), /ends inside row 2/);
  assert.throws(() => fromWord2VecBinary(Uint8Array.of(...good, 0x41)), /unexpected bytes/);
  assert.throws(() => fromWord2VecBinary(new TextEncoder().encode('2 x\n')), /header/);
  const badUtf8 = Uint8Array.of(...new TextEncoder().encode('1 1\n'), 0xe6, 0x9d, 0x20, 0, 0, 0x80, 0x3f);
  assert.throws(() => fromWord2VecBinary(badUtf8), /UTF-8/);
  assert.deepEqual(fromWord2VecBinary(badUtf8, { unicodeErrors: 'replace' }).words, ['\ufffd']);
  assert.throws(() => fromWord2VecBinary('abc'), TypeError);
  assert.throws(() => toWord2VecBinary({ words: ['a b'], weight: Float32Array.of(1), dim: 1 }), RangeError);
  assert.throws(() => toWord2VecBinary(g, { lineBreaks: 1 }), TypeError);
});

test('Spearman: average ranks for ties, against hand-computed values', () => {
  // x ranks 1, 2.5, 2.5, 4; y ranks 1..4: rho = Pearson of the ranks
  const rx = [1, 2.5, 2.5, 4], ry = [1, 2, 3, 4];
  const mx = 2.5;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < 4; i++) { sxy += (rx[i] - mx) * (ry[i] - mx); sxx += (rx[i] - mx) ** 2; syy += (ry[i] - mx) ** 2; }
  assert.ok(Math.abs(spearman([1, 5, 5, 9], [10, 20, 30, 40]) - sxy / Math.sqrt(sxx * syy)) < 1e-15);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]), -1);
});

test('evaluateWordPairs: Pearson, Spearman and OOV ratio as gensim on WordSim-353 and SimLex-999', () => {
  const v = fromWord2VecBinary(file('gensim.bin'));
  const nb = new Neighbors(v.weight, { dim: v.dim, words: v.words });
  for (const r of ref.pairs) {
    const opts = camel(r.options);
    const got = evaluateWordPairs(nb, text(r.file), opts);
    const again = evaluateWordPairs(v, text(r.file), opts);   // from saved vectors directly
    assert.deepEqual(again, got);
    const tag = `${r.file} ${JSON.stringify(r.options)}`;
    assert.ok(Math.abs(got.spearman - r.spearman) < 1e-6, `${tag}: spearman ${got.spearman} vs gensim ${r.spearman}`);
    assert.ok(Math.abs(got.pearson - r.pearson) < 1e-6, `${tag}: pearson ${got.pearson} vs gensim ${r.pearson}`);
    assert.ok(Math.abs(got.oovRatio - r.oovRatio) < 1e-9, `${tag}: oov ${got.oovRatio} vs gensim ${r.oovRatio}`);
  }
  nb.dispose();
});

test('evaluateAnalogies: per-section correct answers as gensim (3CosAdd, restrictVocab, case, OOV)', () => {
  const v = fromWord2VecBinary(file('gensim.bin'));
  const questions = text('analogies.txt');
  for (const r of ref.analogies) {
    const got = evaluateAnalogies(v, questions, camel(r.options));
    const tag = JSON.stringify(r.options);
    const fragile = new Set(r.fragile);
    const secs = [...got.sections, got.total];
    assert.equal(secs.length, r.sections.length, tag);
    let diffs = 0;
    for (let i = 0; i < secs.length; i++) {
      const g = r.sections[i], s = secs[i];
      assert.equal(s.section, g.section, tag);
      const mine = new Set(s.correct.map((q) => q.join(' ')));
      const theirs = new Set(g.correct);
      for (const q of new Set([...mine, ...theirs])) {
        if (mine.has(q) !== theirs.has(q)) {
          assert.ok(fragile.has(q), `${tag} ${g.section}: ${q} is ${mine.has(q) ? '' : 'not '}correct here, ${theirs.has(q) ? '' : 'not '}in gensim`);
          diffs++;
        }
      }
      assert.ok(Math.abs(s.correct.length + s.incorrect.length - (g.correct.length + g.incorrect)) === 0, `${tag} ${g.section} count`);
    }
    if (diffs === 0) assert.ok(Math.abs(got.score - r.score) < 1e-12, `${tag}: score ${got.score} vs ${r.score}`);
    assert.ok(got.total.correct.length > 50, `${tag}: ${got.total.correct.length} correct`);
  }
});

test('evaluation sources, validation', () => {
  const words = ['king', 'queen', 'man', 'woman', 'apple'];
  const weight = Float32Array.of(1, 1, 0, 1, -1, 0, 0, 1, 0, 0, -1, 0, 5, 0, 5);
  const emb = new Embedding(5, 3, { weight });
  const q = ': royals\nman woman king queen\nman woman king zzz\n';
  const a = evaluateAnalogies(emb, q, { words });
  assert.equal(a.score, 1);
  assert.equal(a.oov, 1);
  assert.equal(a.oovRatio, 50);
  assert.deepEqual(a.sections[0].correct, [['MAN', 'WOMAN', 'KING', 'QUEEN']]);
  const vocab = new Vocab(words, [5, 4, 3, 2, 1]);
  assert.equal(evaluateAnalogies(emb, q, { vocab, caseInsensitive: false }).total.correct.length, 1);
  assert.equal(evaluateAnalogies({ words, weight, dim: 3 }, q).score, 1);
  const p = evaluateWordPairs(emb, '# c\nking\tqueen\t9\nking\tapple\t1\nman\twoman\t5\nbad line\n', { words });
  assert.equal(p.pairs, 3);
  assert.equal(p.oov, 0);
  assert.throws(() => evaluateWordPairs(emb, 'x\ty\t1\n', { words }), /no valid similarity/);
  assert.throws(() => evaluateAnalogies(emb, 'a b c d\n', { words }), /before the first/);
  assert.throws(() => evaluateAnalogies(emb, ': s\n', { words }), /no questions/);
  assert.throws(() => evaluateWordPairs(emb, 'x'), TypeError);
  assert.throws(() => evaluateWordPairs(emb, 42, { words }), TypeError);
  assert.throws(() => evaluateWordPairs(emb, 'x', { words, restrictVocab: 0 }), RangeError);
  assert.throws(() => evaluateWordPairs(emb, 'x', { words, caseInsensitive: 'no' }), TypeError);
  assert.throws(() => evaluateAnalogies(new Neighbors(emb), q), /vocab or words/);
  emb.dispose();
});
