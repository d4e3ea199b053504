// Values that look valid are handled correctly or refused (issue 11, item 4), and arrays that
// live in wasm memory stay right when a call grows memory: a ResidentArray or another table's
// .weight as a weight, a .view as `out`, views as ids, positions and caches. Each result is
// compared with a float64 / plain-JS reference computed from copies taken before the call.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding, InputEmbedding, ResidentArray, Rope, Word2Vec, sinusoidal, rotaryEmbedding } from '../src/js/index.js';
import { wasm, heap, scratchCapacity } from '../src/js/memory.js';
import { gather } from './helpers/ref64.js';
import { assertClose, assertSameBits, randomFloats, randomIds } from './helpers/close.js';
import { paperFreqs, sinusoidalRef } from './helpers/positions-ref.js';
import { onnxRef64 } from './helpers/rope-ref.js';

// The single-thread build: its memory is an ArrayBuffer, which growth detaches (the threaded
// build's SharedArrayBuffer is not detached, so the cases below could not go wrong there).
await init({ threads: 1 });

const mem = () => wasm().memory.buffer.byteLength;

/**
 * Fill the free memory with 1 MiB blocks until memory has to grow (memory then grows by the
 * page: what is left free is under 1 MiB in each gap). A call that then needs a new scratch
 * arena of 2 MiB or more (rowsToGrow) grows memory, which detaches every view into it.
 * Returns a release.
 */
function fillMemory() {
  const blocks = [];
  const m0 = mem();
  while (mem() === m0) blocks.push(new ResidentArray(Uint8Array, 1 << 20));
  return () => blocks.forEach((b) => b.dispose());
}
/** Rows of `rowBytes` each so that a call's scratch of that many rows outgrows the arena. */
const rowsToGrow = (rowBytes) => Math.ceil((scratchCapacity() + (2 << 20)) / rowBytes);

test('values: new Embedding(n, d, { weight: residentArray }) copies the resident values', () => {
  const vals = randomFloats(50 * 8, 1);
  const r = new ResidentArray(Float32Array, 50 * 8);
  r.view.set(vals);
  const e = new Embedding(50, 8, { weight: r });
  assertSameBits(e.weight, vals, 'weight from a ResidentArray (was all NaN)');
  r.view.fill(0);
  assertSameBits(e.weight, vals, 'a copy, not shared');
  e.dispose(); r.dispose();
});

test('values: new Embedding(n, d, { weight: other.weight }) when its allocation grows memory, no leak', () => {
  const other = new Embedding(2048, 1024, { seed: 2 }); // 8 MiB table
  const want = other.weight.slice();
  let sizeAfterFirst = 0;
  for (let k = 0; k < 3; k++) {
    const before = mem();
    const e = new Embedding(2048, 1024, { weight: other.weight }); // its table + grad: 16 MiB
    if (k === 0) assert.ok(mem() > before, 'the constructor grew memory (the case under test)');
    assertSameBits(e.weight, want, `copy ${k} (used to throw a detached-buffer TypeError)`);
    e.dispose();
    if (k === 0) sizeAfterFirst = mem();
  }
  assert.equal(mem(), sizeAfterFirst, 'repeated construction leaks nothing');
  // The same through InputEmbedding and Word2Vec, whose constructors take weights too.
  const pos = new Embedding(64, 1024, { seed: 3 });
  const ie = new InputEmbedding({ vocabSize: 2048, maxPositions: 64, dim: 1024, tokenWeight: other.weight, positionWeight: pos.weight });
  assertSameBits(ie.token.weight, want, 'InputEmbedding tokenWeight');
  assertSameBits(ie.position.weight, pos.weight, 'InputEmbedding positionWeight');
  ie.dispose();
  const w2v = new Word2Vec({ corpus: new Int32Array([0, 1, 2, 3]), counts: [1, 1, 1, 1], dim: 1024, weight: other.weight.subarray(0, 4 * 1024), tableBits: 8 });
  assertSameBits(w2v.weight, want.subarray(0, 4 * 1024), 'Word2Vec weight');
  w2v.dispose();
  pos.dispose(); other.dispose();
});

test('values: forward(ids, out) with out a .view returns a usable result when the call grows memory', () => {
  const e = new Embedding(1000, 16, { seed: 4 });
  const table = e.weight.slice();
  const n = rowsToGrow(4); // ids given as a plain array are staged in scratch: 4 bytes each
  const r = new ResidentArray(Float32Array, n * 16);
  const ids = randomIds(n, 1000, 5);
  const release = fillMemory();
  const out = r.view;
  const m0 = mem();
  const got = e.forward(Array.from(ids), out);
  assert.ok(mem() > m0, 'the call grew memory (the case under test)');
  if (out.buffer instanceof ArrayBuffer) {
    assert.equal(out.length, 0, 'the view passed in was detached by the growth');
  } else {
    assert.equal(got, out, 'shared memory (threaded build): growth detaches nothing, out itself comes back');
  }
  assert.equal(got.length, n * 16, 'the result is a fresh view of out (was a length-0 array)');
  assertSameBits(got, gather(table, ids, 16), 'forward into a .view');
  assertSameBits(r.view, gather(table, ids, 16), 'written where the view pointed');
  release(); r.dispose(); e.dispose();
});

