// init({ wasm }) with bytes and with a compiled WebAssembly.Module (hosts that serve the file
// elsewhere or bundlers that do not rewrite import.meta.url).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as ek from '../src/js/index.js';

test('init({ wasm: WebAssembly.Module }) works', async () => {
  const bytes = await readFile(new URL('../dist/embedkit-nosimd.wasm', import.meta.url));
  await ek.init({ wasm: await WebAssembly.compile(bytes) });
  assert.equal(ek.features.simd, false, 'features.simd reports the binary that actually loaded');
  const e = new ek.Embedding(5, 3, { seed: 2 });
  assert.equal(e.forward([4, 0]).length, 6);
  e.dispose();
});
