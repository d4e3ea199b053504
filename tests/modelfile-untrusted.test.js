// modelfile-untrusted.test.js — safetensors and GGUF files from untrusted hands. Every malformed
// file (truncations, offsets past the end, overlapping tensors, shape x dtype != byte length,
// header length bombs, unknown dtypes/types, huge metadata arrays and strings) must be an
// embedkit RangeError/TypeError raised before anything sized by the bad value is allocated or
// read; then a fast-check property run (fixed budget: a few seconds) feeds mutated files and
// checks that nothing else ever escapes and that whatever opens is self-consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { init, openSafetensors, openGGUF, saveSafetensors } from '../src/js/index.js';

await init();
const dir = new URL('./fixtures/model-files/', import.meta.url).pathname;
const ggufSmall = new Uint8Array(await readFile(dir + 'qwen2-yarn-align64.gguf'));
const ggufPhi = new Uint8Array(await readFile(dir + 'phi3-longrope.gguf'));

/** A small valid safetensors file: a 2-D table, a 1-D F16 vector, an I32 vector, metadata. */
const stSmall = saveSafetensors({
  'wte.weight': { data: new Float32Array(24).map((_, i) => i / 7), shape: [6, 4] },
  'ln.bias': { data: new Uint16Array([0x3c00, 0xc000, 0x7c00]), dtype: 'F16' },
  ids: new Int32Array([5, -1]),
}, { metadata: { format: 'pt' } });

/** safetensors bytes from a header object and a data length (data is zeros). */
function stFile(header, dataLen, { n } = {}) {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(n ?? json.length), true);
  out.set(json, 8);
  return out;
}

/** A range reader over `bytes` that claims `size` and records the largest read it was asked for. */
function guarded(bytes, size = bytes.length) {
  const r = { size, maxRead: 0, async read(off, len) {
    r.maxRead = Math.max(r.maxRead, len);
    if (len > 64 * 1024 * 1024) throw new Error(`read of ${len} bytes requested`);
    const out = new Uint8Array(len);
    out.set(bytes.subarray(Math.min(off, bytes.length), Math.min(off + len, bytes.length)));
    return out;
  } };
  return r;
}

const isOurs = (e) => (e instanceof RangeError || e instanceof TypeError) && /^embedkit: /.test(e.message);

async function rejectsOurs(p, re, what) {
  let err = null;
  try { await p; } catch (e) { err = e; }
  assert.ok(err, `${what}: expected an error`);
  assert.ok(isOurs(err), `${what}: expected an embedkit RangeError/TypeError, got ${err && err.stack}`);
  if (re) assert.match(err.message, re, what);
}

/** Open and read everything a file offers, loading 2-D float tables as Embeddings. */
async function exercise(open, bytes) {
  const f = await open(bytes);
  for (const t of f.tensors) {
    assert.ok(t.byteOffset >= 0 && t.byteOffset + t.byteLength <= bytes.length, `${t.name} inside the file`);
    const b = await f.read(t.name);
    assert.equal(b.length, t.byteLength);
    const dt = t.dtype ?? t.type;
    if (t.shape.length === 2 && t.shape[0] > 0 && t.shape[1] > 0 && ['F32', 'F16', 'BF16'].includes(dt)) {
      (await f.loadEmbedding(t.name, { dtype: 'float32' })).dispose();
    }
  }
  return f;
}

test('safetensors: every truncation of a valid file is a RangeError', async () => {
  await exercise(openSafetensors, stSmall);
  for (let n = 0; n < stSmall.length; n++) await rejectsOurs(openSafetensors(stSmall.subarray(0, n)), /not a valid safetensors file/, `prefix ${n}`);
});

