// safetensors.test.js — src/js/safetensors.js against what the Python safetensors package wrote
// and read back (tests/fixtures/model-files, made by make.py): tensor index, raw bytes (sha256),
// float32 widening, Embedding loading from every source kind (bytes, Blob, Response, stream,
// range reader), only-the-tensor's-bytes reads on a 512 MB sparse file (tables stream into wasm
// memory in 16 MiB reads), and the writer
// (byte-identical to the Python package's output for the same tensors).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAsBlob, openSync, writeSync, ftruncateSync, closeSync } from 'node:fs';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertSameBits } from './helpers/close.js';
import { init, Embedding, openSafetensors, saveSafetensors } from '../src/js/index.js';

await init();
const dir = new URL('./fixtures/model-files/', import.meta.url).pathname;
const read = (f) => readFile(join(dir, f));
const manifest = JSON.parse(await read('manifest.json'));
const sha = (b) => createHash('sha256').update(b).digest('hex');
const TORCH_TO_ST = { float32: 'F32', float16: 'F16', bfloat16: 'BF16', float64: 'F64', int64: 'I64', int32: 'I32', int16: 'I16', int8: 'I8', uint8: 'U8', bool: 'BOOL', float8_e4m3fn: 'F8_E4M3' };

/** Expected float32 values of a tensor, as the Python package widened them. */
async function expectedF32(m, name) {
  const bin = await read(m.file.replace('.safetensors', '.f32.bin'));
  const e = m.tensors[name];
  const n = e.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(bin.buffer.slice(bin.byteOffset + e.f32Offset, bin.byteOffset + e.f32Offset + n * 4));
}

test('index, metadata and raw bytes match the Python package for every fixture tensor', async () => {
  for (const m of manifest.safetensors) {
    const bytes = await read(m.file);
    const f = await openSafetensors(bytes);
    assert.deepEqual({ ...f.metadata }, m.metadata, m.file);
    assert.deepEqual(f.names.slice().sort(), Object.keys(m.tensors).sort(), m.file);
    let end = f.headerBytes;
    for (const t of f.tensors) {
      const e = m.tensors[t.name];
      assert.equal(t.dtype, TORCH_TO_ST[e.dtype], t.name);
      assert.deepEqual([...t.shape], e.shape, t.name);
      assert.equal(t.byteLength, e.bytes, t.name);
      assert.equal(t.byteOffset, end, `${t.name}: tensors tile the data`);
      end += t.byteLength;
      assert.equal(sha(await f.read(t.name)), e.sha256, `${t.name}: raw bytes`);
    }
    assert.equal(end, m.size, m.file);
  }
});

test('readFloat32 widens F32/F16/BF16/F64 exactly as torch .float() does (NaN, Inf, subnormals)', async () => {
  const m = manifest.safetensors.find((x) => x.file === 'mixed.safetensors');
  const f = await openSafetensors(await read(m.file));
  for (const name of ['special.f16', 'special.bf16', 'model.embed_tokens.weight', 'transformer.wpe.weight', 'table.f64', 'cube.f32', 'scalar.f32', 'empty.f32']) {
    assertSameBits(await f.readFloat32(name), await expectedF32(m, name), name);
  }
  await assert.rejects(f.readFloat32('ids.i32'), RangeError);
  await assert.rejects(f.readFloat32('fp8.e4m3'), RangeError);
});

test('loadEmbedding: a GPT-2 wte.weight as float32 equals the stored table; lookups equal the rows', async () => {
  const m = manifest.safetensors.find((x) => x.file === 'gpt2-tiny.safetensors');
  const f = await openSafetensors(await read(m.file));
  const want = await expectedF32(m, 'wte.weight');
  const emb = await f.loadEmbedding('wte.weight');
  assert.ok(emb instanceof Embedding);
  assert.equal(emb.numEmbeddings, 512);
  assert.equal(emb.dim, 64);
  assertSameBits(emb.weight, want, 'wte.weight');
  const out = emb.forward([3, 511, 0]);
  assertSameBits(out.subarray(64, 128), want.subarray(511 * 64, 512 * 64), 'row 511');
  emb.dispose();
  const wpe = await f.loadEmbedding('wpe.weight', { dtype: 'float32' });
  assertSameBits(wpe.weight, await expectedF32(m, 'wpe.weight'), 'wpe');
  wpe.dispose();
});

