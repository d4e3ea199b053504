// rotary-embedding.test.js — rotaryEmbedding (ONNX RotaryEmbedding-23) against onnxruntime-node
// running a one-node model built here with onnx-proto (domain '' = ai.onnx, opset 23), and
// against a float64 transcription of the ONNX reference implementation. Grid: both pairings,
// 3-D and 4-D inputs, with and without position_ids, partial rotary, odd small sizes, large
// position ids. Plus the error paths.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { init, rotaryEmbedding, ResidentArray } from '../src/js/index.js';
import { assertClose, randF32, rng, onnxRef64 } from './helpers/rope-ref.js';

const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto');
const ort = require('onnxruntime-node');

await init();

/** Serialized one-node model: RotaryEmbedding(x, cos, sin[, position_ids]) -> y, opset 23. */
function rotaryModel({ rank, withPos, interleaved, numHeads, rotaryEmbeddingDim }) {
  const T = onnx.TensorProto.DataType;
  const dims = (names) => ({ dim: names.map((n) => ({ dimParam: n })) });
  const vi = (name, elemType, names) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: dims(names) } } });
  const INT = onnx.AttributeProto.AttributeType.INT;
  const attribute = [onnx.AttributeProto.create({ name: 'interleaved', type: INT, i: interleaved ? 1 : 0 })];
  if (numHeads) attribute.push(onnx.AttributeProto.create({ name: 'num_heads', type: INT, i: numHeads }));
  if (rotaryEmbeddingDim) attribute.push(onnx.AttributeProto.create({ name: 'rotary_embedding_dim', type: INT, i: rotaryEmbeddingDim }));
  const xNames = rank === 4 ? ['b', 'h', 's', 'd'] : ['b', 's', 'hid'];
  const cacheNames = withPos ? ['p', 'r'] : ['b', 's', 'r'];
  const input = [vi('x', T.FLOAT, xNames), vi('cos', T.FLOAT, cacheNames), vi('sin', T.FLOAT, cacheNames)];
  if (withPos) input.push(vi('pos', T.INT64, ['b', 's']));
  const node = onnx.NodeProto.create({ opType: 'RotaryEmbedding', domain: '', input: input.map((v) => v.name), output: ['y'], attribute });
  const graph = onnx.GraphProto.create({ name: 'rope', node: [node], input, output: [vi('y', T.FLOAT, xNames)] });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 10, opsetImport: [{ domain: '', version: 23 }], graph })).finish();
}

const sessions = new Map();
async function runOrt(c, x, cos, sin, pos) {
  const key = JSON.stringify([c.rank, c.withPos, c.interleaved, c.numHeads, c.rotaryEmbeddingDim]);
  if (!sessions.has(key)) sessions.set(key, await ort.InferenceSession.create(rotaryModel(c)));
  const feeds = {
    x: new ort.Tensor('float32', x, c.shape),
    cos: new ort.Tensor('float32', cos, c.cacheShape),
    sin: new ort.Tensor('float32', sin, c.cacheShape),
  };
  if (pos) feeds.pos = new ort.Tensor('int64', pos, [c.B, c.S]);
  const r = await sessions.get(key).run(feeds);
  return r.y.data;
}

