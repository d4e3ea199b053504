// harness.js — the small benchmark library behind `npm run bench` (tests/bench/run.js).
//
// ---- The shape of a workload file ------------------------------------------------------------
// run.js imports every tests/bench/*.js except run.js and harness.js (helpers that are not
// workload files go in tests/bench/lib/). A workload file exports:
//
//   export const workloads = [ {
//     id: 'W3',                        // selector: `npm run bench -- W3` (case-insensitive; 'W4'
//                                      // also selects 'W4a', 'W4b'); keep it short, no spaces
//     title: 'sinusoidal 8192 x 768',  // one line, printed above the table
//     bytes: 8192 * 768 * 4,           // bytes the copy-limit rows copy (and the GB/s numerator):
//                                      // normally the size of the result the workload produces
//     async setup({ quick, ek }) {     // ek = the imported embedkit module, after init()
//       return {
//         reference: Float32Array,     // the plain-JS result every row is checked against
//         rows: [ {
//           name: 'embedkit',          // row label
//           kind: 'embedkit',          // 'embedkit' | 'peer' ('peer' rows compete for "best peer")
//           mode: 'resident',          // free text shown next to the name ('e2e', 'resident', ...)
//           run() {},                  // one timed call; may be async. If it returns a number,
//                                      // that number is taken as this call's time in ms (for
//                                      // rows timed elsewhere, e.g. a native binary)
//           before() {},               // optional, untimed, called before every run()
//           output() {},               // the Float32Array to check after a run (or null = no check)
//           tolerance: { atol, rtol }, // optional; default: bit-exact. Pass: |a-b| <= atol + rtol*|ref|
//           check(reference) {},       // optional custom check: returns { ok, note } instead
//           na: 'reason',              // optional: the row cannot run; printed as n/a (reason)
//           dispose() {},              // optional, called when the workload is done
//         } ],
//         targets: [ { row: 'embedkit (resident)', vs: 'copy', max: 1.8 } ],  // optional: printed
//                                      // as PASS/MISS; vs is 'copy', 'best peer' or a row label;
//                                      // a row label is `name (mode)` or `name` when mode is ''
//         teardown() {},               // optional
//       };
//     },
//   } ];
//
// The harness adds the limit rows itself: an in-process copy of `bytes` bytes with wasm
// memory.copy inside embedkit's own memory, and with TypedArray.prototype.set between two JS
// arrays. "x copy" divides a row's time by the faster of the two; "x best peer" by the fastest
// 'peer' row that passed its check. Two reference rows copy the same bytes with embedkit's
// row-copy kernel on one thread and (threaded build) on N: their ratio, printed after the thread
// targets, is the most a kernel that streams at the copy's speed could gain from N threads
// during that run. All rows of one workload run interleaved in one process:
// warm-up, then `samples` rounds (>= 7) that each time every row once, rotating the order,
// with a full garbage collection (untimed) before each, then untimed calls of the row for about
// 10 ms (WARM_MS); rows that time themselves in a process of their own come after all the
// others (see runWorkload). The printed time is the median per call. A sample repeats a fast call enough
// times to last at least a few milliseconds and divides.
// Why the untimed calls: after the collection (and the other rows) the first calls of a row run
// on cold caches and, for the N-thread rows, on worker cores that went idle: a lookup of 8192
// rows on 2 threads took 1.7, 1.4, 1.3, 1.1 ms for its first four calls after 20 ms of rest,
// then 1.0 ms (a steady loop, as in training, runs at the last figure).
//
// Peers: onnxModel() builds a one-node ONNX model with onnx-proto; ortNode(), ortWeb() and
// tfWasm() load the peers (devDependencies only) and return null + a reason when missing.

import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';

import { encode } from 'gpt-tokenizer/encoding/r50k_base';

import { rng } from '../helpers/close.js';
import { mobyDickText } from '../helpers/training-corpus.js';
import { wasm } from '../../src/js/memory.js';

const require = createRequire(import.meta.url);

// ---- deterministic inputs -----------------------------------------------------------------------

// The seeded generator (mulberry32) is the tests' own, re-exported for the workload files.
export { rng };

export function uniformIds(n, vocab, seed = 1) {
  const r = rng(seed);
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = Math.floor(r() * vocab);
  return ids;
}

/**
 * The ids of real text: the first n GPT-2 (r50k) tokens of Moby-Dick from character 200000 on,
 * about 2300 distinct ids in 8192, all below GPT-2's 50257 rows.
 */
