// Untrusted vector files (issue 11, item 6): a header is checked against the bytes actually
// present before anything sized by it is allocated, and values that overflow float32 are a
// RangeError naming the line. Covers the three loaders of src/js/vecfile.js: the word2vec text
// format, the word2vec binary format and EKV1. Allocation is observed through the process's
// array-buffer memory, which must not jump by what a lying header announces.
import test from 'node:test';
import assert from 'node:assert/strict';
import { fromWord2VecText, toWord2VecText, loadVectors, saveVectors } from '../src/js/index.js';
import { fromWord2VecBinary, toWord2VecBinary } from '../src/js/vecfile.js';
import { randomFloats } from './helpers/close.js';

/**
 * fn() throws a RangeError matching re, and holds no array buffer of anything like the `claimed`
 * bytes afterwards (an allocated buffer stays counted until the next garbage collection).
 */
function refusedCheaply(fn, re, claimed, what) {
  const before = process.memoryUsage().arrayBuffers;
  assert.throws(fn, (e) => e instanceof RangeError && re.test(e.message), what);
  const grew = process.memoryUsage().arrayBuffers - before;
  assert.ok(grew < claimed / 100, `${what}: ${grew} bytes of array buffers allocated by the call`);
}

test('untrusted: a word2vec text header that claims more than the text holds allocates nothing', () => {
  // The file: 20 bytes claiming 10^9 rows (3.8 GiB of float32 at dim 1).
  refusedCheaply(() => fromWord2VecText('1000000000 1\na 1.5\n'), /line 1 announces 1000000000 rows/, 4e9, '10^9 rows');
  refusedCheaply(() => fromWord2VecText('2 100000000\na 1\n'), /line 1 announces 2 rows of 100000000/, 8e8, 'dim 10^8');
  refusedCheaply(() => fromWord2VecText('3 2\na 1 2\nb 3 4\n'), /too short to reach line 4/, 24, 'one row missing');
  assert.throws(() => fromWord2VecText('99999999999999999999 2\n'), /line 1 must be "rows dim"/);
  assert.throws(() => fromWord2VecText('-1 2\n'), /line 1 must be "rows dim"/);
  assert.throws(() => fromWord2VecText('2 2 2\n'), /line 1 must be "rows dim"/);
  // The binary format: rows x (word, space, dim float32) must fit the bytes present.
  const lie = new TextEncoder().encode('1000000000 300\nx ');
  refusedCheaply(() => fromWord2VecBinary(lie), /cannot hold 1000000000 rows/, 1.2e12, 'binary 10^9 rows');
  // EKV1: the header's rows x dim must match the file's length exactly.
  const ekv = saveVectors({ words: ['a', 'b'], weight: new Float32Array([1, 2, 3, 4]), dim: 2 });
  new DataView(ekv.buffer).setUint32(8, 1e9, true);
  refusedCheaply(() => loadVectors(ekv), /length .* expected/, 8e9, 'EKV1 10^9 rows');
});

test('untrusted: values that overflow float32 are a RangeError naming the line and the value', () => {
  for (const v of ['1e39', '-1e39', '3.5e38', '3.4028235677973366e38', '340282366920938463463374607431768211456']) {
    assert.throws(() => fromWord2VecText(`2 2\na 1 2\nb 0.5 ${v}\n`), (e) => e instanceof RangeError &&
      new RegExp(`line 3: ${v.replace(/[.+-]/g, '\\$&')} overflows float32`).test(e.message), v);
  }
  // Not numbers in the word2vec sense: hex, Infinity, NaN, empty exponent.
  for (const v of ['0x10', 'Infinity', 'NaN', 'inf', '1e', '1.2.3', '--1']) {
    assert.throws(() => fromWord2VecText(`1 2\na 1 ${v}\n`), (e) => e instanceof RangeError && /line 2: .* is not a number/.test(e.message), v);
  }
  // Still accepted: the largest float32, values that round to it, subnormals and underflow to 0.
  // (3.4028235677973366e38, halfway to 2^128, rounds to even: Infinity, and is refused above.)
  const ok = fromWord2VecText('1 5\nw 3.4028235e38 3.40282356e38 1e-45 1e-50 -0.000123\n');
  assert.deepEqual(Array.from(ok.weight), [3.4028234663852886e38, 3.4028234663852886e38, Math.fround(1e-45), 0, Math.fround(-0.000123)]);
  // Text after the rows the header announces is an error (as in the binary loader).
  assert.throws(() => fromWord2VecText('1 1\na 1\nb 2\n'), /line 3: text after the 1 rows/);
});

test('untrusted: files written by embedkit still load exactly (text, binary, EKV1)', () => {
  const words = ['the', 'whale', 'ship'], dim = 7;
  const weight = randomFloats(words.length * dim, 3, 100);
  weight[0] = 3.4028234663852886e38; weight[1] = -1.401298464324817e-45; weight[2] = 0;
  const back = fromWord2VecText(toWord2VecText({ words, weight, dim }));
  assert.deepEqual(back.words, words);
  assert.deepEqual(Array.from(back.weight), Array.from(weight));
  const crlf = fromWord2VecText(toWord2VecText({ words, weight, dim }).replace(/\n/g, '\r\n'));
  assert.deepEqual(Array.from(crlf.weight), Array.from(weight));
  assert.deepEqual(Array.from(fromWord2VecBinary(toWord2VecBinary({ words, weight, dim })).weight), Array.from(weight));
  assert.deepEqual(Array.from(loadVectors(saveVectors({ words, weight, dim })).weight), Array.from(weight));
});
