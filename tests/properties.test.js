// properties.test.js — property-based tests of the JS API with fast-check, on fixed run counts
// (RUNS below; a fresh seed every run, printed by fast-check with the shrunk counterexample on
// failure; EK_PROPERTY_SEED=<seed> replays one). Random shapes, ids, options and call sequences,
// and for every call the error contract:
//   - valid input: the result equals an independent JS reference (bit for bit where the contract
//     fixes the operations: gathers, the float64-sum-then-round-once gradient rule, float32 adds
//     and SGD steps; within the documented bound for sin/cos tables and RoPE);
//   - invalid input: a TypeError (wrong kind) or RangeError (wrong value) whose message starts
//     with 'embedkit:', and the object's table, gradient, touched rows and `out` unchanged;
//   - either way, no other allocation touched: a victim Embedding and a victim ResidentArray,
//     made first, keep their bits through every case.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { init, Embedding, InputEmbedding, ResidentArray, Rope, SGD, sinusoidal } from '../src/js/index.js';
import { paperFreqs } from './helpers/positions-ref.js';
import { ropeRef64, plainInvFreq } from './helpers/rope-ref.js';

await init();

// Cases per property; the total is printed by the last test.
const RUNS = { forward: 300, backward: 200, sequences: 60, sinusoidal: 200, rope: 150, input: 150, constructors: 300 };
const SEED = process.env.EK_PROPERTY_SEED === undefined ? undefined : Number(process.env.EK_PROPERTY_SEED);
let casesRun = 0;
const params = (numRuns) => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }) });

// ---- helpers ---------------------------------------------------------------------------------------

const u32 = (f32) => new Uint32Array(f32.buffer, f32.byteOffset, f32.length);
function sameBits(a, b, what) {
  assert.equal(a.length, b.length, `${what}: length`);
  const x = u32(a), y = u32(b);
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i] && !(a[i] !== a[i] && b[i] !== b[i])) assert.fail(`${what}: element ${i} is ${a[i]}, expected ${b[i]}`);
  }
}
const viewOf = (o) => (o instanceof ResidentArray ? o.view : o);

/** Run fn; returns { value } or { error }. */
function attempt(fn) {
  try { return { value: fn() }; } catch (error) { return { error }; }
}
/** The call threw one of the expected classes, with an embedkit message. */
function assertTypedError(error, expected, what) {
  assert.ok(error instanceof TypeError || error instanceof RangeError, `${what}: threw ${error?.constructor?.name}: ${error?.message}`);
  assert.ok(expected.some((E) => error.constructor === E), `${what}: threw ${error.constructor.name} (${error.message}), expected ${expected.map((E) => E.name).join(' or ')}`);
  assert.match(error.message, /^embedkit: /, what);
}

// The victims: allocated first, checked after every case.
const victim = new Embedding(37, 11, { seed: 99 });
victim.backward([3, 5, 3, 36], Float32Array.from({ length: 44 }, (_, i) => (i - 20) / 7));
const victimRes = new ResidentArray(Float32Array, 123);
victimRes.view.set(Float32Array.from({ length: 123 }, (_, i) => Math.sin(i) * 1e3));
const victimState = () => ({ w: victim.weight.slice(), g: victim.grad.slice(), t: Array.from(victim.touched), r: victimRes.view.slice() });
const victim0 = victimState();
function victimIntact() {
  const now = victimState();
  sameBits(now.w, victim0.w, 'victim table');
  sameBits(now.g, victim0.g, 'victim gradient');
  assert.deepEqual(now.t, victim0.t, 'victim touched rows');
  sameBits(now.r, victim0.r, 'victim ResidentArray');
}

/** Resident arrays made by one case, disposed at its end. */
const made = [];
function resident(Type, values) {
  const r = new ResidentArray(Type, values.length);
  made.push(r);
  r.view.set(values);
  return r;
}
function cleanup() { while (made.length) made.pop().dispose(); }