export function textIds(n) {
  const ids = Int32Array.from(encode(mobyDickText().slice(200000, 200000 + 60 * n)).slice(0, n));
  if (ids.length !== n) throw new RangeError(`textIds: the text gives ${ids.length} tokens, not ${n}`);
  return ids;
}

/** Zipf(s) ids over [0, vocab): rank k has weight 1/(k+1)^s, ranks scattered over the table. */
export function zipfIds(n, vocab, s = 1.1, seed = 2) {
  const cdf = new Float64Array(vocab);
  let acc = 0;
  for (let k = 0; k < vocab; k++) cdf[k] = acc += 1 / (k + 1) ** s;
  const r = rng(seed);
  // A fixed permutation of ranks so hot ids are spread over the table, as real token ids are.
  const perm = new Int32Array(vocab);
  for (let k = 0; k < vocab; k++) perm[k] = k;
  for (let k = vocab - 1; k > 0; k--) {
    const j = Math.floor(r() * (k + 1));
    [perm[k], perm[j]] = [perm[j], perm[k]];
  }
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = r() * acc;
    let lo = 0, hi = vocab - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < u) lo = mid + 1; else hi = mid;
    }
    ids[i] = perm[lo];
  }
  return ids;
}

export function randomFloats(n, seed = 3, scale = 1) {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * scale;
  return a;
}

// ---- checking ------------------------------------------------------------------------------------

/**
 * Compare `actual` with `expected`: pass when |a-b| <= atol + rtol*|b| everywhere (default
 * bit-exact). Returns { ok, note } with the largest absolute difference and the first failure.
 */
export function compare(actual, expected, { atol = 0, rtol = 0 } = {}) {
  if (!actual) return { ok: false, note: 'no output' };
  if (actual.length !== expected.length) {
    return { ok: false, note: `length ${actual.length}, expected ${expected.length}` };
  }
  let maxAbs = 0, bad = -1, exact = true;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], b = expected[i];
    if (a === b || (a !== a && b !== b)) continue;
    exact = false;
    const d = Math.abs(a - b);
    if (!(d <= maxAbs)) maxAbs = d;
    if (bad < 0 && !(d <= atol + rtol * Math.abs(b))) bad = i;
  }
  if (exact) return { ok: true, note: 'exact' };
  if (bad < 0) return { ok: true, note: `max |diff| ${maxAbs.toExponential(1)}` };
  return {
    ok: false,
    note: `MISMATCH at [${bad}]: ${actual[bad]} vs ${expected[bad]} (max |diff| ${maxAbs.toExponential(1)})`,
  };
}

// ---- the copy limit ------------------------------------------------------------------------------

// (module (import "env" "mem" (memory 1))
//   (func (export "copy") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 memory.copy))
// Hand-assembled so the limit row uses exactly wasm's memory.copy on embedkit's own memory.
const COPY_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00,                               // type
  0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x01,   // import
  0x03, 0x02, 0x01, 0x00,                                                             // func
  0x07, 0x08, 0x01, 0x04, 0x63, 0x6f, 0x70, 0x79, 0x00, 0x00,                         // export
  0x0a, 0x0e, 0x01, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0a, 0x00, 0x00, 0x0b,
]);
// The same for the threaded build's shared memory: (memory 1 65536 shared) in the import.
const COPY_MODULE_SHARED = new Uint8Array([...COPY_MODULE.subarray(0, 17), 0x02, 0x0f, ...COPY_MODULE.subarray(19, 29),
  0x03, 0x01, 0x80, 0x80, 0x04, ...COPY_MODULE.subarray(31)]);

/**
 * The limit rows for `bytes` bytes, using embedkit's memory (ek.ResidentArray), and two reference
 * rows for the machine's gain from threads right now: the same bytes copied by embedkit's own
 * row-copy kernel (wasm v128 loads and stores; ids 0..n-1 over 512-byte rows, which it copies as
 * one stream) on one thread and, on the threaded build, split by the pool over `threads.n`
 * threads. A kernel that already streams at the copy's speed on one thread (RoPE) cannot gain
 * more from N threads than that copy does; one held back by latency (random rows) can. On this
 * shared 2-vCPU host the 2-thread copy took 0.53x to 0.88x of one thread's time in one day's runs.
 */
