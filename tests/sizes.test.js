// Sizes near 2^31 and 2^32 bytes: every size computation is exact, the one block limit
// (MAX_BLOCK_BYTES, README "Memory rules") is the same in a fresh module and after memory has
// grown, and no call writes outside its own buffers: two victims (a table and a resident array
// allocated after the scratch arena) are checked bit for bit after every call.
//
// These tests reserve up to ~3 GiB of wasm memory and write 2 GiB of it (one resident buffer of
// the largest block size, reused by every call that succeeds). They run in this file's own
// process, so the memory is returned to the system when the file ends. Calls that must be
// refused pass large JS arrays that are never written (the system maps them lazily).
import test from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as ek from '../src/js/index.js';
import { init, Embedding, InputEmbedding, ResidentArray, Rope, sinusoidal } from '../src/js/index.js';
import { MAX_BLOCK_BYTES, scratch, scratchSize, wasm } from '../src/js/memory.js';
import { assertClose, assertSameBits, randomFloats } from './helpers/close.js';
import { paperFreqs, sinusoidalRef } from './helpers/positions-ref.js';
import { plainInvFreq, ropeRef64 } from './helpers/rope-ref.js';

await init();

const GiB = 2 ** 30;
const D = 1024;
const N_MAX = MAX_BLOCK_BYTES / (4 * D); // rows of D floats in one largest block (2^19 - 256)
const memBytes = () => wasm().memory.buffer.byteLength;

// The scratch arena exists (a small call), then the victims are allocated after it: a write
// past the end of a too-small arena lands in them.
sinusoidal(4, 8);
const victimTable = new Embedding(1000, 64, { seed: 11 });
const victimTableBits = victimTable.weight.slice();
const victimArray = new ResidentArray(Float32Array, 4096);
victimArray.view.set(randomFloats(4096, 12));
const victimArrayBits = victimArray.view.slice();

function victimsIntact(after) {
  assertSameBits(victimTable.weight, victimTableBits, `victim table after ${after}`);
  assertSameBits(victimArray.view, victimArrayBits, `victim resident array after ${after}`);
}

/** fn() throws a RangeError matching `re`; the victims are unchanged afterwards. */
function refused(fn, re, what) {
  assert.throws(fn, (e) => e instanceof RangeError && re.test(e.message), what);
  victimsIntact(what);
}

const OVER = [MAX_BLOCK_BYTES + 1, MAX_BLOCK_BYTES + 64, 2 ** 31 - 64, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 64,
  2 ** 32 - 64, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 32 + 64];

test('sizes: scratch sizes are exact past 2^31 and 2^32 bytes; too large is a RangeError', () => {
  assert.equal(MAX_BLOCK_BYTES, 2 ** 31 - 2 ** 20);
  assert.equal(ek.MAX_BLOCK_BYTES, MAX_BLOCK_BYTES, 'exported');
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  assert.match(readme, /`MAX_BLOCK_BYTES` = 2\^31 - 2\^20 bytes \(2047 MiB\)/, 'the README states the limit');
  // (n + 63) & ~63 gave -2^31 for 2^31 - 1 and 0 for 2^32 - 1.
  for (const [parts, want] of [
    [[2 ** 31 - 1], 2 ** 31], [[2 ** 31], 2 ** 31], [[2 ** 31 + 1], 2 ** 31 + 64],
    [[2 ** 32 - 1], 2 ** 32], [[2 ** 32], 2 ** 32], [[2 ** 32 + 1], 2 ** 32 + 64],
    [[2 ** 31, 2 ** 31], 2 ** 32], [[2 ** 31 - 1, 2 ** 31 - 1, 1], 2 ** 32 + 64], [[0, 1, 64, 65], 256],
  ]) {
    assert.equal(scratchSize(...parts), want, `scratchSize(${parts})`);
  }
  for (const b of OVER) refused(() => scratch(b), /largest block/, `scratch(${b})`);
  const s = scratch(scratchSize(100, 1));
  const p = s.take(100);
  assert.equal(s.take(1), p + 128);
  assert.throws(() => s.take(2 ** 31), /scratch overrun/);
  victimsIntact('scratch');
});

test('sizes: one block limit, the same in a fresh module and after memory has grown', () => {
  assert.ok(memBytes() <= 64 * 2 ** 20, `a fresh module (${memBytes()} bytes of memory)`);
  const states = [];
  const check = (state) => {
    for (const b of OVER) refused(() => new ResidentArray(Uint8Array, b), /largest block/, `${state}: ResidentArray(Uint8Array, ${b})`);
    refused(() => new ResidentArray(Float32Array, MAX_BLOCK_BYTES / 4 + 1), /largest block/, `${state}: Float32 one over`);
    refused(() => new Embedding(N_MAX + 1, D), /largest block/, `${state}: Embedding one row over`);
    for (const [T, n] of [[Uint8Array, MAX_BLOCK_BYTES], [Float32Array, MAX_BLOCK_BYTES / 4]]) {
      const r = new ResidentArray(T, n);
      assert.equal(r.ptr % 64, 0);
      assert.ok(r.ptr + MAX_BLOCK_BYTES <= memBytes());
      const v = r.view;
      v[0] = 1; v[n - 1] = 2; // touch one page at each end only
      assert.equal(r.view[n - 1], 2);
      r.dispose();
      victimsIntact(`${state}: ResidentArray(${T.name}, ${n})`);
    }
    states.push(memBytes());
  };
  check('fresh');
  // Grow memory past 2.25 GiB and free it again: a 2 GiB block used to be accepted here.
  const a = new ResidentArray(Uint8Array, MAX_BLOCK_BYTES);
  const b = new ResidentArray(Uint8Array, GiB / 2);
  assert.ok(memBytes() > 2.25 * GiB, `memory grew to ${memBytes()}`);
  a.dispose();
  b.dispose();
  check('grown');
  assert.ok(states[1] > 2.25 * GiB);
});