test('safetensors: each malformation is named, before any read sized by it', async () => {
  const t = (o) => ({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, ...o });
  const cases = [
    ['header length bomb (2^63)', stFile(t(), 16, { n: 2 ** 62 }), /exceeds the limit/],
    ['header length past the end', stFile(t(), 16, { n: 1000 }), /past the end/],
    ['not JSON', (() => { const b = stFile(t(), 16); b[20] = 0x7d; return b; })(), /not valid JSON/],
    ['not an object', stFile([1, 2], 0), /start with '\{'|not a JSON object/],
    ['bad UTF-8', (() => { const b = stFile({ 'a\u00e9': { dtype: 'U8', shape: [1], data_offsets: [0, 1] } }, 1); b.set([0xff], 11); return b; })(), /UTF-8/],
    ['unknown dtype', stFile(t({ a: { dtype: 'F12', shape: [2], data_offsets: [0, 3] } }), 3), /unknown dtype 'F12'/],
    ['shape x dtype != bytes', stFile(t({ a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 16] } }), 16), /24 bytes but data_offsets/],
    ['offsets past the end', stFile(t({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [8, 24] } }), 16), /past the end|belong to no tensor/],
    ['overlapping tensors', stFile(t({ b: { dtype: 'F32', shape: [2], data_offsets: [8, 16] } }), 16), /overlaps/],
    ['hole between tensors', stFile(t({ b: { dtype: 'F32', shape: [1], data_offsets: [20, 24] } }), 24), /belong to no tensor/],
    ['bytes after the last tensor', stFile(t(), 20), /end at byte 16/],
    ['end before begin', stFile(t({ a: { dtype: 'U8', shape: [0], data_offsets: [4, 0] } }), 4), /end before/],
    ['negative dim', stFile(t({ a: { dtype: 'F32', shape: [-1, 4], data_offsets: [0, 16] } }), 16), /non-negative/],
    ['fractional dim', stFile(t({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 6] } }), 16), /non-negative integers/],
    ['huge shape', stFile(t({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 16] } }), 16), /2\^53/],
    ['offsets not a pair', stFile(t({ a: { dtype: 'F32', shape: [4], data_offsets: [0] } }), 16), /data_offsets must be/],
    ['metadata not strings', stFile(t({ __metadata__: { k: 1 } }), 16), /must be a string/],
    ['entry not an object', stFile(t({ a: 'F32' }), 16), /must be an object/],
    ['sub-byte dtype with an odd count', stFile({ a: { dtype: 'F4', shape: [3], data_offsets: [0, 2] } }, 2), /whole number of bytes/],
  ];
  for (const [what, bytes, re] of cases) {
    const src = guarded(bytes);
    await rejectsOurs(openSafetensors(src), re, what);
    assert.ok(src.maxRead <= bytes.length, `${what}: read ${src.maxRead} bytes`);
  }
  // A 2^40-byte header claimed by a (claimed) 1 PiB file: refused by the 100 MB cap, nothing read.
  const bomb = guarded(stFile(t(), 16, { n: 2 ** 40 }), 2 ** 50);
  await rejectsOurs(openSafetensors(bomb), /exceeds the limit/, 'bomb in a huge file');
  assert.equal(bomb.maxRead, 8);
});

/** Locate the byte offset just after the first occurrence of `s` in `bytes`. */
function after(bytes, s) {
  const b = new TextEncoder().encode(s);
  for (let i = 0; i + b.length <= bytes.length; i++) if (b.every((x, j) => bytes[i + j] === x)) return i + b.length;
  throw new Error(`'${s}' not found`);
}
function patched(bytes, at, fn) {
  const c = bytes.slice();
  fn(new DataView(c.buffer), at);
  return c;
}

test('GGUF: every truncation into the header or tensor data is a RangeError (cutting trailing padding is fine)', async () => {
  const f = await exercise(openGGUF, ggufSmall);
  const end = Math.max(...f.tensors.map((t) => t.byteOffset + t.byteLength));
  assert.ok(end < ggufSmall.length, 'the fixture ends with alignment padding');
  for (let n = 0; n < end; n++) await rejectsOurs(openGGUF(ggufSmall.subarray(0, n)), /not a valid GGUF file/, `prefix ${n}`);
  for (let n = end; n < ggufSmall.length; n++) await exercise(openGGUF, ggufSmall.subarray(0, n));
});