export function copyRows(ek, memory, bytes, threads = null) {
  const src = new ek.ResidentArray(Uint8Array, bytes);
  const dst = new ek.ResidentArray(Uint8Array, bytes);
  src.view.fill(7);
  dst.view.fill(1);
  const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(shared ? COPY_MODULE_SHARED : COPY_MODULE), { env: { mem: memory } });
  const copy = inst.exports.copy;
  const sp = src.ptr, dp = dst.ptr;
  const jsSrc = new Uint8Array(bytes).fill(7);
  const jsDst = new Uint8Array(bytes);
  const rowFloats = 128;
  const nRows = Math.max(1, Math.floor(bytes / (4 * rowFloats)));
  const ids = new ek.ResidentArray(Int32Array, nRows);
  for (let i = 0; i < nRows; i++) ids.view[i] = i;
  const gather = wasm().ek_gather_rows_f32;
  const loopRow = (n) => ({
    name: `copy: wasm v128 loop${n > 1 ? `, ${n} threads` : ''}`, kind: 'reference', mode: '',
    run() { threads?.setThreads(n); gather(dp, sp, ids.ptr, nRows, rowFloats); },
    output: () => null,
    check: () => ({ ok: true, note: n > 1 ? 'the ceiling for N threads now' : '' }),
  });
  return [
    loopRow(1),
    ...(threads?.n > 1 ? [loopRow(threads.n)] : []),
    { name: 'copy: wasm memory.copy', kind: 'limit', mode: '', run() { copy(dp, sp, bytes); },
      output: () => null, dispose() { src.dispose(); dst.dispose(); ids.dispose(); } },
    { name: 'copy: TypedArray.set', kind: 'limit', mode: '', run() { jsDst.set(jsSrc); }, output: () => null },
    // What every e2e result pays: a copy out of wasm memory into a JS array (slower out of the
    // threaded build's SharedArrayBuffer: V8 copies shared memory in relaxed atomic words).
    { name: 'copy: TypedArray.set out of wasm memory', kind: 'reference', mode: '', run() { jsDst.set(src.view); }, output: () => null,
      check: () => ({ ok: true, note: shared ? 'shared memory (threaded build)' : '' }) },
  ];
}

// ---- peers ---------------------------------------------------------------------------------------

let onnxProto;
/**
 * Serialise a one-node ONNX model. inputs/outputs: [name, 'float'|'int32'|'int64', dims]
 * (a dim may be a string for a symbolic size); initializers: [name, 'float'|'int64'|'uint8'|..., dims,
 * TypedArray]; attributes: { name: number | number[] | string }; nodeInputs: the node's input
 * names in operator order (default: inputs, then initializers).
 */
export function onnxModel({ op, inputs, outputs, initializers = [], attributes = {}, opset = 18, domain = '', nodeInputs }) {
  onnxProto ??= require('onnx-proto').onnx;
  const P = onnxProto;
  const T = P.TensorProto.DataType;
  const dt = { float: T.FLOAT, int32: T.INT32, int64: T.INT64, uint8: T.UINT8, float16: T.FLOAT16 };
  const vi = ([name, type, dims]) => P.ValueInfoProto.create({
    name,
    type: P.TypeProto.create({
      tensorType: P.TypeProto.Tensor.create({
        elemType: dt[type],
        shape: P.TensorShapeProto.create({
          dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        }),
      }),
    }),
  });
  const init = ([name, type, dims, data]) => P.TensorProto.create({
    name, dataType: dt[type], dims,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  });
  const attr = Object.entries(attributes).map(([name, v]) => {
    const A = P.AttributeProto.AttributeType;
    if (typeof v === 'string') return { name, type: A.STRING, s: new TextEncoder().encode(v) };
    if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
    if (Number.isInteger(v)) return { name, type: A.INT, i: v };
    return { name, type: A.FLOAT, f: v };
  });
  const node = P.NodeProto.create({
    opType: op, domain,
    input: nodeInputs ?? [...inputs.map((x) => x[0]), ...initializers.map((x) => x[0])],
    output: outputs.map((x) => x[0]),
    attribute: attr,
  });
  const model = P.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }, ...(domain ? [{ domain, version: 1 }] : [])],
    producerName: 'embedkit-bench',
    graph: P.GraphProto.create({
      name: op, node: [node], input: inputs.map(vi), output: outputs.map(vi), initializer: initializers.map(init),
    }),
  });
  return P.ModelProto.encode(model).finish();
}

