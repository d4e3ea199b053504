// gguf.test.js — src/js/gguf.js against two independent GGUF readers: the Python `gguf`
// package's GGUFReader (its output is in tests/fixtures/model-files/manifest.json, made by
// make.py, with the files written by its GGUFWriter) and npm @huggingface/gguf, run here on the
// same files. Metadata of every value type (nested arrays, u64/i64, unicode), tensor infos,
// alignment, raw tensor bytes, float widening, the embedding-layer keys, every source kind, and
// header-only reads of a 512 MB sparse file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openAsBlob, openSync, writeSync, ftruncateSync, closeSync } from 'node:fs';
import { readFile, rm, mkdtemp } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gguf as hfGguf } from '@huggingface/gguf';
import { assertSameBits } from './helpers/close.js';
import { init, openGGUF } from '../src/js/index.js';

await init();
const dir = new URL('./fixtures/model-files/', import.meta.url).pathname;
const read = (f) => readFile(join(dir, f));
const manifest = JSON.parse(await read('manifest.json'));
const sha = (b) => createHash('sha256').update(b).digest('hex');
const plain = (v) => (ArrayBuffer.isView(v) ? Array.from(v) : Array.isArray(v) ? v.map(plain) : v);

async function expectedF32(m, name) {
  const bin = await read(m.file.replace('.gguf', '.f32.bin'));
  const e = m.tensors[name];
  const n = e.ne.reduce((a, b) => a * b, 1);
  return new Float32Array(bin.buffer.slice(bin.byteOffset + e.f32Offset, bin.byteOffset + e.f32Offset + n * 4));
}

/** gguf-py's contents() as JSON (ints as strings, floats as repr) -> JS value for comparison. */
function fromPy(v, types) {
  if (Array.isArray(v)) return v.map((x) => fromPy(x, types.slice(1)));
  if (v && typeof v === 'object' && 'int' in v) return [10, 11].includes(types.at(-1)) ? BigInt(v.int) : Number(v.int);
  if (v && typeof v === 'object' && 'float' in v) return v.float === 'nan' ? NaN : Number(v.float);
  return v;
}

for (const m of manifest.gguf) {
  test(`${m.file}: metadata and tensor infos equal gguf-py's GGUFReader and @huggingface/gguf`, async () => {
    const bytes = await read(m.file);
    const f = await openGGUF(bytes);
    const hf = await hfGguf(join(dir, m.file), { allowLocalFile: true });
    assert.equal(f.version, hf.metadata.version);
    assert.equal(f.alignment, m.alignment);
    assert.equal(f.dataOffset, m.dataOffset);
    assert.equal(f.dataOffset, Number(hf.tensorDataOffset));
    // Metadata: every key, same values (typed arrays compared as arrays; f32 as stored).
    const keys = Object.keys(f.metadata);
    assert.deepEqual(keys.slice().sort(), Object.keys(m.metadata).sort());
    for (const k of keys) {
      const mine = plain(f.metadata[k]);
      assert.deepEqual(mine, hf.metadata[k], `${k} vs @huggingface/gguf`);
      const py = fromPy(m.metadata[k].value, m.metadata[k].types);
      if (m.metadata[k].types[0] === 6) assert.equal(mine, Math.fround(py), k);
      else if (m.metadata[k].types[0] === 9 && m.metadata[k].types[1] === 6) assert.deepEqual(mine, py.map(Math.fround), k);
      else if (m.metadata[k].types[1] === 9) assert.deepEqual(mine.flat(), py, `${k} vs gguf-py (its contents() flattens nested arrays)`);
      else assert.deepEqual(mine, py, `${k} vs gguf-py`);
    }
    // Tensors: same order, names, types, dims, offsets, bytes.
    assert.deepEqual(f.names, hf.tensorInfos.map((t) => t.name));
    for (const [i, t] of f.tensors.entries()) {
      const e = m.tensors[t.name];
      const h = hf.tensorInfos[i];
      assert.equal(t.type, e.type, t.name);
      assert.deepEqual([...t.ne], e.ne, t.name);
      assert.deepEqual([...t.ne], h.shape.map(Number), t.name);
      assert.deepEqual([...t.shape], [...t.ne].reverse(), t.name);
      assert.equal(t.byteOffset, e.offset, t.name);
      assert.equal(t.byteOffset, f.dataOffset + Number(h.offset), t.name);
      assert.equal(t.byteOffset % f.alignment, 0, t.name);
      assert.equal(t.byteLength, e.bytes, t.name);
      assert.equal(sha(await f.read(t.name)), e.sha256, `${t.name}: raw bytes`);
    }
  });
}

