// embedding.js — bench workloads for Embedding (token lookup and its backward).
//   W1   lookup, GPT-2 sized table 50257 x 768, ids 8 x 1024 uniform
//   W1b  lookup, 1000 x 64 table, ids 4 x 128: per-call overhead
//   W2   backward: zeroGrad + scatter-add of an 8192 x 768 gradient with Zipf ids into 50257 x 768
// Rows: embedkit resident (ids, out / gradOutput are ResidentArrays in wasm memory) and e2e
// (Int32Array in, fresh Float32Array out), plain JS loops, TensorFlow.js (wasm backend),
// onnxruntime-web (wasm, 1 thread) and onnxruntime-node (CPU). Shape: see harness.js.
// Reference rows (for scale; never a peer): native C in its own process (lib/rows-native.c), and
// for W2 the usual float32 in-order scatter-add compiled into the same wasm module.
import { onnxModel, ortSessions, randomFloats, textIds, tfWasm, uniformIds, zipfIds, compare } from './harness.js';
import { nativeRowsRow } from './lib/rows-native.js';
import { alloc, free, heap, wasm } from '../../src/js/memory.js';

// ---- plain JS references (also the 'plain JS' peer rows) --------------------------------------

function jsGather(out, table, ids, dim) {
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i] * dim, o = i * dim;
    for (let j = 0; j < dim; j++) out[o + j] = table[s + j];
  }
  return out;
}

function jsGatherSet(out, table, ids, dim) {
  for (let i = 0; i < ids.length; i++) out.set(table.subarray(ids[i] * dim, ids[i] * dim + dim), i * dim);
  return out;
}

/** Plain-JS Embedding gradient with the same touched-row reset as embedkit. */
function jsGradTable(rows, dim) {
  const grad = new Float32Array(rows * dim);
  const mark = new Uint8Array(rows);
  const touched = new Int32Array(rows);
  let nt = 0;
  return {
    grad,
    zero() {
      for (let k = 0; k < nt; k++) {
        grad.fill(0, touched[k] * dim, touched[k] * dim + dim);
        mark[touched[k]] = 0;
      }
      nt = 0;
    },
    backward(ids, gout) {
      for (let i = 0; i < ids.length; i++) {
        const id = ids[i];
        if (!mark[id]) { mark[id] = 1; touched[nt++] = id; }
        const g = id * dim, s = i * dim;
        for (let j = 0; j < dim; j++) grad[g + j] += gout[s + j];
      }
    },
  };
}

/** Float64 per-row sums in id order, rounded once: the semantics embedkit documents. */
function jsGradF64(rows, dim, ids, gout) {
  const sums = new Map();
  for (let i = 0; i < ids.length; i++) {
    let acc = sums.get(ids[i]);
    if (!acc) sums.set(ids[i], acc = new Float64Array(dim));
    for (let j = 0; j < dim; j++) acc[j] += gout[i * dim + j];
  }
  const grad = new Float32Array(rows * dim);
  for (const [id, acc] of sums) grad.set(acc, id * dim);
  return grad;
}

// ---- peers -----------------------------------------------------------------------------------

async function tfGatherRow(table, rows, dim, ids) {
  const tf = await tfWasm();
  const name = 'TensorFlow.js wasm';
  if (tf.missing) return { name, kind: 'peer', mode: 'e2e', na: tf.missing };
  const t = tf.tensor2d(table, [rows, dim]);
  let last = null;
  return {
    name, kind: 'peer', mode: 'e2e',
    run() {
      const idsT = tf.tensor1d(ids, 'int32');
      const r = tf.gather(t, idsT);
      last = r.dataSync();
      idsT.dispose();
      r.dispose();
    },
    output: () => last,
    dispose() { t.dispose(); },
  };
}

async function ortGatherRows(table, rows, dim, ids) {
  const model = onnxModel({
    op: 'Gather',
    inputs: [['ids', 'int32', ['n']]],
    outputs: [['out', 'float', ['n', dim]]],
    initializers: [['table', 'float', [rows, dim], table]],
    nodeInputs: ['table', 'ids'],
    attributes: { axis: 0 },
  });
  const out = [];
  for (const { name, mode, ort, session, na } of await ortSessions(model)) {
    if (na) { out.push({ name, kind: 'peer', mode, na }); continue; }
    let last = null;
    out.push({
      name, kind: 'peer', mode,
      async run() {
        const r = await session.run({ ids: new ort.Tensor('int32', ids, [ids.length]) });
        last = r.out.data;
      },
      output: () => last,
      dispose() { session.release?.(); },
    });
  }
  return out;
}