// ---- arbitraries -------------------------------------------------------------------------------------

const f32 = fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
const f32s = (n) => fc.array(f32, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));

/** One id: mostly valid, sometimes out of range, fractional, or not a number at all. */
const idValue = (n) => fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: n - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, n, n + 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, -(2 ** 31), 1.5, NaN, Infinity, -0) },
  { weight: 1, arbitrary: fc.constantFrom('3', null, undefined, true, {}, 2n, BigInt(n), -1n) },
);
/** An id container of every accepted kind (and a few that are not), built from raw values. */
const CONTAINERS = ['array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'resident', 'Float32Array', 'string'];
function makeIds(kind, raw) {
  const num = raw.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'bigint' ? Number(v) : 0));
  switch (kind) {
    case 'array': return raw;
    case 'Int32Array': return Int32Array.from(num);
    case 'Uint32Array': return Uint32Array.from(num);
    case 'BigInt64Array': return BigInt64Array.from(num, (v) => BigInt(Math.trunc(v)));
    case 'resident': return resident(Int32Array, Int32Array.from(num));
    case 'Float32Array': return Float32Array.from(num);
    default: return String(raw);
  }
}
/** null when the ids are valid for n rows, else the error class the contract names. */
function idsFault(ids, n) {
  const ok = Array.isArray(ids) || ids instanceof Int32Array || ids instanceof Uint32Array ||
    ids instanceof BigInt64Array || (ids instanceof ResidentArray && ids.type === Int32Array);
  if (!ok) return TypeError;
  for (const v of viewOf(ids)) {
    if (typeof v !== 'number' && typeof v !== 'bigint') return TypeError;
    if (typeof v === 'bigint' ? v < 0n || v >= BigInt(n) : !(Number.isInteger(v) && v >= 0 && v < n)) return RangeError;
  }
  return null;
}
/** An optional `out` of the right or a wrong length or type. */
const outKind = fc.constantFrom('none', 'none', 'f32', 'f32', 'resident', 'short', 'f64');
function makeOut(kind, len) {
  switch (kind) {
    case 'f32': return new Float32Array(len).fill(7);
    case 'resident': return resident(Float32Array, new Float32Array(len).fill(7));
    case 'short': return new Float32Array(len + 1).fill(7);
    case 'f64': return new Float64Array(len).fill(7);
    default: return undefined;
  }
}
const outFault = (out, len) => (out === undefined ? null : out instanceof Float64Array ? TypeError : viewOf(out).length !== len ? RangeError : null);

/** Snapshot of an Embedding (and out) to compare after a throwing call. */
const snap = (emb, out) => ({ w: emb.weight.slice(), g: emb.grad.slice(), t: Array.from(emb.touched), out: out && viewOf(out).slice() });
function unchanged(emb, before, out, what) {
  sameBits(emb.weight, before.w, `${what}: table`);
  sameBits(emb.grad, before.g, `${what}: gradient`);
  assert.deepEqual(Array.from(emb.touched), before.t, `${what}: touched rows`);
  if (out) assert.deepEqual(Array.from(viewOf(out)), Array.from(before.out), `${what}: out`);
}

/** The documented gradient rule, in JS: per call, each row's terms summed in float64 in id order
 *  from 0, times 1/count with scaleGradByFreq, added to the float32 row once. */
function backwardRef(grad, touched, ids, gout, dim, pad, scaleByFreq) {
  const rows = new Map();
  ids.forEach((id, i) => {
    const r = Number(id);
    if (r === pad) return;
    if (!rows.has(r)) rows.set(r, []);
    rows.get(r).push(i);
  });
  for (const [r, occ] of rows) {
    touched.add(r);
    const s = scaleByFreq ? 1 / occ.length : 1;
    for (let j = 0; j < dim; j++) {
      let acc = 0;
      for (const i of occ) acc += gout[i * dim + j];
      grad[r * dim + j] = Math.fround(grad[r * dim + j] + s * acc);
    }
  }
}