/**
 * One InferenceSession of `model` per onnxruntime peer (onnxruntime-web on its wasm backend,
 * onnxruntime-node on CPU). Returns [{ name, mode, ort, session }] or, for a peer that cannot
 * load or cannot run the model, [{ name, mode, na }] with the reason.
 */
export async function ortSessions(model) {
  const out = [];
  for (const [name, load, mode, ep] of [['onnxruntime-web', ortWeb, 'e2e, wasm 1 thread', 'wasm'], ['onnxruntime-node', ortNode, 'e2e, CPU', 'cpu']]) {
    const ort = await load();
    if (ort.missing) { out.push({ name, mode, na: ort.missing }); continue; }
    try {
      // onnxruntime-node's idle intra-op threads spin after a run by default ("allow_spinning"):
      // on a 2-core machine that takes the second core from the rows timed right after it (the
      // N-thread rows lost up to half their gain). Its threads sleep when idle here instead;
      // its own runs still use all of them. EK_BENCH_ORT_SPIN=1 keeps the default, to compare.
      const extra = ep === 'cpu' && !process.env.EK_BENCH_ORT_SPIN
        ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {};
      out.push({ name, mode, ort, session: await ort.InferenceSession.create(model, { executionProviders: [ep], ...extra }) });
    } catch (e) {
      out.push({ name, mode, na: `cannot load the model: ${e.message.split('\n')[0].slice(0, 100)}` });
    }
  }
  return out;
}

let ortNodeP, ortWebP, tfP;
/** onnxruntime-node, or { missing: reason }. */
export function ortNode() {
  ortNodeP ??= import('onnxruntime-node').then((m) => m.default ?? m, (e) => ({ missing: `onnxruntime-node: ${e.message.split('\n')[0]}` }));
  return ortNodeP;
}
/** onnxruntime-web (wasm backend, 1 thread, no proxy worker), or { missing: reason }. */
export function ortWeb() {
  ortWebP ??= import('onnxruntime-web').then((m) => {
    const ort = m.default ?? m;
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    return ort;
  }, (e) => ({ missing: `onnxruntime-web: ${e.message.split('\n')[0]}` }));
  return ortWebP;
}
/** @tensorflow/tfjs-core with the wasm backend active, or { missing: reason }. */
export function tfWasm() {
  tfP ??= (async () => {
    try {
      const tf = await import('@tensorflow/tfjs-core');
      await import('@tensorflow/tfjs-backend-wasm');
      if (!(await tf.setBackend('wasm'))) return { missing: 'tfjs: the wasm backend did not initialise' };
      await tf.ready();
      return tf;
    } catch (e) {
      return { missing: `tfjs-backend-wasm: ${e.message.split('\n')[0]}` };
    }
  })();
  return tfP;
}

// ---- running and printing ------------------------------------------------------------------------

export function label(row) {
  return row.mode ? `${row.name} (${row.mode})` : row.name;
}

// The clock: wall time by default; with --cpu the CPU time of this process (all its threads),
// which a machine shared with other jobs disturbs much less (it does not count time spent
// waiting for a core). A multi-threaded peer is then charged the CPU time of all its threads.
let now = () => performance.now();
export function useCpuClock() {
  now = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
}

async function once(row) {
  if (row.before) row.before();
  const t0 = now();
  const r = row.run();
  const v = r && typeof r.then === 'function' ? await r : r;
  const t = now() - t0;
  return typeof v === 'number' ? v : t;
}

const WARM_MS = 10;
const SETTLE_MS = 30;

/** One sample: the mean time per call over `reps` calls (each timed alone when before() exists). */
async function sample(row, reps, warm) {
  if (warm && !row.before && !row.async) {
    const end = performance.now() + WARM_MS;
    do row.run(); while (performance.now() < end);
  }
  if (row.before || row.async || reps === 1) {
    let total = 0;
    for (let k = 0; k < reps; k++) total += await once(row);
    return total / reps;
  }
  const t0 = now();
  for (let k = 0; k < reps; k++) row.run();
  return (now() - t0) / reps;
}

// A full garbage collection before every sample, untimed, so that a row does not pay for the
// garbage of the row before it (e2e rows allocate tens of MB per call).
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc');

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function fmtMs(ms) {
  if (ms < 0.01) return `${(ms * 1000).toFixed(2)} us`;
  if (ms < 1) return `${(ms * 1000).toFixed(0)} us`;
  if (ms < 100) return `${ms.toFixed(2)} ms`;
  return `${ms.toFixed(0)} ms`;
}