// ---- lookup workloads ----------------------------------------------------------------------------

function lookupWorkload(id, title, rows, dim, nIds, targets, threadTargets) {
  return {
    id, title, bytes: nIds * dim * 4, threadTargets,
    async setup({ ek }) {
      const table = randomFloats(rows * dim, 11);
      const ids = uniformIds(nIds, rows, 12);
      const reference = jsGather(new Float32Array(nIds * dim), table, ids, dim);
      const emb = new ek.Embedding(rows, dim, { weight: table });
      const idsR = new ek.ResidentArray(Int32Array, nIds);
      idsR.view.set(ids);
      const outR = new ek.ResidentArray(Float32Array, nIds * dim);
      let e2e = null, js = null, jsSet = null;
      const jsOut = new Float32Array(nIds * dim);  // a plain JS array the caller keeps reusing
      const out = [
        { name: 'embedkit', kind: 'embedkit', mode: 'resident', run() { emb.forward(idsR, outR); }, output: () => outR.view },
        { name: 'embedkit', kind: 'embedkit', mode: 'e2e', run() { e2e = emb.forward(ids); }, output: () => e2e },
        { name: 'embedkit', kind: 'embedkit', mode: 'e2e, reused out', run() { emb.forward(ids, jsOut); }, output: () => jsOut },
        { name: 'plain JS loop', kind: 'peer', mode: 'e2e', run() { js = jsGather(new Float32Array(nIds * dim), table, ids, dim); }, output: () => js },
        { name: 'plain JS subarray+set', kind: 'peer', mode: 'e2e', run() { jsSet = jsGatherSet(new Float32Array(nIds * dim), table, ids, dim); }, output: () => jsSet },
        await tfGatherRow(table, rows, dim, ids),
        ...(await ortGatherRows(table, rows, dim, ids)),
      ];
      let seqR = null, seqOutR = null, textR = null;
      if (rows * dim >= 1 << 24) {  // the large table only: native rows say what the memory system allows
        // The same number of ids, in order (rows 0..n-1, as position ids are): one run of the
        // table, which the kernel copies straight (consecutive8 in src/c/lookup.c).
        seqR = new ek.ResidentArray(Int32Array, nIds);
        for (let i = 0; i < nIds; i++) seqR.view[i] = i;
        seqOutR = new ek.ResidentArray(Float32Array, nIds * dim);
        // Real text: GPT-2 tokens of Moby-Dick (about 2300 distinct ids in 8192, Zipf-like),
        // whose repeats are mostly cache hits (ek_seen in src/c/common.h, used by lookup.c).
        textR = new ek.ResidentArray(Int32Array, nIds);
        textR.view.set(textIds(nIds));
        const textRef = jsGather(new Float32Array(nIds * dim), table, textR.view, dim);
        out.push({
          name: 'embedkit', kind: 'embedkit', mode: 'resident, GPT-2 tokens of text',
          run() { emb.forward(textR, seqOutR); },
          check: () => compare(seqOutR.view, textRef, { atol: 0 }),
        });
        out.push({
          name: 'embedkit', kind: 'embedkit', mode: 'resident, ids 0..n-1 in order',
          run() { emb.forward(seqR, seqOutR); },
          check() {
            const v = seqOutR.view;
            for (let i = 0; i < nIds * dim; i++) {
              if (!Object.is(v[i], table[i])) return { ok: false, note: `MISMATCH at [${i}]` };
            }
            return { ok: true, note: 'exact (rows 0..n-1 of the table)' };
          },
        });
        out.push(nativeRowsRow('native C memcpy per row', 'gather', ids, rows, dim));
        out.push(nativeRowsRow('native C memcpy per row + prefetch', 'gather-prefetch', ids, rows, dim));
        out.push(nativeRowsRow('native C memcpy per row, 2 MiB pages', 'gather-huge', ids, rows, dim));
        const n = ek.features.threads;
        if (n > 1) {
          // What the machine gives N threads: the same gathers, and one memcpy of the same bytes,
          // split among N POSIX threads (a memory-bound kernel cannot gain more than the copy).
          out.push(nativeRowsRow(`native C memcpy per row, ${n} threads`, 'gather', ids, rows, dim, n));
          out.push(nativeRowsRow(`native C memcpy per row + prefetch, ${n} threads`, 'gather-prefetch', ids, rows, dim, n));
          out.push(nativeRowsRow(`native C memcpy, ${n} threads`, 'copy', ids, rows, dim, n));
        }
      }
      return {
        reference,
        rows: out,
        targets,
        teardown() { emb.dispose(); idsR.dispose(); outR.dispose(); seqR?.dispose(); seqOutR?.dispose(); textR?.dispose(); },
      };
    },
  };
}