// ---- Embedding.forward ---------------------------------------------------------------------------

test(`Embedding.forward: random ids of every kind and out (${RUNS.forward} cases): the rows, or a typed error and nothing changed`, () => {
  const arb = fc.record({ n: fc.integer({ min: 1, max: 120 }), dim: fc.integer({ min: 1, max: 40 }), seed: fc.nat(1000) })
    .chain((c) => fc.record({
      c: fc.constant(c),
      kind: fc.constantFrom(...CONTAINERS),
      raw: fc.array(idValue(c.n), { maxLength: 40 }),
      out: outKind,
      pad: fc.option(fc.integer({ min: -c.n, max: c.n - 1 })),
    }));
  fc.assert(fc.property(arb, ({ c, kind, raw, out: ok, pad }) => {
    casesRun++;
    const emb = new Embedding(c.n, c.dim, { seed: c.seed, paddingIdx: pad });
    try {
      const ids = makeIds(kind, raw);
      const len = typeof ids === 'string' ? 0 : viewOf(ids).length * c.dim;
      const out = makeOut(ok, len);
      const faults = [idsFault(ids, c.n), typeof ids === 'string' ? null : outFault(out, len)].filter(Boolean);
      const before = snap(emb, out);
      const r = attempt(() => emb.forward(ids, out));
      if (faults.length) {
        assert.ok(r.error, `expected ${faults.map((E) => E.name)} for ${kind} ids ${String(raw).slice(0, 80)}, out ${ok}`);
        assertTypedError(r.error, faults, 'forward');
        unchanged(emb, before, out, 'forward that threw');
      } else {
        assert.ok(!r.error, `forward threw ${r.error?.message}`);
        const want = new Float32Array(len);
        Array.from(viewOf(ids), Number).forEach((id, i) => want.set(before.w.subarray(id * c.dim, (id + 1) * c.dim), i * c.dim));
        if (out !== undefined) assert.equal(r.value, out, 'forward returns the given out');
        sameBits(viewOf(r.value), want, 'forward rows');
        sameBits(emb.weight, before.w, 'forward leaves the table alone');
      }
      victimIntact();
    } finally {
      emb.dispose();
      cleanup();
    }
  }), params(RUNS.forward));
});

// ---- Embedding.backward --------------------------------------------------------------------------

test(`Embedding.backward: random batches, paddingIdx, scaleGradByFreq, bad calls between (${RUNS.backward} cases): the float64 rule bit for bit`, () => {
  const call = (n, dim) => fc.integer({ min: 0, max: 30 }).chain((len) => fc.record({
    ids: fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: len, maxLength: len }),
    gout: f32s(len * dim),
    bad: fc.constantFrom(null, null, null, 'id', 'length', 'type'),
  }));
  const arb = fc.record({ n: fc.integer({ min: 1, max: 60 }), dim: fc.integer({ min: 1, max: 24 }) }).chain((c) => fc.record({
    c: fc.constant(c),
    pad: fc.option(fc.integer({ min: -c.n, max: c.n - 1 })),
    sbf: fc.boolean(),
    calls: fc.array(call(c.n, c.dim), { minLength: 1, maxLength: 4 }),
  }));
  fc.assert(fc.property(arb, ({ c, pad, sbf, calls }) => {
    casesRun++;
    const emb = new Embedding(c.n, c.dim, { seed: 3, paddingIdx: pad, scaleGradByFreq: sbf });
    try {
      const p = pad === null ? null : pad < 0 ? pad + c.n : pad;
      const grad = emb.grad.slice(), touched = new Set();
      for (const k of calls) {
        if (k.bad) {  // a bad call: typed error, nothing changed
          const before = snap(emb);
          const r = k.bad === 'id' ? attempt(() => emb.backward([...k.ids, c.n], Float32Array.from([...k.gout, ...new Float32Array(c.dim)])))
            : k.bad === 'length' ? attempt(() => emb.backward(k.ids, new Float32Array(k.gout.length + 1)))
              : attempt(() => emb.backward(k.ids, Array.from(k.gout)));
          assert.ok(r.error, `bad backward (${k.bad}) did not throw`);
          assertTypedError(r.error, [k.bad === 'type' ? TypeError : RangeError], `backward (${k.bad})`);
          unchanged(emb, before, undefined, `backward (${k.bad})`);
          continue;
        }
        emb.backward(k.ids, k.gout);
        backwardRef(grad, touched, k.ids, k.gout, c.dim, p, sbf);
        sameBits(emb.grad, grad, 'gradient after backward');
        assert.deepEqual(Array.from(emb.touched), [...touched].sort((a, b) => a - b), 'touched rows');
      }
      emb.zeroGrad();
      assert.equal(emb.touched.length, 0);
      assert.ok(emb.grad.every((v) => v === 0), 'zeroGrad clears every touched row');
      victimIntact();
    } finally {
      emb.dispose();
      cleanup();
    }
  }), params(RUNS.backward));
});