test('GGUF: each malformation is named, before any allocation or read sized by it', async () => {
  const g = ggufSmall;
  const tok = after(g, 'tokenizer.ggml.tokens') + 4;      // array: u32 type, u64 count
  const emb = after(g, 'token_embd.weight');               // n_dims u32 @0, ne u64 @4 @12, type u32 @20, offset u64 @24
  const name = after(g, 'general.architecture') + 4;       // string value: u64 length
  const cases = [
    ['wrong magic', patched(g, 0, (d) => d.setUint8(0, 0x48)), /magic/],
    ['version 1', patched(g, 4, (d, a) => d.setUint32(a, 1, true)), /version 1/],
    ['big-endian', patched(g, 4, (d, a) => d.setUint32(a, 0x03000000, true)), /big-endian/],
    ['tensor count bomb', patched(g, 8, (d, a) => d.setBigUint64(a, 2n ** 62n, true)), /tensor count/],
    ['metadata count bomb', patched(g, 16, (d, a) => d.setBigUint64(a, 2n ** 40n, true)), /metadata count/],
    ['huge token array', patched(g, tok + 4, (d, a) => d.setBigUint64(a, 2n ** 60n, true)), /element count .* do not fit/],
    ['huge string', patched(g, name, (d, a) => d.setBigUint64(a, 2n ** 63n, true)), /length .* do not fit/],
    ['unknown array element type', patched(g, tok, (d, a) => d.setUint32(a, 13, true)), /unknown array element type/],
    ['unknown value type', patched(g, name - 4, (d, a) => d.setUint32(a, 99, true)), /unknown value type 99/],
    ['0 dimensions', patched(g, emb, (d, a) => d.setUint32(a, 0, true)), /0 dimensions/],
    ['5 dimensions', patched(g, emb, (d, a) => d.setUint32(a, 5, true)), /5 dimensions/],
    ['unknown ggml type', patched(g, emb + 20, (d, a) => d.setUint32(a, 31, true)), /unknown ggml type 31/],
    ['dims bigger than the file', patched(g, emb + 12, (d, a) => d.setBigUint64(a, 1n << 40n, true)), /past the end/],
    ['dims past 2^53', patched(g, emb + 4, (d, a) => d.setBigUint64(a, 2n ** 60n, true)), /too large/],
    ['offset past the end', patched(g, emb + 24, (d, a) => d.setBigUint64(a, 1n << 20n, true)), /past the end/],
    ['misaligned offset', patched(g, emb + 24, (d, a) => d.setBigUint64(a, 3n, true)), /alignment/],
  ];
  // Overlap: the second tensor's offset moved onto the first (n_dims @0, ne0 @4, type @12, offset @16).
  const small = after(g, 'small.f32');
  cases.push(['overlapping tensors', patched(g, small + 16, (d, a) => d.setBigUint64(a, 0n, true)), /overlaps/]);
  // shape x type != bytes: the F16 table re-typed as F32 doubles its byte length onto the next tensor.
  cases.push(['shape x type != bytes', patched(g, emb + 20, (d, a) => d.setUint32(a, 0, true)), /overlaps|past the end/]);
  cases.push(['row not a multiple of the block', patched(g, emb + 4, (d, a) => d.setBigUint64(a, 100n, true)), null]);
  for (const [what, bytes, re] of cases) {
    const src = guarded(bytes);
    if (re === null) {
      // ne[0] = 100 for an F16 table is fine by blocks but no longer matches the data layout: opens or errors cleanly.
      try { await exercise(openGGUF, bytes); } catch (e) { assert.ok(isOurs(e), `${what}: ${e.stack}`); }
      continue;
    }
    await rejectsOurs(openGGUF(src), re, what);
    assert.ok(src.maxRead <= bytes.length, `${what}: read ${src.maxRead} bytes`);
  }
  // Q8_0 needs ne[0] % 32 == 0.
  const q = patched(ggufPhi, after(ggufPhi, 'token_embd.weight') + 4, (d, a) => d.setBigUint64(a, 95n, true));
  await rejectsOurs(openGGUF(q), /not a multiple of the Q4_0 block size 32/, 'block size');
  // A huge metadata array in a (claimed) 1 PiB file: capped by maxHeaderBytes, never read.
  const big = guarded(patched(g, tok + 4, (d, a) => d.setBigUint64(a, 2n ** 30n, true)), 2 ** 50);
  await rejectsOurs(openGGUF(big, { maxHeaderBytes: 1 << 20 }), /maxHeaderBytes/, 'array under the header cap');
  assert.ok(big.maxRead <= 1 << 20);
});

// ---- property: mutated files -------------------------------------------------------------------

const u64Values = [0n, 1n, 7n, 31n, 32n, 255n, 2n ** 31n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n];

/** One mutation of a file: flip bytes, overwrite a u32/u64 with an edge value, cut, splice. */
const mutation = (len) => fc.oneof(
  fc.record({ kind: fc.constant('flip'), at: fc.nat(len - 1), bits: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('u64'), at: fc.nat(len - 8), v: fc.constantFrom(...u64Values, BigInt(len), BigInt(len) + 8n) }),
  fc.record({ kind: fc.constant('u32'), at: fc.nat(len - 4), v: fc.constantFrom(0, 1, 4, 5, 8, 9, 12, 13, 30, 31, 0xffffffff, 0x7fffffff) }),
  fc.record({ kind: fc.constant('cut'), at: fc.nat(len) }),
  fc.record({ kind: fc.constant('splice'), at: fc.nat(len), n: fc.integer({ min: -16, max: 16 }) }),
);

