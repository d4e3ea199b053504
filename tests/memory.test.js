// Memory: views stay right across growth, allocation failure is a RangeError that changes
// nothing, and the module stays usable afterwards.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding, ResidentArray } from '../src/js/index.js';
import { scratch, scratchSize, wasm } from '../src/js/memory.js';
import { gather } from './helpers/ref64.js';
import { assertSameBits, randomIds } from './helpers/close.js';

await init();

test('weight/grad getters hand out current views after memory grows', () => {
  const emb = new Embedding(100, 16, { seed: 3 });
  const before = emb.weight.slice();
  const oldView = emb.weight;
  const size0 = wasm().memory.buffer.byteLength;
  const big = new Embedding(4096, 1024, { std: 0 });  // 32 MiB table + 32 MiB grad: forces growth
  assert.ok(wasm().memory.buffer.byteLength > size0, 'memory grew');
  if (oldView.buffer instanceof ArrayBuffer) {
    assert.equal(oldView.length, 0, 'the old view was detached by growth (why getters rebuild)');
  } else {
    // The threaded build's memory is a SharedArrayBuffer: growth does not detach old views, but
    // their buffer keeps its old length, so getters still hand out views of the current one.
    assert.equal(emb.weight.buffer.byteLength, wasm().memory.buffer.byteLength);
  }
  assertSameBits(emb.weight, before);
  emb.weight[5] = 99;
  assert.equal(emb.forward([0])[5], 99);
  emb.backward([3], new Float32Array(16).fill(2));
  assert.equal(emb.grad[3 * 16], 2);
  big.dispose();
  emb.dispose();
});

test('a table too large for wasm32 memory is a RangeError, and the module stays usable', () => {
  const emb = new Embedding(50, 8, { seed: 1 });
  const w = emb.weight.slice();
  assert.throws(() => new Embedding(2 ** 20, 2 ** 10), (e) => e instanceof RangeError && /largest block/.test(e.message));
  assert.throws(() => new Embedding(2 ** 31 - 1, 2 ** 31 - 1), RangeError);
  // A 2 GiB table is one byte count over the block limit (tests/sizes.test.js has the boundaries).
  assert.throws(() => new Embedding(2 ** 18, 2 ** 11, { std: 0 }), /2147483648 bytes .* largest block/);
  assertSameBits(emb.weight, w);
  const ids = randomIds(30, 50, 2);
  assertSameBits(emb.forward(ids), gather(w, ids, 8));
  const fresh = new Embedding(1000, 64, { seed: 2 });
  assert.equal(fresh.forward([999]).length, 64);
  fresh.dispose();
  emb.dispose();
});

test('ResidentArray: view is fresh after growth, dispose frees, bad arguments throw', () => {
  const r = new ResidentArray(Float32Array, 10);
  r.view.set([1, 2, 3]);
  const big = new ResidentArray(Uint8Array, 64 << 20);  // grows memory
  assert.deepEqual(Array.from(r.view.subarray(0, 3)), [1, 2, 3]);
  big.dispose();
  r.dispose();
  assert.ok(r.disposed);
  assert.throws(() => r.view, /disposed/);
  assert.throws(() => new ResidentArray(Int16Array, 4), TypeError);
  assert.throws(() => new ResidentArray(Float32Array, -1), RangeError);
  assert.throws(() => new ResidentArray(Float32Array, 2 ** 31), RangeError);
});

test('many create/dispose cycles do not leak memory', () => {
  const e0 = new Embedding(1000, 256);
  e0.dispose();
  const size = wasm().memory.buffer.byteLength;
  for (let k = 0; k < 50; k++) {
    const e = new Embedding(1000, 256, { seed: k });
    e.forward(randomIds(512, 1000, k));
    e.backward(randomIds(64, 1000, k), new Float32Array(64 * 256));
    e.dispose();
  }
  assert.equal(wasm().memory.buffer.byteLength, size);
});

test('every block is cache-line (64-byte) aligned: tables, resident arrays, scratch parts', () => {
  // Row copies between blocks at different offsets within a cache line ran 1.9x slower (see
  // src/c/memory.c), so this is part of the speed contract, not a detail.
  const embs = [1, 3, 7, 33].map((d) => new Embedding(5, d));
  for (const e of embs) {
    for (const [k, p] of Object.entries(e._ptrs)) if (k !== 'nTouched') assert.equal(p % 64, 0, `${k} of dim ${e.dim}`);
  }
  const rs = [1, 2, 5, 17].map((n) => new ResidentArray(Float32Array, n));
  for (const r of rs) assert.equal(r.ptr % 64, 0, `ResidentArray(${r.length})`);
  const s = scratch(scratchSize(4, 12, 100, 64));
  for (const n of [4, 12, 100, 64]) assert.equal(s.take(n) % 64, 0, `scratch part of ${n} bytes`);
  for (const x of [...embs, ...rs]) x.dispose();
});