// ---- call sequences against a model ----------------------------------------------------------------

test(`call sequences: forward / backward / zeroGrad / SGD step / bad calls on one Embedding (${RUNS.sequences} sequences) match a JS model`, () => {
  const N = 23, D = 5;
  class Model {
    constructor(w) { this.w = w; this.g = new Float32Array(N * D); this.t = new Set(); }
    check(emb) {
      sameBits(emb.weight, this.w, 'table');
      sameBits(emb.grad, this.g, 'gradient');
      assert.deepEqual(Array.from(emb.touched), [...this.t].sort((a, b) => a - b), 'touched');
    }
  }
  const ids = fc.array(fc.integer({ min: 0, max: N - 1 }), { maxLength: 12 });
  const commands = [
    ids.map((x) => ({ check: () => true, toString: () => `forward(${x})`, run(m, r) {
      const y = r.emb.forward(x);
      const want = new Float32Array(x.length * D);
      x.forEach((id, i) => want.set(m.w.subarray(id * D, (id + 1) * D), i * D));
      sameBits(y, want, 'forward');
    } })),
    ids.chain((x) => f32s(x.length * D).map((g) => ({ check: () => true, toString: () => `backward(${x})`, run(m, r) {
      r.emb.backward(x, g);
      backwardRef(m.g, m.t, x, g, D, null, false);
      m.check(r.emb);
    } }))),
    fc.constant({ check: () => true, toString: () => 'zeroGrad()', run(m, r) {
      r.emb.zeroGrad();
      for (const row of m.t) m.g.fill(0, row * D, (row + 1) * D);
      m.t.clear();
      m.check(r.emb);
    } }),
    fc.constant({ check: () => true, toString: () => 'sgd.step()', run(m, r) {
      r.opt.step();
      const lr = Math.fround(r.lr);
      for (const row of m.t) {  // lazy SGD: w = w - lr * (g + 0 * w), float32 operations
        for (let j = row * D; j < (row + 1) * D; j++) {
          const d = Math.fround(m.g[j] + Math.fround(0 * m.w[j]));
          m.w[j] = Math.fround(m.w[j] - Math.fround(lr * d));
        }
      }
      m.check(r.emb);
    } }),
    fc.constantFrom('forward-id', 'backward-length', 'forward-out', 'backward-id').map((bad) => ({ check: () => true, toString: () => `bad ${bad}`, run(m, r) {
      const res = attempt(() => {
        if (bad === 'forward-id') r.emb.forward([0, N]);
        else if (bad === 'backward-length') r.emb.backward([1, 2], new Float32Array(D));
        else if (bad === 'forward-out') r.emb.forward([1], new Float32Array(D + 1));
        else r.emb.backward([-1], new Float32Array(D));
      });
      assert.ok(res.error instanceof RangeError, `${bad}: ${res.error}`);
      m.check(r.emb);
    } })),
  ];
  fc.assert(fc.property(fc.commands(commands, { maxCommands: 25 }), fc.float({ min: Math.fround(1e-3), max: 1, noNaN: true }), (cmds, lr) => {
    casesRun++;
    const emb = new Embedding(N, D, { seed: 5 });
    const opt = new SGD(emb, { lr });
    try {
      fc.modelRun(() => ({ model: new Model(emb.weight.slice()), real: { emb, opt, lr } }), cmds);
      victimIntact();
    } finally {
      opt.dispose();
      emb.dispose();
    }
  }), params(RUNS.sequences));
});