/**
 * With the threaded build on N > 1 threads: the embedkit rows named in the workload's
 * `threadTargets: [{ row, max, vs? }]` (and rows with `threads: true`) run on one thread, and a
 * copy of each, labelled `<name> N threads (<mode>)`, on N, side by side in the same rounds.
 * Each threadTarget is a target of the N-thread row against `vs` (default: the one-thread row).
 * Returns the added rows.
 */
function withThreads(set, w, n, setThreads) {
  if (!(n > 1)) return [];
  const label1 = (row) => (row.mode ? `${row.name} (${row.mode})` : row.name);
  const wanted = new Set((w.threadTargets ?? []).map((t) => t.row));
  const added = [];
  for (const row of set.rows) {
    if (row.kind !== 'embedkit' || row.na || !(wanted.has(label1(row)) || row.threads === true)) continue;
    const run = row.run;
    row.run = function () { setThreads(1); return run.call(this); };
    added.push({ ...row, name: `${row.name} ${n} threads`, dispose: undefined,
      run() { setThreads(n); return run.call(row); } });
  }
  for (const t of w.threadTargets ?? []) {
    const [, name, mode] = /^(.*?)(?: \((.*)\))?$/.exec(t.row);
    const threaded = `${name} ${n} threads${mode ? ` (${mode})` : ''}`;
    (set.targets ??= []).push({ row: threaded, vs: t.vs ?? t.row, max: t.max });
  }
  return added;
}

/**
 * Run one workload: setup, check every row once, warm up, time interleaved samples, print the
 * table and the targets. Returns a plain object with the results (for --json).
 */