function apply(bytes, muts) {
  let b = bytes.slice();
  for (const m of muts) {
    const dv = new DataView(b.buffer);
    if (m.kind === 'flip' && m.at < b.length) b[m.at] ^= m.bits;
    else if (m.kind === 'u64' && m.at + 8 <= b.length) dv.setBigUint64(m.at, m.v, true);
    else if (m.kind === 'u32' && m.at + 4 <= b.length) dv.setUint32(m.at, m.v, true);
    else if (m.kind === 'cut') b = b.slice(0, Math.min(m.at, b.length));
    else if (m.kind === 'splice') {
      const at = Math.min(m.at, b.length);
      b = m.n >= 0 ? Uint8Array.from([...b.subarray(0, at), ...new Uint8Array(m.n).fill(0x20), ...b.subarray(at)])
        : Uint8Array.from([...b.subarray(0, at), ...b.subarray(Math.min(b.length, at - m.n))]);
    }
  }
  return b;
}

for (const [what, open, seeds] of [['safetensors', openSafetensors, [stSmall]], ['GGUF', openGGUF, [ggufSmall, ggufPhi]]]) {
  test(`property: mutated ${what} files open cleanly or fail with an embedkit RangeError/TypeError (fixed budget)`, async () => {
    let opened = 0, refused = 0;
    const deadline = Date.now() + 3000;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...seeds).chain((s) => fc.tuple(fc.constant(s), fc.array(mutation(s.length), { minLength: 1, maxLength: 4 }))), async ([seed, muts]) => {
      if (Date.now() > deadline) return;
      const bytes = apply(seed, muts);
      const src = guarded(bytes);
      try {
        await exercise((b) => open(src), bytes);
        opened++;
      } catch (e) {
        if (!isOurs(e)) throw e;
        refused++;
      }
      assert.ok(src.maxRead <= Math.max(bytes.length, 1 << 20), `read of ${src.maxRead} bytes from a ${bytes.length}-byte file`);
    }), { numRuns: 3000, seed: 20261130 });
    assert.ok(refused > 100, `${what}: ${refused} refused, ${opened} opened`);
  });
}

test('property: random well-formed-JSON safetensors headers are accepted exactly when they tile the data', async () => {
  const dtypes = ['F32', 'F16', 'BF16', 'U8', 'I64', 'F4', 'BOOL', 'X9'];
  const size = { F32: 4, F16: 2, BF16: 2, U8: 1, I64: 8, F4: 0.5, BOOL: 1 };
  const entry = fc.record({
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.oneof(fc.integer({ min: 0, max: 6 }), fc.constantFrom(-1, 2 ** 31, 2 ** 53)), { maxLength: 3 }),
    data_offsets: fc.tuple(fc.integer({ min: 0, max: 120 }), fc.integer({ min: 0, max: 120 })),
  });
  const deadline = Date.now() + 2000;
  let ok = 0, bad = 0;
  await fc.assert(fc.asyncProperty(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'wte.weight'), entry, { maxKeys: 3 }), fc.integer({ min: 0, max: 130 }), async (header, dataLen) => {
    if (Date.now() > deadline) return;
    // Independent model of validity: known dtype, whole bytes, length matches, tiles [0, dataLen).
    const es = Object.values(header);
    let valid = es.every((e) => e.dtype in size && e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
      e.data_offsets[1] >= e.data_offsets[0] && Number.isInteger(e.shape.reduce((a, b) => a * b, 1) * size[e.dtype]) &&
      e.shape.reduce((a, b) => a * b, 1) * size[e.dtype] === e.data_offsets[1] - e.data_offsets[0]);
    if (valid) {
      const sorted = es.map((e) => e.data_offsets).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      let at = 0;
      for (const [b, e] of sorted) { if (b !== at) valid = false; at = e; }
      if (at !== dataLen) valid = false;
    }
    const bytes = stFile(header, dataLen);
    try {
      await exercise(openSafetensors, bytes);
      assert.ok(valid, `accepted an invalid header ${JSON.stringify(header)} with ${dataLen} data bytes`);
      ok++;
    } catch (e) {
      if (!isOurs(e)) throw e;
      assert.ok(!valid, `refused a valid header ${JSON.stringify(header)} (${dataLen}): ${e.message}`);
      bad++;
    }
  }), { numRuns: 2000, seed: 7 });
  assert.ok(ok > 5 && bad > 100, `${ok} accepted, ${bad} refused`);
});
