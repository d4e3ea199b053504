// The loader: the "call init() first" error, idempotent init, retry after a failed load, the
// magic-byte check for HTML answered instead of wasm, and every kind of `wasm` option.
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as ek from '../src/js/index.js';

const wasmUrl = new URL('../dist/embedkit.wasm', import.meta.url);

test('using the API before init() throws an Error saying to call init() first', () => {
  assert.throws(() => new ek.Embedding(4, 4), (e) => e instanceof Error && /init\(\)/.test(e.message));
  assert.throws(() => new ek.ResidentArray(Float32Array, 4), /init\(\)/);
});

test('HTML instead of wasm: a clear error naming the magic bytes, and init can be retried', async () => {
  const html = new TextEncoder().encode('<!doctype html><html></html>');
  await assert.rejects(ek.init({ wasm: html }), (e) => /expected magic word 00 61 73 6d, found 3c 21 64 6f/.test(e.message) && /optimizeDeps/.test(e.message));
  await assert.rejects(ek.init({ wasm: new URL('file:///nonexistent/embedkit.wasm') }), /ENOENT/);
  await assert.rejects(ek.init({ wasm: 42 }), TypeError);
  assert.throws(() => new ek.Embedding(4, 4), /init\(\)/);
});

test('init() accepts a path string, resolves once, and is idempotent', async () => {
  const p = ek.init({ wasm: fileURLToPath(wasmUrl) });
  assert.equal(ek.init(), p, 'the same promise while and after loading');
  await p;
  assert.equal(ek.features.simd, true);
  const e = new ek.Embedding(3, 2, { seed: 1 });
  assert.equal(e.forward([2]).length, 2);
  e.dispose();
});

test('features.version matches package.json', async () => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
  assert.equal(ek.features.version, pkg.version);
});