// ---- sinusoidal ------------------------------------------------------------------------------------

/** sin and cos of the exact angle p * w (p an integer below 2^31): the product is split into exact
 *  double terms (p in 16-bit halves, w in Veltkamp halves) and sin(a + e) = sin a + e cos a. Near
 *  2^31 the double-rounded angle p * w alone is off by up to 2.4e-7. */
function exactSinCos(p, w) {
  const c = w * 134217729, wh = c - (c - w), wl = w - wh;
  const ph = Math.floor(p / 65536) * 65536, pl = p - ph;
  let hi = 0, lo = 0;
  for (const t of [ph * wh, ph * wl, pl * wh, pl * wl]) {  // two-sum accumulation
    const s2 = hi + t, bb = s2 - hi;
    lo += (hi - (s2 - bb)) + (t - bb);
    hi = s2;
  }
  return [Math.sin(hi) + lo * Math.cos(hi), Math.cos(hi) - lo * Math.sin(hi)];
}

test(`sinusoidal: random sizes, offsets, layouts, out, and bad values (${RUNS.sinusoidal} cases): within 2e-7 of the exact sin/cos, or a typed error`, () => {
  const num = (valid, bad) => fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: fc.constantFrom(...bad) });
  const arb = fc.record({
    n: num(fc.integer({ min: 0, max: 40 }), [-1, 1.5, NaN, '3', null]),
    dim: num(fc.integer({ min: 1, max: 32 }).map((h) => 2 * h), [0, 3, -2, 2.5, '8']),
    offset: num(fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 2 ** 31 - 100, max: 2 ** 31 - 41 })), [-1, 0.5, NaN, '0']),
    base: num(fc.double({ min: 2, max: 1e6, noNaN: true }), [0, -10, NaN, Infinity, '10000']),
    layout: num(fc.constantFrom('interleaved', 'concat'), ['Concat', 'sideways', 3]),
    out: outKind,
  });
  fc.assert(fc.property(arb, (a) => {
    casesRun++;
    try {
      const isNum = (v) => typeof v === 'number';
      const faults = [];
      const need = (v, ok) => { if (!isNum(v)) faults.push(TypeError); else if (!ok(v)) faults.push(RangeError); };
      need(a.n, (v) => Number.isInteger(v) && v >= 0);
      need(a.dim, (v) => Number.isInteger(v) && v > 0 && v % 2 === 0);
      need(a.offset, (v) => Number.isInteger(v) && v >= 0);
      need(a.base, (v) => Number.isFinite(v) && v > 0);
      if (typeof a.layout !== 'string') faults.push(TypeError);
      else if (a.layout !== 'interleaved' && a.layout !== 'concat') faults.push(RangeError);
      const len = faults.length ? 4 : a.n * a.dim;
      const out = makeOut(a.out, len);
      if (!faults.length && outFault(out, len)) faults.push(outFault(out, len));
      const before = out && viewOf(out).slice();
      const r = attempt(() => sinusoidal(a.n, a.dim, { offset: a.offset, base: a.base, layout: a.layout, ...(out ? { out } : {}) }));
      if (faults.length) {
        assert.ok(r.error, `expected an error for ${JSON.stringify(a)}`);
        assertTypedError(r.error, faults, `sinusoidal(${JSON.stringify(a)})`);
        if (out) assert.deepEqual(Array.from(viewOf(out)), Array.from(before), 'out unchanged');
      } else {
        assert.ok(!r.error, `sinusoidal threw ${r.error?.message}`);
        // tolerance: 2e-7, plus what one ulp of the double frequency (pow here and in musl may
        // differ in the last bit) moves the angle at this position
        const got = viewOf(r.value), w = paperFreqs(a.dim, a.base), h = a.dim / 2;
        for (let row = 0; row < a.n; row++) {
          for (let i = 0; i < h; i++) {
            const p = a.offset + row, [sn, cs] = exactSinCos(p, w[i]), tol = 2e-7 + p * w[i] * 2 ** -52;
            const [js, jc] = a.layout === 'concat' ? [i, h + i] : [2 * i, 2 * i + 1];
            const err = Math.max(Math.abs(got[row * a.dim + js] - sn), Math.abs(got[row * a.dim + jc] - cs));
            assert.ok(err <= tol, `error ${err} > ${tol} at position ${p}, frequency ${i} for ${JSON.stringify(a)}`);
          }
        }
      }
      victimIntact();
    } finally {
      cleanup();
    }
  }), params(RUNS.sinusoidal));
});