test('the embedding-layer keys: tokens, lengths, rope base/dims/scaling and factor tensors', async () => {
  const f = await openGGUF(await read('tiny-llama.gguf'));
  const py = manifest.gguf.find((x) => x.file === 'tiny-llama.gguf');
  assert.equal(f.architecture, 'llama');
  assert.deepEqual(f.tokens, py.metadata['tokenizer.ggml.tokens'].value);
  assert.equal(f.tokens.length, 300);
  assert.equal(f.embeddingLength, 256);
  assert.equal(f.contextLength, 2048);
  assert.equal(f.ropeFreqBase, 500000);
  assert.equal(f.ropeDimensionCount, 64);
  assert.equal(f.headDim, 64);
  assert.equal(f.ropeScaling, null);
  assert.equal(f.ropeInterleaved, true);
  assertSameBits(f.ropeFactors.freqs, await expectedF32(py, 'rope_freqs.weight'), 'rope_freqs');
  const q = await openGGUF(await read('qwen2-yarn-align64.gguf'));
  assert.equal(q.alignment, 64);
  assert.deepEqual({ ...q.ropeScaling }, { type: 'yarn', factor: 4, originalContextLength: 32768 });
  assert.equal(q.ropeInterleaved, false);
  assert.equal(q.headDim, 64);
  const p = await openGGUF(await read('phi3-longrope.gguf'));
  assert.equal(p.ropeScaling.originalContextLength, 4096);
  assert.equal(p.ropeScaling.attnFactor, Math.fround(Math.sqrt(1 + Math.log(32) / Math.log(4096))));
  assert.equal(p.ropeFactors.long.length, 16);
  assert.equal(p.ropeFactors.short[1], Math.fround(1.01));
});

test('readFloat32 and loadEmbedding(dtype float32) of F32/F16/BF16 tables equal gguf-py exactly', async () => {
  const m = manifest.gguf.find((x) => x.file === 'tiny-llama.gguf');
  const f = await openGGUF(await read(m.file));
  for (const name of ['emb.f32', 'emb.f16', 'emb.bf16', 'output_norm.weight', 'cube.f32']) {
    assertSameBits(await f.readFloat32(name), await expectedF32(m, name), name);
  }
  for (const name of ['emb.f32', 'emb.f16', 'emb.bf16']) {
    const emb = await f.loadEmbedding(name, { dtype: 'float32' });
    assert.equal(emb.numEmbeddings, 40);
    assert.equal(emb.dim, 256);
    assertSameBits(emb.weight, await expectedF32(m, name), name);
    emb.dispose();
  }
  await assert.rejects(f.readFloat32('token_embd.weight'), /quantized|Q8_0/);
  await assert.rejects(f.loadEmbedding('emb.q5_k'), (e) => e instanceof RangeError && /Q5_K/.test(e.message));
  await assert.rejects(f.loadEmbedding('cube.f32'), /2-D/);
  await assert.rejects(f.loadEmbedding('token_embed.weight'), (e) => e instanceof RangeError && /token_embd\.weight/.test(e.message));
});

test('every source kind: Blob, Response, ReadableStream (small chunks), range reader', async () => {
  const bytes = new Uint8Array(await read('qwen2-yarn-align64.gguf'));
  const m = manifest.gguf.find((x) => x.file === 'qwen2-yarn-align64.gguf');
  const want = await expectedF32(m, 'token_embd.weight');
  const chunked = (n) => new ReadableStream({ start(c) { for (let i = 0; i < bytes.length; i += n) c.enqueue(bytes.slice(i, i + n)); c.close(); } });
  for (const src of [new Blob([bytes]), new Response(new Blob([bytes])), chunked(5), chunked(4096),
    { size: bytes.length, read: async (o, n) => bytes.slice(o, o + n) }]) {
    const f = await openGGUF(src);
    assert.deepEqual(f.tokens, ['a', 'b', 'c']);
    assertSameBits(await f.readFloat32('token_embd.weight'), want, 'token_embd');
  }
});

