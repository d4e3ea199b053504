// A throwing call changes nothing, in every class: each failing call below is made against an
// object in a used state, with everything the object exposes snapshotted before and compared
// bit for bit after (tables, gradients, touched rows, optimizer moments and step counts, cos/sin
// caches and frequencies, progress, vocabulary), together with the caller's `out`. The failures
// are chosen to be found late (the bad id last, a disposed part, a disposed resident argument),
// where a method that writes before it has checked everything would show it. Afterwards the
// object and the module still work. (tests/errors.test.js covers Embedding's argument checks.)
import test from 'node:test';
import assert from 'node:assert/strict';
import {
  init, Embedding, InputEmbedding, Rope, SGD, Adam, Word2Vec, Neighbors, Vocab, VocabCounter, ResidentArray,
  sinusoidal, rotaryEmbedding, permuteRopeWeight,
} from '../src/js/index.js';
import { wasm } from '../src/js/memory.js';
import { randomFloats, randomIds } from './helpers/close.js';

await init();

/** Copy of a value for later comparison: typed arrays by their bytes, objects field by field. */
function freeze(v) {
  if (ArrayBuffer.isView(v)) return { bytes: Buffer.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)), type: v.constructor.name };
  if (Array.isArray(v)) return v.map(freeze);
  if (v instanceof Map) return freeze([...v]);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, freeze(x)]));
  return v;
}

/**
 * Run every failing call in `calls` ([label, fn, ErrorClass, messageRegExp]) against `state()`:
 * each must throw the named class with a matching message and leave state() unchanged.
 */