test('loadEmbedding: bf16 / f16 tables converted to float32 (dtype option) equal the exact widening', async () => {
  const m = manifest.safetensors.find((x) => x.file === 'mixed.safetensors');
  const f = await openSafetensors(await read(m.file));
  for (const name of ['model.embed_tokens.weight', 'transformer.wpe.weight']) {
    const emb = await f.loadEmbedding(name, { dtype: 'float32' });
    assertSameBits(emb.weight, await expectedF32(m, name), name);
    emb.dispose();
  }
});

test('errors: missing names say what is there; non-2-D tensors and bad options are refused before reading', async () => {
  const f = await openSafetensors(await read('gpt2-tiny.safetensors'));
  await assert.rejects(f.loadEmbedding('transformer.wte.weight'), (e) => e instanceof RangeError && /wte\.weight/.test(e.message));
  await assert.rejects(f.loadEmbedding('h.0.ln_1.weight'), (e) => e instanceof RangeError && /2-D/.test(e.message));
  await assert.rejects(f.loadEmbedding('wte.weight', { dtype: 'float8' }), RangeError);
  await assert.rejects(f.loadEmbedding('wte.weight', { dtype: 3 }), TypeError);
  await assert.rejects(f.loadEmbedding('wte.weight', { weight: new Float32Array(1) }), TypeError);
  await assert.rejects(f.loadEmbedding(42), TypeError);
  await assert.rejects(openSafetensors('model.safetensors'), TypeError);
  await assert.rejects(openSafetensors(await read('gpt2-tiny.safetensors'), { maxHeaderBytes: 64 }), /maxHeaderBytes/);
  const g = await openSafetensors(await read('mixed.safetensors'));
  await assert.rejects(g.loadEmbedding('ids.i32'), RangeError);
});

test('every source kind gives the same tensor: bytes, ArrayBuffer, Blob, Response, ReadableStream, range reader', async () => {
  const bytes = new Uint8Array(await read('mixed.safetensors'));
  const m = manifest.safetensors.find((x) => x.file === 'mixed.safetensors');
  const want = await expectedF32(m, 'transformer.wpe.weight');
  const chunked = (size) => new ReadableStream({
    start(c) { for (let i = 0; i < bytes.length; i += size) c.enqueue(bytes.slice(i, i + size)); c.close(); },
  });
  const sources = {
    bytes: () => bytes, arrayBuffer: () => bytes.slice().buffer, blob: () => new Blob([bytes]),
    response: () => new Response(new Blob([bytes])), stream: () => chunked(1000), stream7: () => chunked(7),
    reader: () => ({ size: bytes.length, read: async (o, n) => bytes.slice(o, o + n) }),
  };
  for (const [kind, make] of Object.entries(sources)) {
    const f = await openSafetensors(make());
    assert.equal(f.tensors.length, Object.keys(m.tensors).length, kind);
    assertSameBits(await f.readFloat32('transformer.wpe.weight'), want, kind);
    const emb = await (await openSafetensors(make())).loadEmbedding('transformer.wpe.weight', { dtype: 'float32' });
    assertSameBits(emb.weight, want, `${kind}: loadEmbedding`);
    emb.dispose();
  }
  // A stream reads front to back: a tensor behind the position is a clear error.
  const s = await openSafetensors(chunked(512));
  await s.read('model.embed_tokens.weight');
  await assert.rejects(s.read('table.f64'), /front to back/);
  // A truncated stream is a RangeError naming the truncation.
  const cut = bytes.slice(0, bytes.length - 100);
  const t = await openSafetensors(new ReadableStream({ start(c) { c.enqueue(cut); c.close(); } }));
  await assert.rejects(t.read('mask.bool'), /truncated/);
  await assert.rejects(openSafetensors(new Response('x', { status: 404 })), RangeError);
});