// ---- Rope -------------------------------------------------------------------------------------------

test(`Rope forward / backward: random heads, pairings, layouts, positions and bad calls (${RUNS.rope} cases): float64 rotation, or a typed error`, () => {
  const arb = fc.record({
    half: fc.integer({ min: 1, max: 12 }), rotFrac: fc.double({ min: 0, max: 1, noNaN: true }), interleaved: fc.boolean(),
    maxPos: fc.integer({ min: 1, max: 40 }), B: fc.integer({ min: 1, max: 3 }), S: fc.integer({ min: 1, max: 8 }),
    H: fc.integer({ min: 1, max: 3 }), layout: fc.constantFrom('bshd', 'bhsd'), dir: fc.constantFrom('forward', 'backward'),
    pos: fc.constantFrom('offset', 'shared', 'per-row'), seed: fc.nat(),
    bad: fc.constantFrom(null, null, null, 'offset', 'position', 'shape', 'length', 'x'),
  });
  fc.assert(fc.property(arb, (a) => {
    casesRun++;
    const D = 2 * a.half, rot = 2 * Math.max(1, Math.round(a.rotFrac * a.half));
    const rope = new Rope({ headDim: D, rotaryDim: rot, interleaved: a.interleaved, maxPositions: a.maxPos, base: 10000 });
    try {
      let s = a.seed >>> 0;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const S = Math.min(a.S, a.maxPos);
      const x = Float32Array.from({ length: a.B * S * a.H * D }, () => rnd() * 2 - 1);
      const opts = { layout: a.layout };
      let posOf;
      if (a.pos === 'offset') {
        opts.offset = Math.floor(rnd() * (a.maxPos - S + 1));
        posOf = (b, t) => opts.offset + t;
      } else {
        const n = a.pos === 'shared' ? S : a.B * S;
        opts.positions = Int32Array.from({ length: n }, () => Math.floor(rnd() * a.maxPos));
        posOf = (b, t) => opts.positions[a.pos === 'shared' ? t : b * S + t];
      }
      let shape = a.layout === 'bshd' ? [a.B, S, a.H, D] : [a.B, a.H, S, D];
      let input = x, fault = null;
      if (a.bad === 'offset') { opts.positions = undefined; opts.offset = a.maxPos - S + 1; fault = RangeError; }
      else if (a.bad === 'position' && opts.positions) { opts.positions[0] = a.maxPos; fault = RangeError; }
      else if (a.bad === 'shape') { shape = [...shape.slice(0, 3), D + 2]; fault = RangeError; }
      else if (a.bad === 'length') { input = x.subarray(1); fault = RangeError; }
      else if (a.bad === 'x') { input = Array.from(x); fault = TypeError; }
      const x0 = x.slice();
      const r = attempt(() => rope[a.dir](input, shape, opts));
      if (fault) {
        assert.ok(r.error, `expected ${fault.name} for bad ${a.bad}`);
        assertTypedError(r.error, [fault], `rope ${a.bad}`);
        sameBits(x, x0, 'x unchanged');
      } else {
        assert.ok(!r.error, `rope threw ${r.error?.message}`);
        const want = ropeRef64(x0, { B: a.B, S, H: a.H, D, rot, layout: a.layout, interleaved: a.interleaved, posOf,
          invFreq: plainInvFreq(10000, rot), sign: a.dir === 'forward' ? 1 : -1 });
        let max = 0;
        for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(r.value[i] - want[i]));
        assert.ok(max <= 1e-6, `max error ${max}`);
        sameBits(x, x0, 'x unchanged (out of place)');
      }
      victimIntact();
    } finally {
      rope.dispose();
    }
  }), params(RUNS.rope));
});

