// rope.js — bench workloads for RoPE on [1, 2048, 32, 128] (bshd, 32 MB of float32):
//   W4a  half-split (rotate_half, NeoX / HF Llama)
//   W4b  interleaved (GPT-J / Meta)
// Rows: embedkit Rope forward and backward with x/out resident in wasm memory (out of place and
// in place), Rope forward end to end (JS Float32Array in, `out` given), rotaryEmbedding (the
// ONNX op, caches and position ids passed per call like the peers), a plain-JS loop,
// onnxruntime-web (wasm, 1 thread) and onnxruntime-node (CPU, default threads) running the
// opset-23 RotaryEmbedding node on the same input: x [1, 2048, 4096], num_heads 32, caches
// [2048, 64], position_ids 0..2047. Besides the harness's copy limits (memory.copy and
// TypedArray.set, which the engine runs as memmove, free to use non-temporal stores for 32 MB), a
// third limit row copies the bytes with wasm v128 loads and stores: the best any wasm kernel
// that writes a separate output can do. Shape of a workload: see harness.js.
// Targets (issue 4): half-split resident forward <= 1.1x the copy limit; interleaved within
// 1.15x of half-split; embedkit end to end faster than both onnxruntime peers.
import { onnxModel, ortSessions, randomFloats } from './harness.js';
import { wasm } from '../../src/js/memory.js';

const B = 1, S = 2048, H = 32, D = 128, HALF = D / 2;
const N = B * S * H * D;
const SHAPE = [B, S, H, D];

/** Plain-JS forward (float32 arithmetic on typed arrays), the 'plain JS loop' row. */
function jsRope(out, x, cos, sin, interleaved) {
  for (let s = 0; s < S; s++) {
    const cs = s * HALF;
    for (let h = 0; h < H; h++) {
      const o = (s * H + h) * D;
      for (let i = 0; i < HALF; i++) {
        const c = cos[cs + i], sn = sin[cs + i];
        const a = interleaved ? o + 2 * i : o + i;
        const b = interleaved ? a + 1 : a + HALF;
        const xa = x[a], xb = x[b];
        out[a] = xa * c - xb * sn;
        out[b] = xa * sn + xb * c;
      }
    }
  }
  return out;
}

/** float64 evaluation of the same rotation on the same float32 caches, rounded once. */
function reference64(x, cos, sin, interleaved) {
  const out = new Float32Array(N);
  for (let s = 0; s < S; s++) {
    for (let h = 0; h < H; h++) {
      const o = (s * H + h) * D;
      for (let i = 0; i < HALF; i++) {
        const c = cos[s * HALF + i], sn = sin[s * HALF + i];
        const a = interleaved ? o + 2 * i : o + i;
        const b = interleaved ? a + 1 : a + HALF;
        out[a] = x[a] * c - x[b] * sn;
        out[b] = x[a] * sn + x[b] * c;
      }
    }
  }
  return out;
}

async function ortRows(x, cos, sin, interleaved) {
  const model = onnxModel({
    op: 'RotaryEmbedding',
    opset: 23,
    inputs: [['x', 'float', [B, S, H * D]], ['cos', 'float', [S, HALF]], ['sin', 'float', [S, HALF]], ['pos', 'int64', [B, S]]],
    outputs: [['y', 'float', [B, S, H * D]]],
    attributes: { interleaved: interleaved ? 1 : 0, num_heads: H },
  });
  const pos = BigInt64Array.from({ length: S }, (_, i) => BigInt(i));
  const rows = [];
  for (const { name, mode, ort, session, na } of await ortSessions(model)) {
    if (na) { rows.push({ name, kind: 'peer', mode, na }); continue; }
    const feeds = {
      x: new ort.Tensor('float32', x, [B, S, H * D]),
      cos: new ort.Tensor('float32', cos, [S, HALF]),
      sin: new ort.Tensor('float32', sin, [S, HALF]),
      pos: new ort.Tensor('int64', pos, [B, S]),
    };
    let last = null;
    rows.push({
      name, kind: 'peer', mode,
      async run() { last = (await session.run(feeds)).y.data; },
      output: () => last,
      tolerance: { atol: 1e-6 },
      dispose() { session.release?.(); },
    });
  }
  return rows;
}