function makeCase(r, { rank, withPos, interleaved, partial, large, odd }) {
  const B = 1 + Math.floor(r() * 2);
  const S = odd ? 1 + Math.floor(r() * 3) : 2 + Math.floor(r() * 6);
  const H = odd ? 1 + Math.floor(r() * 3) : 1 + Math.floor(r() * 4);
  let D = odd ? [2, 4, 6, 10, 14][Math.floor(r() * 5)] : [8, 16, 32, 64][Math.floor(r() * 4)];
  let rotaryEmbeddingDim = 0;
  if (partial) {
    D += odd ? 3 : 8;  // odd head size possible: only the rotary part must be even
    rotaryEmbeddingDim = 2 * (1 + Math.floor(r() * ((D - 1) / 2)));
  }
  const rot = rotaryEmbeddingDim || D;
  const half = rot / 2;
  const shape = rank === 4 ? [B, H, S, D] : [B, S, H * D];
  // onnxruntime needs num_heads for 3-D inputs and when rotary_embedding_dim is set
  const numHeads = rank === 3 || rotaryEmbeddingDim ? H : 0;
  const rows = withPos ? (large ? 70000 : 40) : B * S;
  let cos, sin, pos = null;
  if (withPos) {
    pos = BigInt64Array.from({ length: B * S }, () => BigInt(Math.floor(r() * rows)));
    if (large) pos[0] = BigInt(rows - 1);
    // realistic caches: cos/sin of p * base^(-2i/rot), rounded to float32
    cos = new Float32Array(rows * half);
    sin = new Float32Array(rows * half);
    for (let p = 0; p < rows; p++) {
      for (let i = 0; i < half; i++) {
        const th = p * Math.pow(10000, (-2 * i) / rot);
        cos[p * half + i] = Math.cos(th);
        sin[p * half + i] = Math.sin(th);
      }
    }
  } else {
    cos = randF32(rows * half, Math.floor(r() * 1e6));
    sin = randF32(rows * half, Math.floor(r() * 1e6));
  }
  return {
    rank, withPos, interleaved, numHeads, rotaryEmbeddingDim, B, S, H, D, shape,
    cacheShape: withPos ? [rows, half] : [B, S, half], x: randF32(B * S * H * D, Math.floor(r() * 1e6), 2), cos, sin, pos,
  };
}

test('onnxruntime-node runs the opset-23 RotaryEmbedding node this test builds', async () => {
  const c = makeCase(rng(1), { rank: 4, withPos: true, interleaved: false });
  const y = await runOrt(c, c.x, c.cos, c.sin, c.pos);
  assert.equal(y.length, c.x.length);
});

test('rotaryEmbedding matches onnxruntime-node and the float64 ONNX reference over the grid', async () => {
  const r = rng(2024);
  let n = 0;
  let worstUlps = 0;
  for (const rank of [3, 4]) {
    for (const withPos of [false, true]) {
      for (const interleaved of [false, true]) {
        for (const partial of [false, true]) {
          for (const odd of [false, true]) {
            for (const large of withPos ? [false, true] : [false]) {
              const c = makeCase(r, { rank, withPos, interleaved, partial, large, odd });
              const what = `rank ${rank} pos ${withPos} il ${interleaved} partial ${partial} odd ${odd} large ${large} shape [${c.shape}] rot ${c.rotaryEmbeddingDim}`;
              const opts = { interleaved, numHeads: c.numHeads || undefined, rotaryEmbeddingDim: c.rotaryEmbeddingDim, positionIds: c.pos ?? undefined };
              const y = rotaryEmbedding(c.x, c.shape, c.cos, c.sin, opts);
              const peer = await runOrt(c, c.x, c.cos, c.sin, c.pos);
              // float32 rounding: each output is a*c -/+ b*s of values <= 2 in magnitude, so the
              // two implementations may differ by a few ulps of 2 (onnxruntime may use FMA).
              assertClose(y, peer, { atol: 4 * 2 ** -22, what: `${what} vs onnxruntime` });
              for (let i = 0; i < y.length; i++) {
                if (y[i] !== peer[i]) worstUlps = Math.max(worstUlps, Math.abs(y[i] - peer[i]) / 2 ** -22);
              }
              const ref = onnxRef64(c.x, c.shape, c.cos, c.sin, { ...opts, positionIds: c.pos, numHeads: c.H });
              assertClose(y, ref, { atol: 2 ** -21, what: `${what} vs float64 reference` });
              n++;
            }
          }
        }
      }
    }
  }
  assert.equal(n, 48);
  assert.ok(worstUlps <= 4, `worst difference ${worstUlps} ulps of 2`);
});