// ---- InputEmbedding --------------------------------------------------------------------------------

test(`InputEmbedding forward / backward: random shapes, offsets and position modes (${RUNS.input} cases): exact float32 sums, or a typed error and nothing changed`, () => {
  const arb = fc.record({
    V: fc.integer({ min: 1, max: 40 }), P: fc.integer({ min: 1, max: 16 }), dim: fc.integer({ min: 1, max: 20 }),
    mode: fc.constantFrom('learned', 'sinusoidal', 'none'), batch: fc.integer({ min: 1, max: 3 }), seq: fc.integer({ min: 1, max: 16 }),
    offset: fc.integer({ min: 0, max: 16 }), seed: fc.nat(), bad: fc.constantFrom(null, null, 'id', 'shape', 'grad'),
  }).filter((a) => a.mode !== 'sinusoidal' || a.dim % 2 === 0);
  fc.assert(fc.property(arb, (a) => {
    casesRun++;
    const inp = new InputEmbedding({ vocabSize: a.V, maxPositions: a.P, dim: a.dim, position: a.mode, seed: 1 });
    try {
      let s = a.seed >>> 0;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const n = a.batch * a.seq;
      const ids = Array.from({ length: n }, () => Math.floor(rnd() * a.V));
      const g = Float32Array.from({ length: n * a.dim }, () => rnd() - 0.5);
      const outOfRange = a.offset + a.seq > a.P;  // a RangeError in every position mode (README)
      if (a.bad === 'id') ids[n - 1] = a.V;
      const shape = a.bad === 'shape' ? [a.batch, a.seq + 1] : [a.batch, a.seq];
      const grad = a.bad === 'grad' ? g.subarray(1) : g;
      const fwdFaults = [outOfRange && RangeError, a.bad && a.bad !== 'grad' && RangeError].filter(Boolean);
      const faults = [outOfRange && RangeError, a.bad && RangeError].filter(Boolean);  // backward's
      const tables = [inp.token, inp.position].filter(Boolean);
      const before = tables.map((t) => snap(t));
      const tok = inp.token.weight.slice(), pos = inp.positionTable?.slice() ?? null;
      const f = attempt(() => inp.forward(ids, shape, { offset: a.offset }));
      const b = attempt(() => inp.backward(ids, shape, grad, { offset: a.offset }));
      if (faults.length) {
        [[f, fwdFaults], [b, faults]].forEach(([r, want], k) => {
          if (want.length === 0) return assert.ok(!r.error, `forward threw ${r.error?.message}`);
          assert.ok(r.error, `expected ${want[0].name} from ${k ? 'backward' : 'forward'} (bad ${a.bad}, offset ${a.offset} seq ${a.seq} P ${a.P})`);
          assertTypedError(r.error, want, 'InputEmbedding');
        });
        tables.forEach((t, i) => unchanged(t, before[i], undefined, 'InputEmbedding call that threw'));
      } else {
        assert.ok(!f.error && !b.error, `threw ${f.error?.message ?? b.error?.message}`);
        const want = new Float32Array(n * a.dim);
        for (let i = 0; i < n; i++) {
          for (let j = 0; j < a.dim; j++) {
            const t = tok[ids[i] * a.dim + j];
            want[i * a.dim + j] = pos ? Math.fround(t + pos[(a.offset + (i % a.seq)) * a.dim + j]) : t;
          }
        }
        sameBits(f.value, want, 'forward');
        const tg = before[0].g.slice(), tt = new Set();
        backwardRef(tg, tt, ids, g, a.dim, null, false);
        sameBits(inp.token.grad, tg, 'token gradient');
        if (inp.position) {  // position rows: the batch summed in float64, one rounding
          const pg = before[1].g.slice();
          for (let t = 0; t < a.seq; t++) {
            for (let j = 0; j < a.dim; j++) {
              let acc = 0;
              for (let bb = 0; bb < a.batch; bb++) acc += g[(bb * a.seq + t) * a.dim + j];
              pg[(a.offset + t) * a.dim + j] = Math.fround(pg[(a.offset + t) * a.dim + j] + acc);
            }
          }
          sameBits(inp.position.grad, pg, 'position gradient');
        }
      }
      victimIntact();
    } finally {
      inp.dispose();
    }
  }), params(RUNS.input));
});

