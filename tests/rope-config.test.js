// rope-config.test.js — Rope.fromConfig against transformers: inverse frequencies and attention
// factors that transformers 5's rotary modules / ROPE_INIT_FUNCTIONS computed for configs shaped
// like Llama-3.1 (both the rope_scaling and the rope_parameters form), Qwen2.5 (yarn), Phi-3
// (longrope, short and long), Gemma (head_dim), GPT-NeoX (rotary_pct), partial rotary + linear,
// dynamic NTK, Gemma-4-style proportional, and per-layer-type configs (Gemma-4 text with
// global_head_dim, Gemma-3 in the transformers-4 form with rope_local_base_freq)
// (tests/fixtures/model-files/rope-configs.json, made by make.py). The GGUF fixtures' rope metadata must give the frequencies of the HF configs they
// stand for. Also: the proportional type and the invFreq option rotate like the float64
// reference, and bad configs are clear errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { init, Rope, openGGUF } from '../src/js/index.js';
import { assertClose, randF32, ropeRef64 } from './helpers/rope-ref.js';

await init();
const dir = new URL('./fixtures/model-files/', import.meta.url).pathname;
const cases = JSON.parse(await readFile(dir + 'rope-configs.json', 'utf8'));
// transformers evaluates in float32 (a few roundings of ~6e-8 each); embedkit in float64.
const RTOL = 1e-6;

/** The frequencies a Rope uses for a call whose highest position is seqLen - 1. */
function freqsAt(rope, seqLen) {
  if (seqLen) rope.forward(new Float32Array(rope.headDim), [1, 1, 1, rope.headDim], { positions: [seqLen - 1] });
  return rope.invFreq;
}

function checkCase(rope, c, what, attnRtol = 1e-12) {
  const inv = freqsAt(rope, c.seqLen);
  assert.equal(inv.length, c.invFreq.length, `${what}: number of frequencies`);
  for (let i = 0; i < inv.length; i++) {
    const want = c.invFreq[i];
    if (Math.abs(inv[i] - want) > RTOL * Math.abs(want)) assert.fail(`${what}: invFreq[${i}] = ${inv[i]}, transformers ${want}`);
  }
  assert.ok(Math.abs(rope.attentionFactor - c.attentionFactor) <= attnRtol * c.attentionFactor, `${what}: attention factor ${rope.attentionFactor} vs ${c.attentionFactor}`);
}

let last = null;
for (const c of cases) {
  const config = c.config ?? last;
  last = config;
  if (c.name.startsWith('gguf:')) continue;
  test(`fromConfig(${c.name}) = transformers ${c.ropeType} inv_freq and attention factor`, () => {
    const seq = c.seqLen ?? 0;
    const layer = c.layerType ? { layerType: c.layerType } : {};
    const opts = Rope.optionsFromConfig(config, layer);
    const maxPositions = Math.max(seq, 64);   // the tables' length does not change the frequencies
    const rope = Rope.fromConfig(config, { ...layer, maxPositions });
    try {
      checkCase(rope, { ...c, seqLen: seq }, c.name);
      assert.equal(rope.interleaved, false, 'transformers pairs i with i + rotaryDim / 2');
      if (c.ropeType === 'proportional') assert.equal(rope.rotaryDim, rope.headDim);
      else assert.equal(rope.rotaryDim, 2 * c.invFreq.length);
      assert.ok(opts.maxPositions >= config.max_position_embeddings, 'default table length covers the context');
    } finally {
      rope.dispose();
    }
  });
}

test('GGUF rope metadata and factor tensors give the frequencies of the HF config they were converted from', async () => {
  let prev = null;
  for (const c of cases.filter((x) => x.name.startsWith('gguf:'))) {
    const file = c.name.split(':')[1];
    const g = await openGGUF(await readFile(dir + file));
    const cfg = c.config ?? prev;
    prev = cfg;
    const rope = Rope.fromConfig(g, { maxPositions: 8192 });
    try {
      checkCase(rope, c, c.name, 2 ** -23);   // GGUF stores attn_factor as float32
      assert.equal(rope.interleaved, file === 'tiny-llama.gguf', `${file}: llama.cpp pairing of ${g.architecture}`);
      const hf = Rope.optionsFromConfig(cfg);
      assert.equal(rope.headDim, hf.headDim);
      assert.equal(rope.rotaryDim, hf.rotaryDim);
    } finally {
      rope.dispose();
    }
  }
});