test('sizes: calls at the largest block are exact, calls past it are RangeErrors, nothing else is written', () => {
  const out = new ResidentArray(Float32Array, N_MAX * D); // exactly MAX_BLOCK_BYTES
  const rows = [0, 1, 4097, 262143, N_MAX - 2, N_MAX - 1];

  // sinusoidal into the largest resident block.
  assert.equal(sinusoidal(N_MAX, D, { out }), out);
  victimsIntact('sinusoidal at the limit');
  {
    const v = out.view;
    const got = new Float32Array(rows.length * D);
    rows.forEach((r, k) => got.set(v.subarray(r * D, (r + 1) * D), k * D));
    assertClose(got, sinusoidalRef(rows, D, { freqs: paperFreqs(D) }), { atol: 2e-7, what: 'sinusoidal rows' });
  }
  // The case (2 GiB: used to trap or overwrite another table), and past 2^32 bytes.
  refused(() => sinusoidal(2 ** 19, D), /largest block/, 'sinusoidal(2^19, 1024)');
  refused(() => sinusoidal(N_MAX, D), /largest block/, 'sinusoidal at the limit plus its frequencies');
  refused(() => sinusoidal(2 ** 20, D), /largest block/, 'sinusoidal of 2^32 bytes');
  refused(() => sinusoidal(2 ** 20 + 16, D), /largest block/, 'sinusoidal past 2^32 bytes');

  // Embedding.forward: resident ids into the largest resident out.
  const emb = new Embedding(64, D, { seed: 5 });
  const table = emb.weight.slice();
  const ids = new ResidentArray(Int32Array, N_MAX);
  { const v = ids.view; for (let i = 0; i < N_MAX; i++) v[i] = (i * 7) % 64; }
  assert.equal(emb.forward(ids, out), out);
  victimsIntact('Embedding.forward at the limit');
  {
    const v = out.view;
    for (const r of rows) assertSameBits(v.subarray(r * D, (r + 1) * D), table.subarray(((r * 7) % 64) * D, ((r * 7) % 64 + 1) * D), `forward row ${r}`);
  }
  const big = new ResidentArray(Int32Array, 2 ** 19);
  refused(() => emb.forward(big), /largest block/, 'forward of 2^19 resident ids at dim 1024');
  big.dispose();
  refused(() => emb.forward(new Int32Array(N_MAX)), /largest block/, 'forward at the limit plus staged ids');
  refused(() => emb.forward(new Int32Array(2 ** 20)), /largest block/, 'forward of 2^32 bytes');
  refused(() => emb.backward(new Int32Array(2 ** 19), new Float32Array(2 ** 29)), /largest block/, 'backward of 2 GiB');
  assert.deepEqual(emb.touched, new Int32Array(0));
  assertSameBits(emb.weight, table, 'the Embedding itself after refused calls');

  // InputEmbedding.forward: 2047 x 256 tokens, learned positions.
  const ie = new InputEmbedding({ vocabSize: 64, maxPositions: 256, dim: D, seed: 9 });
  const tok = ie.token.weight.slice(), pos = ie.position.weight.slice();
  assert.equal(ie.forward(ids, [2047, 256], { out }), out);
  victimsIntact('InputEmbedding.forward at the limit');
  {
    const v = out.view;
    for (const r of rows) {
      const t = (r * 7) % 64, s = r % 256;
      const want = new Float32Array(D);
      for (let j = 0; j < D; j++) want[j] = tok[t * D + j] + pos[s * D + j];
      assertSameBits(v.subarray(r * D, (r + 1) * D), want, `InputEmbedding row ${r}`);
    }
  }
  refused(() => ie.forward(new Int32Array(2 ** 19), [2048, 256]), /largest block/, 'InputEmbedding.forward of 2 GiB');

  // Rope in place on the whole block: [256, 2047, 8, 128] bshd.
  const rope = new Rope({ headDim: 128, maxPositions: 2048 });
  const shape = [256, 2047, 8, 128];
  const tokens = [0, 1, 2047 * 3 + 5, 256 * 2047 - 1]; // (b, s) flattened
  const before = tokens.map((t) => out.view.slice(t * 1024, (t + 1) * 1024));
  assert.equal(rope.forward(out, shape, { out }), out);
  victimsIntact('Rope.forward in place at the limit');
  tokens.forEach((t, k) => {
    const ref = ropeRef64(before[k], { B: 1, S: 1, H: 8, D: 128, rot: 128, posOf: () => t % 2047, invFreq: plainInvFreq(10000, 128) });
    assertClose(out.view.subarray(t * 1024, (t + 1) * 1024), ref, { atol: 2e-6, rtol: 1e-6, what: `rope token ${t}` });
  });
  refused(() => rope.forward(new Float32Array(2 ** 29), [256, 2048, 8, 128]), /largest block/, 'Rope.forward of 2 GiB (staged)');

  // The same refusals with memory grown past 2.25 GiB (they used to return quietly).
  const filler = new ResidentArray(Uint8Array, GiB / 4);
  assert.ok(memBytes() > 2.25 * GiB);
  refused(() => sinusoidal(2 ** 19, D), /largest block/, 'sinusoidal(2^19, 1024), grown');
  refused(() => emb.forward(new Int32Array(2 ** 19)), /largest block/, 'forward of 2 GiB, grown');
  filler.dispose();

  for (const x of [rope, ie, emb, ids, out]) x.dispose();
  assert.equal(sinusoidal(3, 4).length, 12, 'the module stays usable');
  victimsIntact('the end');
});