// ---- constructors with random options ------------------------------------------------------------

test(`constructors with random arguments (${RUNS.constructors} cases): an object, or a typed error and no allocation left behind`, () => {
  const anyValue = fc.oneof(fc.integer({ min: -5, max: 70 }), fc.constantFrom(0.5, NaN, Infinity, -Infinity, 2 ** 32, '4', null, undefined, true, [], {}));
  const arb = fc.oneof(
    fc.record({ what: fc.constant('Embedding'), a: anyValue, b: anyValue, std: fc.option(anyValue), pad: fc.option(anyValue) }),
    fc.record({ what: fc.constant('ResidentArray'), a: fc.constantFrom(Int32Array, Float32Array, Uint32Array, Uint8Array, Float64Array, Array, 'Float32Array'), b: anyValue }),
    fc.record({ what: fc.constant('SGD'), lr: fc.option(anyValue), momentum: fc.option(anyValue), nesterov: fc.option(fc.constantFrom(true, false, 1)) }),
  );
  fc.assert(fc.property(arb, (a) => {
    casesRun++;
    let made1 = null;
    const emb = a.what === 'SGD' ? new Embedding(4, 3, { seed: 1 }) : null;
    try {
      const r = attempt(() => {
        if (a.what === 'Embedding') {
          const o = {};
          if (a.std !== null) o.std = a.std;
          if (a.pad !== null) o.paddingIdx = a.pad;
          return (made1 = new Embedding(a.a, a.b, o));
        }
        if (a.what === 'ResidentArray') return (made1 = new ResidentArray(a.a, a.b));
        const o = {};
        if (a.lr !== null) o.lr = a.lr;
        if (a.momentum !== null) o.momentum = a.momentum;
        if (a.nesterov !== null) o.nesterov = a.nesterov;
        return (made1 = new SGD(emb, o));
      });
      if (r.error) assertTypedError(r.error, [TypeError, RangeError], `new ${a.what}`);
      victimIntact();
    } finally {
      made1?.dispose();
      emb?.dispose();
    }
  }), params(RUNS.constructors));
});

test('properties: every case ran', (t) => {
  const want = Object.values(RUNS).reduce((x, y) => x + y, 0);
  t.diagnostic(`${casesRun} property cases (${JSON.stringify(RUNS)})`);
  assert.equal(casesRun >= want, true, `${casesRun} of ${want}`);
});