export async function runWorkload(w, { ek, memory, quick = false, samples, log = console.log, setThreads = null }) {
  const nSamples = Math.max(7, samples ?? (quick ? 7 : 11));
  const minSampleMs = quick ? 3 : 10;
  log(`\n${w.id}  ${w.title}   (${(w.bytes / 1e6).toFixed(2)} MB per call)`);
  const set = await w.setup({ quick, ek });
  const threadRows = setThreads ? withThreads(set, w, ek.features.threads, setThreads) : [];
  const nThreads = ek.features.threads;
  const rows = [...set.rows, ...threadRows,
    ...copyRows(ek, memory, w.bytes, setThreads && nThreads > 1 ? { n: nThreads, setThreads } : null)];
  const res = new Map();
  // First call of each row doubles as warm-up and as the correctness check.
  for (const row of rows) {
    const r = { row, times: [], check: null, reps: 1, error: null };
    res.set(row, r);
    if (row.na) continue;
    try {
      row.async = false;
      if (row.before) row.before();
      const t0 = now();
      const v = row.run();
      if (v && typeof v.then === 'function') { row.async = true; await v; }
      const t1 = now() - t0;
      if (row.kind !== 'limit') {
        r.check = row.check ? row.check(set.reference) : compare(row.output(), set.reference, row.tolerance);
      }
      for (let k = 0; k < (quick ? 1 : 2); k++) await once(row);
      const t = Math.max(1e-4, Math.min(t1, await once(row)));
      // A row that times itself (run() returns ms, e.g. a native process) is sampled once per
      // round: repeating it would time the process start-ups, not the work.
      r.reps = typeof v === 'number' ? 1 : Math.max(1, Math.ceil(minSampleMs / t));
      r.ownProcess = typeof v === 'number';
    } catch (e) {
      r.error = e.message.split('\n')[0];
    }
  }
  // Rows that time themselves in a process of their own (native C) are sampled after all the
  // others, not between them: starting one allocates and frees hundreds of MB, and the kernel's
  // work on that memory (zeroing, compaction for the 2 MiB-page row) kept the second core busy
  // during the rows timed next; it took a 2-thread lookup from 0.48x to 0.95x of one thread.
  const live = rows.filter((row) => !row.na && !res.get(row).error && !res.get(row).ownProcess);
  const own = rows.filter((row) => !row.na && !res.get(row).error && res.get(row).ownProcess);
  const timeOne = async (row, reps, warm) => {
    const r = res.get(row);
    try {
      r.times.push(await sample(row, reps, warm));
    } catch (e) {
      r.error = e.message.split('\n')[0];
    }
  };
  for (let s = 0; s < nSamples; s++) {
    for (let k = 0; k < live.length; k++) {
      const row = live[(k + s) % live.length];
      const r = res.get(row);
      if (r.error) continue;
      collect();
      // V8 frees large ArrayBuffers (the e2e rows' and peers' 25-154 MB results) on a helper
      // thread after the collection: let that finish before the sample, or it takes the second
      // core from an N-thread row (W2 on 2 threads: 0.70-0.81x of one thread, 0.50x without it).
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      await timeOne(row, r.reps, !quick && r.reps > 1);
    }
  }
  for (const row of own) {
    for (let k = 0; k < nSamples && !res.get(row).error; k++) await timeOne(row, 1, false);
  }
  for (const r of res.values()) r.ms = r.times.length ? median(r.times) : NaN;
  const limits = [...res.values()].filter((r) => r.row.kind === 'limit' && !r.error);
  const copyMs = Math.min(...limits.map((r) => r.ms));
  const peers = [...res.values()].filter((r) => r.row.kind === 'peer' && !r.error && !r.row.na && r.check?.ok);
  const bestPeer = peers.length ? peers.reduce((a, b) => (b.ms < a.ms ? b : a)) : null;

  const W = Math.max(34, ...rows.map((row) => label(row).length + 2));
  log(`${'row'.padEnd(W)}${'time/call'.padStart(11)}${'GB/s'.padStart(8)}${'x copy'.padStart(9)}${'x best peer'.padStart(13)}  check`);
  const out = [];
  for (const r of res.values()) {
    const name = label(r.row);
    if (r.row.na || r.error) {
      log(`${name.padEnd(W)}${'n/a'.padStart(11)}  ${r.row.na ?? `failed: ${r.error}`}`);
      out.push({ row: name, kind: r.row.kind, na: r.row.na ?? `failed: ${r.error}` });
      continue;
    }
    const gbs = w.bytes / (r.ms * 1e6);
    const xCopy = r.ms / copyMs;
    const xPeer = bestPeer ? r.ms / bestPeer.ms : NaN;
    log(`${name.padEnd(W)}${fmtMs(r.ms).padStart(11)}${gbs.toFixed(2).padStart(8)}${xCopy.toFixed(2).padStart(9)}` +
      `${(bestPeer ? xPeer.toFixed(2) : '-').padStart(13)}  ${r.check ? (r.check.ok ? '' : 'FAIL ') + r.check.note : ''}`);
    out.push({ row: name, kind: r.row.kind, ms: r.ms, gbs, xCopy, xPeer, check: r.check, samples: r.times.length, reps: r.reps });
  }
  log(`best peer: ${bestPeer ? label(bestPeer.row) : 'none'};  copy limit: ${fmtMs(copyMs)}`);
  const targets = [];
  for (const t of set.targets ?? []) {
    const r = [...res.values()].find((x) => label(x.row) === t.row);
    let base;
    if (t.vs === 'copy') base = copyMs;
    else if (t.vs === 'best peer') base = bestPeer?.ms;
    else base = [...res.values()].find((x) => label(x.row) === t.vs)?.ms;
    const ratio = r && base ? r.ms / base : NaN;
    const pass = ratio <= t.max && (r.check?.ok ?? true);
    const line = `target: ${t.row} <= ${t.max}x ${t.vs}: ${Number.isFinite(ratio) ? ratio.toFixed(2) + 'x' : 'n/a'}  ${pass ? 'PASS' : 'MISS'}`;
    log(line);
    targets.push({ ...t, ratio, pass });
  }
  // The machine's own gain from N threads in this run, beside the thread targets.
  let ceiling = null;
  if (threadRows.length) {
    const msOf = (name) => [...res.values()].find((x) => label(x.row) === name && !x.error)?.ms;
    const one = msOf('copy: wasm v128 loop'), many = msOf(`copy: wasm v128 loop, ${nThreads} threads`);
    if (one && many) {
      ceiling = many / one;
      log(`machine: the same bytes copied on ${nThreads} threads take ${ceiling.toFixed(2)}x one thread's time ` +
        '(a kernel that streams at the copy\'s speed on one thread cannot gain more now)');
    }
  }
  for (const row of rows) row.dispose?.();
  set.teardown?.();
  setThreads?.(ek.features.threads);
  return { id: w.id, title: w.title, bytes: w.bytes, copyMs, bestPeer: bestPeer ? label(bestPeer.row) : null, rows: out, targets, threadCeiling: ceiling };
}
