// Every bad input: the right error class, a message naming what was wrong, and nothing changed
// (table, gradient, touched rows and `out` compared in full before and after).
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding } from '../src/js/index.js';
import { assertSameBits } from './helpers/close.js';

await init();

function snapshot(emb, out) {
  return { w: emb.weight.slice(), g: emb.grad.slice(), t: emb.touched, out: out?.slice() };
}
function unchanged(emb, before, out) {
  assertSameBits(emb.weight, before.w, 'weight');
  assertSameBits(emb.grad, before.g, 'grad');
  assert.deepEqual(emb.touched, before.t);
  if (out) assertSameBits(out, before.out, 'out');
}
function throwsUnchanged(emb, fn, Cls, re, out) {
  const before = snapshot(emb, out);
  assert.throws(fn, (e) => {
    assert.ok(e instanceof Cls, `expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
    assert.match(e.message, re);
    return true;
  });
  unchanged(emb, before, out);
}

function makeEmb(opts = {}) {
  const emb = new Embedding(10, 4, { seed: 1, ...opts });
  emb.backward([1, 2, 2], new Float32Array(12).fill(0.5));  // some gradient and touched rows
  return emb;
}

test('forward: ids of the wrong kind are TypeError', () => {
  const emb = makeEmb();
  for (const bad of [new Float32Array([1]), new Int16Array([1]), 'abc', null, undefined, 5, { length: 1, 0: 1 }, new Float64Array(2)]) {
    throwsUnchanged(emb, () => emb.forward(bad), TypeError, /ids must be/);
  }
  throwsUnchanged(emb, () => emb.forward([1, '2']), TypeError, /ids\[1\] is string/);
  throwsUnchanged(emb, () => emb.forward([1, null]), TypeError, /ids\[1\] is null/);
  emb.dispose();
});

test('forward: out-of-range, negative, non-integer and NaN ids are RangeError naming index and value', () => {
  const emb = makeEmb({ maxNorm: 0.1 });  // forward would renormalise rows: must not happen on error
  const out = new Float32Array(12).fill(7);
  const cases = [
    [[0, 1, 10], /ids\[2\] = 10 is out of range \[0, 10\)/],
    [[0, -1, 3], /ids\[1\] = -1 is out of range/],
    [[2.5, 1, 1], /ids\[0\] = 2.5 is out of range/],
    [[1, NaN, 1], /ids\[1\] = NaN is out of range/],
    [[1, 1, Infinity], /ids\[2\] = Infinity/],
    [Int32Array.from([3, 4, 10]), /ids\[2\] = 10 is out of range/],
    [Int32Array.from([-7, 4, 1]), /ids\[0\] = -7 is out of range/],
    [Uint32Array.from([3, 2 ** 31, 1]), /ids\[1\] = 2147483648 is out of range/],
    [Uint32Array.from([3, 4, 2 ** 32 - 1]), /ids\[2\] = 4294967295 is out of range/],
    [BigInt64Array.from([1n, -1n, 2n]), /ids\[1\] = -1 is out of range/],
    [BigInt64Array.from([1n, 2n, 2n ** 40n]), /ids\[2\] = 1099511627776 is out of range/],
    [[1n, 10n, 2n], /ids\[1\] = 10 is out of range/],
  ];
  for (const [ids, re] of cases) {
    throwsUnchanged(emb, () => emb.forward(ids), RangeError, re);
    throwsUnchanged(emb, () => emb.forward(ids, out), RangeError, re, out);
    throwsUnchanged(emb, () => emb.backward(ids, new Float32Array(12)), RangeError, re);
  }
  // a long Int32Array whose only bad id is deep inside (exercises the blocked C check)
  const long = new Int32Array(1000).fill(3);
  long[777] = 10;
  throwsUnchanged(emb, () => emb.forward(long), RangeError, /ids\[777\] = 10/);
  emb.dispose();
});

test('forward: out of the wrong type or length', () => {
  const emb = makeEmb();
  const out = new Float32Array(7).fill(3);
  throwsUnchanged(emb, () => emb.forward([1, 2], out), RangeError, /out has length 7, expected 8/, out);
  throwsUnchanged(emb, () => emb.forward([1, 2], new Float64Array(8)), TypeError, /out must be a Float32Array, got Float64Array/);
  throwsUnchanged(emb, () => emb.forward([1, 2], [0, 0, 0, 0, 0, 0, 0, 0]), TypeError, /out must be a Float32Array/);
  emb.dispose();
});

test('backward: gradOutput of the wrong type or length', () => {
  const emb = makeEmb();
  throwsUnchanged(emb, () => emb.backward([1, 2], new Float32Array(7)), RangeError, /gradOutput has length 7, expected 8/);
  throwsUnchanged(emb, () => emb.backward([1, 2], new Float64Array(8)), TypeError, /gradOutput must be a Float32Array/);
  throwsUnchanged(emb, () => emb.backward([1, 2]), TypeError, /gradOutput must be a Float32Array, got undefined/);
  throwsUnchanged(emb, () => emb.backward(new Float32Array(2), new Float32Array(8)), TypeError, /ids must be/);
  emb.dispose();
});

test('constructor: bad sizes and options are TypeError/RangeError naming the option', () => {
  const cases = [
    [() => new Embedding(0, 4), RangeError, /numEmbeddings must be an integer in \[1,/],
    [() => new Embedding(-3, 4), RangeError, /numEmbeddings/],
    [() => new Embedding(2.5, 4), RangeError, /numEmbeddings/],
    [() => new Embedding('10', 4), TypeError, /numEmbeddings must be a number/],
    [() => new Embedding(10, 0), RangeError, /dim must be/],
    [() => new Embedding(10, NaN), RangeError, /dim must be/],
    [() => new Embedding(10, 4, { weight: new Float32Array(39) }), RangeError, /weight has length 39, expected 40/],
    [() => new Embedding(10, 4, { weight: new Float64Array(40) }), TypeError, /weight must be a Float32Array/],
    [() => new Embedding(10, 4, { paddingIdx: 10 }), RangeError, /paddingIdx must be within \[-10, 10\), got 10/],
    [() => new Embedding(10, 4, { paddingIdx: -11 }), RangeError, /paddingIdx/],
    [() => new Embedding(10, 4, { paddingIdx: 1.5 }), RangeError, /paddingIdx/],
    [() => new Embedding(10, 4, { paddingIdx: '1' }), TypeError, /paddingIdx must be an integer or null/],
    [() => new Embedding(10, 4, { seed: -1 }), RangeError, /seed must be a non-negative safe integer, got -1/],
    [() => new Embedding(10, 4, { seed: 1.5 }), RangeError, /seed/],
    [() => new Embedding(10, 4, { seed: 2n ** 64n }), RangeError, /seed must be in \[0, 2\^64\)/],
    [() => new Embedding(10, 4, { seed: '1' }), TypeError, /seed must be a number or bigint/],
    [() => new Embedding(10, 4, { std: -1 }), RangeError, /std must be/],
    [() => new Embedding(10, 4, { std: NaN }), RangeError, /std/],
    [() => new Embedding(10, 4, { scaleGradByFreq: 1 }), TypeError, /scaleGradByFreq must be a boolean/],
    [() => new Embedding(10, 4, { maxNorm: 0 }), RangeError, /maxNorm must be/],
    [() => new Embedding(10, 4, { maxNorm: -2 }), RangeError, /maxNorm/],
    [() => new Embedding(10, 4, { normType: 0 }), RangeError, /normType must be/],
    [() => new Embedding(10, 4, null), TypeError, /options must be an object/],
  ];
  for (const [fn, Cls, re] of cases) {
    assert.throws(fn, (e) => e instanceof Cls && re.test(e.message), `${fn} should throw ${Cls.name} ${re}`);
  }
});