test('a 512 MB sparse GGUF: opening and loading token_embd read the header prefix and that tensor only', async () => {
  const src = new Uint8Array(await read('qwen2-yarn-align64.gguf'));
  const f0 = await openGGUF(src);
  // Rewrite: same header but tensor 'small.f32' grown to 128 Mi elements (512 MB) after token_embd.
  const t = f0.tensor('small.f32');
  const e = 128 * 1024 * 1024;
  const head = src.slice(0, f0.dataOffset);
  // Find the ne[0] = 3 of small.f32 in the tensor infos and patch it.
  const nameBytes = new TextEncoder().encode('small.f32');
  let at = -1;
  for (let i = 0; i < head.length - nameBytes.length; i++) {
    if (nameBytes.every((b, j) => head[i + j] === b)) at = i + nameBytes.length;
  }
  assert.ok(at > 0);
  new DataView(head.buffer).setBigUint64(at + 4, BigInt(e), true);
  const tmp = await mkdtemp(join(tmpdir(), 'ek-gguf-'));
  const path = join(tmp, 'big.gguf');
  const fd = openSync(path, 'w');
  writeSync(fd, head, 0, head.length, 0);
  writeSync(fd, src, f0.dataOffset, src.length - f0.dataOffset, f0.dataOffset);
  ftruncateSync(fd, t.byteOffset + e * 4);
  closeSync(fd);
  try {
    const blob = await openAsBlob(path);
    let readBytes = 0;
    const counting = { size: blob.size, slice: (a, b) => { readBytes += b - a; return blob.slice(a, b); }, arrayBuffer: () => assert.fail('whole-file read') };
    const before = process.memoryUsage().arrayBuffers;
    const f = await openGGUF(counting);
    assert.equal(f.tensor('small.f32').byteLength, e * 4);
    const emb = await f.loadEmbedding('token_embd.weight', { dtype: 'float32' });
    assertSameBits(emb.weight, await f0.readFloat32('token_embd.weight'), 'token_embd');
    emb.dispose();
    assert.ok(readBytes <= (1 << 20) + f.tensor('token_embd.weight').byteLength, `read ${readBytes} bytes`);
    assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024, 'no file-sized buffer in the JS heap');
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
});

test('tables in their stored type (Q8_0, Q4_0, Q4_K, Q6_K, F16, BF16): the bytes as stored, lookups equal gguf-py dequantize bit for bit', async () => {
  const m = manifest.gguf.find((x) => x.file === 'tiny-llama.gguf');
  const f = await openGGUF(await read(m.file));
  const kinds = { 'token_embd.weight': 'Q8_0', 'emb.q8_0': 'Q8_0', 'emb.q4_0': 'Q4_0', 'emb.q4_k': 'Q4_K', 'emb.q6_k': 'Q6_K', 'emb.f16': 'float16', 'emb.bf16': 'bfloat16', 'emb.f32': 'float32' };
  for (const [name, dtype] of Object.entries(kinds)) {
    const want = await expectedF32(m, name);
    const emb = await f.loadEmbedding(name);
    assert.equal(emb.dtype, dtype, name);
    assert.equal(emb.requiresGrad, dtype === 'float32', `${name}: non-float32 tables are inference-only`);
    assert.equal(sha(emb.bytes), m.tensors[name].sha256, `${name}: stored bytes kept`);
    const rows = Int32Array.from({ length: emb.numEmbeddings }, (_, i) => emb.numEmbeddings - 1 - i);
    const out = emb.forward(rows);
    for (let k = 0; k < rows.length; k++) {
      assertSameBits(out.subarray(k * emb.dim, (k + 1) * emb.dim), want.subarray(rows[k] * emb.dim, (rows[k] + 1) * emb.dim), `${name} row ${rows[k]}`);
    }
    emb.dispose();
    const f32 = await f.loadEmbedding(name, { dtype: 'float32', requiresGrad: false });
    assertSameBits(f32.weight, want, `${name} as float32`);
    assert.equal(f32.requiresGrad, false);
    f32.dispose();
  }
  // Converting on load: a Q6_K table to bfloat16 equals the bf16 rounding of its decoded values.
  const q = await f.loadEmbedding('emb.q6_k', { dtype: 'bfloat16' });
  const dec = await expectedF32(m, 'emb.q6_k');
  const u = new Uint32Array(dec.buffer);
  const bf = new Uint16Array(q.bytes.buffer, q.bytes.byteOffset, dec.length);
  for (let i = 0; i < dec.length; i++) assert.equal(bf[i], (u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16, `bf16[${i}]`);
  q.dispose();
  // k-quants are not produced from floats: refused before anything is read.
  await assert.rejects(f.loadEmbedding('emb.f32', { dtype: 'Q4_K' }), (e) => e instanceof RangeError && /k-quants/.test(e.message));
  await assert.rejects(f.loadEmbedding('emb.q8_0', { dtype: 'float16', requiresGrad: true }), RangeError);
});

test('version 2 files (same layout as 3) open the same; version 1 and others are refused', async () => {
  const bytes = new Uint8Array(await read('qwen2-yarn-align64.gguf'));
  const v3 = await openGGUF(bytes);
  const v2bytes = bytes.slice();
  new DataView(v2bytes.buffer).setUint32(4, 2, true);
  const v2 = await openGGUF(v2bytes);
  assert.equal(v2.version, 2);
  assert.deepEqual(plain(v2.metadata['tokenizer.ggml.tokens']), plain(v3.metadata['tokenizer.ggml.tokens']));
  assert.deepEqual(v2.tensors, v3.tensors);
  for (const v of [1, 4]) {
    const b = bytes.slice();
    new DataView(b.buffer).setUint32(4, v, true);
    await assert.rejects(openGGUF(b), (e) => e instanceof RangeError && new RegExp(`version ${v}`).test(e.message));
  }
});
