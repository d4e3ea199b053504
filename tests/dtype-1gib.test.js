// A bfloat16 table of 1 GiB (131072 x 4096, a Llama-3-8B-sized token table rounded up to a
// power of two) can be created from its stored bytes, looked up and disposed in Node, and the
// memory it held is reused afterwards. Its own file: node --test runs each file in a fresh
// process, so the gigabytes go away with it.
import test from 'node:test';
import assert from 'node:assert/strict';
import { init, Embedding } from '../src/js/index.js';
import { wasm } from '../src/js/memory.js';
import { rng } from './helpers/close.js';

await init();

test('a 1 GiB bfloat16 table: create from bytes, look up rows at the start, middle and end, dispose, reuse', () => {
  const n = 131072, dim = 4096;
  const bytes = new Uint8Array(n * dim * 2);
  assert.equal(bytes.length, 2 ** 30);
  const bits = new Uint16Array(bytes.buffer);
  const r = rng(17);
  const rows = [0, 1, 65535, 65536, 99999, n - 1];
  for (const row of rows) for (let j = 0; j < dim; j++) bits[row * dim + j] = (r() * 65536) | 0;
  const memBefore = wasm().memory.buffer.byteLength;
  let emb = new Embedding(n, dim, { dtype: 'bfloat16', weight: bytes });
  assert.equal(emb.byteLength, 2 ** 30);
  assert.equal(emb.allocatedBytes, 2 ** 30);
  const ids = Int32Array.from([n - 1, 0, 65536, 99999, 1, 65535, 0, 12345]);
  const out = emb.forward(ids);
  const got = new Uint32Array(out.buffer);
  ids.forEach((row, i) => {
    for (let j = 0; j < dim; j++) {
      const want = (bits[row * dim + j] << 16) >>> 0;  // bfloat16 -> float32: the top half
      if (got[i * dim + j] !== want) assert.fail(`row ${row} [${j}]: 0x${got[i * dim + j].toString(16)}, expected 0x${want.toString(16)}`);
    }
  });
  emb.dispose();
  const memAfter = wasm().memory.buffer.byteLength;
  assert.ok(memAfter >= 2 ** 30 && memAfter < memBefore + 2 ** 30 + 2 ** 26, `wasm memory ${memAfter} bytes`);
  // The freed gigabyte is reused: a second table of the same size does not grow memory again.
  emb = new Embedding(n, dim, { dtype: 'bfloat16', weight: bytes });
  assert.equal(new Uint32Array(emb.forward([n - 1]).buffer)[5], (bits[(n - 1) * dim + 5] << 16) >>> 0);
  emb.dispose();
  assert.equal(wasm().memory.buffer.byteLength, memAfter);
  // The module stays usable for small tables.
  const small = new Embedding(4, 8, { seed: 1 });
  assert.equal(small.forward([3]).length, 8);
  small.dispose();
});