test('positionIds as Int32Array / plain array, out, in place and resident inputs agree', () => {
  const c = makeCase(rng(5), { rank: 3, withPos: true, interleaved: true, partial: true });
  const opts = { interleaved: true, numHeads: c.H, rotaryEmbeddingDim: c.rotaryEmbeddingDim };
  const ref = rotaryEmbedding(c.x, c.shape, c.cos, c.sin, { ...opts, positionIds: c.pos });
  assert.deepEqual(rotaryEmbedding(c.x, c.shape, c.cos, c.sin, { ...opts, positionIds: Int32Array.from(c.pos, Number) }), ref);
  assert.deepEqual(rotaryEmbedding(c.x, c.shape, c.cos, c.sin, { ...opts, positionIds: Array.from(c.pos, Number) }), ref);
  const x2 = c.x.slice();
  assert.equal(rotaryEmbedding(x2, c.shape, c.cos, c.sin, { ...opts, positionIds: c.pos, out: x2 }), x2);
  assert.deepEqual(x2, ref);
  const rc = new ResidentArray(Float32Array, c.cos.length);
  rc.view.set(c.cos);
  const rx = new ResidentArray(Float32Array, c.x.length);
  rx.view.set(c.x);
  assert.deepEqual(rotaryEmbedding(rx, c.shape, rc, c.sin, { ...opts, positionIds: c.pos }), ref);
  rotaryEmbedding(rx, c.shape, rc, c.sin, { ...opts, positionIds: c.pos, out: rx });
  assert.deepEqual(rx.view, ref);
  rc.dispose(); rx.dispose();
  // interleaved accepts ONNX's 0/1 too
  assert.deepEqual(rotaryEmbedding(c.x, c.shape, c.cos, c.sin, { ...opts, interleaved: 1, positionIds: c.pos }), ref);
});

test('bad input: RangeError/TypeError naming the value, nothing written', () => {
  const x = randF32(2 * 3 * 8, 1);     // [2, 3, 8] with numHeads 2 -> headSize 4
  const cos = randF32(10 * 2, 2), sin = randF32(10 * 2, 3);
  const out = randF32(48, 4);
  const pos = BigInt64Array.from([0n, 1n, 2n, 3n, 4n, 9n]);
  const snap = () => [x.slice(), cos.slice(), sin.slice(), out.slice(), pos.slice()];
  const before = snap();
  const bad = [
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { positionIds: pos, out }), /numHeads is required/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 3, positionIds: pos, out }), /hidden = 8 is not divisible by numHeads = 3/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, rotaryEmbeddingDim: 3, positionIds: pos, out }), /must be even, got 3/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, rotaryEmbeddingDim: 6, positionIds: pos, out }), /rotaryEmbeddingDim = 6 exceeds headSize = 4/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, positionIds: BigInt64Array.from([0n, 1n, 2n, 3n, 10n, 0n]), out }), /positionIds\[4\] = 10 is out of range \[0, 10\)/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, positionIds: [0, 1, -1, 0, 0, 0], out }), /positionIds\[2\] = -1/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, positionIds: [0, 1], out }), /positionIds has length 2, expected batch \* seq = 6/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos.subarray(1), sin, { numHeads: 2, positionIds: pos, out }), /cosCache has length 19/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin.subarray(2), { numHeads: 2, positionIds: pos, out }), /sinCache has length 18, expected 20/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, out }), /cosCache has length 20, expected 12/],
    [() => rotaryEmbedding(x, [2, 2, 3, 4], cos, sin, { numHeads: 4, positionIds: pos, out }), /numHeads = 4 does not match shape\[1\] = 2/],
    [() => rotaryEmbedding(x, [2, 3, 12], cos.subarray(0, 18), sin.subarray(0, 18), { numHeads: 2, positionIds: pos, out }), /x has length 48, expected 72/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, positionIds: pos, out: new Float32Array(5) }), /out has length 5/],
    [() => rotaryEmbedding(x, [2, 3], cos, sin, { numHeads: 2, out }), /3 or 4 dimensions/],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, positionIds: new Float64Array(6), out }), TypeError],
    [() => rotaryEmbedding(x, [2, 3, 8], Array.from(cos), sin, { numHeads: 2, positionIds: pos, out }), TypeError],
    [() => rotaryEmbedding(x, [2, 3, 8], cos, sin, { numHeads: 2, interleaved: 'no', positionIds: pos, out }), TypeError],
  ];
  for (const [fn, re] of bad) {
    assert.throws(fn, re);
    snap().forEach((a, k) => assert.deepEqual(a, before[k], `argument ${k} changed by a throwing call`));
  }
});