function ropeWorkload(id, interleaved) {
  const pairing = interleaved ? 'interleaved (GPT-J, Meta)' : 'half-split (rotate_half, NeoX, HF)';
  return {
    id,
    threadTargets: [{ row: 'embedkit forward (resident)', max: 0.6 }],
    title: `RoPE ${pairing} on [1, 2048, 32, 128] bshd, positions 0..2047`,
    bytes: N * 4,
    async setup({ ek }) {
      const wasmExports = wasm();
      const x = randomFloats(N, 41);
      const rope = new ek.Rope({ headDim: D, interleaved, maxPositions: S });
      const cos = rope.cos.slice(), sin = rope.sin.slice();
      const reference = reference64(x, cos, sin, interleaved);
      const xR = new ek.ResidentArray(Float32Array, N);
      const outR = new ek.ResidentArray(Float32Array, N);
      const inR = new ek.ResidentArray(Float32Array, N);
      xR.view.set(x);
      const out = new Float32Array(N);
      const onnxOut = new Float32Array(N);
      const jsOut = new Float32Array(N);
      let fresh = null;
      const pos = Int32Array.from({ length: S }, (_, i) => i);
      // backward's check: the inverse rotation of the forward reference gives x back
      const gradR = new ek.ResidentArray(Float32Array, N);
      gradR.view.set(reference);
      const backOut = new ek.ResidentArray(Float32Array, N);
      const tol = { atol: 1e-6 };
      const copyOut = new ek.ResidentArray(Float32Array, N);
      const rowIds = new ek.ResidentArray(Int32Array, S * H);
      rowIds.view.set(Int32Array.from({ length: S * H }, (_, i) => i));
      const rows = [
        { name: 'embedkit forward', kind: 'embedkit', mode: 'resident', run() { rope.forward(xR, SHAPE, { out: outR }); }, output: () => outR.view, tolerance: tol },
        {
          name: 'embedkit forward', kind: 'embedkit', mode: 'resident, in place',
          before() { inR.view.set(x); },  // untimed: restore x
          run() { rope.forward(inR, SHAPE, { out: inR }); }, output: () => inR.view, tolerance: tol,
        },
        {
          name: 'embedkit backward', kind: 'embedkit', mode: 'resident', run() { rope.backward(gradR, SHAPE, { out: backOut }); },
          check() {
            const v = backOut.view;
            let m = 0;
            for (let i = 0; i < N; i++) m = Math.max(m, Math.abs(v[i] - x[i]));
            return { ok: m <= 1e-6, note: `backward(forward ref) vs x: max |diff| ${m.toExponential(1)}` };
          },
        },
        { name: 'embedkit forward', kind: 'embedkit', mode: 'e2e, out given', run() { rope.forward(x, SHAPE, { out }); }, output: () => out, tolerance: tol },
        // A fresh 32 MB result per call: most of this row is the page faults of new memory.
        { name: 'embedkit forward', kind: 'embedkit', mode: 'e2e, fresh result', run() { fresh = rope.forward(x, SHAPE); }, output: () => fresh, tolerance: tol },
        {
          name: 'embedkit rotaryEmbedding', kind: 'embedkit', mode: 'e2e, ONNX op',
          run() { ek.rotaryEmbedding(x, [B, S, H * D], cos, sin, { positionIds: pos, numHeads: H, interleaved, out: onnxOut }); },
          output: () => onnxOut, tolerance: tol,
        },
        { name: 'plain JS loop', kind: 'peer', mode: 'e2e', run() { jsRope(jsOut, x, cos, sin, interleaved); }, output: () => jsOut, tolerance: tol },
        ...(await ortRows(x, cos, sin, interleaved)),
        {
          // The copy limit for code that cannot use non-temporal stores (wasm has none): the
          // same bytes through v128 loads and stores (embedkit's row-copy kernel over ids 0..n-1).
          name: 'copy: wasm v128 load/store loop', kind: 'limit', mode: '',
          run() { wasmExports.ek_gather_rows_f32__wasmsimd(copyOut.ptr, xR.ptr, rowIds.ptr, S * H, D); },
          output: () => null,
        },
      ];
      const targets = [
        { row: 'embedkit forward (resident)', vs: 'copy', max: interleaved ? 1.1 * 1.15 : 1.1 },
        { row: 'embedkit forward (resident, in place)', vs: 'copy', max: interleaved ? 1.1 * 1.15 : 1.1 },
        { row: 'embedkit forward (resident)', vs: 'copy: wasm v128 load/store loop', max: interleaved ? 1.1 * 1.15 : 1.1 },
        { row: 'embedkit forward (e2e, out given)', vs: 'onnxruntime-node (e2e, CPU)', max: 1 },
        { row: 'embedkit forward (e2e, out given)', vs: 'onnxruntime-web (e2e, wasm 1 thread)', max: 1 },
        { row: 'embedkit rotaryEmbedding (e2e, ONNX op)', vs: 'onnxruntime-node (e2e, CPU)', max: 1 },
        { row: 'embedkit rotaryEmbedding (e2e, ONNX op)', vs: 'onnxruntime-web (e2e, wasm 1 thread)', max: 1 },
      ];
      let half = null;
      if (interleaved) {
        // the same call with the half-split pairing, for "interleaved within 1.15x of half-split"
        half = new ek.Rope({ headDim: D, interleaved: false, maxPositions: S });
        const hsOut = new ek.ResidentArray(Float32Array, N);
        rows.splice(1, 0, {
          name: 'embedkit half-split forward', kind: 'embedkit', mode: 'resident',
          run() { half.forward(xR, SHAPE, { out: hsOut }); }, output: () => null, check: () => ({ ok: true, note: 'timing only' }),
          dispose() { hsOut.dispose(); },
        });
        targets.push({ row: 'embedkit forward (resident)', vs: 'embedkit half-split forward (resident)', max: 1.15 });
      }
      return {
        reference,
        rows,
        targets,
        teardown() {
          for (const a of [xR, outR, inR, gradR, backOut, copyOut, rowIds]) a.dispose();
          rope.dispose();
          half?.dispose();
        },
      };
    },
  };
}

export const workloads = [ropeWorkload('W4a', false), ropeWorkload('W4b', true)];