test('a 512 MB sparse file: the index and one tensor cost only their bytes; a 40 MiB table streams in 16 MiB reads', async () => {
  // Header: wte.weight (small F32), tok.bf16 (40 MiB BF16, zeros but one row), then a 512 MB
  // "h.big" tensor that is never read. The zero parts are holes of a sparse file.
  const rows = 50, dim = 64, bRows = 20480, bDim = 1024, bRow = 12345;
  const big = 512 * 1024 * 1024;
  const wte = new Float32Array(rows * dim).map((_, i) => Math.sin(i) * 3);
  const bBytes = bRows * bDim * 2;
  const rowBits = Uint16Array.from({ length: bDim }, (_, i) => 0x3f80 + (i % 97));   // bf16 values in [1, 2)
  const header = { 'wte.weight': { dtype: 'F32', shape: [rows, dim], data_offsets: [0, wte.byteLength] },
    'tok.bf16': { dtype: 'BF16', shape: [bRows, bDim], data_offsets: [wte.byteLength, wte.byteLength + bBytes] },
    'h.big': { dtype: 'U8', shape: [big], data_offsets: [wte.byteLength + bBytes, wte.byteLength + bBytes + big] } };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  const head = new Uint8Array(8 + json.length + pad).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length + pad), true);
  head.set(json, 8);
  const tmp = await mkdtemp(join(tmpdir(), 'ek-st-'));
  const path = join(tmp, 'big.safetensors');
  const fd = openSync(path, 'w');
  writeSync(fd, head, 0, head.length, 0);
  writeSync(fd, new Uint8Array(wte.buffer), 0, wte.byteLength, head.length);
  writeSync(fd, new Uint8Array(rowBits.buffer), 0, bDim * 2, head.length + wte.byteLength + bRow * bDim * 2);
  ftruncateSync(fd, head.length + wte.byteLength + bBytes + big);   // sparse: no disk blocks for the zeros
  closeSync(fd);
  try {
    const blob = await openAsBlob(path);
    assert.equal(blob.size, head.length + wte.byteLength + bBytes + big);
    let readBytes = 0, slices = 0, largest = 0;
    const counting = { size: blob.size, slice: (a, b) => { slices++; readBytes += b - a; largest = Math.max(largest, b - a); return blob.slice(a, b); },
      arrayBuffer: () => assert.fail('whole-file read') };
    const before = process.memoryUsage().arrayBuffers;
    const f = await openSafetensors(counting);
    assert.equal(f.tensor('h.big').byteLength, big);
    const emb = await f.loadEmbedding('wte.weight');
    assertSameBits(emb.weight, wte, 'wte from the sparse file');
    emb.dispose();
    assert.equal(readBytes, head.length + wte.byteLength, 'read exactly the header and the one tensor');
    assert.equal(slices, 3);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no file-sized buffer in the JS heap');
    // The 40 MiB bf16 table: three reads of at most 16 MiB, straight into the table.
    readBytes = 0; slices = 0; largest = 0;
    const tok = await f.loadEmbedding('tok.bf16');
    assert.equal(tok.dtype, 'bfloat16');
    assert.deepEqual([readBytes, slices, largest], [bBytes, 3, 16 * 1024 * 1024]);
    const out = tok.forward([bRow, 0, bRow - 1]);
    const want = new Float32Array(new Uint32Array(Array.from(rowBits, (b) => b << 16)).buffer);
    assertSameBits(out.subarray(0, bDim), want, 'the written row');
    assert.ok(out.subarray(bDim).every((v) => v === 0), 'the holes read as zeros');
    tok.dispose();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('writer: byte-identical to the Python package for the same tensors; round trips Embeddings and typed arrays', async () => {
  for (const file of ['gpt2-tiny.safetensors', 'mixed.safetensors']) {
    const bytes = await read(file);
    const f = await openSafetensors(bytes);
    const tensors = {};
    for (const t of f.tensors) tensors[t.name] = { data: await f.read(t.name), dtype: t.dtype, shape: t.shape };
    const out = saveSafetensors(tensors, { metadata: f.metadata });
    assert.equal(sha(out), sha(bytes), `${file}: same bytes as safetensors.torch.save_file`);
  }
  const emb = new Embedding(33, 12, { seed: 5 });
  const ints = new Int32Array([1, -2, 3]);
  const out = saveSafetensors(new Map([['wte.weight', emb], ['ids', ints], ['v', new Float64Array([0.5, -1])]]), { metadata: { format: 'pt' } });
  const g = await openSafetensors(out);
  assert.deepEqual(g.tensor('wte.weight').shape, [33, 12]);
  const back = await g.loadEmbedding('wte.weight');
  assertSameBits(back.weight, emb.weight, 'Embedding round trip');
  back.dispose();
  emb.dispose();
  assert.deepEqual([...new Int32Array((await g.read('ids')).slice().buffer)], [...ints]);
  assert.equal(g.tensor('v').dtype, 'F64');
  assert.deepEqual(g.metadata, { format: 'pt' });
  assert.throws(() => saveSafetensors({ a: 'x' }), TypeError);
  assert.throws(() => saveSafetensors({ __metadata__: new Float32Array(1) }), RangeError);
  assert.throws(() => saveSafetensors({ a: { data: new Float32Array(6), shape: [4, 2] } }), RangeError);
  assert.throws(() => saveSafetensors({ a: new Float32Array(1) }, { metadata: { k: 1 } }), TypeError);
});

test('stored dtypes: BF16 / F16 tables load as bfloat16 / float16 with their bytes; F32 -> bfloat16 rounds to nearest even; they save back', async () => {
  const m = manifest.safetensors.find((x) => x.file === 'mixed.safetensors');
  const f = await openSafetensors(await read(m.file));
  for (const [name, dtype] of [['model.embed_tokens.weight', 'bfloat16'], ['transformer.wpe.weight', 'float16']]) {
    const emb = await f.loadEmbedding(name);
    assert.equal(emb.dtype, dtype);
    assert.equal(emb.requiresGrad, false);
    assert.equal(sha(emb.bytes), m.tensors[name].sha256, `${name}: stored bytes kept`);
    const want = await expectedF32(m, name);
    const ids = [0, 5, emb.numEmbeddings - 1, 5];
    const out = emb.forward(ids);
    ids.forEach((r, k) => assertSameBits(out.subarray(k * emb.dim, (k + 1) * emb.dim), want.subarray(r * emb.dim, (r + 1) * emb.dim), `${name} row ${r}`));
    // saveSafetensors writes the table in its dtype; the file reads back the same bytes.
    const again = await openSafetensors(saveSafetensors({ [name]: emb }));
    assert.equal(again.tensor(name).dtype, dtype === 'bfloat16' ? 'BF16' : 'F16');
    assert.equal(sha(await again.read(name)), m.tensors[name].sha256);
    emb.dispose();
  }
  const g = await openSafetensors(await read('gpt2-tiny.safetensors'));
  const w = await g.readFloat32('wte.weight');
  const bf = await g.loadEmbedding('wte.weight', { dtype: 'bfloat16' });
  const u = new Uint32Array(w.buffer, w.byteOffset, w.length);
  const bits = new Uint16Array(bf.bytes.buffer, bf.bytes.byteOffset, w.length);
  for (let i = 0; i < w.length; i++) assert.equal(bits[i], (u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16, `bf16[${i}]`);
  bf.dispose();
  const q8 = await g.loadEmbedding('wte.weight', { dtype: 'Q8_0' });
  assert.equal(q8.dtype, 'Q8_0');
  assert.throws(() => saveSafetensors({ q8 }), (e) => e instanceof RangeError && /Q8_0/.test(e.message));
  q8.dispose();
  await assert.rejects(g.loadEmbedding('wte.weight', { dtype: 'Q6_K' }), (e) => e instanceof RangeError && /k-quants/.test(e.message));
});