test('proportional rope and the invFreq option rotate like the float64 reference (zero frequencies leave pairs as they are)', () => {
  const headDim = 16, B = 1, S = 5, H = 2;
  const x = randF32(B * S * H * headDim, 3);
  const positions = [0, 1, 7, 30, 100];
  const posOf = (b, s) => positions[s];
  const prop = new Rope({ headDim, base: 10000, maxPositions: 128, scaling: { type: 'proportional', partialRotaryFactor: 0.25, factor: 2 } });
  const want = Array.from({ length: 8 }, (_, i) => (i < 2 ? 10000 ** (-(2 * i) / 16) / 2 : 0));
  assertClose(prop.invFreq, want, { rtol: 1e-15, what: 'proportional invFreq' });
  const y = prop.forward(x, [B, S, H, headDim], { positions });
  assertClose(y, ropeRef64(x, { B, S, H, D: headDim, rot: headDim, posOf, invFreq: want }), { atol: 1e-6, what: 'proportional forward' });
  for (let h = 0; h < H; h++) {
    for (let s = 0; s < S; s++) {
      const o = (s * H + h) * headDim;
      for (const j of [2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15]) assert.equal(y[o + j], x[o + j], 'unrotated pairs are copied exactly');
    }
  }
  prop.dispose();
  const invFreq = [0.9, 0.3, 0.01, 0];
  const ex = new Rope({ headDim: 10, invFreq, attentionFactor: 1.25, interleaved: true, maxPositions: 128 });
  assert.equal(ex.rotaryDim, 8);
  assert.equal(ex.attentionFactor, 1.25);
  const x2 = randF32(S * 10, 4);
  const y2 = ex.forward(x2, [1, S, 1, 10], { positions });
  assertClose(y2, ropeRef64(x2, { B: 1, S, H: 1, D: 10, rot: 8, posOf, invFreq, scale: 1.25, interleaved: true }), { atol: 2e-6, what: 'invFreq forward' });
  assertClose(ex.backward(y2, [1, S, 1, 10], { positions }), ropeRef64(y2, { B: 1, S, H: 1, D: 10, rot: 8, posOf, invFreq, scale: 1.25, interleaved: true, sign: -1 }), { atol: 2e-6, what: 'invFreq backward' });
  ex.dispose();
});

test('bad configs and options are clear TypeError/RangeError', () => {
  const llama = cases.find((c) => c.name === 'llama-3.1').config;
  assert.throws(() => Rope.fromConfig(null), TypeError);
  assert.throws(() => Rope.fromConfig({ ...llama, rope_scaling: { ...llama.rope_scaling, rope_type: 'su' } }), (e) => e instanceof RangeError && /invFreq/.test(e.message));
  assert.throws(() => Rope.fromConfig({ ...llama, rope_scaling: 'llama3' }), TypeError);
  assert.throws(() => Rope.fromConfig({ ...llama, hidden_size: '4096' }), TypeError);
  assert.throws(() => Rope.fromConfig({ ...llama, rope_theta: -1 }), RangeError);
  assert.throws(() => Rope.fromConfig({ ...llama, partial_rotary_factor: 1.5 }), RangeError);
  const nested = { hidden_size: 1024, num_attention_heads: 4, max_position_embeddings: 64,
    rope_parameters: { full_attention: { rope_type: 'proportional', rope_theta: 1e6, partial_rotary_factor: 0.25 }, sliding_attention: { rope_type: 'default', rope_theta: 1e4 } } };
  assert.throws(() => Rope.fromConfig(nested), (e) => e instanceof TypeError && /layerType/.test(e.message));
  assert.throws(() => Rope.fromConfig(nested, { layerType: 'global' }), RangeError);
  assert.throws(() => Rope.fromConfig(llama, { layerType: 'full_attention' }), RangeError);
  const sliding = Rope.optionsFromConfig(nested, { layerType: 'sliding_attention' });
  assert.deepEqual([sliding.base, sliding.scaling, sliding.rotaryDim], [1e4, null, 256]);
  const full = Rope.optionsFromConfig({ text_config: { ...nested, global_head_dim: 512 } }, { layerType: 'full_attention' });
  assert.deepEqual([full.headDim, full.rotaryDim, full.scaling.type], [512, 512, 'proportional']);
  assert.throws(() => new Rope({ headDim: 8, invFreq: [1, 2], scaling: { type: 'linear', factor: 2 } }), TypeError);
  assert.throws(() => new Rope({ headDim: 8, invFreq: [1, NaN] }), RangeError);
  assert.throws(() => new Rope({ headDim: 8, invFreq: [1, 2], rotaryDim: 8 }), RangeError);
  assert.throws(() => new Rope({ headDim: 8, invFreq: [] }), RangeError);
  assert.throws(() => new Rope({ headDim: 8, attentionFactor: 2 }), TypeError);
  assert.throws(() => new Rope({ headDim: 8, scaling: { type: 'proportional', partialRotaryFactor: 2 } }), RangeError);
});