function eachFailsCleanly(state, calls) {
  for (const [label, fn, Cls, re] of calls) {
    const before = freeze(state());
    assert.throws(fn, (e) => {
      assert.ok(e instanceof Cls, `${label}: expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
      if (re) assert.match(e.message, re, label);
      return true;
    }, label);
    assert.deepEqual(freeze(state()), before, `${label}: state changed`);
  }
}

const lastBad = (n, limit) => { const a = randomIds(n, limit, 7); a[n - 1] = limit; return a; };

test('atomic: Embedding (maxNorm, resident arguments, disposed resident arguments)', () => {
  const emb = new Embedding(20, 8, { seed: 1, maxNorm: 0.5 });
  emb.backward([1, 2, 2], new Float32Array(24).fill(0.25));
  const out = new Float32Array(4 * 8).fill(7);
  const gone = new ResidentArray(Int32Array, 4);
  gone.dispose();
  const goneF = new ResidentArray(Float32Array, 32);
  goneF.dispose();
  const view = new ResidentArray(Float32Array, 32);
  const state = () => ({ w: emb.weight, g: emb.grad, t: emb.touched, out, view: view.view });
  eachFailsCleanly(state, [
    ['forward, last id bad (maxNorm would renormalise rows)', () => emb.forward(lastBad(4, 20), out), RangeError, /ids\[3\] = 20/],
    ['forward into a resident out, last id bad', () => emb.forward(lastBad(4, 20), view), RangeError, /ids\[3\]/],
    ['backward, last id bad', () => emb.backward(lastBad(4, 20), new Float32Array(32).fill(1)), RangeError, /ids\[3\]/],
    ['forward with disposed resident ids', () => emb.forward(gone, out), Error, /disposed/],
    ['forward into a disposed resident out', () => emb.forward([1, 2, 3, 4], goneF), Error, /disposed/],
    ['backward with a disposed resident gradOutput', () => emb.backward([1, 2, 3, 4], goneF), Error, /disposed/],
    ['forward into out overlapping the table', () => emb.forward([1, 2, 3, 4], new Float32Array(wasm().memory.buffer, emb._ptrs.weight, 32)), RangeError, /overlaps/],
  ]);
  assert.equal(emb.forward([3]).length, 8);
  view.dispose();
  emb.dispose();
});

test('atomic: InputEmbedding (learned, sinusoidal, none), also with a part disposed by the user', () => {
  for (const position of ['learned', 'sinusoidal', 'none']) {
    const ie = new InputEmbedding({ vocabSize: 30, maxPositions: 16, dim: 8, position, seed: 2 });
    ie.backward([1, 2, 3, 4], [2, 2], randomFloats(32, 3));
    const out = new Float32Array(32).fill(5);
    const state = () => ({
      tw: ie.token.weight, tg: ie.token.grad, tt: ie.token.touched,
      pw: ie.position?.weight ?? null, pg: ie.position?.grad ?? null, pt: ie.position?.touched ?? null,
      table: ie.positionTable, out,
    });
    eachFailsCleanly(state, [
      ['forward, last id bad', () => ie.forward(lastBad(4, 30), [2, 2], { out }), RangeError, /ids\[3\]/],
      ['backward, last id bad', () => ie.backward(lastBad(4, 30), [2, 2], randomFloats(32, 4)), RangeError, /ids\[3\]/],
      ['backward, offset past maxPositions', () => ie.backward([1, 2, 3, 4], [2, 2], randomFloats(32, 4), { offset: 15 }), RangeError, /maxPositions/],
      ['backward, gradOutput too short', () => ie.backward([1, 2, 3, 4], [2, 2], new Float32Array(31)), RangeError, /gradOutput/],
      ['forward, shape and ids disagree', () => ie.forward([1, 2, 3], [2, 2], { out }), RangeError, /batch \* seq/],
    ]);
    ie.dispose();
  }
  // The case: the user disposed inp.position; backward used to write the token gradient
  // and touched rows before it threw.
  const ie = new InputEmbedding({ vocabSize: 30, maxPositions: 16, dim: 8, seed: 5 });
  ie.backward([1, 2], [1, 2], randomFloats(16, 6));
  const tok = ie.token;
  const out = new Float32Array(16).fill(3);
  ie.position.dispose();
  const state = () => ({ w: tok.weight, g: tok.grad, t: tok.touched, out });
  eachFailsCleanly(state, [
    ['backward with the position table disposed', () => ie.backward([3, 4], [1, 2], randomFloats(16, 7)), Error, /position.*disposed/],
    ['forward with the position table disposed', () => ie.forward([3, 4], [1, 2], { out }), Error, /position.*disposed/],
    ['zeroGrad with the position table disposed', () => ie.zeroGrad(), Error, /position.*disposed/],
  ]);
  ie.dispose();
  assert.ok(tok.disposed);
});

test('atomic: Rope (plain, dynamic, longrope) and rotaryEmbedding', () => {
  const ropes = [
    new Rope({ headDim: 8, maxPositions: 64 }),
    new Rope({ headDim: 8, maxPositions: 64, scaling: { type: 'dynamic', factor: 2, originalMaxPositions: 16 } }),
    new Rope({ headDim: 8, maxPositions: 64, scaling: { type: 'longrope', originalMaxPositions: 16, shortFactor: [1, 1, 1, 1], longFactor: [2, 3, 4, 5] } }),
  ];
  for (const rope of ropes) {
    const shape = [1, 4, 2, 8];
    const x = randomFloats(64, 8);
    rope.forward(x, shape, { offset: 2 });
    const out = new Float32Array(64).fill(9);
    const state = () => ({ cos: rope.cos, sin: rope.sin, inv: rope.invFreq, attn: rope.attentionFactor, out });
    eachFailsCleanly(state, [
      // A long call would switch dynamic/longrope tables; the last position is out of range.
      ['forward, last position bad', () => rope.forward(x, shape, { positions: [40, 50, 60, 64], out }), RangeError, /positions\[3\]/],
      ['backward, last position bad', () => rope.backward(x, shape, { positions: [40, 50, 60, 64], out }), RangeError, /positions\[3\]/],
      ['forward, offset + seq past maxPositions', () => rope.forward(x, shape, { offset: 61, out }), RangeError, /maxPositions/],
      ['forward, x too short', () => rope.forward(x.subarray(1), shape, { out }), RangeError, /x has length/],
      ['shift, delta not an integer', () => rope.shift(x, shape, 1.5, { out }), RangeError, /delta/],
    ]);
    rope.dispose();
  }
  const cos = randomFloats(16 * 4, 10), sin = randomFloats(16 * 4, 11), out = new Float32Array(64).fill(2);
  eachFailsCleanly(() => ({ out, cos, sin }), [
    ['rotaryEmbedding, last position id past the cache', () => rotaryEmbedding(randomFloats(64, 12), [1, 2, 4, 8], cos, sin, { positionIds: [0, 1, 2, 16], out }), RangeError, /positionIds\[3\]/],
  ]);
});

test('atomic: SGD and Adam (a disposed param, a disposed resident argument)', () => {
  for (const make of [(p) => new SGD(p, { lr: 0.1, momentum: 0.9 }), (p) => new Adam(p, { lr: 0.01 })]) {
    const a = new Embedding(10, 4, { seed: 1 }), b = new Embedding(12, 4, { seed: 2 });
    const opt = make([a, b]);
    a.backward([1, 2], randomFloats(8, 1));
    b.backward([3], randomFloats(4, 2));
    opt.step();
    a.backward([4], randomFloats(4, 3));
    b.backward([5], randomFloats(4, 4));
    const s0 = opt.state(0); // views taken now: state() refuses once a param is disposed
    const state = () => ({ aw: a.weight, ag: a.grad, at: a.touched, s0, steps: opt.stepCount });
    b.dispose();
    eachFailsCleanly(state, [
      ['step with the second param disposed', () => opt.step(), Error, /disposed/],
      ['zeroGrad with the second param disposed', () => opt.zeroGrad(), Error, /disposed/],
      ['state of a missing param', () => opt.state(2), Error, /disposed|out of range/],
    ]);
    opt.dispose();
    a.dispose();
  }
});

test('atomic: Word2Vec, Neighbors, Vocab, VocabCounter, ResidentArray', async () => {
  const vocab = Vocab.fromText('the cat sat on the mat. the dog sat on the log. '.repeat(20), { minCount: 1 });
  const w2v = new Word2Vec({ corpus: vocab.encode('the cat sat on the mat. the dog sat on the log. '.repeat(20)), vocab, dim: 8, epochs: 2, seed: 3 });
  w2v.step(50);
  const progress = () => { const { elapsedMs, wordsPerSec, ...p } = w2v.progress; return p; };
  // peek() in the state: what the next step trains (sentence, negatives: the generator) is unchanged too
  eachFailsCleanly(() => ({ w: w2v.weight, o: w2v.outputWeight, p: progress(), next: w2v.peek() }), [
    ['step(0)', () => w2v.step(0), RangeError, /nWords/],
    ['step(1.5)', () => w2v.step(1.5), RangeError, /nWords/],
    ['step("10")', () => w2v.step('10'), TypeError, /nWords/],
    ['peek({ thread: 1 }) on one thread', () => w2v.peek({ thread: 1 }), RangeError, /thread must be an integer in \[0, 0\]/],
    ['peek({ thread: "0" })', () => w2v.peek({ thread: '0' }), TypeError, /thread/],
    ['peek({ part: 0 })', () => w2v.peek({ part: 0 }), TypeError, /unknown key 'part'/],
    ['peek(null)', () => w2v.peek(null), TypeError, /peek options/],
  ]);
  const before = freeze({ w: w2v.weight, p: progress() });
  await assert.rejects(w2v.train({ chunkWords: 0 }), RangeError);
  await assert.rejects(w2v.train({ onProgress: 5 }), TypeError);
  assert.deepEqual(freeze({ w: w2v.weight, p: progress() }), before, 'train() with bad options changed the state');

  const nb = new Neighbors(w2v, { vocab });
  const view = () => ({ near: nb.nearest('cat', { k: 3 }), sim: nb.similarity('cat', 'dog'), rows: nb.numRows });
  eachFailsCleanly(view, [
    ['update with a table of the wrong length', () => nb.update(new Float32Array(8)), RangeError, /update needs/],
    ['nearest of an unknown word', () => nb.nearest('whale'), RangeError, /not in the vocabulary/],
    ['nearest, k = 0', () => nb.nearest('cat', { k: 0 }), RangeError, /k/],
    ['analogy, last word unknown', () => nb.analogy('cat', 'dog', 'whale'), RangeError, /whale/],
  ]);
  nb.dispose();
  w2v.dispose();

  eachFailsCleanly(() => ({ words: vocab.words, counts: vocab.counts, size: vocab.size }), [
    ['update with a bad count last', () => vocab.update(new Map([['new', 3], ['bad', -1]])), RangeError, /bad/],
    ['update with minCount 0', () => vocab.update('more words', { minCount: 0 }), RangeError, /minCount/],
    ['encode of a number', () => vocab.encode(5), TypeError, /text/],
  ]);
  const counter = new VocabCounter();
  counter.add('one two three ');
  eachFailsCleanly(() => ({ tokens: counter.tokens }), [
    ['add(5)', () => counter.add(5), TypeError, /text/],
    ['toVocab with minCount 0', () => counter.toVocab({ minCount: 0 }), RangeError, /minCount/],
  ]);
  assert.deepEqual([...counter.counts()], [['one', 1], ['two', 1], ['three', 1]]);
  const enc = vocab.encoder();
  const first = [...enc.push('the cat ')];
  assert.throws(() => enc.push(null), TypeError);
  assert.deepEqual([...first, ...enc.push('sat on the mat.'), ...enc.end()], [...vocab.encode('the cat sat on the mat.')]);

  const r = new ResidentArray(Float32Array, 16);
  r.view.set(randomFloats(16, 5));
  eachFailsCleanly(() => ({ r: r.view, mem: wasm().memory.buffer.byteLength }), [
    ['ResidentArray larger than a block', () => new ResidentArray(Float32Array, 2 ** 30), RangeError, /largest block/],
    ['ResidentArray of a bad type', () => new ResidentArray(Int16Array, 4), TypeError, /type/],
  ]);
  r.dispose();
});

test('atomic: functions with out (sinusoidal, permuteRopeWeight)', () => {
  const out = new Float32Array(4 * 8).fill(4);
  const freqs = new Float64Array(4).fill(0.5);
  freqs[3] = NaN;
  eachFailsCleanly(() => ({ out }), [
    ['sinusoidal with a bad frequency last', () => sinusoidal(4, 8, { frequencies: freqs, out }), RangeError, /frequencies\[3\]/],
    ['sinusoidal past MAX_POSITION', () => sinusoidal(4, 8, { offset: 2 ** 31 - 2, out }), RangeError, /exceeds/],
    ['permuteRopeWeight, rows not a multiple of headDim', () => permuteRopeWeight(randomFloats(32, 1), [4, 8], { headDim: 3, to: 'halfSplit', out }), RangeError, /headDim|rotaryDim/],
  ]);
});

test('atomic: constructors that throw leak nothing (weights given as other tables, resident arrays)', () => {
  const other = new Embedding(64, 64, { seed: 4 });
  const gone = new ResidentArray(Float32Array, 64 * 4096);
  gone.dispose();
  const mem0 = wasm().memory.buffer.byteLength;
  for (let k = 0; k < 40; k++) {
    // 1 MiB table + gradient each time: a leak would grow memory by 80 MiB.
    assert.throws(() => new Embedding(64, 4096, { weight: gone }), /disposed/);
    assert.throws(() => new InputEmbedding({ vocabSize: 64, maxPositions: 64, dim: 4096, tokenWeight: gone }), /disposed/);
    assert.throws(() => new InputEmbedding({ vocabSize: 64, maxPositions: 64, dim: 4096, positionWeight: gone }), /disposed/);
  }
  assert.equal(wasm().memory.buffer.byteLength, mem0, 'memory grew: a failed constructor leaked');
  other.dispose();
});