// ---- backward ----------------------------------------------------------------------------------

function backwardWorkload() {
  const rows = 50257, dim = 768, nIds = 8 * 1024;
  return {
    id: 'W2',
    threadTargets: [{ row: 'embedkit (resident)', max: 0.7 }],
    title: 'backward: zeroGrad + scatter-add 8192 x 768 gradient, Zipf(1.1) ids, into 50257 x 768',
    bytes: nIds * dim * 4,
    async setup({ ek }) {
      const ids = zipfIds(nIds, rows, 1.1, 21);
      const gout = randomFloats(nIds * dim, 22);
      // Reference: embedkit's documented semantics (each row's contributions summed in float64
      // in id order, one float32 rounding). Float32 loops (plain JS, ONNX Runtime) are checked
      // within a tolerance; ONNX Runtime is also checked for bit-equality with the in-order
      // float32 loop, which any sequential ScatterND reproduces exactly.
      const reference = jsGradF64(rows, dim, ids, gout);
      const f32ref = jsGradTable(rows, dim);
      f32ref.backward(ids, gout);
      const distinct = new Set(ids).size;
      const tol = { atol: 5e-4, rtol: 1e-4 };

      const emb = new ek.Embedding(rows, dim, { seed: 1 });
      const idsR = new ek.ResidentArray(Int32Array, nIds);
      idsR.view.set(ids);
      const goutR = new ek.ResidentArray(Float32Array, nIds * dim);
      goutR.view.set(gout);
      const js = jsGradTable(rows, dim);

      // The usual float32 scatter-add (one rounding per duplicate), in the same wasm module, on its
      // own gradient table, with the same eight-row zeroGrad: what exactness costs here.
      const ex = wasm();
      const f32 = { grad: alloc(rows * dim * 4), mark: alloc(rows), touched: alloc(rows * 4), n: 0 };
      heap().u8.fill(0, f32.mark, f32.mark + rows);
      heap().f32.fill(0, f32.grad / 4, f32.grad / 4 + rows * dim);

      const out = [
        { name: 'embedkit', kind: 'embedkit', mode: 'resident', run() { emb.zeroGrad(); emb.backward(idsR, goutR); }, output: () => emb.grad },
        {
          name: 'wasm float32 in-order loop', kind: 'reference', mode: 'resident, not exact',
          run() {
            ex.ek_zero_rows_f32(f32.grad, f32.mark, f32.touched, f32.n, dim);
            f32.n = ex.ek_scatter_add_rows_f32__inorder(f32.grad, f32.mark, f32.touched, 0, goutR.ptr, idsR.ptr, nIds, dim, -1);
          },
          output: () => new Float32Array(heap().buffer, f32.grad, rows * dim),
          tolerance: tol,
          dispose() { free(f32.grad); free(f32.mark); free(f32.touched); },
        },
        nativeRowsRow('native C float32 in-order loop', 'scatter-f32', ids, rows, dim),
        { name: 'embedkit', kind: 'embedkit', mode: 'e2e', run() { emb.zeroGrad(); emb.backward(ids, gout); }, output: () => emb.grad },
        { name: 'plain JS loop', kind: 'peer', mode: 'float32, touched-row reset', run() { js.zero(); js.backward(ids, gout); }, output: () => js.grad, tolerance: tol },
      ];

      const tf = await tfWasm();
      if (tf.missing) out.push({ name: 'TensorFlow.js wasm', kind: 'peer', mode: 'e2e', na: tf.missing });
      else {
        // tf.grad of gather needs UnsortedSegmentSum, which the wasm backend does not implement.
        let reason = null;
        try {
          const t = tf.tensor2d(new Float32Array(4 * 2), [4, 2]);
          const g = tf.grad((x) => tf.gather(x, tf.tensor1d([1, 1, 3], 'int32')))(t, tf.ones([3, 2]));
          g.dataSync();
        } catch (e) {
          reason = `no gradient for gather on the wasm backend (${e.message.split('\n')[0].slice(0, 90)})`;
        }
        if (reason) out.push({ name: 'TensorFlow.js wasm', kind: 'peer', mode: 'e2e', na: reason });
        else {
          const t = tf.tensor2d(new Float32Array(rows * dim), [rows, dim]);
          const idsT = tf.tensor1d(ids, 'int32');
          let last = null;
          const grad = tf.grad((x) => tf.gather(x, idsT));
          out.push({
            name: 'TensorFlow.js wasm', kind: 'peer', mode: 'e2e',
            run() {
              const dy = tf.tensor2d(gout, [nIds, dim]);
              const g = grad(t, dy);
              last = g.dataSync();
              dy.dispose(); g.dispose();
            },
            output: () => last,
            dispose() { t.dispose(); idsT.dispose(); },
          });
        }
      }

      // ONNX: ScatterND(zeros, ids[:, None], gradOutput, reduction='add') returns a fresh dense
      // gradient per call (ONNX has no in-place accumulate), so the reset is the zeros copy.
      const model = onnxModel({
        op: 'ScatterND',
        inputs: [['ids', 'int64', [nIds, 1]], ['gout', 'float', [nIds, dim]]],
        outputs: [['grad', 'float', [rows, dim]]],
        initializers: [['zeros', 'float', [rows, dim], new Float32Array(rows * dim)]],
        nodeInputs: ['zeros', 'ids', 'gout'],
        attributes: { reduction: 'add' },
      });
      const ids64 = BigInt64Array.from(ids, (v) => BigInt(v));
      for (const { name, mode, ort, session, na } of await ortSessions(model)) {
        if (na) { out.push({ name, kind: 'peer', mode, na }); continue; }
        let last = null;
        out.push({
          name, kind: 'peer', mode,
          async run() {
            const r = await session.run({
              ids: new ort.Tensor('int64', ids64, [nIds, 1]),
              gout: new ort.Tensor('float32', gout, [nIds, dim]),
            });
            last = r.grad.data;
          },
          // Exact on duplicate ids? Summing in id order reproduces the plain-JS bits exactly;
          // a parallel ScatterND that races on a duplicated row loses or reorders updates.
          check(refGrad) {
            const c = compare(last, refGrad, tol);
            const f32 = f32ref.grad;
            let rowsOff = 0;
            for (let r = 0; r < rows; r++) {
              for (let j = 0; j < dim; j++) {
                if (last[r * dim + j] !== f32[r * dim + j]) { rowsOff++; break; }
              }
            }
            const note = rowsOff === 0 ? 'same bits as the in-order float32 loop'
              : `${rowsOff} of ${distinct} rows differ from the in-order float32 loop (duplicates reordered/lost)`;
            return { ok: c.ok, note: `${c.note}; ${note}` };
          },
          dispose() { session.release?.(); },
        });
      }
      return {
        reference,
        rows: out,
        targets: [
          { row: 'embedkit (resident)', vs: 'copy', max: 1.5 },
          { row: 'embedkit (e2e)', vs: 'best peer', max: 1 },
        ],
        teardown() { emb.dispose(); idsR.dispose(); goutR.dispose(); },
      };
    },
  };
}

export const workloads = [
  lookupWorkload('W1', 'lookup: table 50257 x 768, ids 8 x 1024 uniform', 50257, 768, 8 * 1024, [
    { row: 'embedkit (resident)', vs: 'copy', max: 1.8 },
    { row: 'embedkit (e2e)', vs: 'onnxruntime-node (e2e, CPU)', max: 1 },
    { row: 'embedkit (resident, ids 0..n-1 in order)', vs: 'copy', max: 1.2 },
  ], [
    { row: 'embedkit (resident)', max: 0.6 },
    { row: 'embedkit (resident)', vs: 'native C memcpy per row (native, own process)', max: 1 },
  ]),
  lookupWorkload('W1b', 'lookup: table 1000 x 64, ids 4 x 128 (per-call overhead)', 1000, 64, 4 * 128, [
    { row: 'embedkit (e2e)', vs: 'copy', max: 2 },
    { row: 'embedkit (e2e, reused out)', vs: 'copy', max: 2 },
  ], [
    // Small calls stay on the calling thread: the N-thread rows must cost the same.
    { row: 'embedkit (resident)', max: 1.1 },
    { row: 'embedkit (e2e)', max: 1.1 },
  ]),
  backwardWorkload(),
];