test('values: ids, positions, caches and frequencies given as views into wasm memory, across growth', () => {
  const e = new Embedding(500, 16, { seed: 6 });
  const table = e.weight.slice();
  // An Int32Array view as ids, a new array as the result: the output is staged in scratch.
  let n = rowsToGrow(64);
  let ids = randomIds(n, 500, 7);
  const idsR = new ResidentArray(Int32Array, n);
  idsR.view.set(ids);
  let release = fillMemory();
  let m0 = mem();
  assertSameBits(e.forward(idsR.view), gather(table, ids, 16), 'Int32Array view ids (used to throw: detached)');
  assert.ok(mem() > m0, 'grew');
  release(); idsR.dispose();
  // A BigInt64Array view into wasm memory: refused (a growth would detach it before it is read;
  // it used to be converted into address 0).
  const big = new ResidentArray(Uint8Array, 64 * 8);
  const low = heap().u8.slice(0, 64 * 4);
  assert.throws(() => e.forward(new BigInt64Array(heap().buffer, big.ptr, 64)), (err) => err instanceof TypeError && /BigInt64Array in wasm memory/.test(err.message));
  assert.deepEqual(heap().u8.slice(0, 64 * 4), low, 'nothing written at address 0');
  big.dispose(); e.dispose();

  // rotaryEmbedding with position ids and cos/sin caches as views: x is staged in scratch.
  const B = 2, H = 2, D = 16, half = 8;
  const S = rowsToGrow(B * H * D * 4), rows = S + 7;
  const cosR = new ResidentArray(Float32Array, rows * half), sinR = new ResidentArray(Float32Array, rows * half);
  const cos = randomFloats(rows * half, 9), sin = randomFloats(rows * half, 10);
  cosR.view.set(cos); sinR.view.set(sin);
  const posR = new ResidentArray(Int32Array, B * S);
  const pos = randomIds(B * S, rows, 11);
  posR.view.set(pos);
  const x = randomFloats(B * H * S * D, 12);
  release = fillMemory();
  m0 = mem();
  const y = rotaryEmbedding(x, [B, H, S, D], cosR.view, sinR.view, { positionIds: posR.view });
  assert.ok(mem() > m0, 'grew');
  assertClose(y, onnxRef64(x, [B, H, S, D], cos, sin, { positionIds: pos }), { atol: 1e-6, rtol: 1e-6, what: 'rotaryEmbedding with views (used to throw)' });
  release(); cosR.dispose(); sinR.dispose(); posR.dispose();

  // sinusoidal with its frequencies as a Float64Array view: the table is staged in scratch.
  const fR = new ResidentArray(Float64Array, 32);
  fR.view.set(paperFreqs(64));
  const np = rowsToGrow(256);
  release = fillMemory();
  m0 = mem();
  const t = sinusoidal(np, 64, { frequencies: fR.view });
  assert.ok(mem() > m0, 'grew');
  const check = [0, 1, np - 1];
  const got = new Float32Array(check.length * 64);
  check.forEach((r, k) => got.set(t.subarray(r * 64, (r + 1) * 64), k * 64));
  assertClose(got, sinusoidalRef(check, 64, { freqs: paperFreqs(64) }), { atol: 2e-7, what: 'sinusoidal with a frequencies view' });
  release(); fR.dispose();
});

test('values: longrope with originalMaxPositions 1 is a RangeError naming the field (transformers raises)', () => {
  const longrope = (o) => ({ type: 'longrope', shortFactor: [1, 1, 1, 1], longFactor: [2, 2, 2, 2], ...o });
  assert.throws(() => new Rope({ headDim: 8, maxPositions: 4096, scaling: longrope({ originalMaxPositions: 1 }) }),
    (e) => e instanceof RangeError && /originalMaxPositions/.test(e.message));
  // Well defined: an explicit attention factor, or factor <= 1 (attention factor 1).
  const r1 = new Rope({ headDim: 8, maxPositions: 4096, scaling: longrope({ originalMaxPositions: 1, attentionFactor: 1.5 }) });
  assert.equal(r1.attentionFactor, 1.5);
  const r2 = new Rope({ headDim: 8, maxPositions: 1, scaling: longrope({ originalMaxPositions: 1 }) });
  assert.equal(r2.attentionFactor, 1);
  const x = randomFloats(2 * 8, 12);
  assert.ok(r1.forward(x, [1, 2, 1, 8], { positions: [0, 3000] }).every(Number.isFinite));
  r1.dispose(); r2.dispose();
  // transformers' formula at a normal value: sqrt(1 + ln(32) / ln(4096)).
  const r3 = new Rope({ headDim: 8, maxPositions: 131072, scaling: longrope({ originalMaxPositions: 4096 }) });
  assertClose([r3.attentionFactor], [Math.sqrt(1 + Math.log(32) / Math.log(4096))], { rtol: 1e-15 });
  r3.dispose();
});
